//! The merchant-management envelope: `{code, msg, data}`, `code` 0 on success; failures answer
//! a non-zero `code` and a `msg` a page can show, with a 4xx status (5xx for server faults).

use crate::rest::json::Json;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::error::AppError;
use crate::rest::{family_error, Family};

family_error!(MerchantsError, Family::Merchants, code_msg);

/// `{code, msg}` of `error`: the body's `code` is 1 for the request's own fault, the HTTP status
/// otherwise; credentials and server faults have a fixed `msg`.
fn code_msg(error: AppError, status: StatusCode) -> Response {
    let code = match status {
        StatusCode::BAD_REQUEST => 1,
        other => other.as_u16(),
    };
    let msg = match error {
        AppError::Unauthenticated(_) => "未登录或登录已失效".to_owned(),
        AppError::Forbidden(_) => "没有权限".to_owned(),
        AppError::Internal(_) => "服务器错误".to_owned(),
        AppError::BadInput { message, .. }
        | AppError::Rule { message, .. }
        | AppError::NotFound(message)
        | AppError::Conflict(message)
        | AppError::Busy { message, .. } => message,
    };
    (status, Json(json!({ "code": code, "msg": msg }))).into_response()
}

/// The handlers' result.
pub type MerchantsResult = Result<Response, MerchantsError>;

/// The schema of `{code, msg}` failures.
pub fn error_schema() -> serde_json::Value {
    use crate::rest::schema::{int, object, string};
    object(&[("code", int()), ("msg", string())])
}
