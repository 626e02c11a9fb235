//! The merchant-management URLs (`merchant-management.txt`), each mapped onto GraphQL
//! operations; the index and list answers are reshaped into the legacy id-keyed maps and flat
//! rows.

use crate::rest::json::Json;
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap, HeaderValue, Method},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension,
};
use serde_json::{json, Map, Value};

pub mod envelope;

use super::{
    doc::{Access, Doc},
    operation::{run, take},
    params::{field, FieldSpec, Fields, Kind},
    schema::{array, filter_text, from_document, int, int_of, map_of, nullable, object, string},
    Route,
};
use crate::{
    auth::{Auth, Permission},
    error::AppError,
    state::{AppState, SheetJob},
    xlsx::{self, Cell, SheetWriter},
};
use envelope::MerchantsResult;

use const_format::concatcp;

/// The GraphQL documents this module runs (`opsgraph export-operations` lists them).
pub(crate) const DOCUMENTS: &[&str] = &[
    MERCHANT_INDEX,
    MERCHANT_LIST,
    MERCHANT_EXPORT,
    UNBIND,
    BIND,
    EDIT,
    ADD,
];

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let ok = |data: Value| object(&[("data", data), ("msg", string()), ("code", int_of(&[0]))]);
    let done = object(&[("code", int_of(&[0])), ("msg", string())]);
    vec![
        Route::new(
            Method::GET,
            "/custommanage/",
            get(index),
            Doc::new(
                "Geography, stations, managers and quote sheets, keyed by id",
                Access::Staff(Permission::MerchantIndex),
            )
            .answer(200, ok(index_schema())),
        ),
        Route::new(
            Method::GET,
            "/custommanage/list",
            get(list),
            Doc::new(
                "Merchant search; `export=1` answers every matching row as an .xlsx \
                 (needs MERCHANT_EXPORT)",
                Access::Staff(Permission::MerchantList),
            )
            .query("firstMenu", int(), "First-level area id (0: all)")
            .query("secondMenu", int(), "Second-level area id (0: all)")
            .query("stationMenu", filter_text(), "Service station id (0: all)")
            .query("check_out", int(), "Review state; 0 is unreviewed")
            .query("city", filter_text(), "City code (0: all)")
            .query("crtManeger", int(), "Account manager id (0: all)")
            .query("saleManager", int(), "Sales manager id (0: all)")
            .query(
                "salemenu",
                filter_text(),
                "Quote sheet id (also `saleMenu`; 0: all)",
            )
            .query("pay_method", int(), "Settlement cycle (0: all)")
            .query("settle_way", int(), "Settlement way (0: all)")
            .query(
                "search_text",
                filter_text(),
                "KID, SID, company, shop, contact or phone",
            )
            .query("customer_type", int(), "Merchant type (0: all)")
            .query("address_label_id", int(), "Label id; -1 is none (0: all)")
            .query(
                "export",
                int_of(&[0, 1]),
                "1: the whole result as a spreadsheet",
            )
            .query("page", int(), "Page number, from 1")
            .query("num", int(), "Rows per page (default 10)")
            .answer(
                200,
                object(&[
                    ("code", int_of(&[0])),
                    ("data", array(row_schema())),
                    ("count", int()),
                ]),
            )
            .xlsx()
            // 503: `export=1` while every export's place is taken.
            .errors(&[400, 503]),
        ),
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
            .answer(200, done)
            .errors(&[400, 404, 409]),
        ),
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
            .answer(200, ok(object(&[("KID", string()), ("SID", string())])))
            .errors(&[400, 404, 409]),
        ),
    ]
}

/// The index answer's `data`.
fn index_schema() -> Value {
    let ix = |path: &str| from_document(MERCHANT_INDEX, &format!("merchantIndex.{path}"));
    let employee = map_of(object(&[
        ("district_code", ix("createEmployees.districtCode")),
        ("name", ix("createEmployees.name")),
    ]));
    let streets = array(map_of(ix("cities.areas.streets.name")));
    object(&[
        ("sale_employee", employee.clone()),
        (
            "district",
            array(object(&[
                ("code", ix("cities.code")),
                ("name", ix("cities.name")),
            ])),
        ),
        (
            "station",
            map_of(object(&[
                ("distribute_city_ids", ix("stations.distributeCityIds")),
                ("key_url", ix("stations.keyUrl")),
                ("district_code", ix("stations.districtCode")),
                ("name", ix("stations.name")),
            ])),
        ),
        ("create_employee", employee),
        (
            "city",
            map_of(object(&[
                (
                    "area",
                    map_of(object(&[
                        ("street", streets.clone()),
                        ("name", ix("cities.areas.name")),
                    ])),
                ),
                ("name", ix("cities.name")),
            ])),
        ),
        (
            "station_salemenu",
            array(object(&[
                ("stations_id", ix("stationQuoteSheets.station.id")),
                ("salemenu_id", ix("stationQuoteSheets.quoteSheet.id")),
                ("salemenu_name", ix("stationQuoteSheets.quoteSheet.name")),
                ("stations_name", ix("stationQuoteSheets.station.name")),
            ])),
        ),
        ("salemenu", map_of(ix("quoteSheets.name"))),
        (
            "area",
            map_of(object(&[
                ("child", streets),
                ("district_code", ix("cities.areas.districtCode")),
                ("name", ix("cities.areas.name")),
            ])),
        ),
    ])
}

/// A list row, as [`legacy_row`] shapes it.
fn row_schema() -> Value {
    let row = |path: &str| from_document(MERCHANT_LIST, &format!("merchants.items.{path}"));
    // `name` of a nested object, null when the object is.
    let name_of = |path: &str| {
        let name = row(&format!("{path}.name"));
        if row(path).get("anyOf").is_some() {
            nullable(name)
        } else {
            name
        }
    };
    object(&[
        ("check_out", row("checkOut")),
        ("user_id", row("accountId")),
        ("address_label", name_of("addressLabel")),
        ("create_time", row("createTime")),
        ("KID", row("kid")),
        ("customer_type", row("customerType")),
        ("cname", row("companyName")),
        ("create_employee_phone", string()),
        ("resname", row("shopName")),
        ("telephone", row("receiverTelephone")),
        ("pay_method", row("payMethodDisplay")),
        ("sales_employee_phone", string()),
        ("addr_detail", row("address")),
        ("settle_way", row("settleWayDisplay")),
        ("create_employee_name", string()),
        ("finance_status", row("financeStatus")),
        ("whitelist", row("whitelist")),
        ("keycustomer", row("keycustomer")),
        ("area_l2", name_of("areaLevel2")),
        ("city", name_of("city")),
        ("area_l1", name_of("areaLevel1")),
        ("sales_employee_name", string()),
        ("service_station", array(row("serviceStations.name"))),
        ("username", row("username")),
        ("point", row("point")),
        ("balance", row("balance")),
        ("name", row("receiverName")),
        ("SID", row("sid")),
    ])
}

/// The binding fields of an edit (read one by one by [`edit`]).
const EDIT_BINDING_FIELDS: &[FieldSpec] = &[
    field("id", "sid", Kind::Str, true),
    field("status", "status", Kind::Str, false),
    field("record_id", "recordId", Kind::Int, false),
    field("salemenu_id", "quoteSheetId", Kind::Str, false),
    field("service_station_id", "serviceStationId", Kind::Str, false),
];

fn ok(body: Value) -> Response {
    Json(body).into_response()
}

/// `{"<id>": name}`.
fn one_key(id: &Value, name: &Value) -> Value {
    let mut m = Map::new();
    m.insert(key(id), name.clone());
    Value::Object(m)
}

/// An id as a map key.
fn key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn items_of(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn employees(list_of: &Value) -> Value {
    let mut out = Map::new();
    for e in items_of(list_of) {
        out.insert(
            key(&e["id"]),
            json!({ "district_code": e["districtCode"], "name": e["name"] }),
        );
    }
    Value::Object(out)
}

const MERCHANT_INDEX: &str = "query MerchantIndex { merchantIndex {
        cities { code name areas { id name districtCode streets { id name } } }
        stations { id name districtCode keyUrl distributeCityIds }
        createEmployees { id name districtCode }
        saleEmployees { id name districtCode }
        quoteSheets { id name }
        stationQuoteSheets { station { id name } quoteSheet { id name } }
    } }";
/// `GET /custommanage/`: the nested index, maps keyed by id as the seed shapes it.
async fn index(State(state): State<AppState>, Extension(auth): Extension<Auth>) -> MerchantsResult {
    let ix = take(
        run(&state, auth, MERCHANT_INDEX, json!({})).await?,
        "merchantIndex",
    );
    let mut area = Map::new();
    let mut city = Map::new();
    let mut district = Vec::new();
    for c in items_of(&ix["cities"]) {
        district.push(json!({ "code": c["code"], "name": c["name"] }));
        let mut city_areas = Map::new();
        for a in items_of(&c["areas"]) {
            let streets: Vec<Value> = items_of(&a["streets"])
                .iter()
                .map(|s| one_key(&s["id"], &s["name"]))
                .collect();
            area.insert(
                key(&a["id"]),
                json!({ "child": streets, "district_code": a["districtCode"], "name": a["name"] }),
            );
            city_areas.insert(
                key(&a["id"]),
                json!({ "street": streets, "name": a["name"] }),
            );
        }
        city.insert(
            key(&c["code"]),
            json!({ "area": city_areas, "name": c["name"] }),
        );
    }
    let mut station = Map::new();
    for s in items_of(&ix["stations"]) {
        station.insert(
            key(&s["id"]),
            json!({
                "distribute_city_ids": s["distributeCityIds"], "key_url": s["keyUrl"],
                "district_code": s["districtCode"], "name": s["name"],
            }),
        );
    }
    let mut salemenu = Map::new();
    for q in items_of(&ix["quoteSheets"]) {
        salemenu.insert(key(&q["id"]), q["name"].clone());
    }
    let station_salemenu: Vec<Value> = items_of(&ix["stationQuoteSheets"])
        .iter()
        .map(|ss| {
            json!({
                "stations_id": ss["station"]["id"], "salemenu_id": ss["quoteSheet"]["id"],
                "salemenu_name": ss["quoteSheet"]["name"], "stations_name": ss["station"]["name"],
            })
        })
        .collect();
    Ok(ok(json!({
        "data": {
            "sale_employee": employees(&ix["saleEmployees"]),
            "district": district,
            "station": station,
            "create_employee": employees(&ix["createEmployees"]),
            "city": city,
            "station_salemenu": station_salemenu,
            "salemenu": salemenu,
            "area": area,
        },
        "msg": "ok",
        "code": 0,
    })))
}

/// The GraphQL selection of a list row.
const ROW_FIELDS: &str = "fragment Row on Merchant {
  checkOut accountId addressLabel { name } createTime kid customerType companyName
  createEmployee { name phone } shopName receiverTelephone payMethodDisplay saleEmployee { name phone }
  address settleWayDisplay financeStatus whitelist keycustomer areaLevel2 { name }
  city { name } areaLevel1 { name } serviceStations { name } username point balance
  receiverName sid
}";

/// A GraphQL row as the legacy list row, keys in the seed's order.
fn legacy_row(r: &Value) -> Value {
    let employee = |e: &Value, part: &str, none: &str| match e {
        Value::Object(_) if !e[part].as_str().unwrap_or_default().is_empty() => e[part].clone(),
        _ => Value::String(none.to_owned()),
    };
    let name_of = |v: &Value| v.get("name").cloned().unwrap_or(Value::Null);
    let stations: Vec<Value> = items_of(&r["serviceStations"])
        .iter()
        .map(name_of)
        .collect();
    json!({
        "check_out": r["checkOut"],
        "user_id": r["accountId"],
        "address_label": name_of(&r["addressLabel"]),
        "create_time": r["createTime"],
        "KID": r["kid"],
        "customer_type": r["customerType"],
        "cname": r["companyName"],
        "create_employee_phone": employee(&r["createEmployee"], "phone", "--"),
        "resname": r["shopName"],
        "telephone": r["receiverTelephone"],
        "pay_method": r["payMethodDisplay"],
        "sales_employee_phone": employee(&r["saleEmployee"], "phone", "--"),
        "addr_detail": r["address"],
        "settle_way": r["settleWayDisplay"],
        "create_employee_name": employee(&r["createEmployee"], "name", "--"),
        "finance_status": r["financeStatus"],
        "whitelist": r["whitelist"],
        "keycustomer": r["keycustomer"],
        "area_l2": name_of(&r["areaLevel2"]),
        "city": name_of(&r["city"]),
        "area_l1": name_of(&r["areaLevel1"]),
        "sales_employee_name": employee(&r["saleEmployee"], "name", "(待定)"),
        "service_station": stations,
        "username": r["username"],
        "point": r["point"],
        "balance": r["balance"],
        "name": r["receiverName"],
        "SID": r["sid"],
    })
}

/// The search filter from the list's parameters; 0 (or empty) means "all", as the page sends.
fn filter(q: &Fields) -> Result<Value, AppError> {
    let nonzero_int =
        |k: &str| -> Result<Option<i64>, AppError> { Ok(q.int(k)?.filter(|v| *v != 0)) };
    let nonzero_text = |k: &str| -> Result<Option<String>, AppError> {
        Ok(q.string(k)?
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v != "0"))
    };
    let salemenu = match nonzero_text("salemenu")? {
        Some(v) => Some(v),
        None => nonzero_text("saleMenu")?,
    };
    Ok(json!({
        "areaLevel1": q.big_int("firstMenu")?.filter(|v| *v != 0),
        "areaLevel2": q.big_int("secondMenu")?.filter(|v| *v != 0),
        "station": nonzero_text("stationMenu")?,
        "checkOut": q.int("check_out")?,
        "city": nonzero_text("city")?,
        "createEmployee": nonzero_int("crtManeger")?,
        "saleEmployee": nonzero_int("saleManager")?,
        "quoteSheet": salemenu,
        "payMethod": nonzero_int("pay_method")?,
        "settleWay": nonzero_int("settle_way")?,
        "search": q.string("search_text")?.filter(|s| !s.trim().is_empty()),
        "customerType": nonzero_int("customer_type")?,
        "addressLabel": nonzero_int("address_label_id")?,
    }))
}

const MERCHANT_LIST: &str = concatcp!(
    "query MerchantList($filter: MerchantFilter, $page: Int, $num: Int) {
           merchants(filter: $filter, page: $page, pageSize: $num) { totalCount items { ...Row } }
         } ",
    ROW_FIELDS
);
/// `GET /custommanage/list`: filters, `num`/`page`; `export=1` answers an `.xlsx` of every
/// matching row instead.
async fn list(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    RawQuery(raw): RawQuery,
) -> MerchantsResult {
    let q = Fields::from_query(raw.as_deref());
    let filter = filter(&q)?;
    if q.int("export")? == Some(1) {
        return export(&state, auth, filter).await;
    }
    let page = q.int("page")?.filter(|p| *p >= 1).unwrap_or(1);
    let num = q.int("num")?.filter(|n| *n >= 1).unwrap_or(10);
    let vars = json!({ "filter": filter, "page": page, "num": num });
    let found = take(run(&state, auth, MERCHANT_LIST, vars).await?, "merchants");
    let rows: Vec<Value> = items_of(&found["items"]).iter().map(legacy_row).collect();
    Ok(ok(
        json!({ "code": 0, "data": rows, "count": found["totalCount"] }),
    ))
}

/// The export's columns: legacy key and Chinese header.
const COLUMNS: &[(&str, &str)] = &[
    ("KID", "商户账户ID"),
    ("cname", "公司名"),
    ("SID", "商户ID"),
    ("create_time", "注册日期"),
    ("username", "登录账号"),
    ("resname", "店铺名"),
    ("settle_way", "结款方式"),
    ("pay_method", "结算周期"),
    ("city", "城市"),
    ("area_l1", "一级区域"),
    ("area_l2", "二级区域"),
    ("addr_detail", "店铺地址"),
    ("name", "店铺联系人"),
    ("telephone", "电话"),
    ("create_employee_name", "开户经理"),
    ("create_employee_phone", "开户经理电话"),
    ("sales_employee_name", "销售经理"),
    ("sales_employee_phone", "销售经理电话"),
    ("whitelist", "是否白名单"),
    ("balance", "余额"),
    ("service_station", "从属站点"),
    ("address_label", "商户标签"),
    ("customer_type", "商户类型"),
    ("point", "积分"),
    ("check_out", "审核状态"),
    ("finance_status", "财务状态"),
    ("keycustomer", "重点客户"),
    ("user_id", "账户ID"),
];

fn cell(v: &Value) -> Cell {
    match v {
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or_default()),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Null => Cell::Text(String::new()),
        Value::Array(items) => Cell::Text(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join("、"),
        ),
        other => Cell::Text(other.to_string()),
    }
}

const MERCHANT_EXPORT: &str = concatcp!(
    "query MerchantExport($filter: MerchantFilter, $page: Int) {
           merchantExport(filter: $filter, page: $page) { totalCount pageSize items { ...Row } }
         } ",
    ROW_FIELDS
);
/// Every matching row, read 1,000 at a time and written before the next page is read, as a
/// spreadsheet download.
async fn export(state: &AppState, auth: Auth, filter: Value) -> MerchantsResult {
    // Held until the file is written: at most N exports at once (503 beyond).
    let _permit = state.core.sheet_jobs.start(SheetJob::Export)?;
    let headers: Vec<&str> = COLUMNS.iter().map(|(_, h)| *h).collect();
    let mut sheet = SheetWriter::new("商户", &headers)?;
    let mut written = 0u64;
    let mut page = 1;
    loop {
        let vars = json!({ "filter": filter, "page": page });
        let found = take(
            run(state, auth.clone(), MERCHANT_EXPORT, vars).await?,
            "merchantExport",
        );
        let items = items_of(&found["items"]);
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|item| {
                let row = legacy_row(item);
                COLUMNS.iter().map(|(k, _)| cell(&row[*k])).collect()
            })
            .collect();
        written += rows.len() as u64;
        sheet = sheet.append(rows).await?;
        let total = found["totalCount"].as_u64().unwrap_or(0);
        if items.is_empty() || written >= total {
            break;
        }
        page += 1;
    }
    let bytes = sheet.finished().await?;
    let name = format!("merchants-{}.xlsx", crate::db::now().format("%Y%m%d"));
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(xlsx::CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

const UNBIND: &str = "mutation Unbind($sid: String!, $record: Int!) {
                unbindQuoteSheet(sid: $sid, recordId: $record) { sid } }";
const BIND: &str = "mutation Bind($sid: String!, $record: Int, $sheet: String!, $station: String) {
                bindQuoteSheet(sid: $sid, recordId: $record, quoteSheetId: $sheet,
                               serviceStationId: $station) { sid } }";
const EDIT: &str = "mutation Edit($input: UpdateShopInput!) { updateShop(input: $input) { sid } }";
/// `POST /custommanage/edit`: a section of the shop form, or with `status` a quote-sheet
/// binding change (`deleteSSM` removes binding `record_id`).
async fn edit(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    headers: HeaderMap,
    body: Bytes,
) -> MerchantsResult {
    let fields = Fields::from_body(&headers, &body)?;
    let sid = fields
        .string("id")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| AppError::field("id", "id 不能为空"))?;
    if let Some(status) = fields.string("status")?.filter(|s| !s.trim().is_empty()) {
        let record_id = fields.int("record_id")?;
        if status == "deleteSSM" {
            let record_id =
                record_id.ok_or_else(|| AppError::field("record_id", "record_id 不能为空"))?;
            run(
                &state,
                auth,
                UNBIND,
                json!({ "sid": sid, "record": record_id }),
            )
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
            run(&state, auth, BIND, vars).await?;
        } else {
            return Err(AppError::field("status", format!("status {status} 无效")).into());
        }
        return Ok(ok(json!({ "code": 0, "msg": "success" })));
    }
    let mut input = fields.input(EDIT_FIELDS)?;
    input["sid"] = Value::String(sid);
    run(&state, auth, EDIT, json!({ "input": input })).await?;
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
async fn add(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    headers: HeaderMap,
    body: Bytes,
) -> MerchantsResult {
    let fields = Fields::from_body(&headers, &body)?;
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
        run(&state, auth, ADD, json!({ "input": input })).await?,
        "createShop",
    );
    Ok(ok(json!({ "code": 0, "msg": "ok", "data": created })))
}
