//! Customers and orders: customer list and totals, a customer's orders, the order list and
//! detail (with its invoice), and a report's users.

use axum::{
    extract::{Path, RawQuery, State},
    http::Method,
    response::IntoResponse,
    routing::get,
    Extension, Json,
};
use serde_json::{json, Map, Value};

use super::envelope::{self, PaidReportsResult};
use super::{paged, path_id, report_id};
use crate::{
    auth::{Auth, Permission},
    error::AppError,
    rest::{
        doc::{Access, Doc},
        operation::{run, take},
        params::{field, legacy_error, FieldSpec, Fields, Kind},
        schema::{
            array, date, filter_text, from_document, int, int_of, nullable, object, string, with,
            without,
        },
        Route,
    },
    state::AppState,
};

use const_format::concatcp;

/// The customer and order routes.
pub(super) fn routes() -> Vec<Route> {
    let order_rows = || order_list_schema(array(order_schema()));
    vec![
        Route::new(
            Method::GET,
            "/api/customer",
            get(customers),
            Doc::new(
                "Customers who paid (or were whitelisted) in a period",
                Access::Staff(Permission::PaymentCustomerList),
            )
            .query(
                "type",
                int_of(&[1, 2]),
                "1 order users (default), 2 whitelist users",
            )
            .required_query("start_date", date(), json!("2022-06-16"), "First China day")
            .query("end_date", date(), "Last China day (default today)")
            .query("mobile", filter_text(), "Exactly this mobile")
            .answer(200, envelope::ok_both_schema(array(customer_schema(true))))
            .errors(&[400]),
        ),
        Route::new(
            Method::GET,
            "/api/customer/{id}",
            get(customer),
            Doc::new(
                "A customer's totals",
                Access::Staff(Permission::PaymentCustomerTotal),
            )
            .path("id", int(), json!(612381), "The customer's id")
            .answer(
                200,
                envelope::ok_schema(without(customer_schema(false), &["avatar", "payment_time"])),
            )
            .errors(&[404]),
        ),
        Route::new(
            Method::GET,
            "/api/customer/{id}/order",
            get(customer_orders),
            paged(Doc::new(
                "A customer's orders",
                Access::Staff(Permission::PaymentCustomerInfo),
            ))
            .path("id", int(), json!(612381), "The customer's id")
            .answer(200, order_rows())
            .errors(&[400, 404]),
        ),
        Route::new(
            Method::GET,
            "/api/order",
            get(orders),
            paged(Doc::new(
                "Orders in a period",
                Access::Staff(Permission::PaymentOrderList),
            ))
            .required_query("start_date", date(), json!("2022-03-06"), "First China day")
            .query("end_date", date(), "Last China day (default today)")
            .query("state", int(), "Order state (0: all)")
            .query("usage_expend_status", int(), "Usage state")
            .query("number", filter_text(), "Prefix of the order number")
            .query(
                "third_trade_num",
                string(),
                "Prefix of the payment's trade number",
            )
            .answer(200, order_rows())
            .errors(&[400]),
        ),
        Route::new(
            Method::GET,
            "/api/order/{number}",
            get(order),
            Doc::new(
                "An order with its invoice",
                Access::Staff(Permission::PaymentOrderInfo),
            )
            .path(
                "number",
                string(),
                json!("423132323232372212"),
                "The order number",
            )
            .answer(200, order_info_schema())
            .errors(&[404]),
        ),
        Route::new(
            Method::GET,
            "/api/report/{id}/customer",
            get(report_customers),
            paged(report_id(Doc::new(
                "A report's users",
                Access::Staff(Permission::GetReportCustomer),
            )))
            .answer(
                200,
                envelope::ok_both_schema(envelope::laravel_page_schema(report_customer_schema())),
            )
            .errors(&[400]),
        ),
    ]
}

/// The GraphQL documents this module runs (`opsgraph export-operations` lists them).
pub(crate) const DOCUMENTS: &[&str] = &[
    CUSTOMERS,
    CUSTOMER,
    CUSTOMER_ORDERS,
    ORDERS,
    ORDER_INFO,
    REPORT_CUSTOMERS,
];

const ORDER_FIELDS: &str = "fragment OrderFields on Order {
  id number title totalCents size state checkoutAt expireAt paidAt fulfilledAt
  tradeInfo { thirdTradeNum thirdTradeIdentity paymentSource paymentChannel }
  orderItem { id title cover priceCents }
  customer { id nickName avatar mobile }
  usage { quantityCount availableCount expendStatus }
}";

/// Money as the seed prints it here: cents, as a string.
fn cents_text(v: &Value) -> Value {
    Value::String(v.as_i64().unwrap_or_default().to_string())
}

/// An order as the legacy answers shape it.
fn legacy_order(o: &Value) -> Value {
    let item = &o["orderItem"];
    let c = &o["customer"];
    let u = &o["usage"];
    let t = &o["tradeInfo"];
    json!({
        "id": o["id"], "number": o["number"], "order_title": o["title"], "total": cents_text(&o["totalCents"]),
        "size": o["size"], "state": o["state"], "checkout_at": o["checkoutAt"], "expire_at": o["expireAt"],
        "paid_at": o["paidAt"], "fulfilled_at": o["fulfilledAt"],
        "trade_info": {
            "third_trade_num": t["thirdTradeNum"], "third_trade_identity": t["thirdTradeIdentity"],
            "payment_source": t["paymentSource"], "payment_channel": t["paymentChannel"],
        },
        "order_item": if item.is_null() { Value::Null } else { json!({
            "id": item["id"], "title": item["title"], "cover": item["cover"], "price": cents_text(&item["priceCents"]),
        }) },
        "customer_info": if c.is_null() { Value::Null } else { json!({
            "id": c["id"], "nick_name": c["nickName"], "avatar": c["avatar"], "mobile": c["mobile"],
        }) },
        "order_item_usage": if u.is_null() { Value::Null } else { json!({
            "quantity_count": u["quantityCount"], "available_count": u["availableCount"], "expend_status": u["expendStatus"],
        }) },
    })
}

/// The schema of [`legacy_order`].
pub(super) fn order_schema() -> Value {
    let o = |path: &str| from_document(ORDERS, &format!("orders.items.{path}"));
    object(&[
        ("id", o("id")),
        ("number", o("number")),
        ("order_title", o("title")),
        ("total", string()),
        ("size", o("size")),
        ("state", o("state")),
        ("checkout_at", o("checkoutAt")),
        ("expire_at", o("expireAt")),
        ("paid_at", o("paidAt")),
        ("fulfilled_at", o("fulfilledAt")),
        (
            "trade_info",
            object(&[
                ("third_trade_num", o("tradeInfo.thirdTradeNum")),
                ("third_trade_identity", o("tradeInfo.thirdTradeIdentity")),
                ("payment_source", o("tradeInfo.paymentSource")),
                ("payment_channel", o("tradeInfo.paymentChannel")),
            ]),
        ),
        (
            "order_item",
            nullable(object(&[
                ("id", o("orderItem.id")),
                ("title", o("orderItem.title")),
                ("cover", o("orderItem.cover")),
                ("price", string()),
            ])),
        ),
        (
            "customer_info",
            nullable(object(&[
                ("id", o("customer.id")),
                ("nick_name", o("customer.nickName")),
                ("avatar", o("customer.avatar")),
                ("mobile", o("customer.mobile")),
            ])),
        ),
        (
            "order_item_usage",
            nullable(object(&[
                ("quantity_count", o("usage.quantityCount")),
                ("available_count", o("usage.availableCount")),
                ("expend_status", o("usage.expendStatus")),
            ])),
        ),
    ])
}

/// The schema of the order-list envelope around `rows`.
pub(super) fn order_list_schema(rows: Value) -> Value {
    object(&[
        ("status", int_of(&[0])),
        ("current_page", int()),
        ("last_page", int()),
        ("total", int()),
        ("date", rows.clone()),
        ("data", rows),
    ])
}

/// The schema of an order with its `invoice_info` (an empty invoice has `""` for its time).
pub(super) fn order_info_schema() -> Value {
    let i = |path: &str| from_document(ORDER_INFO, &format!("order.invoice.{path}"));
    let invoice = object(&[
        ("state", i("state")),
        ("create_time", json!({ "type": ["integer", "string"] })),
        ("is_vat", i("isVat")),
        ("invoice_title", i("invoiceTitle")),
        ("invoice_amount", i("invoiceAmount")),
        ("invoice_tax_num", i("invoiceTaxNum")),
        ("vat_name", i("vatName")),
        ("vat_mail_address", i("vatMailAddress")),
        ("vat_company_name", i("vatCompanyName")),
        ("vat_company_address", i("vatCompanyAddress")),
        ("vat_company_mobile", i("vatCompanyMobile")),
        ("vat_telphone", i("vatTelphone")),
        ("vat_bank_name", i("vatBankName")),
        ("vat_bank_accoun", i("vatBankAccount")),
        ("invoice_option", i("invoiceOption")),
    ]);
    order_list_schema(with(order_schema(), &[("invoice_info", invoice)]))
}

/// The order-list envelope: paging beside `status`, the rows under `date` (and `data`).
fn order_list_answer(page: Value) -> axum::response::Response {
    let total = page["totalCount"].as_u64().unwrap_or(0);
    let per_page = page["pageSize"].as_u64().unwrap_or(1).max(1);
    let rows: Vec<Value> = page["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(legacy_order)
        .collect();
    Json(json!({
        "status": 0,
        "current_page": page["page"],
        "last_page": total.div_ceil(per_page).max(1),
        "total": total,
        "date": rows.clone(),
        "data": rows,
    }))
    .into_response()
}

fn page_params(q: &Fields) -> Result<(Option<i64>, Option<i64>), AppError> {
    Ok((
        q.int("page")?.filter(|p| *p >= 1),
        q.int("limit")?.filter(|l| *l >= 1),
    ))
}

/// A customer row as the legacy answers shape it; `total_as_text` for the list (a string
/// there, a number in the totals).
fn legacy_customer(c: &Value, total_as_text: bool) -> Map<String, Value> {
    let total = if total_as_text {
        cents_text(&c["paymentTotal"])
    } else {
        c["paymentTotal"].clone()
    };
    let mut m = Map::new();
    m.insert("user_id".into(), c["id"].clone());
    m.insert("nick_name".into(), c["nickName"].clone());
    m.insert("avatar".into(), c["avatar"].clone());
    m.insert("mobile".into(), c["mobile"].clone());
    m.insert("payment_time".into(), c["paymentCount"].clone());
    m.insert("payment_count".into(), c["paymentCount"].clone());
    m.insert("payment_total".into(), total);
    m.insert("last_payment_at".into(), c["lastPaymentAt"].clone());
    m.insert("last_login_at".into(), c["lastLoginAt"].clone());
    m.insert("last_review_at".into(), c["lastReviewAt"].clone());
    m.insert("regist_at".into(), c["registAt"].clone());
    m
}

/// The schema of [`legacy_customer`].
pub(super) fn customer_schema(total_as_text: bool) -> Value {
    let c = |field: &str| from_document(CUSTOMER, &format!("customer.{field}"));
    object(&[
        ("user_id", c("id")),
        ("nick_name", c("nickName")),
        ("avatar", c("avatar")),
        ("mobile", c("mobile")),
        ("payment_time", c("paymentCount")),
        ("payment_count", c("paymentCount")),
        (
            "payment_total",
            if total_as_text {
                string()
            } else {
                c("paymentTotal")
            },
        ),
        ("last_payment_at", c("lastPaymentAt")),
        ("last_login_at", c("lastLoginAt")),
        ("last_review_at", c("lastReviewAt")),
        ("regist_at", c("registAt")),
    ])
}

/// The schema of a report-user row.
pub(super) fn report_customer_schema() -> Value {
    let r = |path: &str| from_document(REPORT_CUSTOMERS, &format!("reportCustomers.items.{path}"));
    object(&[
        ("user_id", r("customer.id")),
        ("nick_name", r("customer.nickName")),
        ("avatar", r("customer.avatar")),
        ("mobile", r("customer.mobile")),
        ("occurred_count", r("occurredCount")),
        ("residue_count", r("residueCount")),
        ("last_payment_at", r("customer.lastPaymentAt")),
        ("last_login_at", r("customer.lastLoginAt")),
        ("last_review_at", r("customer.lastReviewAt")),
        ("regist_at", r("customer.registAt")),
    ])
}

const CUSTOMER_FIELDS: &str = "fragment CustomerFields on Customer {
  id nickName avatar mobile paymentCount paymentTotal lastPaymentAt lastLoginAt lastReviewAt registAt
}";

/// Most rows one legacy customer list answers (it has no paging).
const MAX_CUSTOMER_ROWS: u64 = 10_000;

const CUSTOMERS: &str = concatcp!("query Customers($filter: CustomerFilter!, $page: Int) {
           customers(filter: $filter, page: $page, pageSize: 100) { totalCount items { ...CustomerFields } }
         } ", CUSTOMER_FIELDS);
/// The customer list's filter parameters (its `kind` is read apart, from `type`).
const CUSTOMER_FILTER: &[FieldSpec] = &[
    field("start_date", "startDate", Kind::Str, false),
    field("end_date", "endDate", Kind::Str, false),
    field("mobile", "mobile", Kind::Str, false),
];

/// `GET /api/customer` (Payment_Customer_List): `type` 1 order users / 2 whitelist users,
/// `start_date` (required), `end_date` (default today), `mobile` (exact).
pub async fn customers(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    RawQuery(raw): RawQuery,
) -> PaidReportsResult {
    let q = Fields::from_query(raw.as_deref());
    let kind = match q.int("type")?.unwrap_or(1) {
        1 => "ORDERS",
        2 => "WHITELIST",
        other => {
            return Err(AppError::field("type", format!("type 只能是 1 或 2, 不是 {other}")).into())
        }
    };
    let mut filter = q.input(CUSTOMER_FILTER)?;
    filter["kind"] = kind.into();
    let mut rows = Vec::new();
    for page in 1.. {
        let found = take(
            run(
                &state,
                auth.clone(),
                CUSTOMERS,
                json!({ "filter": filter, "page": page }),
            )
            .await
            .map_err(legacy_error(&[CUSTOMER_FILTER], &[]))?,
            "customers",
        );
        let items = found["items"].as_array().cloned().unwrap_or_default();
        rows.extend(
            items
                .iter()
                .map(|c| Value::Object(legacy_customer(c, true))),
        );
        let total = found["totalCount"]
            .as_u64()
            .unwrap_or(0)
            .min(MAX_CUSTOMER_ROWS);
        if items.is_empty() || rows.len() as u64 >= total {
            break;
        }
    }
    Ok(envelope::ok_both(Value::Array(rows)))
}

const CUSTOMER: &str = concatcp!(
    "query Customer($id: Int!) { customer(id: $id) { ...CustomerFields } } ",
    CUSTOMER_FIELDS
);
/// `GET /api/customer/{id}` (Payment_Customer_Total).
pub async fn customer(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
) -> PaidReportsResult {
    let found = take(
        run(&state, auth, CUSTOMER, json!({ "id": path_id(&id)? })).await?,
        "customer",
    );
    let mut row = legacy_customer(&found, false);
    row.shift_remove("avatar");
    row.shift_remove("payment_time");
    Ok(envelope::ok(Value::Object(row)))
}

async fn run_orders(
    state: &AppState,
    auth: Auth,
    document: &'static str,
    field: &str,
    vars: Value,
) -> PaidReportsResult {
    let page = take(run(state, auth, document, vars).await?, field);
    Ok(order_list_answer(page))
}

const CUSTOMER_ORDERS: &str = concatcp!("query CustomerOrders($id: Int!, $page: Int, $limit: Int) {
        customerOrders(customerId: $id, page: $page, pageSize: $limit) { totalCount page pageSize items { ...OrderFields } } } ", ORDER_FIELDS);
const ORDERS: &str = concatcp!("query Orders($filter: OrderFilter!, $page: Int, $limit: Int) {
        orders(filter: $filter, page: $page, pageSize: $limit) { totalCount page pageSize items { ...OrderFields } } } ", ORDER_FIELDS);

/// `GET /api/customer/{id}/order` (Payment_Customer_Info): `limit` (10), `page`.
pub async fn customer_orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PaidReportsResult {
    let q = Fields::from_query(raw.as_deref());
    let (page, limit) = page_params(&q)?;
    run_orders(
        &state,
        auth,
        CUSTOMER_ORDERS,
        "customerOrders",
        json!({ "id": path_id(&id)?, "page": page, "limit": limit }),
    )
    .await
}

/// `GET /api/order` (Payment_Order_List): `start_date` (required), `end_date`, `state`,
/// `usage_expend_status`, prefixes `number` and `third_trade_num`, `limit`, `page`.
pub async fn orders(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    RawQuery(raw): RawQuery,
) -> PaidReportsResult {
    // The seed's own curl writes `start_date=2022-03-06?state=1`: a `?` inside the query
    // string starts another parameter.
    let raw = raw.map(|r| r.replace('?', "&"));
    let q = Fields::from_query(raw.as_deref());
    let (page, limit) = page_params(&q)?;
    let filter = q.input(ORDER_FILTER)?;
    let vars = json!({ "filter": filter, "page": page, "limit": limit });
    let data = run(&state, auth, ORDERS, vars)
        .await
        .map_err(legacy_error(&[ORDER_FILTER], &[]))?;
    Ok(order_list_answer(take(data, "orders")))
}

/// The order list's filter parameters.
const ORDER_FILTER: &[FieldSpec] = &[
    field("start_date", "startDate", Kind::Str, false),
    field("end_date", "endDate", Kind::Str, false),
    field("state", "state", Kind::Int, false),
    field("usage_expend_status", "usageExpendStatus", Kind::Int, false),
    field("number", "number", Kind::Str, false),
    field("third_trade_num", "thirdTradeNum", Kind::Str, false),
];

/// An empty invoice: strings empty and numbers zero, never null (the seed's rule).
fn no_invoice() -> Value {
    json!({
        "state": 0, "create_time": "", "is_vat": 0, "invoice_title": "", "invoice_amount": 0,
        "invoice_tax_num": "", "vat_name": "", "vat_mail_address": "", "vat_company_name": "",
        "vat_company_address": "", "vat_company_mobile": "", "vat_telphone": "", "vat_bank_name": "",
        "vat_bank_accoun": "", "invoice_option": 0,
    })
}

const ORDER_INFO: &str = concatcp!("query OrderInfo($number: String!) { order(number: $number) { ...OrderFields invoice {
            state createTime isVat invoiceTitle invoiceAmount invoiceTaxNum vatName vatMailAddress vatCompanyName
            vatCompanyAddress vatCompanyMobile vatTelphone vatBankName vatBankAccount invoiceOption } } } ", ORDER_FIELDS);
/// `GET /api/order/{number}` (Payment_Order_Info): the order with `invoice_info`.
pub async fn order(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(number): Path<String>,
) -> PaidReportsResult {
    let found = take(
        run(&state, auth, ORDER_INFO, json!({ "number": number })).await?,
        "order",
    );
    let mut body = legacy_order(&found);
    let i = &found["invoice"];
    body["invoice_info"] = if i.is_null() {
        no_invoice()
    } else {
        json!({
            "state": i["state"], "create_time": i["createTime"], "is_vat": i["isVat"], "invoice_title": i["invoiceTitle"],
            "invoice_amount": i["invoiceAmount"], "invoice_tax_num": i["invoiceTaxNum"], "vat_name": i["vatName"],
            "vat_mail_address": i["vatMailAddress"], "vat_company_name": i["vatCompanyName"],
            "vat_company_address": i["vatCompanyAddress"], "vat_company_mobile": i["vatCompanyMobile"],
            "vat_telphone": i["vatTelphone"], "vat_bank_name": i["vatBankName"], "vat_bank_accoun": i["vatBankAccount"],
            "invoice_option": i["invoiceOption"],
        })
    };
    Ok(Json(json!({ "status": 0, "current_page": 1, "last_page": 1, "total": 1, "date": body.clone(), "data": body })).into_response())
}

const REPORT_CUSTOMERS: &str = concatcp!("query ReportCustomers($id: Int!, $page: Int, $limit: Int) {
           reportCustomers(reportId: $id, page: $page, pageSize: $limit) {
             totalCount page pageSize items { customer { ...CustomerFields } occurredCount residueCount }
           }
         } ", CUSTOMER_FIELDS);
/// `GET /api/report/{id}/customer` (GET_REPORT_CUSTOMER): `page`, `limit` (20).
pub async fn report_customers(
    State(state): State<AppState>,
    Extension(auth): Extension<Auth>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PaidReportsResult {
    let q = Fields::from_query(raw.as_deref());
    let (page, limit) = page_params(&q)?;
    let mut page = take(
        run(
            &state,
            auth,
            REPORT_CUSTOMERS,
            json!({ "id": path_id(&id)?, "page": page, "limit": limit }),
        )
        .await?,
        "reportCustomers",
    );
    let rows: Vec<Value> = page["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let c = &r["customer"];
            json!({
                "user_id": c["id"], "nick_name": c["nickName"], "avatar": c["avatar"], "mobile": c["mobile"],
                "occurred_count": r["occurredCount"], "residue_count": r["residueCount"],
                "last_payment_at": c["lastPaymentAt"], "last_login_at": c["lastLoginAt"],
                "last_review_at": c["lastReviewAt"], "regist_at": c["registAt"],
            })
        })
        .collect();
    page["items"] = Value::Array(rows);
    Ok(envelope::ok_both(envelope::laravel_page(page)))
}
