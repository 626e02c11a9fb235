//! Whitelists: list, add, detail, edit, and their spreadsheets (template, convert, import,
//! export).

use axum::{
    extract::{multipart::MultipartRejection, Multipart},
    response::IntoResponse,
};

use super::{
    envelope::{self, PaidReportsResult},
    path_id, report_id, run_upload, PAGING,
};
use crate::rest::prelude::*;
use crate::{
    rest::rows,
    state::SheetJob,
    xlsx::{self, Cell, SheetWriter},
};

/// The whitelist routes.
pub(super) fn routes() -> Vec<Route> {
    let written = || envelope::ok_both_schema(envelope::id_only_schema());
    let entry_id = |doc: Doc| doc.path("white_id", int(), json!(1), "The entry's id");
    let converted = {
        let rows = from_document(WHITE_CONVERT, "convertWhitelistSheet.rows");
        let mut body = object(&[("status", int_of(&[0])), ("data", rows)]);
        // Rows that fail are listed beside `data`, only when there are any.
        body["properties"]["errors"] = from_document(WHITE_CONVERT, "convertWhitelistSheet.errors");
        body
    };
    vec![
        Route::new(
            Method::GET,
            "/api/report/{id}/white",
            get(list),
            report_id(Doc::new(
                "A report's whitelist",
                Access::Staff(Permission::ReportWhiteList),
            ))
            .paged(&PAGING)
            .query(
                "search",
                filter_text(),
                "Substring of the name, position, company or mobile",
            )
            .answer(
                200,
                envelope::ok_both_schema(envelope::laravel_page_schema(element(from_document(
                    WHITE_LIST,
                    "whitelist.items",
                )))),
            )
            .errors(&[400]),
        )
        .runs(&[WHITE_LIST]),
        Route::new(
            Method::POST,
            "/api/report/{id}/white",
            post(add),
            report_id(Doc::new(
                "Add a whitelist entry",
                Access::Staff(Permission::ReportWhiteAdd),
            ))
            .fields(ADD_FIELDS)
            .answer(200, written())
            .errors(&[400, 409]),
        )
        .runs(&[WHITE_ADD]),
        Route::new(
            Method::GET,
            "/api/report/{id}/white/{white_id}",
            get(detail),
            entry_id(report_id(Doc::new(
                "A whitelist entry",
                Access::Staff(Permission::ReportWhiteInfo),
            )))
            .answer(
                200,
                envelope::ok_schema(from_document(WHITE_INFO, "whitelistEntry")),
            ),
        )
        .runs(&[WHITE_INFO]),
        Route::new(
            Method::PUT,
            "/api/report/{id}/white/{white_id}",
            put(update),
            entry_id(report_id(Doc::new(
                "Change a whitelist entry",
                Access::Staff(Permission::ReportWhiteEdit),
            )))
            .fields(EDIT_FIELDS)
            .answer(200, written())
            .errors(&[400]),
        )
        .runs(&[WHITE_EDIT]),
        Route::new(
            Method::POST,
            "/api/report/{id}/excel",
            post(import),
            report_id(Doc::new(
                "Import a whitelist sheet (like the template)",
                Access::Staff(Permission::ReportWhiteImport),
            ))
            .upload("file")
            .answer(
                200,
                envelope::ok_both_schema(from_document(WHITE_IMPORT, "importWhitelist")),
            )
            .errors(&[400, 503]),
        )
        .runs(&[WHITE_IMPORT]),
        Route::new(
            Method::GET,
            "/api/report/{id}/excel",
            get(export),
            report_id(Doc::new(
                "Export the whitelist (or the given entries) as a sheet",
                Access::Staff(Permission::ReportWhiteExport),
            ))
            .query(
                "id",
                string(),
                "Entry ids (at most 10,000): `[100,101]`, `100,101`, or repeated `id[]`",
            )
            .xlsx()
            .errors(&[400, 503]),
        )
        .runs(&[WHITE_EXPORT]),
        Route::new(
            Method::POST,
            "/api/white/example",
            post(convert),
            Doc::new(
                "Read a whitelist sheet without saving it",
                Access::Staff(Permission::WhiteExportConvert),
            )
            .upload("file")
            .answer(200, converted)
            .errors(&[400, 503]),
        )
        .runs(&[WHITE_CONVERT]),
        Route::new(
            Method::GET,
            "/api/white/example",
            get(template),
            Doc::new(
                "The whitelist template",
                Access::Staff(Permission::WhiteListExample),
            )
            .xlsx(),
        )
        // A download, but its headers are read through GraphQL like any other answer.
        .runs(&[TEMPLATE]),
    ]
}

const TEMPLATE: &str = "query Template { whitelistTemplate }";

const ENTRY_FIELDS: &str = "fragment Entry on WhitelistEntry {
  id given_user: givenUser given_position: givenPosition given_company: givenCompany mobile
  read_count: readCount residue_count: residueCount last_modify_author: lastModifyAuthor
  updated_at: updatedAt state
}";

const WHITE_LIST: &str = concatcp!(
    "query WhiteList($report: Int!, $search: String, $page: Int, $limit: Int) {
           whitelist(reportId: $report, search: $search, page: $page, pageSize: $limit) {
             totalCount page pageSize items { ...Entry }
           }
         } ",
    ENTRY_FIELDS
);
/// `GET /api/report/{id}/white` (REPORT_WHITE_LIST): `search`, `page`, `limit`.
pub async fn list(
    caller: Caller,
    Path(id): Path<String>,
    QueryFields(q): QueryFields,
) -> PaidReportsResult {
    let (report, search) = (path_id(&id)?, q.string("search")?);
    let (page, limit) = q.paging(&PAGING)?;
    let vars = json!({ "report": report, "search": search, "page": page, "limit": limit });
    let data = caller.run(WHITE_LIST, vars).await?;
    Ok(envelope::ok_both(envelope::laravel_page(take(
        data,
        "whitelist",
    ))))
}

/// The fields of a new entry.
pub(super) const ADD_FIELDS: &[FieldSpec] = fields![
    "given_user" => "givenUser": Str,
    "given_position" => "givenPosition": Str,
    "given_company" => "givenCompany": Str,
    "read_count" => "readCount": Int,
    "mobile": Str,
    "state": Int,
];

const WHITE_ADD: &str = "mutation WhiteAdd($report: Int!, $input: WhitelistEntryInput!) {
        addWhitelistEntry(reportId: $report, input: $input) { id } }";
/// `POST /api/report/{id}/white` (REPORT_WHITE_ADD).
pub async fn add(
    caller: Caller,
    Path(id): Path<String>,
    BodyFields(fields): BodyFields,
) -> PaidReportsResult {
    let input = fields?.input(ADD_FIELDS)?;
    let vars = json!({ "report": path_id(&id)?, "input": input });
    // The domain names a bad entry by its argument, `input`; the legacy API called it `white`.
    let data = caller
        .run(WHITE_ADD, vars)
        .await
        .map_err(legacy_error(&[ADD_FIELDS], &[("white", "input")]))?;
    Ok(envelope::ok_both(envelope::id_only(take(
        data,
        "addWhitelistEntry",
    ))))
}

const WHITE_INFO: &str =
    "query WhiteInfo($report: Int!, $id: Int!) { whitelistEntry(reportId: $report, id: $id) {
        id given_user: givenUser given_position: givenPosition given_company: givenCompany mobile
        read_count: readCount residue_count: residueCount state
    } }";
/// `GET /api/report/{id}/white/{white_id}` (REPORT_WHITE_INFO).
pub async fn detail(
    caller: Caller,
    Path((id, white_id)): Path<(String, String)>,
) -> PaidReportsResult {
    let vars = json!({ "report": path_id(&id)?, "id": path_id(&white_id)? });
    let data = caller.run(WHITE_INFO, vars).await?;
    Ok(envelope::ok(take(data, "whitelistEntry")))
}

/// The fields an entry's edit may change.
pub(super) const EDIT_FIELDS: &[FieldSpec] = fields![
    "given_user" => "givenUser": Str,
    "given_position" => "givenPosition": Str,
    "given_company" => "givenCompany": Str,
    "residue_count" => "residueCount": Int,
    "state": Int,
];

const WHITE_EDIT: &str =
    "mutation WhiteEdit($report: Int!, $id: Int!, $input: UpdateWhitelistEntryInput!) {
        updateWhitelistEntry(reportId: $report, id: $id, input: $input) { id } }";
/// `PUT /api/report/{id}/white/{white_id}` (REPORT_WHITE_EDIT): records who and when.
pub async fn update(
    caller: Caller,
    Path((id, white_id)): Path<(String, String)>,
    BodyFields(fields): BodyFields,
) -> PaidReportsResult {
    let input = fields?.input(EDIT_FIELDS)?;
    let vars = json!({ "report": path_id(&id)?, "id": path_id(&white_id)?, "input": input });
    let data = caller
        .run(WHITE_EDIT, vars)
        .await
        .map_err(legacy_error(&[EDIT_FIELDS], &[]))?;
    Ok(envelope::ok_both(envelope::id_only(take(
        data,
        "updateWhitelistEntry",
    ))))
}

const WHITE_IMPORT: &str = "mutation WhiteImport($report: Int!, $file: Upload!) {
        importWhitelist(reportId: $report, file: $file) { total success repeat error errors { row reason } }
    }";
/// `POST /api/report/{id}/excel` (REPORT_WHITE_IMPORT): multipart `file`; answers
/// `{total, success, repeat, error}` and the failing rows.
pub async fn import(
    caller: Caller,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PaidReportsResult {
    let report = path_id(&id)?;
    let vars = json!({ "report": report, "file": null });
    let data = run_upload(&caller, WHITE_IMPORT, vars, multipart).await?;
    Ok(envelope::ok_both(take(data, "importWhitelist")))
}

const WHITE_CONVERT: &str = "mutation WhiteConvert($file: Upload!) { convertWhitelistSheet(file: $file) {
        rows { given_user: givenUser given_position: givenPosition given_company: givenCompany mobile read_count: readCount }
        errors { row reason }
    } }";
/// `POST /api/white/example` (WHITE_EXPORT_CONVERT): the sheet's rows, not saved. Rows that
/// fail are listed under `errors` beside `data`.
pub async fn convert(
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> PaidReportsResult {
    let data = run_upload(&caller, WHITE_CONVERT, json!({ "file": null }), multipart).await?;
    let mut converted = take(data, "convertWhitelistSheet");
    let mut body = json!({ "status": 0, "data": converted["rows"].take() });
    if converted["errors"]
        .as_array()
        .is_some_and(|e| !e.is_empty())
    {
        body["errors"] = converted["errors"].take();
    }
    Ok(crate::rest::Json(body).into_response())
}

async fn workbook(
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    sheet: &'static str,
) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || xlsx::write(sheet, &headers, &rows))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// `GET /api/white/example` (WHITE_LIST_EXAMPLE): the template, with one example row.
pub async fn template(caller: Caller) -> PaidReportsResult {
    let data = caller.run(TEMPLATE, json!({})).await?;
    let headers: Vec<&'static str> = match &data["whitelistTemplate"] {
        Value::Array(h) if h.len() == crate::reports::service::TEMPLATE_HEADERS.len() => {
            crate::reports::service::TEMPLATE_HEADERS.to_vec()
        }
        _ => return Err(AppError::Internal("template headers".into()).into()),
    };
    let example = vec![
        Cell::Text("朱思嘉".into()),
        Cell::Text("php".into()),
        Cell::Text("爱集微".into()),
        Cell::Text("18434819907".into()),
        Cell::Number(100.0),
    ];
    let bytes = workbook(headers, vec![example], "白名单").await?;
    Ok(rows::download(bytes, "whitelist-example.xlsx"))
}

/// The ids of an export: `id=[100,101]`, `id=100,101`, `id[]=100&id[]=101` or repeated `id`
/// (CONTRACT.md §11); none is every row.
fn export_ids(raw: Option<&str>) -> Result<Option<Vec<i32>>, AppError> {
    let mut ids = Vec::new();
    let mut given = false;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k != "id" && k != "id[]" {
            continue;
        }
        given = true;
        for part in v.split([',', '[', ']', ' ']).filter(|p| !p.is_empty()) {
            let id = part
                .parse::<i32>()
                .map_err(|_| AppError::field("id", format!("id 格式错误: {part}")))?;
            ids.push(id);
        }
    }
    crate::reports::service::check_export_ids("id", &ids)?;
    Ok(given.then_some(ids).filter(|ids| !ids.is_empty()))
}

const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("id", "ID"),
    ("given_user", "昵称"),
    ("given_position", "职位"),
    ("given_company", "公司"),
    ("mobile", "电话"),
    ("read_count", "阅读次数"),
    ("residue_count", "剩余次数"),
    ("state", "状态"),
    ("last_modify_author", "最近修改人"),
    ("updated_at", "修改时间"),
];

const WHITE_EXPORT: &str = concatcp!(
    "query WhiteExport($report: Int!, $ids: [Int!], $after: Int, $first: Int) {
           whitelistRows(reportId: $report, ids: $ids, after: $after, first: $first) { ...Entry } }
         ",
    ENTRY_FIELDS
);
/// Rows read per page of an export (the most `whitelistRows` gives).
const EXPORT_PAGE: usize = 5_000;
/// `GET /api/report/{id}/excel` (REPORT_WHITE_EXPORT): the whitelist (or the given entries) as
/// a spreadsheet.
pub async fn export(
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PaidReportsResult {
    let report = path_id(&id)?;
    let ids = export_ids(raw.as_deref())?;
    // Held until the file is written: at most N exports at once (503 beyond).
    let _permit = caller.state.core.sheet_jobs.start(SheetJob::Export)?;
    let headers: Vec<&str> = EXPORT_COLUMNS.iter().map(|(_, h)| *h).collect();
    let mut sheet = SheetWriter::new("白名单", &headers)?;
    // Page by page, each written before the next is read: memory holds one page.
    let mut after: Option<i64> = None;
    loop {
        let vars = json!({ "report": report, "ids": ids, "after": after, "first": EXPORT_PAGE });
        let data = caller.run(WHITE_EXPORT, vars).await?;
        let page = data["whitelistRows"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        after = page.last().and_then(|r| r["id"].as_i64());
        let rows: Vec<Vec<Cell>> = page
            .iter()
            .map(|r| rows::cells(r, EXPORT_COLUMNS.iter().map(|(k, _)| *k)))
            .collect();
        let full = page.len() == EXPORT_PAGE;
        sheet = sheet.append(rows).await?;
        if !full {
            break;
        }
    }
    let bytes = sheet.finished().await?;
    Ok(rows::download(bytes, &format!("whitelist-{report}.xlsx")))
}
