//! The GraphQL playground at `/graphiql`, served from the binary: GraphiQL bundled from the npm
//! packages pinned in `playground/package-lock.json` (`node build.mjs` there writes the files
//! beside this one; CI rebuilds them and fails on a difference). Nothing is fetched from a CDN,
//! which intranet and mainland-China deployments often cannot reach.

use std::sync::LazyLock;

use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// The page works under this policy: scripts and styles from the server only (GraphiQL's
/// dialogs set inline styles).
const CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'";

/// One embedded file with its validator.
struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

fn asset(bytes: &'static [u8], content_type: &'static str) -> Asset {
    use sha2::Digest;
    let digest = hex::encode(&sha2::Sha256::digest(bytes)[..12]);
    Asset {
        bytes,
        content_type,
        etag: HeaderValue::from_str(&format!("\"{digest}\""))
            .unwrap_or(HeaderValue::from_static("\"0\"")),
    }
}

static PAGE: LazyLock<Asset> =
    LazyLock::new(|| asset(include_bytes!("index.html"), "text/html; charset=utf-8"));
static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        include_bytes!("graphiql.js"),
        "text/javascript; charset=utf-8",
    )
});
static STYLE: LazyLock<Asset> =
    LazyLock::new(|| asset(include_bytes!("graphiql.css"), "text/css; charset=utf-8"));

/// Answers an asset, or 304 when the client holds this version. The names carry no hash, so
/// clients revalidate every time (`no-cache`) and the ETag keeps that cheap.
fn serve(asset: &Asset, headers: &HeaderMap) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// `GET /graphiql`.
pub async fn page(headers: HeaderMap) -> Response {
    serve(&PAGE, &headers)
}

/// `GET /graphiql/graphiql.js`.
pub async fn script(headers: HeaderMap) -> Response {
    serve(&SCRIPT, &headers)
}

/// `GET /graphiql/graphiql.css`.
pub async fn style(headers: HeaderMap) -> Response {
    serve(&STYLE, &headers)
}
