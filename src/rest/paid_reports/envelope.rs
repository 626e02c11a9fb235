//! The paid-reports envelope: `{status, data}` on success, `{status, error, errors}` on failure,
//! with the HTTP codes the seed lists (400, 401, 403).

use crate::rest::json::Json;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{json, value::RawValue, Map, Value};

use crate::error::AppError;
use crate::rest::{family_error, Family};

family_error!(PaidReportsError, Family::PaidReports, status_error);

/// `{status: 1, error, errors}` of `error`: a field's error is also listed under `errors`;
/// refusals and server faults have a fixed text.
fn status_error(error: AppError, status: StatusCode) -> Response {
    let mut errors = Map::new();
    let message = match error {
        AppError::BadInput { field, message } => {
            if let Some(field) = field {
                errors.insert(field, Value::String(message.clone()));
            }
            message
        }
        AppError::Forbidden(_) => "权限不足,没有调用权限".into(),
        AppError::NotFound(_) => "记录不存在".into(),
        AppError::Internal(_) => "服务器错误".into(),
        AppError::Unauthenticated(message)
        | AppError::Conflict(message)
        | AppError::Rule { message, .. }
        | AppError::Busy { message, .. } => message,
    };
    let body = json!({ "status": 1, "error": message, "errors": errors });
    (status, Json(body)).into_response()
}

/// The handlers' result.
pub type PaidReportsResult = Result<Response, PaidReportsError>;

/// `{status: 0, data}`.
pub fn ok(data: Value) -> Response {
    Json(json!({ "status": 0, "data": data })).into_response()
}

/// `{status: 0, data, date}`: the seed puts some answers under `date`, a typo legacy clients
/// read; such answers carry the payload under both (CONTRACT.md §10).
pub fn ok_both(data: Value) -> Response {
    #[derive(serde::Serialize)]
    struct Both<'a> {
        status: u8,
        data: &'a RawValue,
        date: &'a RawValue,
    }
    match written_once(&data) {
        Ok(data) => Json(Both {
            status: 0,
            data: &data,
            date: &data,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `payload` as JSON text, for an answer that carries it under two keys (`data` and `date`):
/// serialized once and written twice.
pub fn written_once<P: serde::Serialize + ?Sized>(
    payload: &P,
) -> Result<Box<RawValue>, PaidReportsError> {
    serde_json::value::to_raw_value(payload)
        .map_err(|e| PaidReportsError(AppError::Internal(e.to_string())))
}

/// `{id}` of a created or changed record, as the seed's write answers give it.
pub fn id_only(value: Value) -> Value {
    json!({ "id": value["id"] })
}

/// A Laravel page from a GraphQL page object (`totalCount`, `page`, `pageSize`, `items`).
pub fn laravel_page(mut page: Value) -> Value {
    let total = page["totalCount"].as_u64().unwrap_or(0);
    let per_page = page["pageSize"].as_u64().unwrap_or(1).max(1);
    let last_page = total.div_ceil(per_page).max(1);
    json!({
        "current_page": page["page"],
        "last_page": last_page,
        "per_page": per_page,
        "total": total,
        "data": page.get_mut("items").map(Value::take).unwrap_or(Value::Array(vec![])),
    })
}

/// The schema of `{status: 0, data}`.
pub fn ok_schema(data: Value) -> Value {
    use crate::rest::schema::{int_of, object};
    object(&[("status", int_of(&[0])), ("data", data)])
}

/// The schema of `{status: 0, data, date}`.
pub fn ok_both_schema(data: Value) -> Value {
    use crate::rest::schema::{int_of, object};
    object(&[
        ("status", int_of(&[0])),
        ("data", data.clone()),
        ("date", data),
    ])
}

/// The schema of [`id_only`].
pub fn id_only_schema() -> Value {
    crate::rest::schema::object(&[("id", crate::rest::schema::int())])
}

/// The schema of a Laravel page of `item`s.
pub fn laravel_page_schema(item: Value) -> Value {
    use crate::rest::schema::{array, int, object};
    object(&[
        ("current_page", int()),
        ("last_page", int()),
        ("per_page", int()),
        ("total", int()),
        ("data", array(item)),
    ])
}

/// The schema of `{status: 1, error, errors}`.
pub fn error_schema() -> Value {
    use crate::rest::schema::{int_of, map_of, object, string};
    object(&[
        ("status", int_of(&[1])),
        ("error", string()),
        ("errors", map_of(string())),
    ])
}
