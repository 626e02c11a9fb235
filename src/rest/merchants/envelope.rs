//! The merchant-management envelope: `{code, msg, data}`, `code` 0 on success; failures answer
//! a non-zero `code` and a `msg` a page can show, with a 4xx status (5xx for server faults).

use crate::rest::json::Json;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::error::AppError;

/// An error rendered the merchant-management way.
#[derive(Debug)]
pub struct MerchantsError(pub AppError);

impl From<AppError> for MerchantsError {
    fn from(e: AppError) -> Self {
        MerchantsError(e)
    }
}

impl IntoResponse for MerchantsError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.0 {
            crate::error::log_internal(detail);
        }
        let retry_after = self.0.retry_after();
        let status = crate::rest::Family::Merchants.status(self.0.code());
        // The body's `code` is 1 for the request's own fault, the HTTP status otherwise.
        let code = match status {
            StatusCode::BAD_REQUEST => 1,
            other => other.as_u16(),
        };
        let msg = match self.0 {
            AppError::Unauthenticated(_) => "未登录或登录已失效".to_owned(),
            AppError::Forbidden(_) => "没有权限".to_owned(),
            AppError::Internal(_) => "服务器错误".to_owned(),
            AppError::BadInput { message, .. }
            | AppError::Rule { message, .. }
            | AppError::NotFound(message)
            | AppError::Conflict(message)
            | AppError::Busy { message, .. } => message,
        };
        let response = (status, Json(json!({ "code": code, "msg": msg }))).into_response();
        crate::web::retry_after(response, retry_after)
    }
}

/// The handlers' result.
pub type MerchantsResult = Result<Response, MerchantsError>;

/// The schema of `{code, msg}` failures.
pub fn error_schema() -> serde_json::Value {
    use crate::rest::schema::{int, object, string};
    object(&[("code", int()), ("msg", string())])
}
