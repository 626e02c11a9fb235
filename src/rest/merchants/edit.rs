//! The shop forms: `POST /custommanage/edit` (a section of a shop, or a quote-sheet binding)
//! and `POST /custommanage/restaurant/add`.

use super::{envelope::MerchantsResult, ok, ok_schema};
use crate::rest::prelude::*;

/// The edit and add routes.
pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Method::POST,
            "/custommanage/edit",
            post(edit),
            Doc::new(
                "Edit a shop's section, or with `status` a quote-sheet binding",
                Access::Staff(Permission::MerchantEdit),
            )
            .fields(EDIT_BINDING_FIELDS)
            .fields(EDIT_FIELDS)
            .answer(200, object(&[("code", int_of(&[0])), ("msg", string())]))
            .errors(&[400, 404, 409]),
        )
        // A binding change (`status`) unbinds or binds; a section edit updates the shop.
        .runs(&[UNBIND, BIND, EDIT]),
        Route::new(
            Method::POST,
            "/custommanage/restaurant/add",
            post(add),
            Doc::new(
                "Create a shop (and its merchant account unless `kid` names one)",
                Access::Staff(Permission::MerchantCreate),
            )
            .fields(ADD_FIELDS)
            // The seed's page sometimes sends the account as `KID` ([`add`] reads it).
            .fields(&[field("KID", "kid", Kind::Str, false)])
            .answer(
                200,
                ok_schema(object(&[("KID", string()), ("SID", string())])),
            )
            .errors(&[400, 404, 409]),
        )
        .runs(&[ADD]),
    ]
}

/// The binding fields of an edit (read one by one by [`edit`]).
const EDIT_BINDING_FIELDS: &[FieldSpec] = &[
    field("id", "sid", Kind::Str, true),
    field("status", "status", Kind::Str, false),
    field("record_id", "recordId", Kind::Int, false),
    field("salemenu_id", "quoteSheetId", Kind::Str, false),
    field("service_station_id", "serviceStationId", Kind::Str, false),
];

const UNBIND: &str = "mutation Unbind($sid: String!, $record: Int!) {
                unbindQuoteSheet(sid: $sid, recordId: $record) { sid } }";
const BIND: &str = "mutation Bind($sid: String!, $record: Int, $sheet: String!, $station: String) {
                bindQuoteSheet(sid: $sid, recordId: $record, quoteSheetId: $sheet,
                               serviceStationId: $station) { sid } }";
const EDIT: &str = "mutation Edit($input: UpdateShopInput!) { updateShop(input: $input) { sid } }";
/// `POST /custommanage/edit`: a section of the shop form, or with `status` a quote-sheet
/// binding change (`deleteSSM` removes binding `record_id`).
async fn edit(caller: Caller, BodyFields(fields): BodyFields) -> MerchantsResult {
    let fields = fields?;
    let sid = fields
        .string("id")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| AppError::field("id", "id 不能为空"))?;
    if let Some(status) = fields.string("status")?.filter(|s| !s.trim().is_empty()) {
        let record_id = fields.int("record_id")?;
        if status == "deleteSSM" {
            let record_id =
                record_id.ok_or_else(|| AppError::field("record_id", "record_id 不能为空"))?;
            caller
                .run(UNBIND, json!({ "sid": sid, "record": record_id }))
                .await?;
        } else if matches!(status.as_str(), "editSSM" | "addSSM" | "edit" | "add") {
            let sheet = fields
                .string("salemenu_id")?
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| AppError::field("salemenu_id", "salemenu_id 不能为空"))?;
            let vars = json!({
                "sid": sid, "record": record_id, "sheet": sheet,
                "station": fields.string("service_station_id")?,
            });
            caller.run(BIND, vars).await?;
        } else {
            return Err(AppError::field("status", format!("status {status} 无效")).into());
        }
        return Ok(ok(json!({ "code": 0, "msg": "success" })));
    }
    let mut input = fields.input(EDIT_FIELDS)?;
    input["sid"] = Value::String(sid);
    caller.run(EDIT, json!({ "input": input })).await?;
    Ok(ok(json!({ "code": 0, "msg": "success" })))
}

const EDIT_FIELDS: &[FieldSpec] = &[
    field("new_cname", "companyName", Kind::Str, false),
    field("telephone", "telephone", Kind::Str, false),
    field("settle_way", "settleWay", Kind::Int, false),
    field("paymentName", "payerName", Kind::Str, false),
    field("paymentTelephone", "payerTelephone", Kind::Str, false),
    field("check_out", "checkOut", Kind::Flag, false),
    field("freezeState", "financeStatus", Kind::Int, false),
    field("white", "whitelist", Kind::Flag, false),
    field("shopName", "shopName", Kind::Str, false),
    field("address_label_id", "addressLabelId", Kind::Int, false),
    field("receiver", "receiverName", Kind::Str, false),
    field("receiverPhone", "receiverTelephone", Kind::Str, false),
    field("originalArea", "districtCode", Kind::Str, false),
    field("firstArea", "areaLevel1Id", Kind::BigInt, false),
    field("secondArea", "areaLevel2Id", Kind::BigInt, false),
    field("shopAddress", "address", Kind::Str, false),
    field("lat", "lat", Kind::Float, false),
    field("lng", "lng", Kind::Float, false),
    field("map_address", "mapAddress", Kind::Str, false),
    field("creatEmployeeValue", "createEmployeeId", Kind::Int, false),
    field("saleEmployeeValue", "saleEmployeeId", Kind::Int, false),
    field("is_credit", "isCredit", Kind::Flag, false),
    field("credit_limit", "creditLimit", Kind::Float, false),
    field("effective_date", "effectiveDate", Kind::Str, false),
    field("begin_day", "beginDay", Kind::Int, false),
    field("settle_day", "settleDay", Kind::Int, false),
    field("settle_date_type", "settleDateType", Kind::Int, false),
    field("pay_method", "payMethod", Kind::Int, false),
    field("settle_remind", "settleRemind", Kind::Int, false),
];

const ADD: &str =
    "mutation Add($input: CreateShopInput!) { createShop(input: $input) { KID: kid SID: sid } }";
const ADD_FIELDS: &[FieldSpec] = &[
    field("kid", "kid", Kind::Str, false),
    field("username", "username", Kind::Str, false),
    field("password", "password", Kind::Str, false),
    field("payer_name", "payerName", Kind::Str, false),
    field("payer_telephone", "payerTelephone", Kind::Str, false),
    field("telephone", "telephone", Kind::Str, false),
    field("pay_method", "payMethod", Kind::Int, false),
    field("settle_way", "settleWay", Kind::Int, false),
    field("finance_status", "financeStatus", Kind::Int, false),
    field("whitelist", "whitelist", Kind::Flag, false),
    field("company_name", "companyName", Kind::Str, false),
    field("customer_type", "customerType", Kind::Int, false),
    field("restaurant_name", "shopName", Kind::Str, false),
    field("receiver_name", "receiverName", Kind::Str, false),
    field("receiver_telephone", "receiverTelephone", Kind::Str, false),
    field("district_code", "districtCode", Kind::Str, false),
    field("area_level1", "areaLevel1Id", Kind::BigInt, false),
    field("area_level2", "areaLevel2Id", Kind::BigInt, false),
    field("restaurant_address", "address", Kind::Str, false),
    field("create_employee_id", "createEmployeeId", Kind::Int, false),
    field("sale_employee_id", "saleEmployeeId", Kind::Int, false),
    field("salemenu_ids", "quoteSheetIds", Kind::StrList, false),
    field("check_out", "checkOut", Kind::Flag, false),
    field("is_credit", "isCredit", Kind::Flag, false),
    field("credit_limit", "creditLimit", Kind::Float, false),
    field("lat", "lat", Kind::Float, false),
    field("lng", "lng", Kind::Float, false),
    field("map_address", "mapAddress", Kind::Str, false),
    field("settle_date_type", "settleDateType", Kind::Int, false),
    field("address_label_id", "addressLabelId", Kind::Int, false),
];

/// `POST /custommanage/restaurant/add`: answers `{KID, SID}`.
async fn add(caller: Caller, BodyFields(fields): BodyFields) -> MerchantsResult {
    let fields = fields?;
    let mut input = fields.input(ADD_FIELDS)?;
    // The seed's page sends the account as `kid`, sometimes also as `KID`; a blank one is none.
    if input
        .get("kid")
        .and_then(Value::as_str)
        .is_none_or(|k| k.trim().is_empty())
    {
        if let Some(kid) = fields.string("KID")? {
            input["kid"] = Value::String(kid);
        }
    }
    let created = take(
        caller.run(ADD, json!({ "input": input })).await?,
        "createShop",
    );
    Ok(ok(json!({ "code": 0, "msg": "ok", "data": created })))
}
