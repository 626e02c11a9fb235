//! Reports: list, create, detail, update, delete.

use super::{
    envelope::{self, PaidReportsResult},
    path_id, report_id, PAGING,
};
use crate::rest::doc::fields_schema;
use crate::rest::prelude::*;

/// The report routes.
pub(super) fn routes() -> Vec<Route> {
    let report_body = || {
        let mut body = fields_schema(REPORT_FIELDS);
        body["properties"]["file"] = fields_schema(FILE_FIELDS);
        body["properties"]["white_list"] = array(fields_schema(WHITE_ENTRY_FIELDS));
        body
    };
    let written = envelope::ok_both_schema(envelope::id_only_schema());
    vec![
        Route::new(
            Method::GET,
            "/api/report",
            get(list),
            Doc::new("Reports", Access::Staff(Permission::PaymentReportList))
                .paged(&PAGING)
                .query("title", filter_text(), "Substring of the title")
                .query("type_id", int(), "Report type")
                .query("start_ctime", date(), "Created on or after this China day")
                .query("end_ctime", date(), "Created on or before this China day")
                .query("status", int(), "0 pending, 1 on sale, 2 off sale")
                .answer(
                    200,
                    envelope::ok_schema(envelope::laravel_page_schema(element(from_document(
                        REPORT_LIST,
                        "reports.items",
                    )))),
                )
                .errors(&[400]),
        )
        .runs(&[REPORT_LIST]),
        Route::new(
            Method::POST,
            "/api/report",
            post(create),
            Doc::new(
                "Create a report with its file and whitelist",
                Access::Staff(Permission::PaymentReportAdd),
            )
            .json_body(report_body())
            .answer(200, written.clone())
            .errors(&[400, 409]),
        )
        .runs(&[REPORT_CREATE]),
        Route::new(
            Method::GET,
            "/api/report/{id}",
            get(detail),
            report_id(Doc::new(
                "A report",
                Access::Staff(Permission::PaymentReportInfo),
            ))
            .answer(
                200,
                envelope::ok_schema(from_document(REPORT_INFO, "report")),
            ),
        )
        .runs(&[REPORT_INFO]),
        Route::new(
            Method::PUT,
            "/api/report/{id}",
            put(update),
            report_id(Doc::new(
                "Change a report (a `white_list` is not applied)",
                Access::Staff(Permission::PaymentReportModify),
            ))
            .json_body(report_body())
            .answer(200, written.clone())
            .errors(&[400]),
        )
        .runs(&[REPORT_MODIFY]),
        Route::new(
            Method::DELETE,
            "/api/report/{id}",
            axum::routing::delete(delete),
            report_id(Doc::new(
                "Delete a report",
                Access::Staff(Permission::PaymentReportDelete),
            ))
            .answer(200, written),
        )
        .runs(&[REPORT_DELETE]),
    ]
}

const REPORT_LIST: &str = "query ReportList($filter: ReportFilter, $page: Int, $limit: Int) {
      reports(filter: $filter, page: $page, pageSize: $limit) {
        totalCount page pageSize items {
          id cover: coverUrl title price status subscribe_count: subscribeCount publish_at: publishTime
        }
      }
    }";
/// `GET /api/report` (PAYMENT_REPORT_LIST): `title`, `type_id`, `start_ctime`, `end_ctime`,
/// `status`, `page`, `limit`.
pub async fn list(caller: Caller, QueryFields(q): QueryFields) -> PaidReportsResult {
    let (page, limit) = q.paging(&PAGING)?;
    let vars = json!({ "filter": q.input(REPORT_FILTER)?, "page": page, "limit": limit });
    let data = caller
        .run(REPORT_LIST, vars)
        .await
        .map_err(legacy_error(&[REPORT_FILTER], &[]))?;
    Ok(envelope::ok(envelope::laravel_page(take(data, "reports"))))
}

/// The report list's filter parameters.
const REPORT_FILTER: &[FieldSpec] = fields![
    "title": Str,
    "type_id" => "typeId": Int,
    "start_ctime" => "startDate": Str,
    "end_ctime" => "endDate": Str,
    "status": Int,
];

/// A report's own fields.
pub(super) const REPORT_FIELDS: &[FieldSpec] = fields![
    "title": Str,
    "cover": Str,
    "type_id" => "typeId": Int,
    "intro": Str,
    "directory": Str,
    "price": Float,
    "read_count" => "readCount": Int,
    "status": Int,
    "publish_time" => "publishTime": Str,
    "short_intro" => "shortIntro": Str,
];

/// The report's `file` object.
pub(super) const FILE_FIELDS: &[FieldSpec] = fields![
    "file_name" => "fileName": Str,
    "src": Str,
    "format": Str,
    "size": BigInt,
];

/// An entry of the report's `white_list`.
pub(super) const WHITE_ENTRY_FIELDS: &[FieldSpec] = fields![
    "given_user" => "givenUser": Str,
    "given_position" => "givenPosition": Str,
    "given_company" => "givenCompany": Str,
    "mobile": Str,
    "read_count" => "readCount": Int,
    "state": Int,
];

/// The whitelist of a report body: (legacy, GraphQL) names.
const WHITE_LIST: (&str, &str) = ("white_list", "whiteList");

/// The report's tables, and its nested whitelist, for naming error fields as the legacy
/// clients sent them ([`legacy_error`]).
const REPORT_TABLES: &[&[FieldSpec]] = &[REPORT_FIELDS, FILE_FIELDS, WHITE_ENTRY_FIELDS];

/// The report fields of a body, as GraphQL input (`file` and `white_list` nested).
fn report_input(fields: &Fields) -> Result<Value, AppError> {
    let mut input = fields.input(REPORT_FIELDS)?;
    if let Some(file) = fields.0.get("file") {
        let Value::Object(file) = file else {
            return Err(AppError::field("file", "file 必须是对象"));
        };
        input["file"] = Fields(file.clone()).input(FILE_FIELDS)?;
    }
    if let Some(list) = fields.0.get(WHITE_LIST.0) {
        let Value::Array(list) = list else {
            return Err(AppError::field("white_list", "white_list 必须是数组"));
        };
        let mut entries = Vec::new();
        for item in list {
            let Value::Object(item) = item else {
                return Err(AppError::field(
                    "white_list",
                    "white_list 的每一项必须是对象",
                ));
            };
            entries.push(Fields(item.clone()).input(WHITE_ENTRY_FIELDS)?);
        }
        input[WHITE_LIST.1] = Value::Array(entries);
    }
    Ok(input)
}

const REPORT_CREATE: &str =
    "mutation ReportCreate($input: CreateReportInput!) { createReport(input: $input) { id } }";
/// `POST /api/report` (PAYMENT_REPORT_ADD): the report with `file` and `white_list`.
pub async fn create(caller: Caller, BodyFields(fields): BodyFields) -> PaidReportsResult {
    let input = report_input(&fields?)?;
    let data = caller
        .run(REPORT_CREATE, json!({ "input": input }))
        .await
        .map_err(legacy_error(REPORT_TABLES, &[WHITE_LIST]))?;
    Ok(envelope::ok_both(envelope::id_only(take(
        data,
        "createReport",
    ))))
}

const REPORT_INFO: &str = "query ReportInfo($id: Int!) { report(id: $id) {
        id title cover: coverUrl type_id: typeId intro directory file_address: fileAddress price
        read_count: readCount status publish_time: publishTime short_intro: shortIntro
    } }";
/// `GET /api/report/{id}` (PAYMENT_REPORT_INFO).
pub async fn detail(caller: Caller, Path(id): Path<String>) -> PaidReportsResult {
    let data = caller
        .run(REPORT_INFO, json!({ "id": path_id(&id)? }))
        .await?;
    Ok(envelope::ok(take(data, "report")))
}

const REPORT_MODIFY: &str = "mutation ReportModify($id: Int!, $input: UpdateReportInput!) {
        updateReport(id: $id, input: $input) { id } }";
/// `PUT /api/report/{id}` (PAYMENT_REPORT_MODIFY): `price`, `read_count`, `status`,
/// `publish_time`, `short_intro` (and the descriptive fields). A `white_list` in the body is
/// not applied: whitelists change through their own URLs.
pub async fn update(
    caller: Caller,
    Path(id): Path<String>,
    BodyFields(fields): BodyFields,
) -> PaidReportsResult {
    let id = path_id(&id)?;
    let mut input = report_input(&fields?)?;
    if let Value::Object(map) = &mut input {
        for nested in ["file", WHITE_LIST.1, "typeId"] {
            map.remove(nested);
        }
    }
    let data = caller
        .run(REPORT_MODIFY, json!({ "id": id, "input": input }))
        .await
        .map_err(legacy_error(REPORT_TABLES, &[WHITE_LIST]))?;
    Ok(envelope::ok_both(envelope::id_only(take(
        data,
        "updateReport",
    ))))
}

const REPORT_DELETE: &str = "mutation ReportDelete($id: Int!) { deleteReport(id: $id) { id } }";
/// `DELETE /api/report/{id}` (PAYMENT_REPORT_DELETE).
pub async fn delete(caller: Caller, Path(id): Path<String>) -> PaidReportsResult {
    let data = caller
        .run(REPORT_DELETE, json!({ "id": path_id(&id)? }))
        .await?;
    Ok(envelope::ok_both(envelope::id_only(take(
        data,
        "deleteReport",
    ))))
}
