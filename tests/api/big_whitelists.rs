//! A report with 70,000 whitelist rows and 70,000 orders: its users, the whitelist users and
//! the order statistics answer in one statement each, whatever the rows (PostgreSQL binds at
//! most 65,535 parameters; the lists used to bind one per row), paged in SQL.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, STAFF};
use crate::reports::bearer;

const ROWS: usize = 70_000;
/// Rows per INSERT: a few statements for the whole setup.
const CHUNK: usize = 5_000;
/// The whitelisted customers among the rows.
const CUSTOMERS: usize = 30;

async fn insert_chunked(app: &TestApp, head: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(CHUNK) {
        app.exec(&format!("{head} VALUES {}", chunk.join(", ")))
            .await;
    }
}

fn mobile(i: usize) -> String {
    format!("150{i:08}")
}

/// The whitelisted customer `k`: its row, whitelisted in 2030 (later than every order, so
/// first in every list), two by two in the same second but microseconds apart in the other
/// order of their ids, so the order proves times compare by the second, ties by id.
struct Whitelisted {
    id: i64,
    mobile: String,
    residue: i64,
    created: NaiveDateTime,
}

fn whitelisted(k: usize) -> Whitelisted {
    let second = (k / 2) as u32;
    let micros = (CUSTOMERS - k) as u32;
    Whitelisted {
        id: 900_000 + k as i64,
        mobile: mobile(k * 2_000),
        residue: ((k * 2_000) % 13) as i64,
        created: NaiveDate::from_ymd_opt(2030, 1, 1)
            .unwrap()
            .and_hms_micro_opt(0, 0, second, micros)
            .unwrap(),
    }
}

impl Whitelisted {
    /// Unix seconds of the (China time) whitelisting.
    fn at(&self) -> i64 {
        self.created.and_utc().timestamp() - 8 * 3600
    }
}

/// The whitelisted customers, latest first (ties by id).
fn latest_first() -> Vec<Whitelisted> {
    let mut all: Vec<Whitelisted> = (0..CUSTOMERS).map(whitelisted).collect();
    all.sort_by(|a, b| b.at().cmp(&a.at()).then(a.id.cmp(&b.id)));
    all
}

/// 70,000 whitelist rows on report 2 (read 10; left 0–12, so some are over-read and count 0
/// used), 30 of them the mobiles of new customers; 70,000 completed orders of report 2 paid on
/// 2022-08-01 (China), 100 cents each, channel 1, source 2, spread over the new customers.
async fn seed(app: &TestApp) {
    insert_chunked(
        app,
        "INSERT INTO customer (id, nick_name, avatar, mobile, regist_at, last_login_at, last_review_at)",
        (0..CUSTOMERS).map(|k| {
            let c = whitelisted(k);
            format!("({}, '客户{k}', '', '{}', 1600000000, 1600000100, 0)", c.id, c.mobile)
        }),
    )
    .await;
    insert_chunked(
        app,
        "INSERT INTO report_whitelist (report_id, given_user, given_position, given_company, mobile, read_count, residue_count, state, last_modify_author, created_at, updated_at)",
        (0..ROWS).map(|i| {
            let created = if i % 2_000 == 0 && i / 2_000 < CUSTOMERS {
                whitelisted(i / 2_000).created.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
            } else {
                "2022-06-10 00:00:00".to_owned()
            };
            format!("(2, 'u{i}', 'p', 'c', '{}', 10, {}, 0, '', '{created}', '{created}')", mobile(i), (i % 13))
        }),
    )
    .await;
    let day = 1_659_283_200_i64; // 2022-08-01T00:00:00+08:00
    insert_chunked(
        app,
        "INSERT INTO payment_order (id, number, customer_id, title, total_cents, size, state, checkout_at, expire_at, paid_at, fulfilled_at, third_trade_num, third_trade_identity, payment_source, payment_channel)",
        (0..ROWS).map(|n| {
            let id = 1_000_000 + n;
            let customer = 900_000 + n % CUSTOMERS;
            let at = day + n as i64;
            format!("({id}, 'BIG{id}', {customer}, 't', 100, 1, 3, {at}, 0, {at}, 0, '', '', 2, 1)")
        }),
    )
    .await;
    insert_chunked(
        app,
        "INSERT INTO order_item (order_id, report_id, title, cover, price_cents)",
        (0..ROWS).map(|n| format!("({}, 2, 't', '', 100)", 1_000_000 + n)),
    )
    .await;
}

/// A request, timed: each is one page of a large result and must stay quick.
async fn timed(app: &TestApp, path: &str, auth: &str) -> Value {
    let started = Instant::now();
    let (status, body) = app.get(path, Some(auth)).await;
    let took = started.elapsed();
    println!("{}: GET {path} in {took:?}", app.name());
    assert_eq!(status, axum::http::StatusCode::OK, "{path}: {body}");
    // Debug build on a shared machine: generous, yet far below what reading every row costs.
    assert!(took < Duration::from_secs(5), "{path}: {took:?}");
    body
}

#[tokio::test]
async fn a_report_with_70000_whitelist_rows_pages_its_users_in_sql() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // The report's users before: the buyers of the demo data.
        let (_, before) = app.get("/api/report/2/customer?limit=100", Some(&auth)).await;
        let before_rows = before["data"]["data"].as_array().unwrap().clone();
        let before_total = before["data"]["total"].as_u64().unwrap();
        let whitelist = "SELECT COUNT(*) FROM report_whitelist WHERE report_id = 2";
        let before_whitelist = app.scalar(whitelist).await;
        seed(&app).await;
        assert_eq!(app.scalar(whitelist).await, before_whitelist + ROWS as i64);

        // Each new customer: its whitelist entry's reads, and 70,000 / 30 orders without usage
        // rows (nothing granted, nothing left); latest is the whitelisting.
        let ours: Vec<Value> = latest_first()
            .iter()
            .map(|c| {
                json!({ "user_id": c.id, "nick_name": format!("客户{}", c.id - 900_000), "avatar": "", "mobile": c.mobile,
                        "occurred_count": (10 - c.residue).max(0), "residue_count": c.residue, "last_payment_at": c.at(),
                        "last_login_at": 1600000100, "last_review_at": 0, "regist_at": 1600000000 })
            })
            .collect();
        let total = before_total + CUSTOMERS as u64;
        let page = |n: u64, data: Vec<Value>| {
            let page = json!({ "current_page": n, "last_page": total.div_ceil(20), "per_page": 20, "total": total, "data": data });
            json!({ "status": 0, "data": page.clone(), "date": page })
        };
        // curl /api/report/2/customer: the first page, then the second (our last ten, then the
        // users it had before, in their order).
        assert_eq!(timed(&app, "/api/report/2/customer", &auth).await, page(1, ours[..20].to_vec()));
        let mut second = ours[20..].to_vec();
        second.extend(before_rows.iter().take(10).cloned());
        assert_eq!(timed(&app, "/api/report/2/customer?page=2", &auth).await, page(2, second));
        // A page past the end still knows the total.
        let far = timed(&app, "/api/report/2/customer?page=50", &auth).await;
        assert_eq!((far["data"]["total"].as_u64(), far["data"]["data"].clone()), (Some(total), json!([])));

        // curl '/api/customer?type=2&start_date=2030-01-01&end_date=2030-01-01': whitelist users
        // of the day, each with its one entry; the day's scan passes all 70,000 rows.
        let whitelist_users: Vec<Value> = latest_first()
            .iter()
            .map(|c| {
                json!({ "user_id": c.id, "nick_name": format!("客户{}", c.id - 900_000), "avatar": "", "mobile": c.mobile,
                        "payment_time": 1, "payment_count": 1, "payment_total": "0", "last_payment_at": c.at(),
                        "last_login_at": 1600000100, "last_review_at": 0, "regist_at": 1600000000 })
            })
            .collect();
        let users = Value::Array(whitelist_users.clone());
        assert_eq!(
            timed(&app, "/api/customer?type=2&start_date=2030-01-01&end_date=2030-01-01", &auth).await,
            json!({ "status": 0, "data": users.clone(), "date": users })
        );
        let one = Value::Array(vec![whitelist_users[3].clone()]);
        let mobile = whitelist_users[3]["mobile"].as_str().unwrap();
        assert_eq!(
            timed(&app, &format!("/api/customer?type=2&start_date=2022-01-01&end_date=2030-12-31&mobile={mobile}"), &auth).await,
            json!({ "status": 0, "data": one.clone(), "date": one })
        );

        // The same pages in GraphQL.
        let top: Vec<Whitelisted> = latest_first().into_iter().take(3).collect();
        let answer = app
            .graphql(Some(STAFF), "{ reportCustomers(reportId: 2, pageSize: 3) { totalCount items { customer { id lastPaymentAt } occurredCount residueCount } } }", json!({}))
            .await;
        let items: Vec<Value> = top
            .iter()
            .map(|c| json!({ "customer": { "id": c.id, "lastPaymentAt": c.at() }, "occurredCount": (10 - c.residue).max(0), "residueCount": c.residue }))
            .collect();
        assert_eq!(answer, json!({ "data": { "reportCustomers": { "totalCount": total, "items": items } } }));
        let answer = app
            .graphql(Some(STAFF), "{ customers(filter: { kind: WHITELIST, startDate: \"2030-01-01\", endDate: \"2030-01-01\" }, pageSize: 3) { totalCount items { id paymentCount lastPaymentAt } } }", json!({}))
            .await;
        let items: Vec<Value> = top.iter().map(|c| json!({ "id": c.id, "paymentCount": 1, "lastPaymentAt": c.at() })).collect();
        assert_eq!(answer, json!({ "data": { "customers": { "totalCount": CUSTOMERS, "items": items } } }));

        // orderStats over the day of the 70,000 orders, every grouping, compared whole.
        let stats = |group: &str| {
            format!("{{ orderStats(from: \"2022-08-01\", to: \"2022-08-01\", groupBy: {group}) {{ key count revenue }} }}")
        };
        for (group, key) in [("REPORT", "2"), ("DAY", "2022-08-01"), ("CHANNEL", "1"), ("SOURCE", "2")] {
            let started = Instant::now();
            let answer = app.graphql(Some(STAFF), &stats(group), json!({})).await;
            println!("{}: orderStats({group}) in {:?}", app.name(), started.elapsed());
            assert_eq!(
                answer,
                json!({ "data": { "orderStats": [{ "key": key, "count": ROWS, "revenue": ROWS }] } }),
                "{group}"
            );
        }

        // whitelistRows(ids:) names at most 10,000 entries: no statement past the engines'
        // parameter limits.
        let ids: Vec<i64> = (1..=10_001).collect();
        let query = "query ($ids: [Int!]) { whitelistRows(reportId: 2, ids: $ids, first: 5000) { id } }";
        let refused = app.graphql(Some(STAFF), query, json!({ "ids": ids })).await;
        assert_eq!(refused["errors"][0]["message"], "ids 最多 10000 个 (导出全部时不传)");
        assert_eq!(refused["errors"][0]["extensions"], json!({ "code": "BAD_USER_INPUT", "field": "ids" }));
        let first: i64 = app.scalar("SELECT MIN(id) FROM report_whitelist WHERE report_id = 2 AND mobile LIKE '150%'").await;
        let ids: Vec<i64> = (first..first + 10_000).collect();
        let answer = app.graphql(Some(STAFF), query, json!({ "ids": ids })).await;
        let rows = answer["data"]["whitelistRows"].as_array().unwrap();
        assert_eq!((rows.len(), rows[0]["id"].as_i64(), rows[4_999]["id"].as_i64()), (5_000, Some(first), Some(first + 4_999)));
        let long: Vec<String> = (0..10_001).map(|i| i.to_string()).collect();
        let (status, refused) = app.get(&format!("/api/report/2/excel?id={}", long.join(",")), Some(&auth)).await;
        assert_eq!(
            (status, refused),
            (axum::http::StatusCode::BAD_REQUEST, json!({ "status": 1, "error": "id 最多 10000 个 (导出全部时不传)", "errors": { "id": "id 最多 10000 个 (导出全部时不传)" } }))
        );
    })
    .await;
}
