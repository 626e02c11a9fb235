//! Storage signing: Qiniu upload tokens, private download URLs, and copying to the private
//! bucket.

use crate::rest::Json;
use axum::response::IntoResponse;

use super::envelope::{self, PaidReportsResult};
use crate::rest::prelude::*;

/// The storage routes.
pub(super) fn routes() -> Vec<Route> {
    // A required object key, the demo's report file for an example.
    let object_key = |doc: Doc, name, description| {
        doc.query(name, string(), description)
            .required(json!("report/demo.pdf"))
    };
    vec![
        Route::new(
            Method::GET,
            "/api/report/downloadurl",
            get(download_url),
            object_key(
                Doc::new(
                    "A signed download URL of a report file",
                    Access::Staff(Permission::GetReportDownloadurl),
                ),
                "report_name",
                "The file's key",
            )
            .answer(
                200,
                envelope::ok_schema(from_document(DOWNLOAD_URL, "downloadUrl")),
            )
            .errors(&[400]),
        )
        .runs(&[DOWNLOAD_URL]),
        Route::new(
            Method::GET,
            "/api/qiniu/token",
            get(upload_token),
            Doc::new(
                "A Qiniu upload token",
                Access::Staff(Permission::GetQiniuToken),
            )
            .query(
                "type",
                string_of(&["default", "private"]),
                "The bucket (default: the public one)",
            )
            .answer(
                200,
                object(&[
                    ("status", int_of(&[0])),
                    ("qiniu_token", from_document(UPLOAD_TOKEN, "uploadToken")),
                ]),
            )
            .errors(&[400]),
        )
        .runs(&[UPLOAD_TOKEN]),
        Route::new(
            Method::GET,
            "/api/qiniu/copyfile",
            get(copy_file),
            object_key(
                Doc::new(
                    "Copy a file from the public bucket to the private one",
                    Access::Staff(Permission::GetQiniuToken),
                ),
                "key",
                "The object (also `file` or `report_name`)",
            )
            .answer(
                200,
                envelope::ok_schema(object(&[("message", from_document(COPY_FILE, "copyFile"))])),
            )
            .errors(&[400, 404]),
        )
        .runs(&[COPY_FILE]),
    ]
}

const UPLOAD_TOKEN: &str = "query Token($type: String) { uploadToken(type: $type) }";
const DOWNLOAD_URL: &str = "query Url($name: String!) { downloadUrl(reportName: $name) }";
const COPY_FILE: &str = "mutation Copy($key: String!) { copyFile(key: $key) }";

/// `GET /api/qiniu/token` (GET_QINIU_TOKEN): `type` default/private; answers `qiniu_token`
/// beside `status`, as the seed shows.
pub async fn upload_token(caller: Caller, QueryFields(q): QueryFields) -> PaidReportsResult {
    let kind = q
        .string("type")?
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "default".into());
    let data = caller.run(UPLOAD_TOKEN, json!({ "type": kind })).await?;
    Ok(Json(json!({ "status": 0, "qiniu_token": take(data, "uploadToken") })).into_response())
}

/// `GET /api/report/downloadurl` (GET_REPORT_DOWNLOADURL): `report_name`; answers the signed URL.
pub async fn download_url(caller: Caller, QueryFields(q): QueryFields) -> PaidReportsResult {
    let name = q
        .string("report_name")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| AppError::field("report_name", "report_name 不能为空"))?;
    let data = caller.run(DOWNLOAD_URL, json!({ "name": name })).await?;
    Ok(envelope::ok(take(data, "downloadUrl")))
}

/// `GET /api/qiniu/copyfile`: copies `key` (also accepted as `file` or `report_name`) from the
/// public bucket to the private one.
pub async fn copy_file(caller: Caller, QueryFields(q): QueryFields) -> PaidReportsResult {
    let mut key = None;
    for name in ["key", "file", "report_name"] {
        if let Some(v) = q.string(name)?.filter(|v| !v.trim().is_empty()) {
            key = Some(v);
            break;
        }
    }
    let key = key.ok_or_else(|| AppError::field("key", "key 不能为空"))?;
    let data = caller.run(COPY_FILE, json!({ "key": key })).await?;
    Ok(envelope::ok(json!({ "message": take(data, "copyFile") })))
}
