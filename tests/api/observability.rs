//! Every answer is seen: the request log and `/metrics` cover fallbacks, preflights, refusals
//! made before any handler (413), timeouts (408) and panics (500 in the family's envelope, the
//! server serving on); every log line of a request, an internal error's included, carries its
//! request id, and its caller's id, never a credential. Then the real binary: metrics on an
//! address of their own, process metrics, the demo's CORS default, and `opsgraph healthcheck`.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use axum::{routing::get, Router};
use opsgraph::{error::AppError, rest::kids_coding::envelope::KidsCodingError, state::AppState};
use serde_json::{json, Value};

use crate::{
    common::{backends, curl, fresh_database, Served, TestApp, STAFF},
    resilience::Server,
};

/// A handler that panics, with a phone number in its message (the log masks it).
async fn panics() -> &'static str {
    panic!("a test route panicked near 13800131036")
}

/// A handler that never answers.
async fn hangs() -> &'static str {
    std::future::pending().await
}

/// A handler failing with an internal error whose detail holds a phone number.
async fn fails() -> Result<&'static str, KidsCodingError> {
    Err(KidsCodingError(AppError::Internal(
        "connection refused while reading 13800131036".into(),
    )))
}

/// Routes compiled into this test binary only, one family each.
fn test_routes() -> Router<AppState> {
    Router::new()
        .route("/server/userinfo/test_panic/", get(panics))
        .route("/custommanage/test_panic", get(panics))
        .route("/api/test/panic", get(panics))
        // Beside the real GET and POST of /graphql.
        .route("/graphql", axum::routing::put(panics))
        .route("/api/test/hang", get(hangs))
        .route("/server/userinfo/test_internal/", get(fails))
}

/// Log lines written while it is the thread's subscriber, as JSON.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// `curl -X <method> -H 'X-Request-Id: <id>' <more> <url>`: status and body as JSON.
async fn call(server: &Served, method: &str, path: &str, id: &str, more: &[&str]) -> (u16, Value) {
    let header = format!("X-Request-Id: {id}");
    let url = server.url(path);
    let mut args = vec!["-X", method, "-H", header.as_str()];
    args.extend(more);
    args.push(&url);
    let answer = curl(&args).await;
    let body = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, body)
}

/// One request of the tracking test and what it must answer.
struct Case<'a> {
    id: &'a str,
    method: &'a str,
    path: &'a str,
    /// More arguments for curl: headers, a body.
    curl: Vec<&'a str>,
    status: u16,
    /// The whole body, or `Null` for "not compared".
    body: Value,
    /// The route label it is counted and logged under.
    route: &'a str,
}

impl<'a> Case<'a> {
    /// `method path` with the request id `id`, answered 200 and counted under its path.
    fn new(id: &'a str, method: &'a str, path: &'a str) -> Self {
        Case {
            id,
            method,
            path,
            curl: vec![],
            status: 200,
            body: Value::Null,
            route: path,
        }
    }

    fn sending(mut self, curl: &[&'a str]) -> Self {
        self.curl = curl.to_vec();
        self
    }

    fn answers(mut self, status: u16, body: Value) -> Self {
        (self.status, self.body) = (status, body);
        self
    }

    fn counted_as(mut self, route: &'a str) -> Self {
        self.route = route;
        self
    }
}

/// A GraphQL answer of one error.
fn graphql_error(message: &str, code: &str) -> Value {
    json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// The count of `opsgraph_http_requests_total` for a method, route and status.
fn requests(metrics: &str, method: &str, route: &str, status: u16) -> Option<u64> {
    let series = format!(
        "opsgraph_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} "
    );
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn every_answer_is_logged_and_counted_with_its_request_id() {
    for backend in backends() {
        let app = TestApp::start_with(backend, true, |c| c.request_timeout_secs = 1).await;
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(logs.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        // This test's runtime has one thread, which runs the served router too.
        let _logging = tracing::subscriber::set_default(subscriber);
        let router = opsgraph::app::router_with(app.state.clone(), test_routes());
        let server = Served::start(router).await;
        let big = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            big.path(),
            vec![b' '; opsgraph::app::MAX_UPLOAD_BODY_BYTES + 1],
        )
        .unwrap();
        let big_body = format!("@{}", big.path().display());
        let internal = json!({ "detail": "A server error occurred." });
        let staff_header = format!("Authorization: {STAFF}");
        // (id, method, path, more curl arguments, status, body, route label)
        // Each request, its answer, and the route label it is counted under.
        let cases = [
            Case::new("obs-404", "GET", "/nowhere/13800131036")
                .answers(404, json!({ "detail": "Not found." }))
                .counted_as("unmatched"),
            Case::new("obs-405", "DELETE", "/healthz")
                .answers(405, json!({ "detail": "Method \"DELETE\" not allowed." })),
            Case::new("obs-413", "POST", "/graphql")
                .sending(&[
                    "-H",
                    "Content-Type: application/json",
                    "--data-binary",
                    &big_body,
                ])
                .answers(
                    413,
                    graphql_error("Request body is too large.", "PAYLOAD_TOO_LARGE"),
                ),
            Case::new("obs-408", "GET", "/api/test/hang").answers(
                408,
                json!({ "status": 1, "error": "The request took too long.", "errors": {} }),
            ),
            Case::new("obs-panic-drf", "GET", "/server/userinfo/test_panic/")
                .answers(500, internal.clone()),
            Case::new("obs-panic-code-msg", "GET", "/custommanage/test_panic")
                .answers(500, json!({ "code": 500, "msg": "服务器错误" })),
            Case::new("obs-panic-paid", "GET", "/api/test/panic").answers(
                500,
                json!({ "status": 1, "error": "服务器错误", "errors": {} }),
            ),
            Case::new("obs-panic-graphql", "PUT", "/graphql").answers(
                500,
                graphql_error("internal server error", "INTERNAL_SERVER_ERROR"),
            ),
            Case::new("obs-internal", "GET", "/server/userinfo/test_internal/")
                .answers(500, internal),
            Case::new("obs-preflight", "OPTIONS", "/graphql")
                .sending(&[
                    "-H",
                    "Origin: http://localhost:5173",
                    "-H",
                    "Access-Control-Request-Method: POST",
                ])
                .answers(204, Value::Null),
            Case::new(
                "obs-staff",
                "GET",
                "/server/userinfo/payer_list/?page_size=1&kw=13800131036",
            )
            .sending(&["-H", &staff_header])
            .counted_as("/server/userinfo/payer_list/"),
        ];
        for case in &cases {
            let (status, answer) = call(&server, case.method, case.path, case.id, &case.curl).await;
            assert_eq!(status, case.status, "{}: {answer}", case.id);
            if !case.body.is_null() {
                assert_eq!(answer, case.body, "{}", case.id);
            }
        }
        // Four panics later the server still serves.
        assert_eq!(
            call(&server, "GET", "/healthz", "obs-after", &[]).await,
            (200, json!({ "status": "ok" }))
        );

        let metrics = String::from_utf8(curl(&[&server.url("/metrics")]).await.body).unwrap();
        for case in &cases {
            let count = requests(&metrics, case.method, case.route, case.status);
            assert_eq!(count, Some(1), "{}:\n{metrics}", case.id);
        }
        assert!(
            metrics.lines().any(|l| l == "opsgraph_http_panics_total 4"),
            "{metrics}"
        );

        let lines = logs.lines();
        let staff_id = app
            .scalar("SELECT id FROM staff WHERE username = 'admin'")
            .await;
        for Case {
            id,
            method,
            status,
            route,
            ..
        } in &cases
        {
            let mine: Vec<&Value> = lines
                .iter()
                .filter(|l| l["span"]["request_id"] == *id)
                .collect();
            let request = mine
                .iter()
                .find(|l| l["fields"]["message"] == "request")
                .unwrap_or_else(|| panic!("{id}: no request line in {lines:?}"));
            assert_eq!(request["fields"]["status"], status.to_string(), "{id}");
            assert_eq!(
                (&request["span"]["method"], &request["span"]["route"]),
                (&json!(method), &json!(route)),
                "{id}"
            );
            let messages: Vec<&str> = mine
                .iter()
                .filter_map(|l| l["fields"]["message"].as_str())
                .collect();
            let expected: &[&str] = match *id {
                "obs-internal" => &["internal error", "request"],
                id if id.starts_with("obs-panic") => {
                    &["a handler panicked: answered 500", "request"]
                }
                _ => &["request"],
            };
            assert_eq!(messages, expected, "{id}");
        }
        let internal = lines
            .iter()
            .find(|l| l["fields"]["message"] == "internal error")
            .unwrap();
        assert_eq!(
            internal["fields"]["detail"],
            "connection refused while reading 138******36"
        );
        let staff = lines
            .iter()
            .find(|l| l["span"]["request_id"] == "obs-staff")
            .unwrap();
        assert_eq!(staff["span"]["caller"], format!("staff:{staff_id}"));
        // Every line inside a request names it; no token, no phone number, no query string.
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        for line in &lines {
            if line.get("span").is_some() {
                assert!(
                    line["span"]["request_id"]
                        .as_str()
                        .is_some_and(|id| !id.is_empty()),
                    "{line}"
                );
            }
        }
        for secret in ["admin123", "13800131036", "page_size"] {
            assert!(!text.contains(secret), "{secret} logged:\n{text}");
        }
        drop(server);
        app.finish().await;
    }
}

/// A port free now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `opsgraph --bind <bind> healthcheck`: whether it exited 0.
async fn healthcheck(bind: &str) -> bool {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_opsgraph"))
        .args(["--bind", bind, "healthcheck"])
        .output()
        .await
        .expect("run opsgraph healthcheck")
        .status
        .success()
}

#[tokio::test]
async fn the_binary_serves_metrics_apart_allows_local_origins_in_the_demo_and_checks_health() {
    for backend in backends() {
        let (url, cleanup) = fresh_database(&backend).await;
        let dir = tempfile::tempdir().unwrap();
        let metrics_bind = format!("127.0.0.1:{}", free_port());
        let server = Server::start_with(&url, dir.path(), &["--metrics-bind", &metrics_bind]).await;
        let main = server.url("");
        let main_bind = main.trim_start_matches("http://").to_owned();

        // `/metrics` is no longer public; the metrics address serves it, the main's traffic
        // counted, process metrics and build info beside.
        let answer = curl(&[&server.url("/metrics")]).await;
        assert_eq!(
            (answer.status, answer.json()),
            (404, json!({ "detail": "Not found." }))
        );
        let answer = curl(&[&format!("http://{metrics_bind}/metrics")]).await;
        assert_eq!(answer.status, 200);
        let text = String::from_utf8(answer.body).unwrap();
        assert_eq!(requests(&text, "GET", "unmatched", 404), Some(1), "{text}");
        let gauge = |name: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
                .parse()
                .unwrap()
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = gauge("process_start_time_seconds");
        assert!(
            now - 600.0 < started && started <= now + 1.0,
            "started {started}, now {now}"
        );
        assert!(gauge("process_cpu_seconds_total") >= 0.0);
        assert!(gauge("process_threads") >= 1.0);
        let (open, max) = (gauge("process_open_fds"), gauge("process_max_fds"));
        assert!(3.0 <= open && open < max, "{open} open of {max}");
        let rss = gauge("process_resident_memory_bytes");
        assert!(rss < gauge("process_virtual_memory_bytes"));
        assert!(rss > 1e6, "a server holds more than a megabyte: {rss}");
        assert!(
            text.lines().any(
                |l| l.starts_with("opsgraph_build_info{version=\"0.1.0\",commit=")
                    && l.ends_with(",profile=\"debug\"} 1")
            ),
            "{text}"
        );

        // `serve --demo` without a setting: local development servers may call it.
        for (origin, allowed) in [
            ("http://localhost:5173", true),
            ("http://127.0.0.1:3000", true),
            ("https://admin.example.com", false),
        ] {
            let answer = crate::web::preflight(&server.url("/graphql"), origin).await;
            assert_eq!(answer.status, 204);
            assert_eq!(
                answer.header("access-control-allow-origin"),
                allowed.then_some(origin),
                "{origin}"
            );
        }

        // The container's health probe: 0 when /healthz answers 200, else not.
        assert!(healthcheck(&main_bind).await);
        assert!(
            !healthcheck(&metrics_bind).await,
            "the metrics address has no /healthz"
        );
        drop(server);
        cleanup.run().await;
    }
}
