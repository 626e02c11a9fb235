//! Many instances, one database: the login throttle counts in the database, so its limits hold
//! across instances and restarts; instances starting at once migrate once; an instance refuses a
//! schema newer than its build, and `/readyz` says why.

use std::net::IpAddr;

use axum::http::StatusCode;
use migration::MigratorTrait;
use opsgraph::{app, config::Config};
use serde_json::{json, Value};

use crate::common::{each_db, fresh_database, postgres_only, TestApp};

/// A login through the real router from `peer` (none: no address known), as the server sees
/// the connection: the REST route, or the GraphQL `login` mutation when `graphql`. Answers
/// status and JSON body.
async fn login_at(
    app: &TestApp,
    peer: Option<IpAddr>,
    graphql: bool,
    account: &str,
    password: &str,
) -> (StatusCode, Value) {
    let (uri, body) = if graphql {
        let query =
            "mutation($a: String!, $p: String!) { login(account: $a, password: $p) { nickname } }";
        (
            "/graphql",
            json!({ "query": query, "variables": { "a": account, "p": password } }),
        )
    } else {
        (
            "/api/access/token",
            json!({ "account": account, "password": password }),
        )
    };
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    if let Some(peer) = peer {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                peer, 40000,
            )));
    }
    let (status, _, bytes) = app.request(req).await;
    (
        status,
        serde_json::from_slice(&bytes).expect("a JSON answer"),
    )
}

/// A login through the REST route, with no client address.
async fn login(app: &TestApp, account: &str, password: &str) -> (StatusCode, Value) {
    login_at(app, None, false, account, password).await
}

/// `10.0.0.n`.
fn peer(n: u8) -> Option<IpAddr> {
    Some(IpAddr::from([10, 0, 0, n]))
}

fn wrong() -> (StatusCode, Value) {
    (
        StatusCode::UNAUTHORIZED,
        json!({ "status": 1, "error": "账号或密码错误", "errors": {} }),
    )
}

fn limited() -> (StatusCode, Value) {
    (
        StatusCode::TOO_MANY_REQUESTS,
        json!({ "status": 1, "error": "登录失败次数过多, 请 15 分钟后再试", "errors": {} }),
    )
}

fn graphql_limited() -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({ "data": null, "errors": [{
            "message": "登录失败次数过多, 请 15 分钟后再试",
            "locations": [{ "line": 1, "column": 38 }],
            "path": ["login"],
            "extensions": { "code": "RATE_LIMITED" },
        }] }),
    )
}

/// Moves every stored window back by the window's length: as if 15 minutes had passed.
async fn let_the_window_pass(app: &TestApp) {
    let secs = opsgraph::auth::throttle::WINDOW.as_secs();
    app.exec(&format!(
        "UPDATE login_throttle SET window_start = window_start - {secs}"
    ))
    .await;
}

/// `n` wrong passwords from `peer`, the instances taking turns, the `i`th under `account(i)`:
/// each answered as a wrong password.
async fn fail_in_turns(
    instances: [&TestApp; 2],
    n: usize,
    peer: Option<IpAddr>,
    account: impl Fn(usize) -> String,
) {
    for i in 0..n {
        let at = instances[i % 2];
        let answer = login_at(at, peer, false, &account(i), "wrong").await;
        assert_eq!(answer, wrong(), "failure {i}");
    }
}

#[tokio::test]
async fn failed_logins_spread_over_two_instances_hit_the_limit_and_outlive_a_restart() {
    each_db(|first| async move {
        let second = first.another_instance().await;
        fail_in_turns([&first, &second], 5, None, |_| "admin".into()).await;
        // The sixth attempt is refused on both, right password or not, through either interface.
        assert_eq!(login(&first, "admin", "123456").await, limited());
        assert_eq!(login(&second, "13333891144", "123456").await, limited());
        assert_eq!(
            login_at(&second, None, true, "admin", "123456").await,
            graphql_limited()
        );
        // A restart forgets nothing: a new instance refuses too.
        drop(second);
        let restarted = first.another_instance().await;
        assert_eq!(login(&restarted, "admin", "123456").await, limited());

        // Once the window has passed, the count starts again from the next failure: four
        // failures leave the right password its turn, which forgets the account's count, so
        // four more leave it its turn again.
        let_the_window_pass(&first).await;
        for round in 0..2 {
            for _ in 0..4 {
                assert_eq!(login(&restarted, "admin", "wrong").await, wrong());
            }
            assert_eq!(login(&first, "admin", "123456").await.0, StatusCode::OK);
            let rows = first.scalar("SELECT COUNT(*) FROM login_throttle").await;
            assert_eq!(rows, 0, "round {round}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_address_is_throttled_across_instances_and_wrong_old_passwords_count() {
    each_db(|first| async move {
        let second = first.another_instance().await;
        // Twenty guesses at twenty accounts from one address, ten on each instance.
        fail_in_turns([&first, &second], 20, peer(7), |i| format!("user{i}")).await;
        assert_eq!(
            login_at(&first, peer(7), false, "admin", "123456").await,
            limited()
        );
        assert_eq!(
            login_at(&second, peer(7), true, "admin", "123456").await,
            graphql_limited()
        );
        assert_eq!(
            login_at(&second, peer(8), false, "admin", "123456").await.0,
            StatusCode::OK
        );

        // Wrong old passwords given to changePassword count for the account, on every instance.
        let (_, token) = login(&first, "admin", "123456").await;
        let bearer = format!("Bearer {}", token["data"]["token"].as_str().unwrap());
        let change = "mutation { changePassword(oldPassword: \"wrong\", newPassword: \"a-good-passphrase\") { token } }";
        for _ in 0..5 {
            let v = first.graphql(Some(&bearer), change, json!({})).await;
            assert_eq!(v["errors"][0]["message"], "The old password is wrong.");
        }
        let v = second.graphql(Some(&bearer), change, json!({})).await;
        assert_eq!(
            v["errors"][0]["extensions"],
            json!({ "code": "RATE_LIMITED" })
        );
        assert_eq!(login(&second, "admin", "123456").await, limited());
    })
    .await;
}

#[tokio::test]
async fn expired_rows_are_pruned_and_rows_hold_only_digests() {
    each_db(|first| async move {
        for i in 0..3 {
            let account = format!("a-long-account-name-{}", "x".repeat(500 + i));
            assert_eq!(
                login_at(&first, peer(i as u8), false, &account, "guess").await,
                wrong()
            );
        }
        // Three accounts and three addresses, each row a 64-character digest.
        let rows = "SELECT COUNT(*) FROM login_throttle WHERE LENGTH(key) = 64";
        assert_eq!(first.scalar(rows).await, 6);
        let_the_window_pass(&first).await;
        // An instance prunes on its first failure (and then at most every five minutes): the
        // expired rows go, the new failure's two stay.
        let second = first.another_instance().await;
        assert_eq!(
            login_at(&second, peer(9), false, "nobody", "guess").await,
            wrong()
        );
        assert_eq!(first.scalar("SELECT COUNT(*) FROM login_throttle").await, 2);
        // Pruning by hand answers what it removed.
        let_the_window_pass(&first).await;
        assert_eq!(second.state.core.login_throttle.prune().await.unwrap(), 2);
        assert_eq!(first.scalar("SELECT COUNT(*) FROM login_throttle").await, 0);
    })
    .await;
}

/// The configuration of a test instance on `url` (no demo data, storage in `dir`).
fn config(url: &str, dir: &std::path::Path) -> Config {
    let mut config = Config::for_database(url);
    config.db_max_connections = Some(4);
    config.storage_dir = dir.display().to_string();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_at_once_on_a_fresh_postgres_migrate_once() {
    let Some(backend) = postgres_only() else {
        return;
    };
    let (url, cleanup) = fresh_database(&backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = tokio::join!(
        tokio::spawn(app::build(config(&url, dir.path()))),
        tokio::spawn(app::build(config(&url, dir.path()))),
    );
    let (_, a) = a.expect("first start ran").expect("first instance starts");
    let (_, b) = b
        .expect("second start ran")
        .expect("second instance starts");
    let known = migration::Migrator::migrations().len() as i64;
    let db = &a.core.db;
    let count = |sql: &'static str| async move {
        use sea_orm::ConnectionTrait;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .expect("query runs")
            .expect("one row");
        row.try_get_by_index::<i64>(0).expect("a count")
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM seaql_migrations").await,
        known,
        "each migration recorded once"
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT version) FROM seaql_migrations").await,
        known
    );
    drop((a, b));
    cleanup.run().await;
}

/// What `/readyz` answers on a reachable database whose schema is not this build's.
fn not_ready(migrations: &str, reason: &str) -> (StatusCode, Value) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        json!({
            "status": "unavailable",
            "database": "ok",
            "migrations": migrations,
            "reason": reason,
        }),
    )
}

#[tokio::test]
async fn an_instance_refuses_a_schema_newer_than_its_build_and_readyz_says_why() {
    each_db(|app| async move {
        // A newer build migrated the database while this one runs.
        app.exec(
            "INSERT INTO seaql_migrations (version, applied_at) \
             VALUES ('m20991231_000099_from_a_newer_build', 0)",
        )
        .await;
        let newer = "the database schema is newer than this build: migration \
                     m20991231_000099_from_a_newer_build is unknown; run a newer opsgraph";
        assert_eq!(
            app.get("/readyz", None).await,
            not_ready("newer than this build", newer)
        );
        // Another instance of this build refuses to start on it.
        let dir = tempfile::tempdir().expect("temp dir");
        let refused = app::build(config(&app.url, dir.path())).await.err();
        assert_eq!(refused.map(|e| e.to_string()), Some(newer.to_owned()));

        // A database missing a migration of this build is not ready either, until migrated.
        app.exec("DELETE FROM seaql_migrations WHERE version LIKE 'm2099%'")
            .await;
        let last = migration::Migrator::migrations()
            .last()
            .map(|m| m.name().to_owned())
            .unwrap();
        app.exec(&format!(
            "DELETE FROM seaql_migrations WHERE version = '{last}'"
        ))
        .await;
        let pending = format!(
            "migrations pending: {last}; run `opsgraph migrate` or start an instance of this build"
        );
        assert_eq!(
            app.get("/readyz", None).await,
            not_ready("1 pending", &pending)
        );
    })
    .await;
}
