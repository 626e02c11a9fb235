//! The paid-reports URLs (`paid-reports.txt`), each mapped onto one GraphQL operation:
//! login (`access`), reports, whitelists with their spreadsheets, and storage signing.

mod access;
pub mod envelope;
mod orders;
mod reports;
mod storage;
mod whitelist;

use axum::extract::Multipart;
use serde_json::json;

use crate::{
    error::AppError,
    rest::{doc::Doc, operation::Caller, params::Paging, schema::int, Route},
};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    [
        access::routes(),
        reports::routes(),
        whitelist::routes(),
        orders::routes(),
        storage::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A report's `{id}` in the path.
fn report_id(doc: Doc) -> Doc {
    doc.path("id", int(), json!(1), "The report's id")
        .errors(&[404])
}

/// The Laravel page parameters: a value that is not an integer is a field error, one below 1
/// the default.
const PAGING: Paging = Paging::numbered("limit", "Rows per page");

/// A path id: anything but a positive number is not found.
fn path_id(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::NotFound("记录不存在".into()))
}

/// Runs an upload operation with the request's file (the caller was admitted already).
async fn run_upload(
    caller: &Caller,
    document: &'static str,
    variables: serde_json::Value,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<serde_json::Value, AppError> {
    let file = file_field(multipart).await?;
    let (state, auth) = (&caller.state, caller.auth.clone());
    crate::rest::operation::run_with_upload(state, auth, document, variables, Some(("file", file)))
        .await
}

/// The multipart field `file`, as an upload for GraphQL.
async fn file_field(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<async_graphql::UploadValue, AppError> {
    let mut multipart =
        multipart.map_err(|_| AppError::field("file", "请以 multipart/form-data 上传 file"))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::field("file", "上传内容不完整或过大"))?
    {
        if field.name() == Some("file") {
            let filename = field.file_name().unwrap_or("upload.xlsx").to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let content = field
                .bytes()
                .await
                .map_err(|_| AppError::field("file", "上传内容不完整或过大"))?;
            return Ok(async_graphql::UploadValue {
                filename,
                content_type,
                content,
            });
        }
    }
    Err(AppError::field("file", "file 不能为空"))
}
