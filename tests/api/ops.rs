//! Operations: liveness, readiness, request ids and Prometheus metrics.

use axum::http::{Method, StatusCode};
use migration::MigratorTrait;
use serde_json::json;

use crate::common::{each_db, STAFF};

#[tokio::test]
async fn health_readiness_request_ids_and_metrics() {
    each_db(|app| async move {
        assert_eq!(app.get("/healthz", None).await, (StatusCode::OK, json!({ "status": "ok" })));
        assert_eq!(
            app.get("/readyz", None).await,
            (StatusCode::OK, json!({ "status": "ok", "database": "ok", "migrations": "current" }))
        );
        // Every answer carries a request id; a client's own is kept.
        let (_, headers, _) = app.send(Method::GET, "/healthz", None, None, vec![]).await;
        assert_eq!(headers["x-request-id"].to_str().unwrap().len(), 36, "a UUID");
        let req = axum::http::Request::builder().uri("/healthz").header("x-request-id", "trace-42").body(axum::body::Body::empty()).unwrap();
        let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
        assert_eq!(res.headers()["x-request-id"], "trace-42");
        // Traffic, then the metrics: routes by pattern, never raw paths or query strings.
        app.get("/server/userinfo/payer_list/?kw=13800131036", Some(STAFF)).await;
        app.get("/market/exchange_products/1/", None).await;
        app.graphql(Some(STAFF), "query Broken { payers(page: 0) { totalCount } }", json!({})).await;
        let (status, _, text) = app.send(Method::GET, "/metrics", None, None, vec![]).await;
        assert_eq!(status, StatusCode::OK);
        let text = text.as_str().unwrap().to_owned();
        assert!(text.contains("opsgraph_http_requests_total{method=\"GET\",route=\"/server/userinfo/payer_list/\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("route=\"/market/exchange_products/{pk}/\""), "{text}");
        assert!(text.contains("opsgraph_graphql_duration_seconds_count{operation=\"Broken\"} 1"), "{text}");
        assert!(text.contains("opsgraph_graphql_errors_total{code=\"NOT_FOUND\"} 1"), "{text}");
        assert!(text.contains("opsgraph_db_pool_connections{pool=\"primary\",state=\"open\"}"), "{text}");
        assert!(!text.contains("13800131036"), "no phone number in metrics");
    })
    .await;
}

#[tokio::test]
async fn the_playground_is_served_from_the_binary() {
    each_db(|app| async move {
        let (status, headers, page) = app.get_bytes("/graphiql", STAFF).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'self'; style-src 'self' 'unsafe-inline'"
        );
        let page = String::from_utf8(page).unwrap();
        // The assets by hashed name (`web.rs` checks those names and their caching).
        assert!(
            page.contains("\"/graphiql/graphiql.")
                && page.contains(".js\"")
                && page.contains(".css\"")
        );
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no outside address: {page}"
        );
        for (path, kind) in [
            ("/graphiql/graphiql.js", "text/javascript; charset=utf-8"),
            ("/graphiql/graphiql.css", "text/css; charset=utf-8"),
        ] {
            let (status, headers, body) = app.get_bytes(path, STAFF).await;
            assert_eq!(
                (status, headers["content-type"].to_str().unwrap()),
                (StatusCode::OK, kind)
            );
            assert!(body.len() > 10_000, "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            // Revalidation is cheap: the same ETag answers 304 without a body.
            let etag = headers["etag"].to_str().unwrap().to_owned();
            let req = axum::http::Request::builder()
                .uri(path)
                .header("if-none-match", &etag)
                .body(axum::body::Body::empty())
                .unwrap();
            let (status, _, body) = app.request(req).await;
            assert_eq!(
                (status, body.len()),
                (StatusCode::NOT_MODIFIED, 0),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn queries_read_the_replica_and_mutations_the_primary() {
    for backend in crate::common::backends() {
        // A "replica" that differs from the primary, so each answer shows where it was read.
        let replica = crate::common::TestApp::start(backend.clone(), true).await;
        replica
            .exec("UPDATE user_info SET realname = '副本' WHERE owner = 'tester001'")
            .await;
        let url = replica.state.core.config.database_url.clone();
        let app = crate::common::TestApp::start_with(backend, true, |c| {
            c.database_replica_url = Some(url)
        })
        .await;

        let (_, page) = app
            .get("/server/userinfo/payer_list/?kw=tester001", Some(STAFF))
            .await;
        assert_eq!(
            page["results"][0]["realname"], "副本",
            "REST reads the replica"
        );
        let q = r#"{ payers(filter: {kw: "tester001"}) { items { realname } } }"#;
        let v = app.graphql(Some(STAFF), q, json!({})).await;
        assert_eq!(
            v["data"]["payers"]["items"][0]["realname"], "副本",
            "GraphQL queries too"
        );

        // A mutation writes to, and answers from, the primary.
        let (status, updated) = app
            .post_json(
                "/server/userinfo/payer_update/",
                Some(STAFF),
                json!({ "username": "tester001", "remark": "主库" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (updated["realname"].clone(), updated["remark"].clone()),
            (json!(null), json!("主库"))
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM user_info WHERE remark = '主库'")
                .await,
            1
        );
        assert_eq!(
            replica
                .scalar("SELECT COUNT(*) FROM user_info WHERE remark = '主库'")
                .await,
            0
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM audit_log").await,
            1,
            "the audit entry is on the primary"
        );

        let (status, ready) = app.get("/readyz", None).await;
        assert_eq!(
            (status, ready["database"].clone()),
            (StatusCode::OK, json!("ok"))
        );
        let (_, _, text) = app.send(Method::GET, "/metrics", None, None, vec![]).await;
        assert!(text
            .as_str()
            .unwrap()
            .contains("opsgraph_db_pool_connections{pool=\"replica\",state=\"open\"}"));
        app.finish().await;
        replica.finish().await;
    }
}

/// `GET /healthz` with these `x-request-id` header values; answers the echoed id.
async fn echoed_id(app: &crate::common::TestApp, ids: &[&[u8]]) -> String {
    let mut req = axum::http::Request::builder().uri("/healthz");
    for id in ids {
        req = req.header(
            "x-request-id",
            axum::http::HeaderValue::from_bytes(id).unwrap(),
        );
    }
    let (status, headers, _) = app
        .request(req.body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let all: Vec<_> = headers.get_all("x-request-id").iter().collect();
    assert_eq!(all.len(), 1, "one id answered: {all:?}");
    all[0].to_str().unwrap().to_owned()
}

/// A generated id: a UUID (`8-4-4-4-12` hex digits), which the allowed alphabet covers.
fn is_generated(id: &str) -> bool {
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12]
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && opsgraph::ops::valid_request_id(id.as_bytes())
}

#[tokio::test]
async fn request_ids_are_kept_only_when_plain() {
    each_db(|app| async move {
        // `[A-Za-z0-9._:-]{1,128}` is echoed as sent.
        let longest = "a".repeat(128);
        for id in ["trace-42", "svc.web_1:req-0009", longest.as_str()] {
            assert_eq!(echoed_id(&app, &[id.as_bytes()]).await, id);
        }
        // Anything else (a forged log field, too long, empty, not ASCII) is replaced.
        let too_long = "a".repeat(129);
        for id in [
            "a status=200 route=/x".as_bytes(),
            too_long.as_bytes(),
            b"",
            "ünïcode".as_bytes(),
            b"id\"quoted\"",
        ] {
            let echoed = echoed_id(&app, &[id]).await;
            assert!(is_generated(&echoed), "{echoed} replaces {id:?}");
        }
        // Two ids: the first counts, alone.
        assert_eq!(echoed_id(&app, &[b"first", b"second"]).await, "first");
        assert!(is_generated(
            &echoed_id(&app, &[b"bad id", b"second"]).await
        ));
        // The audit log stores the id the answer carried, not the client's text.
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/server/userinfo/payer_update/")
            .header("authorization", STAFF)
            .header("content-type", "application/json")
            .header("x-request-id", "x status=200 user=admin")
            .body(axum::body::Body::from(
                r#"{"username":"tester001","remark":"request id"}"#,
            ))
            .unwrap();
        let (status, headers, _) = app.request(req).await;
        assert_eq!(status, StatusCode::OK);
        let echoed = headers["x-request-id"].to_str().unwrap();
        assert!(is_generated(echoed), "{echoed}");
        let v = app
            .graphql(
                Some(STAFF),
                r#"{ auditLog(filter: {action: "updatePayer"}) { items { requestId } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            v,
            json!({ "data": { "auditLog": { "items": [{ "requestId": echoed }] } } })
        );
    })
    .await;
}

/// `opsgraph --database-url URL migrate ARGS`, the real binary: its standard output.
fn migrate(url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsgraph"))
        .args(["--database-url", url, "migrate"])
        .args(args)
        .output()
        .expect("run opsgraph");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[tokio::test]
async fn migrate_status_lists_applied_and_pending_migrations_and_changes_nothing() {
    for backend in crate::common::backends() {
        let (url, cleanup) = crate::common::fresh_database(&backend).await;
        let known = migration::Migrator::migrations().len();
        let names: Vec<String> = migration::Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        // An empty database: everything pending, and still nothing applied after asking.
        let fresh = migrate(&url, &["--status"]);
        let expected: Vec<String> = names.iter().map(|n| format!("pending  {n}")).collect();
        assert_eq!(
            fresh,
            format!("{}\n0 applied, {known} pending\n", expected.join("\n")),
            "{backend:?}"
        );
        assert_eq!(
            migrate(&url, &["--status"]),
            fresh,
            "asking applied nothing"
        );
        // After `migrate`, everything applied.
        migrate(&url, &[]);
        let expected: Vec<String> = names.iter().map(|n| format!("applied  {n}")).collect();
        assert_eq!(
            migrate(&url, &["--status"]),
            format!("{}\n{known} applied, 0 pending\n", expected.join("\n")),
            "{backend:?}"
        );
        cleanup.run().await;
    }
}

/// PostgreSQL closes the pool's connections (a restart, a pooler recycling them). Connections in
/// steady use are not pinged before each statement (`src/db.rs`), so a request may fail on one
/// that was closed: it answers an error, never a panic or a hang, and the pool replaces the
/// connection; at most one request per pooled connection fails, then every answer is right.
/// Connections idle for 5 s are pinged first: closed while the server was quiet, none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_postgres_closes_are_replaced() {
    let Some(backend) = crate::common::postgres_only() else {
        return;
    };
    let app = crate::common::TestApp::start(backend, true).await;
    let page = "{ payers(pageSize: 1) { items { id } } }";
    let expected = app.graphql(Some(STAFF), page, json!({})).await;
    assert!(
        expected["data"]["payers"]["items"][0]["id"].is_number(),
        "{expected}"
    );

    // In steady use.
    close_every_session(&app.url).await;
    let (failed, right) = answers_until_ten_right(&app, page, &expected).await;
    eprintln!("closed in steady use: {failed} request(s) failed, then 10 right");
    assert_eq!(right, 10, "right again after {failed} failures");
    assert!(
        failed <= 8,
        "{failed} failures: at most one per pooled connection"
    );

    // After a quiet spell longer than the ping's threshold.
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    close_every_session(&app.url).await;
    let (failed, right) = answers_until_ten_right(&app, page, &expected).await;
    assert_eq!(
        (failed, right),
        (0, 10),
        "closed while idle: every connection pinged first"
    );
    app.finish().await;
}

/// Closes every other session on the database at `url`: the pool's and its listener's.
async fn close_every_session(url: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let admin = Database::connect(url.to_owned()).await.expect("admin");
    let closed = admin
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminated");
    assert!(closed.rows_affected() >= 1, "the pool had a connection");
    admin.close().await.expect("closed");
}

/// Asks `page` until it answers `expected` ten times in a row (at most 40 times): the failures
/// on the way, and the right answers in a row at the end. A failure is an error answer.
async fn answers_until_ten_right(
    app: &crate::common::TestApp,
    page: &str,
    expected: &serde_json::Value,
) -> (usize, usize) {
    let (mut failed, mut right) = (0, 0);
    for _ in 0..40 {
        let answer = app.graphql(Some(STAFF), page, json!({})).await;
        if &answer == expected {
            right += 1;
            if right == 10 {
                break;
            }
        } else {
            assert!(answer["errors"][0]["message"].is_string(), "{answer}");
            failed += 1;
            right = 0;
        }
    }
    (failed, right)
}
