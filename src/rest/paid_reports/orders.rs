//! Customers and orders: customer list and totals, a customer's orders, the order list and
//! detail (with its invoice), and a report's users.

use crate::rest::Json;
use axum::response::IntoResponse;
use serde_json::value::RawValue;
use std::sync::LazyLock;

use super::{
    envelope::{self, PaidReportsResult},
    path_id, report_id, PAGING,
};
use crate::rest::prelude::*;
use crate::rest::{rows::col, rows::Format, rows::Formats, rows::Row};

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
            .query("start_date", date(), "First China day")
            .required(json!("2022-06-16"))
            .query("end_date", date(), "Last China day (default today)")
            .query("mobile", filter_text(), "Exactly this mobile")
            .answer(
                200,
                envelope::ok_both_schema(array(customer_schema(&LISTED_CUSTOMER))),
            )
            .errors(&[400]),
        )
        .runs(&[CUSTOMERS]),
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
                envelope::ok_schema(without(customer_schema(&CUSTOMER_TOTALS), NOT_IN_TOTALS)),
            )
            .errors(&[404]),
        )
        .runs(&[CUSTOMER]),
        Route::new(
            Method::GET,
            "/api/customer/{id}/order",
            get(customer_orders),
            Doc::new(
                "A customer's orders",
                Access::Staff(Permission::PaymentCustomerInfo),
            )
            .paged(&PAGING)
            .path("id", int(), json!(612381), "The customer's id")
            .answer(200, order_rows())
            .errors(&[400, 404]),
        )
        .runs(&[CUSTOMER_ORDERS]),
        Route::new(
            Method::GET,
            "/api/order",
            get(orders),
            Doc::new(
                "Orders in a period",
                Access::Staff(Permission::PaymentOrderList),
            )
            .paged(&PAGING)
            .query("start_date", date(), "First China day")
            .required(json!("2022-03-06"))
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
        )
        .runs(&[ORDERS]),
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
        )
        .runs(&[ORDER_INFO]),
        Route::new(
            Method::GET,
            "/api/report/{id}/customer",
            get(report_customers),
            report_id(Doc::new(
                "A report's users",
                Access::Staff(Permission::GetReportCustomer),
            ))
            .paged(&PAGING)
            .answer(
                200,
                envelope::ok_both_schema(envelope::laravel_page_schema(REPORT_CUSTOMER.schema())),
            )
            .errors(&[400]),
        )
        .runs(&[REPORT_CUSTOMERS]),
    ]
}

const ORDER_FIELDS: &str = "fragment OrderFields on Order {
  id number order_title: title total size state checkout_at: checkoutAt expire_at: expireAt
  paid_at: paidAt fulfilled_at: fulfilledAt
  trade_info: tradeInfo {
    third_trade_num: thirdTradeNum third_trade_identity: thirdTradeIdentity
    payment_source: paymentSource payment_channel: paymentChannel
  }
  order_item: orderItem { id title cover price }
  customer_info: customer { id nick_name: nickName avatar mobile }
  order_item_usage: usage {
    quantity_count: quantityCount available_count: availableCount expend_status: expendStatus
  }
}";

/// The amounts of an order, which the seed prints as cents in text.
const ORDER_AMOUNTS: Formats = Formats(&[
    (&["total"], Format::CentsText),
    (&["order_item", "price"], Format::CentsText),
]);

/// The schema of an order row ([`ORDER_FIELDS`] with its amounts as cents).
fn order_schema() -> Value {
    ORDER_AMOUNTS.schema(element(from_document(ORDERS, "orders.items")))
}

/// The schema of the order-list envelope around `rows`.
fn order_list_schema(rows: Value) -> Value {
    object(&[
        ("status", int_of(&[0])),
        ("current_page", int()),
        ("last_page", int()),
        ("total", int()),
        ("date", rows.clone()),
        ("data", rows),
    ])
}

/// The schema of an invoice: an empty invoice has `""` for its time.
fn invoice_schema() -> Value {
    let mut invoice = non_null(from_document(ORDER_INFO, "order.invoice_info"));
    invoice["properties"]["create_time"] = json!({ "type": ["integer", "string"] });
    invoice
}

/// The schema of an order with its `invoice_info` (never null).
fn order_info_schema() -> Value {
    let mut order = ORDER_AMOUNTS.schema(non_null(from_document(ORDER_INFO, "order")));
    order["properties"]["invoice_info"] = invoice_schema();
    order_list_schema(order)
}

/// The order-list envelope: paging beside `status`, the rows under `date` (and `data`).
fn order_list_answer(mut page: Page) -> axum::response::Response {
    let per_page = page.page_size.max(1);
    ORDER_AMOUNTS.apply_rows(&mut page.items);
    let last_page = page.total.div_ceil(per_page).max(1);
    order_envelope(&page.page.into(), last_page, page.total, &page.items)
}

/// The order-list envelope around `payload`, written under both `date` and `data`.
fn order_envelope<P: serde::Serialize + ?Sized>(
    current_page: &Value,
    last_page: u64,
    total: u64,
    payload: &P,
) -> axum::response::Response {
    match envelope::written_once(payload) {
        Ok(payload) => Json(OrderList {
            status: 0,
            current_page,
            last_page,
            total,
            date: &payload,
            data: &payload,
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The order-list envelope, its payload under both `date` and `data`.
#[derive(serde::Serialize)]
struct OrderList<'a> {
    status: u8,
    current_page: &'a Value,
    last_page: u64,
    total: u64,
    date: &'a RawValue,
    data: &'a RawValue,
}

const CUSTOMER_FIELDS: &str = "fragment CustomerFields on Customer {
  user_id: id nick_name: nickName avatar mobile payment_time: paymentCount
  payment_count: paymentCount payment_total: paymentTotal last_payment_at: lastPaymentAt
  last_login_at: lastLoginAt last_review_at: lastReviewAt regist_at: registAt
}";

/// The customer list prints the total paid as cents in text.
const LISTED_CUSTOMER: Formats = Formats(&[(&["payment_total"], Format::CentsText)]);
/// A customer's totals print it as cents, a number, and leave out `avatar` and `payment_time`.
const CUSTOMER_TOTALS: Formats = Formats(&[(&["payment_total"], Format::Cents)]);
const NOT_IN_TOTALS: &[&str] = &["avatar", "payment_time"];

/// The schema of a customer row, as `formats` writes it.
fn customer_schema(formats: &Formats) -> Value {
    formats.schema(non_null(from_document(CUSTOMER, "customer")))
}

/// A report's user: its customer's fields, flattened, with its reads.
const REPORT_CUSTOMER: Row = Row {
    document: REPORT_CUSTOMERS,
    rows_at: "reportCustomers.items",
    columns: &[
        col("user_id", "customer.id"),
        col("nick_name", "customer.nickName"),
        col("avatar", "customer.avatar"),
        col("mobile", "customer.mobile"),
        col("occurred_count", "occurredCount"),
        col("residue_count", "residueCount"),
        col("last_payment_at", "customer.lastPaymentAt"),
        col("last_login_at", "customer.lastLoginAt"),
        col("last_review_at", "customer.lastReviewAt"),
        col("regist_at", "customer.registAt"),
    ],
};

/// Most rows one legacy customer list answers (it has no paging).
const MAX_CUSTOMER_ROWS: u64 = 10_000;

const CUSTOMERS: &str = concatcp!("query Customers($filter: CustomerFilter!, $page: Int) {
           customers(filter: $filter, page: $page, pageSize: 100) { totalCount items { ...CustomerFields } }
         } ", CUSTOMER_FIELDS);
/// The customer list's filter parameters (its `kind` is read apart, from `type`).
const CUSTOMER_FILTER: &[FieldSpec] = fields![
    "start_date" => "startDate": Str,
    "end_date" => "endDate": Str,
    "mobile": Str,
];

/// `GET /api/customer` (Payment_Customer_List): `type` 1 order users / 2 whitelist users,
/// `start_date` (required), `end_date` (default today), `mobile` (exact).
pub async fn customers(caller: Caller, QueryFields(q): QueryFields) -> PaidReportsResult {
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
            caller
                .run(CUSTOMERS, json!({ "filter": filter, "page": page }))
                .await
                .map_err(legacy_error(&[CUSTOMER_FILTER], &[]))?,
            "customers",
        );
        let items = found["items"].as_array().cloned().unwrap_or_default();
        let fetched = items.len();
        rows.extend(items.into_iter().map(|c| LISTED_CUSTOMER.apply(c)));
        let total = found["totalCount"]
            .as_u64()
            .unwrap_or(0)
            .min(MAX_CUSTOMER_ROWS);
        if fetched == 0 || rows.len() as u64 >= total {
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
pub async fn customer(caller: Caller, Path(id): Path<String>) -> PaidReportsResult {
    let found = take(
        caller.run(CUSTOMER, json!({ "id": path_id(&id)? })).await?,
        "customer",
    );
    let mut row = CUSTOMER_TOTALS.apply(found);
    if let Some(row) = row.as_object_mut() {
        NOT_IN_TOTALS.iter().for_each(|k| {
            row.shift_remove(*k);
        });
    }
    Ok(envelope::ok(row))
}

async fn run_orders(
    caller: &Caller,
    document: &'static str,
    field: &str,
    vars: Value,
    tables: &[&[FieldSpec]],
) -> PaidReportsResult {
    let page = caller
        .run_page(document, vars, field)
        .await
        .map_err(legacy_error(tables, &[]))?;
    Ok(order_list_answer(page))
}

const CUSTOMER_ORDERS: &str = concatcp!("query CustomerOrders($id: Int!, $page: Int, $limit: Int) {
        customerOrders(customerId: $id, page: $page, pageSize: $limit) { totalCount page pageSize items { ...OrderFields } } } ", ORDER_FIELDS);
const ORDERS: &str = concatcp!("query Orders($filter: OrderFilter!, $page: Int, $limit: Int) {
        orders(filter: $filter, page: $page, pageSize: $limit) { totalCount page pageSize items { ...OrderFields } } } ", ORDER_FIELDS);

/// `GET /api/customer/{id}/order` (Payment_Customer_Info): `limit` (10), `page`.
pub async fn customer_orders(
    caller: Caller,
    Path(id): Path<String>,
    QueryFields(q): QueryFields,
) -> PaidReportsResult {
    let (page, limit) = q.paging(&PAGING)?;
    run_orders(
        &caller,
        CUSTOMER_ORDERS,
        "customerOrders",
        json!({ "id": path_id(&id)?, "page": page, "limit": limit }),
        &[],
    )
    .await
}

/// `GET /api/order` (Payment_Order_List): `start_date` (required), `end_date`, `state`,
/// `usage_expend_status`, prefixes `number` and `third_trade_num`, `limit`, `page`.
pub async fn orders(caller: Caller, RawQuery(raw): RawQuery) -> PaidReportsResult {
    // The seed's own curl writes `start_date=2022-03-06?state=1`: a `?` inside the query
    // string starts another parameter.
    let raw = raw.map(|r| r.replace('?', "&"));
    let q = Fields::from_query(raw.as_deref());
    let (page, limit) = q.paging(&PAGING)?;
    let filter = q.input(ORDER_FILTER)?;
    let vars = json!({ "filter": filter, "page": page, "limit": limit });
    run_orders(&caller, ORDERS, "orders", vars, &[ORDER_FILTER]).await
}

/// The order list's filter parameters.
const ORDER_FILTER: &[FieldSpec] = fields![
    "start_date" => "startDate": Str,
    "end_date" => "endDate": Str,
    "state": Int,
    "usage_expend_status" => "usageExpendStatus": Int,
    "number": Str,
    "third_trade_num" => "thirdTradeNum": Str,
];

/// An empty invoice: strings empty and numbers zero, never null (the seed's rule).
static NO_INVOICE: LazyLock<Value> = LazyLock::new(|| {
    let keys = invoice_schema()["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let empty = keys
        .into_iter()
        .map(|(key, schema)| {
            let text = match &schema["type"] {
                Value::Array(types) => types.iter().any(|t| t == "string"),
                t => t == "string",
            };
            (key, if text { json!("") } else { json!(0) })
        })
        .collect();
    Value::Object(empty)
});

const ORDER_INFO: &str = concatcp!(
    "query OrderInfo($number: String!) { order(number: $number) { ...OrderFields
          invoice_info: invoice {
            state create_time: createTime is_vat: isVat invoice_title: invoiceTitle
            invoice_amount: invoiceAmount invoice_tax_num: invoiceTaxNum vat_name: vatName
            vat_mail_address: vatMailAddress vat_company_name: vatCompanyName
            vat_company_address: vatCompanyAddress vat_company_mobile: vatCompanyMobile
            vat_telphone: vatTelphone vat_bank_name: vatBankName vat_bank_accoun: vatBankAccount
            invoice_option: invoiceOption } } } ",
    ORDER_FIELDS
);
/// `GET /api/order/{number}` (Payment_Order_Info): the order with `invoice_info`.
pub async fn order(caller: Caller, Path(number): Path<String>) -> PaidReportsResult {
    let found = take(
        caller.run(ORDER_INFO, json!({ "number": number })).await?,
        "order",
    );
    let mut body = ORDER_AMOUNTS.apply(found);
    if body["invoice_info"].is_null() {
        body["invoice_info"] = NO_INVOICE.clone();
    }
    Ok(order_envelope(&json!(1), 1, 1, &body))
}

const REPORT_CUSTOMERS: &str = "query ReportCustomers($id: Int!, $page: Int, $limit: Int) {
           reportCustomers(reportId: $id, page: $page, pageSize: $limit) {
             totalCount page pageSize items {
               customer { id nickName avatar mobile lastPaymentAt lastLoginAt lastReviewAt registAt }
               occurredCount residueCount
             }
           }
         }";
/// `GET /api/report/{id}/customer` (GET_REPORT_CUSTOMER): `page`, `limit` (20).
pub async fn report_customers(
    caller: Caller,
    Path(id): Path<String>,
    QueryFields(q): QueryFields,
) -> PaidReportsResult {
    let (page, limit) = q.paging(&PAGING)?;
    let mut page = take(
        caller
            .run(
                REPORT_CUSTOMERS,
                json!({ "id": path_id(&id)?, "page": page, "limit": limit }),
            )
            .await?,
        "reportCustomers",
    );
    page["items"] = Value::Array(REPORT_CUSTOMER.reshape_all(&page["items"]));
    Ok(envelope::ok_both(envelope::laravel_page(page)))
}
