//! Paid-report customers and orders (`paid-reports.txt`, the customer and order half), with
//! aggregates checked against sums computed here from the rows.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER, STAFF};

async fn bearer(app: &TestApp) -> String {
    let (_, body) = app
        .post_json(
            "/api/access/token",
            None,
            json!({ "account": "13333891144", "password": "123456" }),
        )
        .await;
    format!("Bearer {}", body["data"]["token"].as_str().unwrap())
}

fn order_1() -> Value {
    json!({
        "id": 1, "number": "423132323232372212", "order_title": "概念股投资报告第1期", "total": "300000", "size": 1,
        "state": 3, "checkout_at": 1655600000, "expire_at": 1655618000, "paid_at": 1655600060, "fulfilled_at": 1655600060,
        "trade_info": { "third_trade_num": "", "third_trade_identity": "", "payment_source": 1, "payment_channel": 2 },
        "order_item": { "id": 2, "title": "2022全球半导体产业集微分析报告(修订版)",
                        "cover": "http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg", "price": "600000" },
        "customer_info": { "id": 231233, "nick_name": "李刚", "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
                           "mobile": "133422892109" },
        "order_item_usage": { "quantity_count": 100, "available_count": 0, "expend_status": 0 }
    })
}

fn numbers(body: &Value) -> Vec<String> {
    body["date"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn order_detail_answers_the_seed_with_its_invoice() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let mut expected = order_1();
        expected["invoice_info"] = json!({
            "state": 0, "create_time": 1655706447, "is_vat": 0, "invoice_title": "爱集微咨询(厦门)有限公司",
            "invoice_amount": 0.01, "invoice_tax_num": "91350200MA2YC2UA52", "vat_name": "小小",
            "vat_mail_address": "954398065@qq.com", "vat_company_name": "小小", "vat_company_address": "",
            "vat_company_mobile": "", "vat_telphone": "13810875748", "vat_bank_name": "", "vat_bank_accoun": "",
            "invoice_option": 2 });
        assert_eq!(
            app.get("/api/order/423132323232372212", Some(&auth)).await,
            (StatusCode::OK, json!({ "status": 0, "current_page": 1, "last_page": 1, "total": 1, "date": expected.clone(), "data": expected }))
        );
        // Without an invoice: empty strings and zeros, never null.
        let (_, body) = app.get("/api/order/42313232323231232", Some(&auth)).await;
        let invoice = &body["date"]["invoice_info"];
        assert_eq!(invoice["invoice_title"], "");
        assert_eq!(invoice["create_time"], "");
        assert_eq!(invoice["state"], 0);
        assert!(invoice.as_object().unwrap().values().all(|v| !v.is_null()));
        assert_eq!(app.get("/api/order/1", Some(&auth)).await.0, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn order_list_filters_and_edges() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // The seed's curl, `?` inside the query string and all.
        let (status, body) = app
            .get(
                "/api/order?limit=15&page=1&start_date=2022-03-06?state=1",
                Some(&auth),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (
                body["current_page"].clone(),
                body["last_page"].clone(),
                body["total"].clone()
            ),
            (json!(1), json!(1), json!(2))
        );
        assert_eq!(
            numbers(&body),
            vec!["42313232323231232", "423132323232310973"]
        );
        assert_eq!(body["date"], body["data"]);
        // Each row in the seed's key order, nested objects too, its amounts as cents in text.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let row = &body["data"][0];
        let order_keys = "id number order_title total size state checkout_at expire_at paid_at \
            fulfilled_at trade_info order_item customer_info order_item_usage";
        assert_eq!(keys(row), order_keys.split_whitespace().collect::<Vec<_>>());
        assert_eq!(keys(&row["order_item"]), ["id", "title", "cover", "price"]);
        assert_eq!(
            keys(&row["customer_info"]),
            ["id", "nick_name", "avatar", "mobile"]
        );
        assert_eq!(
            keys(&row["order_item_usage"]),
            ["quantity_count", "available_count", "expend_status"]
        );
        for amount in [&row["total"], &row["order_item"]["price"]] {
            assert!(
                amount.as_str().is_some_and(|t| t.parse::<i64>().is_ok()),
                "{row}"
            );
        }
        let list = |q: String| {
            let app = &app;
            let auth = auth.clone();
            async move {
                app.get(
                    &format!("/api/order?start_date=2022-01-01&limit=100&{q}"),
                    Some(&auth),
                )
                .await
                .1
            }
        };
        let all = list(String::new()).await;
        assert_eq!(all["total"], 18);
        assert_eq!(list("state=0".into()).await["total"], 18, "state 0 is all");
        assert_eq!(
            list("state=3".into()).await["total"],
            app.scalar("SELECT COUNT(*) FROM payment_order WHERE state = 3")
                .await
        );
        assert_eq!(list("state=2".into()).await["total"], 0);
        assert_eq!(
            list("usage_expend_status=1".into()).await["total"],
            app.scalar("SELECT COUNT(*) FROM order_usage WHERE expend_status = 1")
                .await
        );
        assert_eq!(
            list("usage_expend_status=2".into()).await["total"],
            app.scalar("SELECT COUNT(*) FROM order_usage WHERE expend_status = 0")
                .await
        );
        // Prefixes, shorter and longer than 6; a match inside the number is no match.
        assert_eq!(list("number=42".into()).await["total"], 3);
        assert_eq!(list("number=423132".into()).await["total"], 3);
        assert_eq!(
            numbers(&list("number=423132323232372".into()).await),
            vec!["423132323232372212"]
        );
        assert_eq!(list("number=3232372212".into()).await["total"], 0);
        assert_eq!(list("third_trade_num=123870".into()).await["total"], 2);
        assert_eq!(list("third_trade_num=20220618".into()).await["total"], 1);
        assert_eq!(
            list("number=%25".into()).await["total"],
            0,
            "wildcards are literal"
        );
        // Day boundaries (China time): order 1 was checked out 2022-06-19 08:53.
        let june = |start: &str, end: &str| {
            let app = &app;
            let auth = auth.clone();
            let q =
                format!("/api/order?start_date={start}&end_date={end}&number=423132323232372212");
            async move { app.get(&q, Some(&auth)).await.1["total"].clone() }
        };
        assert_eq!(june("2022-06-19", "2022-06-19").await, 1);
        assert_eq!(june("2022-06-20", "2022-06-30").await, 0);
        assert_eq!(june("2022-06-01", "2022-06-18").await, 0);
        // Paging.
        let (_, p2) = app
            .get(
                "/api/order?start_date=2022-01-01&limit=5&page=2",
                Some(&auth),
            )
            .await;
        assert_eq!(
            (
                p2["current_page"].clone(),
                p2["last_page"].clone(),
                p2["total"].clone()
            ),
            (json!(2), json!(4), json!(18))
        );
        assert_eq!(p2["date"].as_array().unwrap().len(), 5);
        // Bad input.
        for q in [
            "",
            "start_date=2022-13-01",
            "start_date=2022-06-20&end_date=2022-06-01",
            "start_date=2022-01-01&state=9",
            "start_date=2022-01-01&usage_expend_status=3",
            "start_date=2022-01-01&limit=x",
        ] {
            let (status, body) = app.get(&format!("/api/order?{q}"), Some(&auth)).await;
            assert_eq!(
                (status, body["status"].clone()),
                (StatusCode::BAD_REQUEST, json!(1)),
                "{q}: {body}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn customers_and_their_totals_match_sums_of_their_rows() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, body) = app.get("/api/customer?start_date=2022-06-16&end_date=2022-06-22", Some(&auth)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"], body["date"]);
        let rows = body["data"].as_array().unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r["user_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![231232, 231233]);
        // Each row against sums computed from the orders table here.
        let (from, until) = (1_655_308_800_i64, 1_655_913_600_i64);
        for row in rows {
            let id = row["user_id"].as_i64().unwrap();
            let scope = format!("customer_id = {id} AND state = 3 AND checkout_at >= {from} AND checkout_at < {until}");
            let count = app.scalar(&format!("SELECT COUNT(*) FROM payment_order WHERE {scope}")).await;
            let total = app.scalar(&format!("SELECT CAST(SUM(total_cents) AS BIGINT) FROM payment_order WHERE {scope}")).await;
            let last = app.scalar(&format!("SELECT MAX(paid_at) FROM payment_order WHERE {scope}")).await;
            assert_eq!(row["payment_count"], count);
            assert_eq!(row["payment_time"], count, "CONTRACT.md §17: both keys");
            assert_eq!(row["payment_total"], total.to_string(), "cents, as a string");
            assert_eq!(row["last_payment_at"], last);
        }
        assert_eq!(
            rows[1],
            json!({ "user_id": 231233, "nick_name": "李刚", "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
                    "mobile": "133422892109", "payment_time": 1, "payment_count": 1, "payment_total": "300000",
                    "last_payment_at": 1655600060, "last_login_at": 1656000000, "last_review_at": 1656000100,
                    "regist_at": 1323892332 })
        );
        let (_, one) = app.get("/api/customer?start_date=2022-06-16&end_date=2022-06-22&mobile=133422898123", Some(&auth)).await;
        assert_eq!(one["data"].as_array().unwrap().len(), 1);
        let (_, none) = app.get("/api/customer?start_date=2022-06-16&mobile=1334228981", Some(&auth)).await;
        assert_eq!(none["data"], json!([]), "mobile matches exactly");
        // Whitelist users: customers whose mobile was whitelisted in the period.
        app.post_json("/api/report/1/white", Some(&auth), json!({ "mobile": "18334786948", "read_count": 5 })).await;
        let today = opsgraph::db::now().format("%Y-%m-%d").to_string(); // a China day, as the server counts
        let (_, white) = app.get(&format!("/api/customer?type=2&start_date=2020-01-01&end_date={today}"), Some(&auth)).await;
        let white_ids: Vec<i64> = white["data"].as_array().unwrap().iter().map(|r| r["user_id"].as_i64().unwrap()).collect();
        // 612381 just now; 王强 and 李刚, whom the demo whitelists on report 1 (2020-07-23).
        assert_eq!(white_ids, vec![612381, 231232, 231233]);
        for bad in ["", "start_date=x", "start_date=2022-06-16&type=3"] {
            let (status, _) = app.get(&format!("/api/customer?{bad}"), Some(&auth)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        }
        // Totals over all time: the seed's customer 612381.
        assert_eq!(
            app.get("/api/customer/612381", Some(&auth)).await,
            (StatusCode::OK, json!({ "status": 0, "data": { "user_id": 612381, "nick_name": "N_183****6948",
                "mobile": "18334786948", "payment_count": 12, "payment_total": 40206, "last_payment_at": 1656749462,
                "last_login_at": 1627623392, "last_review_at": 0, "regist_at": 1627639454 } }))
        );
        assert_eq!(app.scalar("SELECT CAST(SUM(total_cents) AS BIGINT) FROM payment_order WHERE customer_id = 612381 AND state = 3").await, 40206);
        assert_eq!(app.get("/api/customer/1", Some(&auth)).await.0, StatusCode::NOT_FOUND);
        // A customer's orders.
        let (status, body) = app.get("/api/customer/231233/order?limit=15&page=1", Some(&auth)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((body["total"].clone(), body["last_page"].clone()), (json!(3), json!(1)));
        assert_eq!(body["date"][0], order_1());
        let (_, paged) = app.get("/api/customer/612381/order?limit=5&page=3", Some(&auth)).await;
        assert_eq!((paged["total"].clone(), paged["last_page"].clone(), paged["date"].as_array().unwrap().len()), (json!(12), json!(3), 2));
    })
    .await;
}

#[tokio::test]
async fn report_customers_count_reads_used_and_left() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // 王强 also whitelisted on report 2 with 7 of 10 reads left.
        app.exec("INSERT INTO report_whitelist (report_id, given_user, given_position, given_company, mobile, read_count, residue_count, state, last_modify_author, created_at, updated_at) \
                  VALUES (2, '', '', '', '133422898123', 10, 7, 0, '', '2022-06-01 00:00:00', '2022-06-01 00:00:00')").await;
        let (status, body) = app.get("/api/report/2/customer", Some(&auth)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"], body["date"]);
        let rows = body["data"]["data"].as_array().unwrap();
        let by_id = |id: i64| rows.iter().find(|r| r["user_id"] == id).unwrap().clone();
        // 王强: orders 4, 5, 6 (50 granted each; 10, 0, 50 left) plus the whitelist's 10 with 7 left.
        let wang = by_id(231232);
        assert_eq!((wang["occurred_count"].clone(), wang["residue_count"].clone()), (json!(40 + 50 + 3), json!(60 + 7)));
        // 李刚: only order 1 is completed (100 granted, 0 left).
        let li = by_id(231233);
        assert_eq!((li["occurred_count"].clone(), li["residue_count"].clone()), (json!(100), json!(0)));
        assert_eq!(body["data"]["total"], 2);
        assert_eq!(app.get("/api/report/999/customer", Some(&auth)).await.0, StatusCode::NOT_FOUND);
        // subscribe_count counts completed orders of the report.
        let (_, reports) = app.get("/api/report?limit=100", Some(&auth)).await;
        let report2 = reports["data"]["data"].as_array().unwrap().iter().find(|r| r["id"] == 2).unwrap().clone();
        let completed = app.scalar("SELECT COUNT(*) FROM order_item i JOIN payment_order o ON o.id = i.order_id WHERE i.report_id = 2 AND o.state = 3").await;
        assert_eq!(report2["subscribe_count"], completed);
    })
    .await;
}

/// A `Money` amount (yuan) in cents.
fn cents(money: &Value) -> i64 {
    (money.as_f64().expect("an amount") * 100.0).round() as i64
}

#[tokio::test]
async fn order_stats_match_independent_sums() {
    each_db(|app| async move {
        let q = "query ($g: StatsGroup!) { orderStats(from: \"2022-06-01\", to: \"2022-07-31\", groupBy: $g) { key count revenue } }";
        for (group, column) in [("CHANNEL", "payment_channel"), ("SOURCE", "payment_source")] {
            let v = app.graphql(Some(STAFF), q, json!({ "g": group })).await;
            let stats = v["data"]["orderStats"].as_array().unwrap().clone();
            let keys = app.scalar(&format!("SELECT COUNT(DISTINCT {column}) FROM payment_order WHERE state = 3")).await;
            assert_eq!(stats.len() as i64, keys, "{group}");
            for s in &stats {
                let k = s["key"].as_str().unwrap();
                let scope = format!("state = 3 AND {column} = {k}");
                assert_eq!(s["count"], app.scalar(&format!("SELECT COUNT(*) FROM payment_order WHERE {scope}")).await, "{group} {k}");
                assert_eq!(cents(&s["revenue"]), app.scalar(&format!("SELECT CAST(SUM(total_cents) AS BIGINT) FROM payment_order WHERE {scope}")).await, "{group} {k}");
            }
        }
        let v = app.graphql(Some(STAFF), q, json!({ "g": "REPORT" })).await;
        let stats = v["data"]["orderStats"].as_array().unwrap();
        for s in stats {
            let k = s["key"].as_str().unwrap();
            let total = app.scalar(&format!("SELECT CAST(SUM(o.total_cents) AS BIGINT) FROM payment_order o JOIN order_item i ON i.order_id = o.id WHERE o.state = 3 AND i.report_id = {k}")).await;
            assert_eq!(cents(&s["revenue"]), total);
        }
        let v = app.graphql(Some(STAFF), q, json!({ "g": "DAY" })).await;
        let days: Vec<&str> = v["data"]["orderStats"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
        assert!(days.contains(&"2022-06-19") && days.contains(&"2022-07-02"), "{days:?}");
        let sum: i64 = v["data"]["orderStats"].as_array().unwrap().iter().map(|s| cents(&s["revenue"])).sum();
        assert_eq!(sum, app.scalar("SELECT CAST(SUM(total_cents) AS BIGINT) FROM payment_order WHERE state = 3").await);
        let v = app.graphql(Some(MEMBER), q, json!({ "g": "DAY" })).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    })
    .await;
}

#[tokio::test]
async fn an_order_page_costs_the_same_statements_whatever_its_size() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        for i in 0..60 {
            let id = 100 + i;
            app.exec(&format!("INSERT INTO payment_order (id, number, customer_id, title, total_cents, size, state, checkout_at, expire_at, paid_at, fulfilled_at, third_trade_num, third_trade_identity, payment_source, payment_channel) \
                VALUES ({id}, 'N{id}', {}, 't', 100, 1, 3, 1700000000, 0, 1700000060, 0, '', '', 1, 2)", [231232, 231233, 612381][i as usize % 3])).await;
            app.exec(&format!("INSERT INTO order_item (order_id, report_id, title, cover, price_cents) VALUES ({id}, 1, 't', 'c', 100)")).await;
            app.exec(&format!("INSERT INTO order_usage (order_id, quantity_count, available_count, expend_status) VALUES ({id}, 1, 1, 0)")).await;
            if i % 2 == 0 {
                app.exec(&format!("INSERT INTO invoice (order_id) VALUES ({id})")).await;
            }
        }
        let mut costs = Vec::new();
        for limit in [50, 5, 50] {
            let before = app.statements();
            let (status, body) = app.get(&format!("/api/order?start_date=2023-11-01&limit={limit}"), Some(&auth)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["date"].as_array().unwrap().len(), limit);
            costs.push(app.statements() - before);
        }
        // Credentials, the total and the page with its item, customer, usage and invoice
        // joined (half the orders have no invoice: none is asked for again); later pages reuse
        // the remembered credential and the total: one statement a page.
        assert_eq!(costs, [3, 1, 1], "{}", app.name());
        // And through GraphQL with all four nested objects.
        let q = "query ($n: Int) { orders(filter: {startDate: \"2023-11-01\"}, pageSize: $n) { items { number orderItem { id } customer { id } usage { availableCount } invoice { state } } } }";
        let mut gql = Vec::new();
        for n in [50, 5, 50] {
            let before = app.statements();
            let v = app.graphql(Some(STAFF), q, json!({ "n": n })).await;
            assert_eq!(v["data"]["orders"]["items"].as_array().unwrap().len(), n as usize);
            gql.push(app.statements() - before);
        }
        // Credentials and the page with its objects joined; no total is selected, none is
        // counted. The key's first use is noted once (a minute); then one statement a page.
        assert_eq!(gql, [3, 1, 1], "{}", app.name());
    })
    .await;
}

#[tokio::test]
async fn every_order_route_needs_a_token_and_its_code() {
    each_db(|app| async move {
        for (path, code) in [
            (
                "/api/customer?start_date=2022-06-16",
                "Payment_Customer_List",
            ),
            ("/api/customer/612381", "Payment_Customer_Total"),
            ("/api/customer/612381/order", "Payment_Customer_Info"),
            ("/api/order?start_date=2022-06-16", "Payment_Order_List"),
            ("/api/order/423132323232372212", "Payment_Order_Info"),
            ("/api/report/2/customer", "GET_REPORT_CUSTOMER"),
        ] {
            let (status, body) = app.get(path, None).await;
            assert_eq!(
                (status, body["status"].clone()),
                (StatusCode::UNAUTHORIZED, json!(1)),
                "{path}"
            );
            assert_eq!(
                app.get(path, Some(MEMBER)).await.0,
                StatusCode::FORBIDDEN,
                "{path}"
            );
            let role = format!("no_{}", code.to_lowercase());
            app.exec(&format!(
                "INSERT INTO role (name, superuser) VALUES ('{role}', false)"
            ))
            .await;
            let role_id = app
                .scalar(&format!("SELECT id FROM role WHERE name = '{role}'"))
                .await;
            for p in opsgraph::auth::Permission::ALL
                .iter()
                .filter(|p| p.code() != code)
            {
                app.exec(&format!(
                    "INSERT INTO role_permission (role_id, code) VALUES ({role_id}, '{}')",
                    p.code()
                ))
                .await;
            }
            let staff = opsgraph::auth::service::create_staff(
                &app.state.core.db,
                &role,
                opsgraph::auth::password::hash("secret1".into())
                    .await
                    .unwrap(),
                None,
                "",
                role_id as i32,
            )
            .await
            .unwrap();
            let key =
                opsgraph::auth::service::create_api_key(&app.state.core.db, Some(staff.id), None)
                    .await
                    .unwrap();
            assert_eq!(
                app.get(path, Some(&format!("Token {key}"))).await.0,
                StatusCode::FORBIDDEN,
                "without {code}: {path}"
            );
        }
    })
    .await;
}

/// A page that does not select an object says nothing of it: an order page without invoices
/// leaves the invoice of `order(number:)` in the same request as it is alone.
#[tokio::test]
async fn an_order_page_without_invoices_leaves_the_same_requests_invoice_alone() {
    each_db(|app| async move {
        let one = r#"one: order(number: "423132323232372212") { number invoice { invoiceTitle invoiceAmount } }"#;
        let page = r#"page: orders(filter: { startDate: "2022-01-01" }, pageSize: 100) { items { number } }"#;
        let alone = app.graphql(Some(STAFF), &format!("{{ {one} }}"), json!({})).await;
        assert!(alone["data"]["one"]["invoice"].is_object(), "{alone}");
        let both = app
            .graphql(Some(STAFF), &format!("{{ {page} {one} }}"), json!({}))
            .await;
        assert!(
            both["data"]["page"]["items"]
                .as_array()
                .unwrap()
                .contains(&json!({ "number": "423132323232372212" })),
            "{both}"
        );
        assert_eq!(both["data"]["one"], alone["data"]["one"]);
    })
    .await;
}
