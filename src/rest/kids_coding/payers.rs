//! The kids-coding CRM's URLs (`kids-coding-payers.txt`), each mapped onto one GraphQL operation.

use axum::http::Method as M;

use super::{
    envelope::{self, KidsCodingResult},
    ListRequest, PAGING,
};
use crate::rest::prelude::*;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let payer = || element(from_document(PAYER_LIST, "payers.items"));
    let visit = || element(from_document(VISIT_RECORDS, "visitRecords.items"));
    let page = |d: Doc| d.paged(&PAGING);
    vec![
        Route::new(
            M::GET,
            "/server/userinfo/payer_list/",
            get(payer_list),
            page(Doc::new("Paid users", Access::Staff(Permission::PayerList)))
                .query(
                    "kw",
                    filter_text(),
                    "Substring of the phone, name, real name, bound account or WeChat nickname",
                )
                .query("star", boolean(), "Starred (`True`/`False`, `1`/`0`)")
                .query("course", int(), "Enrolled in this course (pk)")
                .query("extent", filter_text(), "Learn-progress name")
                .answer(200, envelope::page_schema(payer()))
                .errors(&[400, 404]),
        )
        .runs(&[PAYER_LIST]),
        Route::new(
            M::POST,
            "/server/userinfo/payer_update/",
            post(payer_update),
            Doc::new(
                "Partial update of a paid user",
                Access::Staff(Permission::PayerUpdate),
            )
            .fields(PAYER_UPDATE_FIELDS)
            .answer(200, payer())
            .errors(&[400, 404]),
        )
        .runs(&[PAYER_UPDATE]),
        Route::new(
            M::GET,
            "/server/userinfo/visit_records/",
            get(visit_records),
            page(Doc::new(
                "Visit records of a contact",
                Access::Staff(Permission::VisitRecordList),
            ))
            .query("contact", filter_text(), "The paid user's username")
            .required(json!("tester001"))
            .answer(200, envelope::page_schema(visit()))
            .errors(&[400, 404]),
        )
        .runs(&[VISIT_RECORDS]),
        Route::new(
            M::POST,
            "/server/userinfo/visit_record_create/",
            post(visit_record_create),
            Doc::new(
                "Record a visit",
                Access::Staff(Permission::VisitRecordCreate),
            )
            .fields(VISIT_CREATE_FIELDS)
            .answer(201, visit())
            .errors(&[400, 404]),
        )
        .runs(&[VISIT_RECORD_CREATE]),
    ]
}

/// A payer with the legacy keys.
const PAYER_FIELDS: &str = "fragment PayerFields on Payer {
  pk: id owner name avatar age points lesson_total: lessonTotal is_seller: isSeller
  commission my_seller: mySeller remark
  teacher { owner pk: id }
  student { pk: id owner name nickname avatar sex birthday }
  identity is_pay: isPay is_bind: isBind bind_account: bindAccount
  group_info: groupInfo { status status_display: statusDisplay }
  star realname city learn_extent: learnExtent
  follow_up: followUp follow_up_display: followUpDisplay
  deep_consume: deepConsume deep_consume_display: deepConsumeDisplay
  sex sex_display: sexDisplay
}";

const VISIT_FIELDS: &str = "fragment VisitFields on VisitRecord {
  pk: id contact detail visit_time: visitTime
}";

const PAYER_LIST: &str = filtered_list!(
    "PayerList",
    "PayerFilter",
    "payers",
    "PayerFields",
    PAYER_FIELDS
);
/// `GET /server/userinfo/payer_list/`: `kw`, `star`, `course`, `extent`, `page`, `page_size`.
async fn payer_list(caller: Caller, list: ListRequest) -> KidsCodingResult {
    let (q, (page, page_size)) = (&list.query, list.paging()?);
    let vars = json!({
        "filter": {
            "kw": q.string("kw")?,
            "star": q.bool("star")?,
            "course": q.int("course")?,
            "extent": q.string("extent")?,
        },
        "page": page,
        "pageSize": page_size,
    });
    let page = caller.run_page(PAYER_LIST, vars, "payers").await?;
    Ok(list.page(&caller.state, page))
}

const PAYER_UPDATE: &str = concatcp!(
    "mutation PayerUpdate($input: UpdatePayerInput!) {
           updatePayer(input: $input) { ...PayerFields }
         } ",
    PAYER_FIELDS
);
/// The fields a payer update may carry.
const PAYER_UPDATE_FIELDS: &[FieldSpec] = fields![
    "username": Str required,
    "star": Bool,
    "realname": Str,
    "age": Int,
    "sex": Str,
    "city": Str,
    "remark": Str,
    "follow_up" => "followUp": Str,
    "deep_consume" => "deepConsume": Str,
];
/// `POST /server/userinfo/payer_update/`: a partial update named by `username`.
async fn payer_update(caller: Caller, BodyFields(fields): BodyFields) -> KidsCodingResult {
    let input = fields?.input(PAYER_UPDATE_FIELDS)?;
    let data = caller
        .run(PAYER_UPDATE, json!({ "input": input }))
        .await
        .map_err(legacy_error(&[PAYER_UPDATE_FIELDS], &[]))?;
    Ok(envelope::object(take(data, "updatePayer")))
}

const VISIT_RECORDS: &str = concatcp!(
    "query VisitRecords($contact: String!, $page: Int, $pageSize: Int) {
           visitRecords(contact: $contact, page: $page, pageSize: $pageSize) {
             totalCount page pageSize items { ...VisitFields }
           }
         } ",
    VISIT_FIELDS
);
/// `GET /server/userinfo/visit_records/?contact=`.
async fn visit_records(caller: Caller, list: ListRequest) -> KidsCodingResult {
    let (q, (page, page_size)) = (&list.query, list.paging()?);
    let contact = q
        .string("contact")?
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AppError::field("contact", REQUIRED))?;
    let vars = json!({ "contact": contact, "page": page, "pageSize": page_size });
    let page = caller.run_page(VISIT_RECORDS, vars, "visitRecords").await?;
    Ok(list.page(&caller.state, page))
}

const VISIT_RECORD_CREATE: &str = concatcp!(
    "mutation VisitRecordCreate($input: CreateVisitRecordInput!) {
           createVisitRecord(input: $input) { ...VisitFields }
         } ",
    VISIT_FIELDS
);
/// The fields of a new visit record.
const VISIT_CREATE_FIELDS: &[FieldSpec] = fields![
    "contact": Str required,
    "detail": Str,
    "visit_time" => "visitTime": Str,
];
/// `POST /server/userinfo/visit_record_create/`: `contact`, `detail`, `visit_time`.
async fn visit_record_create(caller: Caller, BodyFields(fields): BodyFields) -> KidsCodingResult {
    let input = fields?.input(VISIT_CREATE_FIELDS)?;
    let data = caller
        .run(VISIT_RECORD_CREATE, json!({ "input": input }))
        .await
        .map_err(legacy_error(&[VISIT_CREATE_FIELDS], &[]))?;
    Ok(envelope::created(take(data, "createVisitRecord")))
}
