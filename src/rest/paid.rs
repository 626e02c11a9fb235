//! The paid-reports envelope: `{status, data}` on success, `{status, error, errors}` on failure,
//! with the HTTP codes the seed lists (400, 401, 403).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Map, Value};

use crate::error::AppError;

/// An error rendered the paid-reports way.
#[derive(Debug)]
pub struct PaidError(pub AppError);

impl From<AppError> for PaidError {
    fn from(e: AppError) -> Self {
        PaidError(e)
    }
}

impl IntoResponse for PaidError {
    fn into_response(self) -> Response {
        let mut errors = Map::new();
        let (status, message) = match self.0 {
            AppError::BadInput { field, message } => {
                if let Some(field) = field {
                    errors.insert(field, Value::String(message.clone()));
                }
                (StatusCode::BAD_REQUEST, message)
            }
            AppError::Unauthenticated(message) => (StatusCode::UNAUTHORIZED, message),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "权限不足,没有调用权限".into()),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "记录不存在".into()),
            AppError::Conflict(message) | AppError::Rule { message, .. } => {
                (StatusCode::BAD_REQUEST, message)
            }
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "服务器错误".into()),
        };
        let body = json!({ "status": 1, "error": message, "errors": errors });
        (status, Json(body)).into_response()
    }
}

/// The handlers' result.
pub type PaidResult = Result<Response, PaidError>;

/// `{status: 0, data}`.
pub fn ok(data: Value) -> Response {
    Json(json!({ "status": 0, "data": data })).into_response()
}
