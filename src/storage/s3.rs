//! An S3-compatible backend (path-style requests signed with AWS Signature V4): Qiniu Kodo in
//! production (`https://s3-<region>.qiniucs.com`), any S3 in tests. Copy is a server-side
//! `PUT` with `x-amz-copy-source`.

use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use sha2::{Digest, Sha256};

use super::{checked_key, Storage};
use crate::error::{AppError, AppResult};

/// The largest object `get` reads into memory.
const MAX_OBJECT_BYTES: usize = 256 * 1024 * 1024;

/// Buckets on an S3-compatible endpoint.
pub struct S3 {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// `scheme://host[:port]`, no trailing slash.
    endpoint: String,
    host: String,
    region: String,
    access_key: String,
    secret_key: String,
}

impl S3 {
    /// A backend on `endpoint` (e.g. `https://s3-cn-east-1.qiniucs.com`) in `region`.
    pub fn new(
        endpoint: &str,
        region: &str,
        access_key: &str,
        secret_key: &str,
    ) -> anyhow::Result<Self> {
        let url = url::Url::parse(endpoint)?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => anyhow::bail!("the S3 endpoint has no host: {endpoint}"),
        };
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(S3 {
            client: Client::builder(TokioExecutor::new()).build(https),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            host,
            region: region.to_owned(),
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
        })
    }

    /// Signs and sends one request to `path` (already encoded).
    async fn send(
        &self,
        method: Method,
        path: String,
        extra: &[(&str, String)],
        body: Vec<u8>,
    ) -> AppResult<(StatusCode, Bytes)> {
        let now = chrono::Utc::now();
        let payload_hash = hex::encode(Sha256::digest(&body));
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.host.clone()),
            ("x-amz-content-sha256".into(), payload_hash.clone()),
            (
                "x-amz-date".into(),
                now.format("%Y%m%dT%H%M%SZ").to_string(),
            ),
        ];
        headers.extend(
            extra
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
        );
        let authorization = sign_v4(&SignInput {
            method: method.as_str(),
            path: &path,
            query: "",
            headers: &headers,
            payload_hash: &payload_hash,
            time: now,
            region: &self.region,
            access_key: &self.access_key,
            secret_key: &self.secret_key,
        });
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.endpoint));
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request
            .header("authorization", authorization)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| AppError::Internal(format!("s3 request: {e}")))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| AppError::Internal(format!("s3: {e}")))?;
        let status = response.status();
        let body = http_body_util::Limited::new(response.into_body(), MAX_OBJECT_BYTES)
            .collect()
            .await
            .map_err(|e| AppError::Internal(format!("s3 body: {e}")))?
            .to_bytes();
        Ok((status, body))
    }
}

impl S3 {
    /// Creates `bucket` if it is missing (test servers; production buckets exist already).
    pub async fn create_bucket(&self, bucket: &str) -> AppResult<()> {
        let path = format!("/{}", uri_encode(checked_key(bucket)?, false));
        let (status, body) = self.send(Method::PUT, path, &[], Vec::new()).await?;
        if status.is_success() || status == StatusCode::CONFLICT {
            Ok(())
        } else {
            Err(failed("create bucket", status, &body))
        }
    }
}

/// `/<bucket>/<key>`, encoded.
fn object_path(bucket: &str, key: &str) -> AppResult<String> {
    Ok(format!(
        "/{}/{}",
        uri_encode(checked_key(bucket)?, false),
        uri_encode(checked_key(key)?, true)
    ))
}

fn failed(op: &str, status: StatusCode, body: &[u8]) -> AppError {
    AppError::Internal(format!(
        "s3 {op}: {status} {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    ))
}

#[async_trait::async_trait]
impl Storage for S3 {
    async fn put(&self, bucket: &str, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        let (status, body) = self
            .send(Method::PUT, object_path(bucket, key)?, &[], bytes)
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(failed("put", status, &body))
        }
    }

    async fn get(&self, bucket: &str, key: &str) -> AppResult<Option<Vec<u8>>> {
        let (status, body) = self
            .send(Method::GET, object_path(bucket, key)?, &[], Vec::new())
            .await?;
        match status {
            s if s.is_success() => Ok(Some(body.to_vec())),
            StatusCode::NOT_FOUND => Ok(None),
            s => Err(failed("get", s, &body)),
        }
    }

    async fn copy(&self, from_bucket: &str, key: &str, to_bucket: &str) -> AppResult<()> {
        let source = object_path(from_bucket, key)?;
        let target = object_path(to_bucket, key)?;
        let (status, body) = self
            .send(
                Method::PUT,
                target,
                &[("x-amz-copy-source", source)],
                Vec::new(),
            )
            .await?;
        let text = String::from_utf8_lossy(&body);
        // S3 may answer 200 with an error document for a copy.
        if status.is_success() && !text.contains("<Error>") {
            Ok(())
        } else if status == StatusCode::NOT_FOUND || text.contains("NoSuchKey") {
            Err(AppError::NotFound(format!("文件不存在: {key}")))
        } else {
            Err(failed("copy", status, &body))
        }
    }
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, `/` stays in keys.
fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What a Signature V4 signs.
pub struct SignInput<'a> {
    pub method: &'a str,
    /// Already URI-encoded.
    pub path: &'a str,
    /// Already canonical (sorted, encoded).
    pub query: &'a str,
    /// Lower-case names; signed in sorted order.
    pub headers: &'a [(String, String)],
    pub payload_hash: &'a str,
    pub time: chrono::DateTime<chrono::Utc>,
    pub region: &'a str,
    pub access_key: &'a str,
    pub secret_key: &'a str,
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header of an AWS Signature V4 request to S3.
pub fn sign_v4(input: &SignInput<'_>) -> String {
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        input.method, input.path, input.query, input.payload_hash
    );
    let date = input.time.format("%Y%m%d").to_string();
    let scope = format!("{date}/{}/s3/aws4_request", input.region);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        input.time.format("%Y%m%dT%H%M%SZ"),
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac256(format!("AWS4{}", input.secret_key).as_bytes(), &date);
    let k_region = hmac256(&k_date, input.region);
    let k_service = hmac256(&k_region, "s3");
    let k_signing = hmac256(&k_service, "aws4_request");
    let signature = hex::encode(hmac256(&k_signing, &string_to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        input.access_key
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's published example "GET Object" (Signature V4 for S3, header-based auth).
    #[test]
    fn aws_documentation_vector() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let headers = vec![
            (
                "host".to_owned(),
                "examplebucket.s3.amazonaws.com".to_owned(),
            ),
            ("range".to_owned(), "bytes=0-9".to_owned()),
            ("x-amz-content-sha256".to_owned(), empty.to_owned()),
            ("x-amz-date".to_owned(), "20130524T000000Z".to_owned()),
        ];
        let time = chrono::DateTime::parse_from_rfc3339("2013-05-24T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let auth = sign_v4(&SignInput {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &headers,
            payload_hash: empty,
            time,
            region: "us-east-1",
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        });
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn keys_are_encoded_but_keep_their_slashes() {
        assert_eq!(
            uri_encode("报告/a b.pdf", true),
            "%E6%8A%A5%E5%91%8A/a%20b.pdf"
        );
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }
}
