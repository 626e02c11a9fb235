//! A bad field, both ways: GraphQL clients get the GraphQL input name in `extensions.field`,
//! each legacy family its own parameter name in its own envelope, with one message.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER, STAFF};

/// The one error of a GraphQL answer: (message, extensions).
fn refused(v: &Value) -> (String, Value) {
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(1), "{v}");
    let e = &v["errors"][0];
    (
        e["message"].as_str().unwrap_or_default().to_owned(),
        e["extensions"].clone(),
    )
}

/// A bad-input error naming `field`.
fn bad(field: &str) -> Value {
    json!({ "code": "BAD_USER_INPUT", "field": field })
}

async fn login(app: &TestApp, account: &str) -> String {
    let (_, body) = app
        .post_json(
            "/api/access/token",
            None,
            json!({ "account": account, "password": "123456" }),
        )
        .await;
    format!("Bearer {}", body["data"]["token"].as_str().unwrap())
}

/// The paid-reports envelope of a field error.
fn paid(field: &str, message: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({ "status": 1, "error": message, "errors": { field: message } }),
    )
}

#[tokio::test]
async fn kids_coding_fields() {
    each_db(|app| async move {
        let not_a_choice = "\"later\" is not a valid choice.";
        let m = r#"mutation { updatePayer(input: {username: "tester001", followUp: "later"}) { id } }"#;
        assert_eq!(refused(&app.graphql(Some(STAFF), m, json!({})).await), (not_a_choice.into(), bad("followUp")));
        let (status, body) = app
            .post_json("/server/userinfo/payer_update/", Some(STAFF), json!({ "username": "tester001", "follow_up": "later" }))
            .await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({ "follow_up": [not_a_choice] })));

        let wrong_day = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
        let m = r#"mutation { createVisitRecord(input: {contact: "tester001", visitTime: "soon"}) { contact } }"#;
        assert_eq!(refused(&app.graphql(Some(STAFF), m, json!({})).await), (wrong_day.into(), bad("visitTime")));
        let (status, body) = app
            .post_json("/server/userinfo/visit_record_create/", Some(STAFF), json!({ "contact": "tester001", "visit_time": "soon" }))
            .await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({ "visit_time": [wrong_day] })));

        let no_choice = "Select a valid choice. 5 is not one of the available choices.";
        let q = "{ myProducts(filter: {productType: 5}) { totalCount } }";
        assert_eq!(refused(&app.graphql(Some(MEMBER), q, json!({})).await), (no_choice.into(), bad("productType")));
        assert_eq!(
            app.get("/market/user_products/?_type=5", Some(MEMBER)).await,
            (StatusCode::BAD_REQUEST, json!({ "_type": [no_choice] }))
        );
    })
    .await;
}

#[tokio::test]
async fn paid_reports_fields() {
    each_db(|app| async move {
        let auth = login(&app, "13333891144").await;

        let q = "{ orders(filter: {}) { totalCount } }";
        assert_eq!(refused(&app.graphql(Some(STAFF), q, json!({})).await), ("start_date 不能为空".into(), bad("startDate")));
        assert_eq!(app.get("/api/order", Some(&auth)).await, paid("start_date", "start_date 不能为空"));
        let q = r#"{ orders(filter: {startDate: "2022-06-01", usageExpendStatus: 9}) { totalCount } }"#;
        let message = "usage_expend_status 的值 9 无效";
        assert_eq!(refused(&app.graphql(Some(STAFF), q, json!({})).await), (message.into(), bad("usageExpendStatus")));
        assert_eq!(
            app.get("/api/order?start_date=2022-06-01&usage_expend_status=9", Some(&auth)).await,
            paid("usage_expend_status", message)
        );
        let q = r#"{ customers(filter: {startDate: "June"}) { totalCount } }"#;
        let message = "start_date 格式应为 YYYY-MM-DD";
        assert_eq!(refused(&app.graphql(Some(STAFF), q, json!({})).await), (message.into(), bad("startDate")));
        assert_eq!(app.get("/api/customer?start_date=June", Some(&auth)).await, paid("start_date", message));

        let q = r#"{ reports(filter: {startDate: "yesterday"}) { totalCount } }"#;
        let message = "start_ctime 格式应为 YYYY-MM-DD";
        assert_eq!(refused(&app.graphql(Some(STAFF), q, json!({})).await), (message.into(), bad("startDate")));
        assert_eq!(app.get("/api/report?start_ctime=yesterday", Some(&auth)).await, paid("start_ctime", message));

        // A report whose whitelist's first entry has no mobile, and one with a negative count.
        let rest_report = |entry: Value, read_count: i64| {
            json!({ "title": "t", "cover": "c", "intro": "i", "directory": "d",
                "file": { "file_name": "f", "src": "s", "format": "pdf", "size": 1 },
                "price": 1, "read_count": read_count, "status": 0, "white_list": [entry] })
        };
        let m = "mutation ($input: CreateReportInput!) { createReport(input: $input) { id } }";
        let graphql_report = |entry: Value, read_count: i64| {
            json!({ "input": { "title": "t", "cover": "c", "intro": "i", "directory": "d",
                "file": { "fileName": "f", "src": "s", "format": "pdf", "size": 1 },
                "price": "1", "readCount": read_count, "status": 0, "whiteList": [entry] } })
        };
        let message = "read_count 必须是非负整数";
        let v = app.graphql(Some(STAFF), m, graphql_report(json!({ "mobile": "18434910083", "readCount": 1 }), -1)).await;
        assert_eq!(refused(&v), (message.into(), bad("readCount")));
        let entry = json!({ "mobile": "18434910083", "read_count": 1 });
        assert_eq!(app.post_json("/api/report", Some(&auth), rest_report(entry, -1)).await, paid("read_count", message));
        let message = "white_list.0.read_count 必须是非负整数";
        let v = app.graphql(Some(STAFF), m, graphql_report(json!({ "mobile": "18434910083", "readCount": -1 }), 1)).await;
        assert_eq!(refused(&v), (message.into(), bad("whiteList.0.readCount")));
        let entry = json!({ "mobile": "18434910083", "read_count": -1 });
        assert_eq!(
            app.post_json("/api/report", Some(&auth), rest_report(entry, 1)).await,
            paid("white_list.0.read_count", message)
        );
        let message = "white_list.0.mobile 不能为空";
        let v = app.graphql(Some(STAFF), m, graphql_report(json!({ "readCount": 1 }), 1)).await;
        assert_eq!(refused(&v), (message.into(), bad("whiteList.0")));
        let entry = json!({ "read_count": 1 });
        assert_eq!(app.post_json("/api/report", Some(&auth), rest_report(entry, 1)).await, paid("white_list.0", message));

        let m = "mutation { addWhitelistEntry(reportId: 1, input: {readCount: 1}) { id } }";
        assert_eq!(refused(&app.graphql(Some(STAFF), m, json!({})).await), ("white.mobile 不能为空".into(), bad("input")));
        assert_eq!(
            app.post_json("/api/report/1/white", Some(&auth), json!({ "read_count": 1 })).await,
            paid("white", "white.mobile 不能为空")
        );
        let m = "mutation { updateWhitelistEntry(reportId: 1, id: 1, input: {residueCount: -1}) { id } }";
        let message = "residue_count 必须是非负整数";
        assert_eq!(refused(&app.graphql(Some(STAFF), m, json!({})).await), (message.into(), bad("residueCount")));
        let (status, _, body) = app
            .send(Method::PUT, "/api/report/1/white/1", Some(&auth), Some("application/json"), br#"{"residue_count":-1}"#.to_vec())
            .await;
        assert_eq!((status, body), paid("residue_count", message));
    })
    .await;
}

#[tokio::test]
async fn merchant_fields() {
    each_db(|app| async move {
        let auth = login(&app, "admin").await;
        // The merchant pages show no field, only the message.
        for (graphql, legacy, value, message) in [
            ("whitelist", "white", "5", "white 只能是 0 或 1"),
            ("financeStatus", "freezeState", "5", "freezeState 只能是 0 或 1"),
            ("settleWay", "settle_way", "9", "settle_way 的值 9 无效"),
            ("beginDay", "begin_day", "40", "begin_day 必须在 1 到 31 之间"),
        ] {
            let m = format!(r#"mutation {{ updateShop(input: {{sid: "S312206", {graphql}: {value}}}) {{ sid }} }}"#);
            assert_eq!(refused(&app.graphql(Some(STAFF), &m, json!({})).await), (message.into(), bad(graphql)));
            assert_eq!(
                app.post_raw("/custommanage/edit", Some(&auth), &format!("id=S312206&{legacy}={value}")).await,
                (StatusCode::BAD_REQUEST, json!({ "code": 1, "msg": message }))
            );
        }
        let m = r#"mutation { updateShop(input: {sid: "X1"}) { sid } }"#;
        assert_eq!(refused(&app.graphql(Some(STAFF), m, json!({})).await), ("店铺id格式错误".into(), bad("sid")));
    })
    .await;
}
