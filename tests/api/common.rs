//! The test harness: every test gets a fresh, migrated database (SQLite always; PostgreSQL too
//! when `TEST_DATABASE_URL` names a server) with the demo data, and talks to the real router
//! in-process, the way the seeds' curls talk to the server.

use std::future::Future;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use opsgraph::{app, config::Config, demo, state::AppState};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The staff key of the seeds' CRM curls.
pub const STAFF: &str = "Token admin123";
/// The member key of the seeds' market curls.
pub const MEMBER: &str = "Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194";

/// A database engine to run a test on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A server URL whose user may create databases.
    Postgres(String),
}

/// The value of the environment variable `name`, which names a server a test needs. Unset,
/// the test is skipped on a developer's machine, but fails under CI (`CI` set), where a skip
/// would pass silently what was never run.
pub fn test_server(name: &str) -> Option<String> {
    let value = std::env::var(name).ok().filter(|v| !v.is_empty());
    assert!(
        value.is_some() || !under_ci(),
        "{name} is not set under CI: .ci/run starts the server it names"
    );
    value
}

/// Whether the tests run under CI (`CI` set), where what a developer's machine may lack must
/// be there.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set (always under CI).
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Some(url) = test_server("TEST_DATABASE_URL") {
        all.push(Backend::Postgres(url));
    }
    all
}

/// PostgreSQL alone, for a test only it can run (several servers on one database). Unset, the
/// test is skipped with a notice (under CI it fails, see [`test_server`]).
pub fn postgres_only() -> Option<Backend> {
    let found = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)));
    if found.is_none() {
        eprintln!("skipped: TEST_DATABASE_URL is not set");
    }
    found
}

/// Runs `test` once per backend, each time on a fresh database with the demo data.
pub async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in backends() {
        let app = TestApp::start(backend, true).await;
        let cleanup = app.cleanup_handle();
        test(app).await;
        cleanup.run().await;
    }
}

/// A fresh, empty database on `backend`: its URL, and what removes it once the test is over.
/// SQLite is a file in a temporary directory (kept alive by the handle); PostgreSQL is a new
/// database on the `TEST_DATABASE_URL` server, so tests never see each other's rows.
pub async fn fresh_database(backend: &Backend) -> (String, Cleanup) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("test.sqlite").display()
            );
            (
                url,
                Cleanup {
                    pg: None,
                    _dir: Some(std::sync::Arc::new(dir)),
                },
            )
        }
        Backend::Postgres(admin_url) => {
            let name = format!("opsgraph_test_{}_{}", std::process::id(), rand_suffix());
            let admin = Database::connect(admin_url.as_str())
                .await
                .expect("PostgreSQL reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            let _ = admin.close().await;
            let mut url = url::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            (
                url.to_string(),
                Cleanup {
                    pg: Some((admin_url.clone(), name)),
                    _dir: None,
                },
            )
        }
    }
}

/// A running application on its own database.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub backend: Backend,
    /// The test database's URL (for a second instance, or the CLI, on the same database).
    pub url: String,
    cleanup: Cleanup,
    _storage: std::sync::Arc<tempfile::TempDir>,
}

/// What to remove once a test is over.
#[derive(Clone)]
pub struct Cleanup {
    pg: Option<(String, String)>,
    _dir: Option<std::sync::Arc<tempfile::TempDir>>,
}

impl Cleanup {
    /// Drops the test's PostgreSQL database (a SQLite file goes with its directory).
    pub async fn run(self) {
        if let Some((admin_url, name)) = self.pg {
            if let Ok(admin) = Database::connect(admin_url).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                let _ = admin.close().await;
            }
        }
    }
}

impl TestApp {
    /// A fresh database on `backend`, migrated, with the demo data if `demo`.
    pub async fn start(backend: Backend, demo_data: bool) -> Self {
        Self::start_with(backend, demo_data, |_| {}).await
    }

    /// [`TestApp::start`] with settings changed by `configure`.
    pub async fn start_with(
        backend: Backend,
        demo_data: bool,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let (url, cleanup) = fresh_database(&backend).await;
        if demo_data {
            // Seeded before the application starts, as a database it is deployed on would be:
            // the database's news of the seeded accounts and keys would otherwise reach it
            // during the test, and forget what it remembered at moments a test cannot know.
            let (db, _) = opsgraph::db::connect(&Config::for_database(url.clone()))
                .await
                .expect("database");
            demo::seed(&db).await.expect("demo data");
            db.close().await.expect("closed");
        }
        let app = Self::on_database(backend, url, configure).await;
        TestApp { cleanup, ..app }
    }

    /// Another instance of the application on this one's database, as a second server behind
    /// the same load balancer would be: nothing in memory is shared.
    pub async fn another_instance(&self) -> TestApp {
        self.another_instance_with(|_| {}).await
    }

    /// [`TestApp::another_instance`] with settings changed by `configure`.
    pub async fn another_instance_with(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        let app = Self::on_database(self.backend.clone(), self.url.clone(), configure).await;
        // The first instance drops the database.
        TestApp {
            cleanup: Cleanup {
                pg: None,
                _dir: self.cleanup._dir.clone(),
            },
            ..app
        }
    }

    /// An application on the existing database `url`.
    async fn on_database(
        backend: Backend,
        url: String,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::for_database(url.clone());
        // The smallest pool the server sizes itself on PostgreSQL (`Config::pool_size`): every
        // test, the concurrent ones too, must be served by it without waiting on itself.
        config.db_max_connections = Some(4);
        // Qiniu's published SDK test keys: signatures can be checked against its vectors.
        config.qiniu_access_key = Some("abcdefghklmnopq".into());
        config.qiniu_secret_key = Some("1234567890".into());
        let storage = tempfile::tempdir().expect("storage dir");
        config.storage_dir = storage.path().display().to_string();
        configure(&mut config);
        let (router, state) = app::build(config).await.expect("app builds");
        TestApp {
            router,
            state,
            backend,
            url,
            cleanup: Cleanup {
                pg: None,
                _dir: None,
            },
            _storage: std::sync::Arc::new(storage),
        }
    }

    /// Drops the test's database (for tests that start apps themselves).
    pub async fn finish(self) {
        self.cleanup.clone().run().await;
    }

    fn cleanup_handle(&self) -> Cleanup {
        self.cleanup.clone()
    }

    /// `sqlite` or `postgres`, for assertion messages.
    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Sends one request through the router; answers status, headers and raw body. A REST
    /// answer is checked against the OpenAPI document: its status must be documented for the
    /// route, and a JSON body must match the documented schema.
    pub async fn request(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        crate::documented::check(&method, &path, status, &headers, &bytes);
        (status, headers, bytes)
    }

    /// Sends one request; answers status, headers and the body as JSON (or as a string).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, axum::http::HeaderMap, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost:8000");
        if let Some(auth) = auth {
            req = req.header(header::AUTHORIZATION, auth);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let (status, headers, bytes) = self
            .request(req.body(Body::from(body)).expect("request"))
            .await;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, headers, value)
    }

    /// `GET path`, the body as raw bytes (downloads).
    pub async fn get_bytes(
        &self,
        path: &str,
        auth: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .uri(path)
            .header(header::HOST, "localhost:8000")
            .header(header::AUTHORIZATION, auth)
            .body(Body::empty())
            .expect("request");
        self.request(req).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, auth: Option<&str>) -> (StatusCode, Value) {
        let (s, _, v) = self.send(Method::GET, path, auth, None, vec![]).await;
        (s, v)
    }

    /// `POST path` with a JSON body, declared as JSON.
    pub async fn post_json(
        &self,
        path: &str,
        auth: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(
                Method::POST,
                path,
                auth,
                Some("application/json"),
                body.to_string().into_bytes(),
            )
            .await;
        (s, v)
    }

    /// `POST path` with a raw body, as `curl -d` sends it (form content type).
    pub async fn post_raw(
        &self,
        path: &str,
        auth: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(
                Method::POST,
                path,
                auth,
                Some("application/x-www-form-urlencoded"),
                body.as_bytes().to_vec(),
            )
            .await;
        (s, v)
    }

    /// A GraphQL request; answers the whole response (`data`, `errors`).
    pub async fn graphql(&self, auth: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, v) = self
            .post_json(
                "/graphql",
                auth,
                json!({ "query": query, "variables": variables }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v
    }

    /// Statements the pool has run so far.
    pub fn statements(&self) -> u64 {
        self.state.core.statements.get()
    }

    /// The row count of each table, in order: what a refused request must leave unchanged.
    pub async fn row_counts(&self, tables: &[&str]) -> Vec<i64> {
        let mut all = Vec::with_capacity(tables.len());
        for table in tables {
            all.push(self.scalar(&format!("SELECT COUNT(*) FROM {table}")).await);
        }
        all
    }

    /// A number from SQL run directly, independent of the code under test.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let db = &self.state.core.db;
        let backend = db.get_database_backend();
        let row = db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("query runs")
            .expect("one row");
        row.try_get_by_index::<i64>(0)
            .or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from))
            .or_else(|_| row.try_get_by_index::<i16>(0).map(i64::from))
            .expect("an integer")
    }

    /// Runs SQL directly (test setup).
    pub async fn exec(&self, sql: &str) {
        let db = &self.state.core.db;
        db.execute_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// A router served on a free port of 127.0.0.1 as `opsgraph serve` serves it (with the peer's
/// address), for tests that talk to it with real clients. Dropping it stops the server.
pub struct Served {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    /// Serves `router`.
    pub async fn start(router: Router) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, service).await.expect("serves");
        });
        Served { base, task }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What curl received: the status, the headers (names lower-cased, values as sent, sorted by
/// name, for their order is no promise; `date` left out since it changes), and the body as
/// curl wrote it (decoded under `--compressed`).
#[derive(Debug, PartialEq)]
pub struct Curled {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Curled {
    /// The value of header `name`, if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Asks `probe` again until it answers `expected`, for at most 3 s: what another instance hears
/// (a notification) arrives within a round trip, not at once. Well inside every TTL that would
/// get there by itself (totals' 10 s, credentials' 60 s), so only a notification gets it there.
pub async fn eventually<T, F, Fut>(expected: T, mut probe: F)
where
    T: PartialEq + std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let start = std::time::Instant::now();
    loop {
        let got = probe().await;
        if got == expected {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(3),
            "still {got:?}, not {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Runs `curl -sS <args>`, the command a reader would type, and answers what it received. It
/// runs as a child process awaited without blocking, so a server in this test's runtime answers.
pub async fn curl(args: &[&str]) -> Curled {
    let dir = tempfile::tempdir().expect("temp dir");
    let (head, body) = (dir.path().join("head"), dir.path().join("body"));
    let out = tokio::process::Command::from(curl_command(&head, &body, args))
        .output()
        .await
        .expect("curl runs (Debian's curl package)");
    curled(&out, args, &head, &body)
}

/// `curl -sS --max-time 60 -D <head> -o <body> <args>`: the headers and the body go to files,
/// which [`curled`] reads back.
pub fn curl_command(
    head: &std::path::Path,
    body: &std::path::Path,
    args: &[impl AsRef<std::ffi::OsStr>],
) -> std::process::Command {
    let mut command = std::process::Command::new("curl");
    command
        .args(["-sS", "--max-time", "60", "-D"])
        .arg(head)
        .arg("-o")
        .arg(body)
        .args(args);
    command
}

/// What a finished `curl -sS -D <head> -o <body> <args>` received: the final answer's status
/// and headers (lower-case names, sorted, without `date`) and the body. Panics when curl
/// failed.
pub fn curled(
    out: &std::process::Output,
    args: &(impl std::fmt::Debug + ?Sized),
    head: &std::path::Path,
    body: &std::path::Path,
) -> Curled {
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = std::fs::read_to_string(head).expect("headers");
    // The last header block is the final answer's (a `100 Continue` may come first).
    let block = head
        .trim_end()
        .rsplit("\r\n\r\n")
        .next()
        .unwrap_or_default();
    let mut lines = block.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let mut headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .filter(|(n, _)| n != "date")
        .collect::<Vec<_>>();
    headers.sort();
    Curled {
        status,
        headers,
        body: std::fs::read(body).unwrap_or_default(),
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{nanos}_{}",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}
