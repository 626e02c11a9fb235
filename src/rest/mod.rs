//! The legacy REST compatibility layer. Each family is a folder of routes that decode the legacy
//! request, run one GraphQL operation (aliases give the legacy keys) and wrap the answer in the
//! family's envelope. No business rule lives here.

pub mod code_msg;
pub mod drf;
pub mod kids_coding;
pub mod merchants;
pub mod operation;
pub mod paid;
pub mod paid_reports;
pub mod params;

use axum::{
    extract::OriginalUri,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
    Json, Router,
};
use serde_json::json;

use crate::state::AppState;

/// Every legacy URL.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(kids_coding::router())
        .merge(merchants::router())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            crate::app::MAX_BODY_BYTES,
        ))
        .merge(paid_reports::router())
}

/// A refusal from outside any handler (unknown URL, wrong method) in the envelope of the
/// family the path belongs to.
fn refusal(path: &str, status: StatusCode, message: &str) -> Response {
    let body = if path.starts_with("/api/") {
        json!({ "status": 1, "error": message, "errors": {} })
    } else if path.starts_with("/custommanage") {
        json!({ "code": status.as_u16(), "msg": message })
    } else {
        json!({ "detail": message })
    };
    (status, Json(body)).into_response()
}

/// The answer for a URL no route serves.
pub async fn not_found(OriginalUri(uri): OriginalUri) -> Response {
    refusal(uri.path(), StatusCode::NOT_FOUND, "Not found.")
}

/// The answer for a route called with a method it does not serve.
pub async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    let message = format!("Method \"{method}\" not allowed.");
    refusal(uri.path(), StatusCode::METHOD_NOT_ALLOWED, &message)
}
