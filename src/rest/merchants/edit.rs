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
            .fields(fields!["KID" => "kid": Str])
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
const EDIT_BINDING_FIELDS: &[FieldSpec] = fields![
    "id" => "sid": Str required,
    "status": Str,
    "record_id" => "recordId": Int,
    "salemenu_id" => "quoteSheetId": Str,
    "service_station_id" => "serviceStationId": Str,
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

const EDIT_FIELDS: &[FieldSpec] = fields![
    "new_cname" => "companyName": Str,
    "telephone": Str,
    "settle_way" => "settleWay": Int,
    "paymentName" => "payerName": Str,
    "paymentTelephone" => "payerTelephone": Str,
    "check_out" => "checkOut": Flag,
    "freezeState" => "financeStatus": Int,
    "white" => "whitelist": Flag,
    "shopName": Str,
    "address_label_id" => "addressLabelId": Int,
    "receiver" => "receiverName": Str,
    "receiverPhone" => "receiverTelephone": Str,
    "originalArea" => "districtCode": Str,
    "firstArea" => "areaLevel1Id": BigInt,
    "secondArea" => "areaLevel2Id": BigInt,
    "shopAddress" => "address": Str,
    "lat": Float,
    "lng": Float,
    "map_address" => "mapAddress": Str,
    "creatEmployeeValue" => "createEmployeeId": Int,
    "saleEmployeeValue" => "saleEmployeeId": Int,
    "is_credit" => "isCredit": Flag,
    "credit_limit" => "creditLimit": Float,
    "effective_date" => "effectiveDate": Str,
    "begin_day" => "beginDay": Int,
    "settle_day" => "settleDay": Int,
    "settle_date_type" => "settleDateType": Int,
    "pay_method" => "payMethod": Int,
    "settle_remind" => "settleRemind": Int,
];

const ADD: &str =
    "mutation Add($input: CreateShopInput!) { createShop(input: $input) { KID: kid SID: sid } }";
const ADD_FIELDS: &[FieldSpec] = fields![
    "kid": Str,
    "username": Str,
    "password": Str,
    "payer_name" => "payerName": Str,
    "payer_telephone" => "payerTelephone": Str,
    "telephone": Str,
    "pay_method" => "payMethod": Int,
    "settle_way" => "settleWay": Int,
    "finance_status" => "financeStatus": Int,
    "whitelist": Flag,
    "company_name" => "companyName": Str,
    "customer_type" => "customerType": Int,
    "restaurant_name" => "shopName": Str,
    "receiver_name" => "receiverName": Str,
    "receiver_telephone" => "receiverTelephone": Str,
    "district_code" => "districtCode": Str,
    "area_level1" => "areaLevel1Id": BigInt,
    "area_level2" => "areaLevel2Id": BigInt,
    "restaurant_address" => "address": Str,
    "create_employee_id" => "createEmployeeId": Int,
    "sale_employee_id" => "saleEmployeeId": Int,
    "salemenu_ids" => "quoteSheetIds": StrList,
    "check_out" => "checkOut": Flag,
    "is_credit" => "isCredit": Flag,
    "credit_limit" => "creditLimit": Float,
    "lat": Float,
    "lng": Float,
    "map_address" => "mapAddress": Str,
    "settle_date_type" => "settleDateType": Int,
    "address_label_id" => "addressLabelId": Int,
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
