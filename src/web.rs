//! What browsers and proxies need of every answer: CORS, compression, `Retry-After` on a
//! refusal to come back later, and an answer (rather than a dropped connection) when a handler
//! panics. `app::router` puts these layers on every
//! route and both fallbacks, inside the request tracking.

use std::{any::Any, time::Duration};

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderName, Method, StatusCode, Version},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::{
    catch_panic::{CatchPanicLayer, ResponseForPanic},
    compression::{predicate::SizeAbove, CompressionLayer, Predicate},
    cors::{AllowOrigin, CorsLayer},
};

use crate::{config::CorsOrigins, ops::SharedMetrics};

/// How long a browser may reuse a preflight's answer: Chromium caps it at two hours.
pub const CORS_MAX_AGE: Duration = Duration::from_secs(7200);

/// The request headers a page may send: credentials, JSON bodies, its own request id, and what
/// Apollo clients send with persisted queries (their CSRF-prevention and client headers).
pub const CORS_ALLOWED_HEADERS: [HeaderName; 7] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("apollo-require-preflight"),
    HeaderName::from_static("x-apollo-operation-name"),
    HeaderName::from_static("apollographql-client-name"),
    HeaderName::from_static("apollographql-client-version"),
];

/// The answer headers a page may read beyond the safelisted ones: the request id to quote in a
/// bug report, a download's file name, and when to retry a busy server.
pub const CORS_EXPOSED_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-request-id"),
    header::CONTENT_DISPOSITION,
    header::RETRY_AFTER,
];

/// CORS for `origins`. Credentials are never allowed (they travel in a header, not cookies),
/// so `*` is possible; an origin that is not allowed gets no CORS header at all.
pub fn cors(origins: CorsOrigins) -> CorsLayer {
    let allow_origin = match origins {
        CorsOrigins::Any => AllowOrigin::any(),
        origins => AllowOrigin::predicate(move |origin, _| origins.allows(origin.as_bytes())),
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(CORS_ALLOWED_HEADERS)
        .expose_headers(CORS_EXPOSED_HEADERS)
        .max_age(CORS_MAX_AGE)
}

/// Middleware outside [`cors`]: its preflight answers carry no body, so they say so with 204
/// (`tower_http` answers 200).
pub async fn preflight_no_content(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = next.run(request).await;
    if preflight && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// Bodies smaller than this go out as they are: compressing them saves less than its headers
/// and the work cost.
pub const MIN_COMPRESSED_BYTES: u16 = 1024;

/// Whether an answer's type is text worth compressing: JSON (GraphQL's too), HTML, JavaScript,
/// CSS and plain text (`/metrics`). Spreadsheets, images and other compressed formats never are.
fn compressible(
    _: StatusCode,
    _: Version,
    headers: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    let Some(media) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
    else {
        return false;
    };
    matches!(
        media.as_str(),
        "application/json"
            | "text/html"
            | "text/javascript"
            | "application/javascript"
            | "text/css"
            | "text/plain"
    ) || media.ends_with("+json")
}

/// gzip or brotli, as the client's `Accept-Encoding` prefers, for text answers of at least
/// [`MIN_COMPRESSED_BYTES`] (brotli at quality 4, nginx's choice for answers made on the fly).
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(
        SizeAbove::new(MIN_COMPRESSED_BYTES).and(compressible as fn(_, _, &_, &_) -> _),
    )
}

/// A handler's panic answered: logged inside the request's span (so with its request id),
/// counted, and answered 500 as plain text, which `rest::envelope_refusals` puts into the
/// family's envelope. The server goes on serving: the panic ends this request only.
pub fn catch_panic(metrics: SharedMetrics) -> CatchPanicLayer<PanicAnswer> {
    CatchPanicLayer::custom(PanicAnswer(metrics))
}

/// See [`catch_panic`].
#[derive(Clone)]
pub struct PanicAnswer(SharedMetrics);

impl ResponseForPanic for PanicAnswer {
    type ResponseBody = Body;

    fn response_for_panic(&mut self, panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        tracing::error!(panic = %crate::error::redact(&message), "a handler panicked: answered 500");
        self.0.count("opsgraph_http_panics_total", &[]);
        (StatusCode::INTERNAL_SERVER_ERROR, crate::error::INTERNAL).into_response()
    }
}

/// `response` with a `Retry-After` of `seconds`, when there are any (a `BUSY` refusal).
pub fn retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}
