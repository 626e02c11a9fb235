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
    extract::{DefaultBodyLimit, OriginalUri},
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
    routing::MethodRouter,
    Json, Router,
};
use serde_json::json;
use std::convert::Infallible;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{
    app::{MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES},
    state::AppState,
};

/// One legacy URL and method. The list of them is the route table: it builds the router, the
/// OpenAPI document and the authorization test's walk, so no route can miss any of the three.
pub struct Route {
    pub method: Method,
    /// The axum pattern (`/api/report/{id}`), also the OpenAPI path.
    pub path: String,
    pub handler: MethodRouter<AppState>,
    /// Takes a spreadsheet upload: the larger body limit applies.
    pub upload: bool,
}

impl Route {
    /// A route serving `method` on `path` with `handler` (a method router for that method).
    pub fn new(method: Method, path: impl Into<String>, handler: MethodRouter<AppState>) -> Self {
        Route {
            method,
            path: path.into(),
            handler,
            upload: false,
        }
    }

    /// Marks the route as taking an upload.
    pub fn upload(mut self) -> Self {
        self.upload = true;
        self
    }
}

/// Every legacy URL and method, in the order the families list them.
pub fn routes() -> Vec<Route> {
    let mut routes = kids_coding::routes();
    routes.extend(merchants::routes());
    routes.extend(paid_reports::routes());
    routes
}

/// Every GraphQL document the REST layer runs: `opsgraph export-operations` prints them for
/// CI's graphql-js check, and debug builds refuse to run a document missing from this list.
pub fn documents() -> Vec<&'static str> {
    let mut documents = kids_coding::documents();
    documents.extend(merchants::DOCUMENTS);
    documents.extend(paid_reports::documents());
    documents
}

/// The router of every legacy URL, each with its body limit (axum's extractors and the raw
/// body both capped, so neither a `Bytes` handler nor a streaming one reads past it).
pub fn router() -> Router<AppState> {
    routes().into_iter().fold(Router::new(), |router, route| {
        let limit = if route.upload {
            MAX_UPLOAD_BODY_BYTES
        } else {
            MAX_BODY_BYTES
        };
        let handler = route
            .handler
            .layer::<_, Infallible>(DefaultBodyLimit::max(limit))
            .layer::<_, Infallible>(RequestBodyLimitLayer::new(limit));
        // Routes on one path merge into one method router.
        router.route(&route.path, handler)
    })
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
