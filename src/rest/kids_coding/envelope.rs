//! The Django REST Framework envelope of the kids-coding families: bare objects, pages of
//! `{count, next, previous, results}` with absolute links, and DRF's error bodies.

use crate::rest::json::Json;
use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::rest::{
    family_error,
    operation::{Page, Rows},
    Family,
};

family_error!(KidsCodingError, Family::KidsCoding, drf_error);

/// DRF's body of `error`: `{"<field>": ["…"]}` for a field's error, `{"detail": …}` otherwise;
/// a missing or bad credential says `WWW-Authenticate: Token`.
fn drf_error(error: AppError, status: StatusCode) -> Response {
    let unauthenticated = matches!(error, AppError::Unauthenticated(_));
    let body = match error {
        AppError::BadInput {
            field: Some(field),
            message,
        } => json!({ field: [message] }),
        // Market rules keep the purchase answer's shape (CONTRACT.md, errors).
        AppError::Rule { message, .. } => json!({ "message": message }),
        AppError::Internal(_) => json!({ "detail": "A server error occurred." }),
        AppError::BadInput { message, .. }
        | AppError::Unauthenticated(message)
        | AppError::Forbidden(message)
        | AppError::NotFound(message)
        | AppError::Conflict(message)
        | AppError::Busy { message, .. } => json!({ "detail": message }),
    };
    let mut response = (status, Json(body)).into_response();
    if unauthenticated {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    }
    response
}

/// The handlers' result.
pub type KidsCodingResult = Result<Response, KidsCodingError>;

/// A DRF page of a GraphQL page. Its links are on `public_url` (the configured
/// `OPSGRAPH_PUBLIC_URL`) when there is one.
pub fn page(
    graphql_page: Page,
    uri: &Uri,
    headers: &HeaderMap,
    public_url: Option<&str>,
) -> Response {
    /// DRF's page, in its key order.
    #[derive(serde::Serialize)]
    struct DrfPage {
        count: u64,
        next: Option<String>,
        previous: Option<String>,
        results: Rows,
    }
    let Page {
        total,
        page,
        page_size,
        items,
    } = graphql_page;
    let size = page_size.max(1);
    let base = || base_url(headers, uri, public_url);
    let next = (page * size < total).then(|| link(&base(), uri, Some(page + 1)));
    let previous = (page > 1).then(|| link(&base(), uri, (page > 2).then_some(page - 1)));
    Json(DrfPage {
        count: total,
        next,
        previous,
        results: items,
    })
    .into_response()
}

/// Where links point: the configured public URL (checked at start, no trailing slash), or
/// else the scheme and `Host` the request came with. A `Host` that is no plain authority
/// (credentials, a path, spaces) is not copied into a link: `localhost` stands in.
fn base_url(headers: &HeaderMap, uri: &Uri, public_url: Option<&str>) -> String {
    if let Some(base) = public_url {
        return base.to_owned();
    }
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https" || *s == "http")
        .unwrap_or("http");
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .filter(|h| !h.contains('@') && h.parse::<axum::http::uri::Authority>().is_ok())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// The absolute URL of this request on `base` with `page` replaced (or removed for the first
/// page), the other parameters kept and sorted, as DRF's `replace_query_param` builds it.
fn link(base: &str, uri: &Uri, page: Option<u64>) -> String {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "page")
            .collect();
    if let Some(p) = page {
        pairs.push(("page".into(), p.to_string()));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let sep = if query.is_empty() { "" } else { "?" };
    format!("{base}{}{sep}{query}", uri.path())
}

/// A bare object with 200.
pub fn object(value: Value) -> Response {
    Json(value).into_response()
}

/// A bare object with 201 Created.
pub fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

/// The schema of a DRF page of `item`s.
pub fn page_schema(item: Value) -> Value {
    use crate::rest::schema::{array, int, nullable, object, string};
    object(&[
        ("count", int()),
        ("next", nullable(string())),
        ("previous", nullable(string())),
        ("results", array(item)),
    ])
}

/// The schema of DRF's error bodies: `{"detail": …}`, `{"<field>": ["…"]}`, or the purchase's
/// `{"message": …}`.
pub fn error_schema() -> Value {
    json!({
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {
            "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }],
        },
    })
}
