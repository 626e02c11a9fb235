//! Many instances, one truth (issue 18): persisted queries registered on one instance answer on
//! another; a total changed through one instance is right on the other once it heard of the
//! write (PostgreSQL's `LISTEN`/`NOTIFY`); a total past its time is answered at once and counted
//! again in the background; a caller who wrote reads the primary, not a lagging replica, on every
//! instance.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{backends, each_db, eventually, Backend, TestApp, STAFF};

/// The visit records of tester001 and their DRF `count`, as the seed's curl reads them.
const VISITS: &str = "/server/userinfo/visit_records/?contact=tester001";

async fn visit_count(app: &TestApp) -> i64 {
    let (status, page) = app.get(VISITS, Some(STAFF)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["count"].as_i64().expect("a count")
}

#[tokio::test]
async fn a_persisted_query_registered_on_one_instance_answers_on_another() {
    each_db(|a| async move {
        let b = a.another_instance().await;
        let query = "{ me { username } }";
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let hash_only = json!({ "extensions": ext });
        let (_, unknown) = b.post_json("/graphql", Some(STAFF), hash_only.clone()).await;
        assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound", "{unknown}");
        // Registered on A (text and hash): B answers the hash alone.
        let body = json!({ "query": query, "extensions": ext });
        let (_, registered) = a.post_json("/graphql", Some(STAFF), body).await;
        let me = json!({ "data": { "me": { "username": "admin" } } });
        assert_eq!(registered, me);
        assert_eq!(b.post_json("/graphql", Some(STAFF), hash_only).await.1, me);
        assert_eq!(a.scalar("SELECT COUNT(*) FROM persisted_query").await, 1);
        // A document over the limits is never registered, here or in the table.
        let deep = format!("{{ me {{ {} }} }}", "role { ".repeat(12) + &"}".repeat(12));
        let hash = hex::encode(Sha256::digest(deep.as_bytes()));
        let body = json!({ "query": deep, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
        let (_, refused) = a.post_json("/graphql", Some(STAFF), body).await;
        assert!(refused["errors"].is_array(), "{refused}");
        assert_eq!(a.scalar("SELECT COUNT(*) FROM persisted_query").await, 1);
        // A mutation's text may hold a password: it answers by its hash on A only, and no table
        // keeps it (B asks for the text again).
        let login = "mutation { login(account: \"admin\", password: \"123456\") { token } }";
        let hash = hex::encode(Sha256::digest(login.as_bytes()));
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let (_, logged_in) = a.post_json("/graphql", None, json!({ "query": login, "extensions": ext })).await;
        assert!(logged_in["data"]["login"]["token"].is_string(), "{logged_in}");
        let (_, again) = a.post_json("/graphql", None, json!({ "extensions": ext })).await;
        assert!(again["data"]["login"]["token"].is_string(), "{again}");
        let (_, elsewhere) = b.post_json("/graphql", None, json!({ "extensions": ext })).await;
        assert_eq!(elsewhere["errors"][0]["message"], "PersistedQueryNotFound", "{elsewhere}");
        assert_eq!(a.scalar("SELECT COUNT(*) FROM persisted_query").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_total_changed_through_one_instance_is_right_on_the_other() {
    each_db(|a| async move {
        let b = a.another_instance().await;
        let before = visit_count(&b).await;
        assert_eq!(visit_count(&a).await, before);
        let body = json!({ "contact": "tester001", "visit_time": "2018-5-5" });
        let (status, _) = a
            .post_json("/server/userinfo/visit_record_create/", Some(STAFF), body)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        // A forgot its totals at its commit; B, when PostgreSQL told it.
        assert_eq!(visit_count(&a).await, before + 1);
        match a.backend {
            Backend::Postgres(_) => {
                eventually(json!(before + 1), || async { json!(visit_count(&b).await) }).await
            }
            // SQLite is one instance by design: nothing tells B, whose total is kept its time.
            Backend::Sqlite => assert_eq!(visit_count(&b).await, before),
        }
    })
    .await;
}

#[tokio::test]
async fn a_total_past_its_time_is_answered_at_once_and_counted_again_behind() {
    for backend in backends() {
        let app = TestApp::start_with(backend, true, |c| c.count_cache_secs = 1).await;
        let first = visit_count(&app).await;
        app.exec("INSERT INTO visit_record (contact, detail, created_at) VALUES ('tester001', 'elsewhere', '2022-01-01 00:00:00')").await;
        assert_eq!(
            visit_count(&app).await,
            first,
            "within its time: the kept total"
        );
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        // Past its time: the page does not wait for a recount, it answers the kept total and one
        // recount starts; a later page has the new one.
        assert_eq!(
            visit_count(&app).await,
            first,
            "past its time: still answered at once"
        );
        eventually(json!(first + 1), || async {
            json!(visit_count(&app).await)
        })
        .await;
        app.finish().await;
    }
}

#[tokio::test]
async fn the_listening_connection_is_none_of_the_requests() {
    for backend in backends() {
        let Backend::Postgres(_) = backend else {
            continue;
        };
        // A pool of one connection: were the listener to hold it, no request would get one.
        let app = TestApp::start_with(backend, true, |c| c.db_max_connections = Some(1)).await;
        let listening = "SELECT COUNT(*) FROM pg_stat_activity \
                         WHERE datname = current_database() AND query LIKE 'LISTEN%'";
        eventually(json!(1), || async { json!(app.scalar(listening).await) }).await;
        let before = visit_count(&app).await;
        let body = json!({ "contact": "tester001" });
        let (status, _) = app
            .post_json("/server/userinfo/visit_record_create/", Some(STAFF), body)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(visit_count(&app).await, before + 1);
        app.finish().await;
    }
}

/// tester001's remark on the CRM's list as `auth` reads it.
async fn remark(app: &TestApp, auth: String) -> Value {
    let (_, page) = app
        .get("/server/userinfo/payer_list/?kw=tester001", Some(&auth))
        .await;
    page["results"][0]["remark"].clone()
}

#[tokio::test]
async fn a_caller_who_wrote_reads_the_primary_on_every_instance() {
    for backend in backends() {
        // A "replica" that lags: it never gets the primary's writes.
        let replica = TestApp::start(backend.clone(), true).await;
        let replica_url = replica.url.clone();
        let with_replica = |c: &mut opsgraph::config::Config| {
            c.database_replica_url = Some(replica_url.clone());
        };
        let a = TestApp::start_with(backend, true, with_replica).await;
        let b = a.another_instance_with(with_replica).await;
        let other = crate::walk::staff_with(&a, "reader", &["PAYER_LIST"]).await;
        let seed_remark = remark(&a, STAFF.to_owned()).await;
        let body = json!({ "username": "tester001", "remark": "刚保存" });
        let (status, _) = a
            .post_json("/server/userinfo/payer_update/", Some(STAFF), body)
            .await;
        assert_eq!(status, StatusCode::OK);
        // The writer reads its write back on A at once, and on B once B heard of it (on SQLite,
        // one instance by design, B is not told); another caller reads the replica.
        assert_eq!(remark(&a, STAFF.to_owned()).await, json!("刚保存"));
        if let Backend::Postgres(_) = a.backend {
            eventually(json!("刚保存"), || remark(&b, STAFF.to_owned())).await;
        }
        assert_eq!(remark(&a, other.clone()).await, seed_remark);
        assert_eq!(remark(&b, other.clone()).await, seed_remark);
        b.finish().await;
        a.finish().await;
        replica.finish().await;
    }
    // With the window at 0 a writer reads the replica like anyone.
    for backend in backends() {
        let replica = TestApp::start(backend.clone(), true).await;
        let url = replica.url.clone();
        let a = TestApp::start_with(backend, true, |c| {
            c.database_replica_url = Some(url);
            c.read_your_writes_secs = 0;
        })
        .await;
        let body = json!({ "username": "tester001", "remark": "刚保存" });
        a.post_json("/server/userinfo/payer_update/", Some(STAFF), body)
            .await;
        let (_, page) = a
            .get("/server/userinfo/payer_list/?kw=tester001", Some(STAFF))
            .await;
        assert_ne!(page["results"][0]["remark"], json!("刚保存"), "{page}");
        a.finish().await;
        replica.finish().await;
    }
}

#[tokio::test]
async fn an_instance_that_lost_its_listening_connection_listens_again_and_forgets_its_totals() {
    for backend in backends() {
        // Only PostgreSQL carries notifications; SQLite has nothing to lose.
        let Backend::Postgres(_) = backend else {
            continue;
        };
        let a = TestApp::start(backend, true).await;
        let b = a.another_instance().await;
        let before = visit_count(&b).await;
        // A write nobody announces (made in SQL): B keeps its total.
        a.exec("INSERT INTO visit_record (contact, detail, created_at) VALUES ('tester001', 'quiet', '2022-01-01 00:00:00')").await;
        assert_eq!(visit_count(&b).await, before);
        // Every listening connection of this database is cut: each instance listens again and,
        // having maybe missed something, forgets its totals.
        a.exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await;
        eventually(json!(before + 1), || async { json!(visit_count(&b).await) }).await;
        // And hears again what the other says.
        let body = json!({ "contact": "tester001" });
        let (status, _) = a
            .post_json("/server/userinfo/visit_record_create/", Some(STAFF), body)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        eventually(json!(before + 2), || async { json!(visit_count(&b).await) }).await;
        a.finish().await;
    }
}
