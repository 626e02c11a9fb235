//! Storage signing: Qiniu upload tokens, private download URLs, and copying to the private
//! bucket.

use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::IntoResponse,
    Json,
};
use serde_json::json;

use crate::{
    error::AppError,
    rest::{
        operation::{authenticate, run, take},
        paid::{self, PaidResult},
        params::Fields,
    },
    state::AppState,
};

/// The GraphQL documents this module runs (`opsgraph export-operations` lists them).
pub(crate) const DOCUMENTS: &[&str] = &[UPLOAD_TOKEN, DOWNLOAD_URL, COPY_FILE];

const UPLOAD_TOKEN: &str = "query Token($type: String) { uploadToken(type: $type) }";
const DOWNLOAD_URL: &str = "query Url($name: String!) { downloadUrl(reportName: $name) }";
const COPY_FILE: &str = "mutation Copy($key: String!) { copyFile(key: $key) }";

/// `GET /api/qiniu/token` (GET_QINIU_TOKEN): `type` default/private; answers `qiniu_token`
/// beside `status`, as the seed shows.
pub async fn upload_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PaidResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let kind = q
        .string("type")?
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "default".into());
    let data = run(&state, auth, UPLOAD_TOKEN, json!({ "type": kind })).await?;
    Ok(Json(json!({ "status": 0, "qiniu_token": take(data, "uploadToken") })).into_response())
}

/// `GET /api/report/downloadurl` (GET_REPORT_DOWNLOADURL): `report_name`; answers the signed URL.
pub async fn download_url(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PaidResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let name = q
        .string("report_name")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| AppError::field("report_name", "report_name 不能为空"))?;
    let data = run(&state, auth, DOWNLOAD_URL, json!({ "name": name })).await?;
    Ok(paid::ok(take(data, "downloadUrl")))
}

/// `GET /api/qiniu/copyfile`: copies `key` (also accepted as `file` or `report_name`) from the
/// public bucket to the private one.
pub async fn copy_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PaidResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let mut key = None;
    for name in ["key", "file", "report_name"] {
        if let Some(v) = q.string(name)?.filter(|v| !v.trim().is_empty()) {
            key = Some(v);
            break;
        }
    }
    let key = key.ok_or_else(|| AppError::field("key", "key 不能为空"))?;
    let data = run(&state, auth, COPY_FILE, json!({ "key": key })).await?;
    Ok(paid::ok(json!({ "message": take(data, "copyFile") })))
}
