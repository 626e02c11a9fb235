//! The audit log: mutations through either interface are recorded with who, what, which
//! record, the changed fields and the request id; refused ones are not; admins read it through
//! GraphQL.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER, STAFF};

const LOG: &str = "query Log($filter: AuditFilter) { auditLog(filter: $filter, pageSize: 100) {
    totalCount items { actorKind actorId actorName action entity recordId changes requestId at } } }";

async fn log(app: &TestApp, filter: Value) -> Value {
    let v = app
        .graphql(Some(STAFF), LOG, json!({ "filter": filter }))
        .await;
    assert!(v["errors"].is_null(), "{v}");
    v["data"]["auditLog"].clone()
}

#[tokio::test]
async fn mutations_through_either_interface_are_recorded_whole() {
    each_db(|app| async move {
        // REST, with the client's own request id.
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/server/userinfo/payer_update/")
            .header("authorization", STAFF)
            .header("content-type", "application/json")
            .header("x-request-id", "audit-trace-1")
            .body(axum::body::Body::from(r#"{"username":"tester001","remark":"来访两次","star":true}"#))
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::OK);
        let id = app.scalar("SELECT id FROM user_info WHERE owner = 'tester001'").await;
        let entries = log(&app, json!({ "entity": "user_info", "recordId": id.to_string() })).await;
        assert_eq!(entries["totalCount"], 1, "{entries}");
        let entry = &entries["items"][0];
        let at = entry["at"].clone();
        assert_eq!(
            entry,
            &json!({ "actorKind": "staff", "actorId": 1, "actorName": "admin", "action": "updatePayer",
                     "entity": "user_info", "recordId": id.to_string(),
                     "changes": { "remark": { "before": null, "after": "来访两次" }, "star": { "before": false, "after": true } },
                     "requestId": "audit-trace-1", "at": at })
        );
        // The same mutation through GraphQL; a change to nothing is no entry.
        let m = r#"mutation { updatePayer(input: {username: "tester001", remark: "来访三次"}) { id } }"#;
        assert!(app.graphql(Some(STAFF), m, json!({})).await["errors"].is_null());
        let m = r#"mutation { updatePayer(input: {username: "tester001", remark: "来访三次"}) { id } }"#;
        assert!(app.graphql(Some(STAFF), m, json!({})).await["errors"].is_null());
        let entries = log(&app, json!({ "action": "updatePayer" })).await;
        assert_eq!(entries["totalCount"], 2, "{entries}");
        assert_eq!(entries["items"][0]["changes"], json!({ "remark": { "before": "来访两次", "after": "来访三次" } }));
        assert_eq!(entries["items"][0]["requestId"].as_str().map(str::len), Some(36), "a generated UUID");

        // A refused or failing mutation leaves no entry.
        let before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
        let (status, _) = app.post_json("/server/userinfo/payer_update/", Some(STAFF), json!({ "username": "tester001", "follow_up": "soon" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.post_json("/server/userinfo/payer_update/", Some(MEMBER), json!({ "username": "tester001", "remark": "x" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, before);

        // A member's purchase names the member and the order.
        let (status, _) = app.get("/market/exchange_products/purchase/1/", Some(MEMBER)).await;
        assert_eq!(status, StatusCode::OK);
        let entries = log(&app, json!({ "action": "purchaseProduct" })).await;
        let entry = &entries["items"][0];
        assert_eq!((entry["actorKind"].clone(), entry["entity"].clone()), (json!("member"), json!("exchange_order")));
        let number = entry["recordId"].as_str().unwrap();
        assert_eq!(entry["changes"]["order_number"]["after"], number);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM exchange_order WHERE order_number = '{number}'")).await, 1);

        // Logins are recorded; passwords never are.
        let (status, _) = app.post_json("/api/access/token", None, json!({ "account": "admin", "password": "123456" })).await;
        assert_eq!(status, StatusCode::OK);
        let entries = log(&app, json!({ "action": "login" })).await;
        assert_eq!(entries["totalCount"], 1);
        let everything = log(&app, json!({})).await.to_string();
        assert!(!everything.contains("123456") && !everything.contains("argon2"), "{everything}");

        // Only holders of AUDIT_LOG_LIST read it; filters by time work in China time.
        let v = app.graphql(Some(MEMBER), LOG, json!({})).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
        let today = opsgraph::db::now().format("%Y-%m-%d").to_string();
        assert!(log(&app, json!({ "from": today })).await["totalCount"].as_i64().unwrap() >= 4);
        assert_eq!(log(&app, json!({ "until": "2020-01-01" })).await["totalCount"], 0);
        let v = app.graphql(Some(STAFF), LOG, json!({ "filter": { "from": "yesterday" } })).await;
        assert_eq!(v["errors"][0]["extensions"], json!({ "code": "BAD_USER_INPUT", "field": "from" }));
    })
    .await;
}

#[tokio::test]
async fn reports_whitelists_and_shops_are_recorded() {
    each_db(|app| async move {
        let (status, v) = app
            .post_json(
                "/api/report/1/white",
                Some(STAFF),
                json!({ "mobile": "13912345678", "read_count": 3 }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let white_id = v["data"]["id"].as_i64().unwrap();
        let (status, _, _) = app
            .send(
                Method::PUT,
                &format!("/api/report/1/white/{white_id}"),
                Some(STAFF),
                Some("application/json"),
                br#"{"state": 1}"#.to_vec(),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let entries = log(
            &app,
            json!({ "entity": "report_whitelist", "recordId": white_id.to_string() }),
        )
        .await;
        let actions: Vec<&str> = entries["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["updateWhitelistEntry", "addWhitelistEntry"]);
        assert_eq!(
            entries["items"][0]["changes"]["state"],
            json!({ "before": 0, "after": 1 })
        );

        let (status, _, _) = app
            .send(Method::DELETE, "/api/report/1", Some(STAFF), None, vec![])
            .await;
        assert_eq!(status, StatusCode::OK);
        let entries = log(&app, json!({ "action": "deleteReport" })).await;
        assert_eq!(entries["items"][0]["recordId"], "1");
        assert!(entries["items"][0]["changes"]["deleted_at"]["after"].is_string());

        let (status, v) = app
            .post_raw(
                "/custommanage/edit",
                Some(STAFF),
                "id=S312206&shopName=新店名",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let entries = log(&app, json!({ "entity": "shop", "recordId": "S312206" })).await;
        assert_eq!(
            entries["items"][0]["changes"]["name"]["after"], "新店名",
            "{entries}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_write_commits_its_change_and_its_record_together_or_neither() {
    use opsgraph::{
        audit::service::{write, Actor},
        error::AppError,
    };
    use sea_orm::ConnectionTrait;
    each_db(|app| async move {
        let db = &app.state.core.db;
        let console = || Actor {
            kind: "console",
            id: None,
            name: "test".into(),
        };
        let records = || app.scalar("SELECT COUNT(*) FROM audit_log");
        let before = records().await;
        let rename = "UPDATE staff SET nickname = 'renamed' WHERE id = 1";
        let details = || serde_json::Map::from_iter([("n".to_owned(), json!(1))]);

        // A change that fails after it wrote and recorded leaves neither.
        let failed = write(db, console(), "renameStaff", async |txn, record| {
            txn.execute_unprepared(rename).await?;
            record.details("staff", 1, details()).await?;
            Err::<(), _>(AppError::bad_input("refused late"))
        })
        .await;
        assert!(
            matches!(failed, Err(AppError::BadInput { .. })),
            "{failed:?}"
        );
        // One rolled back leaves neither either, and answers its value.
        let answered = write(db, console(), "renameStaff", async |txn, record| {
            txn.execute_unprepared(rename).await?;
            record.details("staff", 1, details()).await?;
            record.roll_back();
            Ok(7)
        })
        .await;
        assert_eq!(answered.ok(), Some(7));
        assert_eq!(records().await, before);
        let nickname = "SELECT COUNT(*) FROM staff WHERE nickname = 'renamed'";
        assert_eq!(app.scalar(nickname).await, 0);

        // One that succeeds commits both; an update to nothing is not recorded.
        let recorded = write(db, console(), "renameStaff", async |txn, record| {
            txn.execute_unprepared(rename).await?;
            record.details("staff", 1, details()).await?;
            record
                .updated("staff", 1, &json!({ "a": 1 }), &json!({ "a": 1 }))
                .await
        })
        .await;
        assert_eq!(recorded.ok(), Some(false));
        assert_eq!(app.scalar(nickname).await, 1);
        let entries = log(&app, json!({ "action": "renameStaff" })).await;
        assert_eq!(entries["totalCount"], 1, "{entries}");
        let entry = &entries["items"][0];
        assert_eq!(
            (&entry["actorKind"], &entry["actorName"], &entry["entity"]),
            (&json!("console"), &json!("test"), &json!("staff"))
        );
        assert_eq!(
            (&entry["recordId"], &entry["changes"]),
            (&json!("1"), &json!({ "n": 1 }))
        );
    })
    .await;
}
