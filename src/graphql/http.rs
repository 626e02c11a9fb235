//! GraphQL over HTTP: reading a request (JSON or multipart with a file), running it as its
//! caller, and counting it for `/metrics`.

use async_graphql::{
    http::{receive_batch_body, MultipartOptions},
    ErrorExtensions, ParseRequestError,
};
use async_graphql_axum::GraphQLResponse;
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use super::request::Source;
use crate::{
    auth::{credentials::from_headers as authenticate, Auth, Permission, Principal, NOT_PERMITTED},
    error::AppError,
    state::AppState,
};

/// Files one multipart request may carry (the whitelist import takes one).
pub const MAX_UPLOAD_FILES: usize = 1;

/// The codes of the operations that take a file (`importWhitelist`, `convertWhitelistSheet`):
/// a multipart request from a caller holding none of them is refused before its body is read.
pub const UPLOAD_CODES: &[Permission] = &[
    Permission::ReportWhiteImport,
    Permission::WhiteExportConvert,
];

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

/// Whether `auth` may send a file: a staff caller holding one of [`UPLOAD_CODES`].
fn may_upload(auth: &Auth) -> Result<(), AppError> {
    match &auth.0 {
        None => Err(AppError::Unauthenticated(
            crate::auth::NOT_AUTHENTICATED.into(),
        )),
        Some(Principal::Staff(s)) if UPLOAD_CODES.iter().any(|p| s.can(*p)) => Ok(()),
        Some(_) => Err(AppError::Forbidden(NOT_PERMITTED.into())),
    }
}

/// A caller refused before anything was read or run: 401 or 403 with a GraphQL error.
fn refused_caller(err: AppError) -> Response {
    let status = match err {
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNAUTHORIZED,
    };
    let body = json!({ "data": null, "errors": [{ "message": err.to_string(), "extensions": { "code": err.code().as_str() } }] });
    (status, Json(body)).into_response()
}

/// One GraphQL request from a body. A batch is refused: its operations would run concurrently,
/// multiplying what one request may cost past every per-document limit.
async fn read_request(
    headers: &HeaderMap,
    body: Bytes,
) -> Result<async_graphql::Request, ParseRequestError> {
    // The body was read within its limit (`execute`): JSON 2 MB, multipart the upload's.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let options = MultipartOptions::default()
        .max_file_size(crate::xlsx::UPLOAD_LIMITS.max_bytes)
        .max_num_files(MAX_UPLOAD_FILES);
    let reader = async_graphql::futures_util::io::Cursor::new(body);
    receive_batch_body(content_type, reader, options)
        .await?
        .into_single()
}

/// A request that could not be read, as a GraphQL error with a code.
fn refused(error: ParseRequestError) -> Response {
    let (status, code) = match &error {
        ParseRequestError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
        ParseRequestError::UnsupportedBatch => (StatusCode::BAD_REQUEST, "BATCH_NOT_SUPPORTED"),
        _ => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
    };
    let body = json!({ "data": null, "errors": [{ "message": error.to_string(), "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// A caller whose credentials are not valid: an `UNAUTHENTICATED` error, nothing read or run.
fn unauthenticated(err: AppError) -> Response {
    let mut error = async_graphql::ServerError::new(err.to_string(), None);
    error.extensions = err.extend().extensions;
    GraphQLResponse::from(async_graphql::Response::from_errors(vec![error])).into_response()
}

/// `POST /graphql`: one operation, as JSON or as a GraphQL multipart request with a file.
/// The caller is known before the body is read: bad credentials answer an `UNAUTHENTICATED`
/// error and read nothing, and a file is read only from a caller who may send one.
pub async fn execute(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let auth = match authenticate(&state, &headers).await {
        Ok(auth) => auth,
        Err(err) => return unauthenticated(err),
    };
    let limit = if is_multipart(&headers) {
        if let Err(err) = may_upload(&auth) {
            return refused_caller(err);
        }
        crate::app::MAX_UPLOAD_BODY_BYTES
    } else {
        crate::app::MAX_BODY_BYTES
    };
    // A body that cannot be read within its limit is refused as too large (the outer layer
    // has already refused a declared length over the upload limit).
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return refused(ParseRequestError::PayloadTooLarge);
    };
    let request = match read_request(&headers, body).await {
        Ok(request) => request,
        Err(e) => return refused(e),
    };
    answer(&state, request, auth, Source::Client).await
}

/// The parameters of a GraphQL GET (GraphQL over HTTP): `variables` and `extensions` are JSON.
#[derive(Default)]
struct GetParams {
    query: String,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

impl GetParams {
    /// The parameters of a query string; any other is ignored, one given twice is refused.
    fn parse(text: &str) -> Result<GetParams, String> {
        let mut params = GetParams::default();
        let mut query = None;
        for (key, value) in url::form_urlencoded::parse(text.as_bytes()) {
            let slot = match &*key {
                "query" => &mut query,
                "operationName" => &mut params.operation_name,
                "variables" => &mut params.variables,
                "extensions" => &mut params.extensions,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(format!("duplicate field `{key}`"));
            }
        }
        params.query = query.unwrap_or_default();
        Ok(params)
    }
}

/// A GraphQL request from a query string.
fn query_string_request(text: &str) -> Result<async_graphql::Request, ParseRequestError> {
    let invalid = |e: String| ParseRequestError::InvalidRequest(e.into());
    let params = GetParams::parse(text).map_err(invalid)?;
    let json = |name: &str, value: Option<String>| -> Result<_, ParseRequestError> {
        value
            .filter(|v| !v.is_empty())
            .map(|v| serde_json::from_str(&v).map_err(|e| invalid(format!("invalid {name}: {e}"))))
            .transpose()
    };
    let variables: Option<serde_json::Value> = json("variables", params.variables)?;
    let extensions = match json("extensions", params.extensions)? {
        None => serde_json::Map::new(),
        Some(serde_json::Value::Object(map)) => map,
        Some(_) => return Err(invalid("invalid extensions: not an object".into())),
    };
    if params.query.is_empty() && !extensions.contains_key("persistedQuery") {
        return Err(invalid(
            "a query, or a persisted query's hash in extensions, is required".into(),
        ));
    }
    let mut request = async_graphql::Request::new(params.query);
    request.operation_name = params.operation_name;
    if let Some(variables) = variables {
        request.variables = async_graphql::Variables::from_json(variables);
    }
    for (key, value) in extensions {
        request.extensions.insert(
            key,
            async_graphql::Value::from_json(value).unwrap_or_default(),
        );
    }
    Ok(request)
}

/// `GET /graphql?query=…&operationName=…&variables=…&extensions=…`: a query (GraphQL over
/// HTTP), by its text or by a persisted query's hash alone, so that a CDN can cache its URL. A
/// mutation is refused with 405 and runs not at all.
pub async fn execute_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let auth = match authenticate(&state, &headers).await {
        Ok(auth) => auth,
        Err(err) => return unauthenticated(err),
    };
    match query_string_request(query.as_deref().unwrap_or_default()) {
        Ok(request) => answer(&state, request, auth, Source::ClientGet).await,
        Err(e) => refused(e),
    }
}

/// Runs a client's request and answers it, counted for `/metrics` by operation name and error
/// code.
async fn answer(
    state: &AppState,
    request: async_graphql::Request,
    auth: Auth,
    source: Source,
) -> Response {
    let operation = operation_label(
        request
            .operation_name
            .as_deref()
            .or_else(|| document_operation_name(&request.query)),
    );
    let started = std::time::Instant::now();
    let response = super::request::run(state, request, auth, source).await;
    let metrics = &state.metrics;
    metrics.observe(
        "opsgraph_graphql_duration_seconds",
        &[("operation", &operation)],
        started.elapsed(),
    );
    let mut retry_after = None;
    let mut not_a_query = false;
    for e in &response.errors {
        let code = e
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .map(|c| c.to_string().trim_matches('"').to_owned())
            .unwrap_or_else(|| "GRAPHQL_VALIDATION".into());
        if code == crate::error::ErrorCode::Busy.as_str() {
            retry_after = crate::error::AppError::from_graphql(e).retry_after();
        }
        not_a_query |= code == super::request::NOT_A_QUERY;
        metrics.count("opsgraph_graphql_errors_total", &[("code", &code)]);
    }
    if not_a_query {
        // GraphQL over HTTP: a mutation over GET is 405, and POST is the method that serves it.
        let mut refusal = (StatusCode::METHOD_NOT_ALLOWED, Json(response)).into_response();
        refusal
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return refusal;
    }
    // A `BUSY` error says when to come back in the header too, as REST's 503 does.
    crate::web::retry_after(GraphQLResponse::from(response).into_response(), retry_after)
}

/// The name of a document's first operation (`query Name …`), without parsing it.
fn document_operation_name(query: &str) -> Option<&str> {
    let rest = query.trim_start();
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|k| rest.strip_prefix(k))?
        .trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// A GraphQL operation name as a metrics label: client-chosen, so only plain names of sane
/// length are kept.
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(n)
            if (1..=64).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            n.to_owned()
        }
        Some(_) => "other".to_owned(),
        None => "anonymous".to_owned(),
    }
}
