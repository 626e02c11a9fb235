//! Operations: liveness, readiness, Prometheus metrics, and the request log.
//!
//! Metrics are kept in a small registry of counters and latency histograms keyed by label
//! set, rendered in the Prometheus text format at `/metrics`: requests and latency per REST
//! route (the route pattern, never the raw path with its ids and phone numbers) and per GraphQL
//! operation name, GraphQL errors by `extensions.code`, and database pool use.

use std::{
    collections::BTreeMap,
    fmt::Write,
    net::{IpAddr, SocketAddr},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::json;
use tracing::Instrument;

use crate::state::AppState;

/// Series kept per kind at most: labels partly come from clients (operation names).
const MAX_SERIES: usize = 2_000;

/// Latency bucket bounds, seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    total: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS.len()];
        }
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.sum += seconds;
        self.total += 1;
    }
}

/// Counters and histograms, keyed by metric name and label set.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(String, String), u64>>,
    histograms: Mutex<BTreeMap<(String, String), Histogram>>,
}

fn labels(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect::<Vec<_>>()
        .join(",")
}

impl Metrics {
    /// Adds one to a counter.
    pub fn count(&self, name: &str, pairs: &[(&str, &str)]) {
        if let Ok(mut c) = self.counters.lock() {
            let key = (name.to_owned(), labels(pairs));
            if c.len() < MAX_SERIES || c.contains_key(&key) {
                *c.entry(key).or_default() += 1;
            }
        }
    }

    /// Records a duration.
    pub fn observe(&self, name: &str, pairs: &[(&str, &str)], took: Duration) {
        if let Ok(mut h) = self.histograms.lock() {
            let key = (name.to_owned(), labels(pairs));
            if h.len() < MAX_SERIES || h.contains_key(&key) {
                h.entry(key).or_default().observe(took.as_secs_f64());
            }
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(counters) = self.counters.lock() {
            let mut last = "";
            for ((name, l), v) in counters.iter() {
                type_line(&mut out, &mut last, name, "counter");
                if l.is_empty() {
                    let _ = writeln!(out, "{name} {v}");
                } else {
                    let _ = writeln!(out, "{name}{{{l}}} {v}");
                }
            }
        }
        if let Ok(histograms) = self.histograms.lock() {
            let mut last = "";
            for ((name, l), h) in histograms.iter() {
                type_line(&mut out, &mut last, name, "histogram");
                let sep = if l.is_empty() { "" } else { "," };
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{{l}{sep}le=\"{bound}\"}} {}",
                        h.counts.get(i).copied().unwrap_or(0)
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{{l}{sep}le=\"+Inf\"}} {}", h.total);
                let _ = writeln!(out, "{name}_sum{{{l}}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{{l}}} {}", h.total);
            }
        }
        out
    }
}

/// The `# TYPE` line of metric `name`, written once before its first series: series are sorted
/// by name, so a name differing from the `last` one written starts a metric.
fn type_line<'a>(out: &mut String, last: &mut &'a str, name: &'a str, kind: &str) {
    if name != *last {
        let _ = writeln!(out, "# TYPE {name} {kind}");
        *last = name;
    }
}

/// What the rules below both interfaces may need to know of the request being served.
#[derive(Clone, Debug, Default)]
struct RequestContext {
    /// Its `x-request-id`.
    id: String,
    /// The client's address: the peer, or behind a trusted proxy the address it reports.
    client: Option<IpAddr>,
    /// Whether a write transaction of this request committed.
    committed: Arc<AtomicBool>,
}

tokio::task_local! {
    /// The request this task serves (the audit log names it, login throttling counts by it).
    static REQUEST: RequestContext;
}

/// Starts the log for a binary (the server, `opsgraph-seed`): `RUST_LOG` filters (default
/// `info`); `json` lines one JSON object each, else text, coloured only on a terminal (not in
/// a log file or a container's log).
pub fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        tracing_subscriber::fmt()
            .with_ansi(ansi)
            .with_env_filter(filter)
            .init();
    }
}

/// The `x-request-id` of the request being served, if any.
pub fn request_id() -> Option<String> {
    REQUEST
        .try_with(|r| r.id.clone())
        .ok()
        .filter(|id| !id.is_empty())
}

/// Notes that a write transaction of the request being served committed.
pub fn note_commit() {
    let _ = REQUEST.try_with(|r| r.committed.store(true, Ordering::SeqCst));
}

/// Whether a write of the request being served committed; `None` outside a request (a
/// command, a test calling the schema directly), where it cannot be known.
pub fn committed() -> Option<bool> {
    REQUEST
        .try_with(|r| r.committed.load(Ordering::SeqCst))
        .ok()
}

/// The client address of the request being served, if known.
pub fn client_addr() -> Option<IpAddr> {
    REQUEST.try_with(|r| r.client).ok().flatten()
}

/// The longest `x-request-id` a client may choose.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// Whether a client's `x-request-id` may be kept: 1 to 128 of `A-Z a-z 0-9 . _ : -`. It is
/// echoed, written into log lines and stored in the audit log, so anything that could forge a
/// log field (spaces, `=`, quotes, newlines) or bloat a row is not.
pub fn valid_request_id(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_BYTES).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Middleware, outside the one that sets request ids: keeps a client's `x-request-id` only if
/// it is valid (and only the first, so every layer sees the same one); otherwise drops it, so a
/// fresh one is generated.
pub async fn check_request_id(mut request: Request, next: Next) -> Response {
    let headers = request.headers_mut();
    let first = headers
        .get(X_REQUEST_ID)
        .filter(|v| valid_request_id(v.as_bytes()))
        .cloned();
    match first {
        Some(id) => {
            headers.insert(X_REQUEST_ID, id);
        }
        None => {
            headers.remove(X_REQUEST_ID);
        }
    }
    next.run(request).await
}

const X_REQUEST_ID: &str = "x-request-id";

/// The client's address. `X-Forwarded-For` is believed only when configured: behind the
/// deployment's own proxy, whose entry is the last one (the ones before it come from the client
/// and may be forged); otherwise any client could pick the address it is throttled under.
fn client_of(request: &Request, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        // The last entry of the last header: an unreadable one is no address at all, never a
        // reason to believe an earlier (client-written) entry.
        let last = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|a| a.trim().parse::<IpAddr>().ok());
        if last.is_some() {
            return last;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The route label of a request no route matched (a 404): never its raw path.
pub const UNMATCHED: &str = "unmatched";

/// Middleware around every answer (routes, fallbacks, preflights, refusals of the layers
/// inside it, timeouts, panics): opens the request's span (request id, method, route pattern,
/// and once known the caller's id, never a credential), so every log line within it names the
/// request; then counts and times the answer by route pattern and logs it, without the query
/// string (which can carry phone numbers) or any credentials.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| UNMATCHED.to_owned());
    let request_id = request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        route = %route,
        caller = tracing::field::Empty,
    );
    let context = RequestContext {
        id: request_id,
        client: client_of(&request, state.core.config.trust_forwarded_for),
        committed: Default::default(),
    };
    let response = REQUEST
        .scope(context, next.run(request).instrument(span.clone()))
        .await;
    let took = started.elapsed();
    let status = response.status().as_u16().to_string();
    let metrics = &state.metrics;
    metrics.count(
        "opsgraph_http_requests_total",
        &[("method", &method), ("route", &route), ("status", &status)],
    );
    metrics.observe(
        "opsgraph_http_request_duration_seconds",
        &[("method", &method), ("route", &route)],
        took,
    );
    span.in_scope(|| {
        tracing::info!(
            status = %status,
            ms = took.as_secs_f64() * 1000.0,
            "request"
        )
    });
    response
}

/// Names the caller in the current request's span: `staff:<id>` or `member:<id>`, never
/// anything it presented.
pub fn record_caller(auth: &crate::auth::Auth) {
    use crate::auth::Principal;
    let caller = match &auth.0 {
        Some(Principal::Staff(s)) => format!("staff:{}", s.id),
        Some(Principal::Member(m)) => format!("member:{}", m.user_info_id),
        None => "anonymous".to_owned(),
    };
    tracing::Span::current().record("caller", tracing::field::display(&caller));
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and its schema is this build's (every migration
/// applied, none unknown). Not ready, it answers 503 and says why in `reason`: a load balancer
/// stops sending requests to an instance of an older build once a newer one has migrated.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let db = &state.core.db;
    let mut reasons = Vec::new();
    if !answers(db).await {
        reasons.push("the database does not answer".to_owned());
    }
    if let Some(replica) = state.reader.as_ref().map(|r| &r.db) {
        if !answers(replica).await {
            reasons.push("the read replica does not answer".to_owned());
        }
    }
    let reachable = reasons.is_empty();
    let schema = crate::migrate::state(db).await;
    let migrations = match &schema {
        Ok(s) if !s.unknown.is_empty() => "newer than this build".to_owned(),
        Ok(s) if s.pending.is_empty() => "current".to_owned(),
        Ok(s) => format!("{} pending", s.pending.len()),
        Err(_) => "unknown".to_owned(),
    };
    match &schema {
        Ok(s) => reasons.extend(s.problem()),
        // The error's text stays in the server: this answer is public.
        Err(_) => reasons.push("the migration table cannot be read".to_owned()),
    }
    let ready = reasons.is_empty();
    let mut body = json!({
        "status": if ready { "ok" } else { "unavailable" },
        "database": if reachable { "ok" } else { "unreachable" },
        "migrations": migrations,
    });
    if !ready {
        body["reason"] = json!(reasons.join("; "));
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Whether `db` answers a trivial query.
async fn answers(db: &sea_orm::DatabaseConnection) -> bool {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(backend, "SELECT 1".to_owned()))
        .await
        .is_ok()
}

/// `GET /metrics`: Prometheus text format, with the database pool's use.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = state.metrics.render();
    let _ = writeln!(out, "# TYPE opsgraph_db_pool_connections gauge");
    let pools = [
        ("primary", Some(&state.core.db)),
        ("replica", state.reader.as_ref().map(|r| &r.db)),
    ];
    for (name, db) in pools {
        let Some(db) = db else { continue };
        let (size, idle) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
            DatabaseBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle() as u32)
            }
            _ => (0, 0),
        };
        let _ = writeln!(
            out,
            "opsgraph_db_pool_connections{{pool=\"{name}\",state=\"open\"}} {size}"
        );
        let _ = writeln!(
            out,
            "opsgraph_db_pool_connections{{pool=\"{name}\",state=\"idle\"}} {idle}"
        );
    }
    let _ = writeln!(out, "# TYPE opsgraph_db_statements_total counter");
    let _ = writeln!(
        out,
        "opsgraph_db_statements_total {}",
        state.core.statements.get()
    );
    crate::process::render(&mut out);
    ([("content-type", "text/plain; version=0.0.4")], out)
}

/// `opsgraph healthcheck`: asks this server's `/healthz` at `bind` (an unspecified address,
/// `0.0.0.0` in a container, is asked on loopback); `Ok` when it answers 200 within 5 s. A
/// container's `HEALTHCHECK` runs it, so the image needs no HTTP client of its own.
pub async fn probe_health(bind: SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut addr = bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
            SocketAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        });
    }
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        anyhow::Ok(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .map_err(|_| anyhow::anyhow!("{addr}: no answer within 5 s"))??;
    let status_line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    anyhow::ensure!(
        status_line.starts_with(b"HTTP/1.1 200 "),
        "{addr}/healthz answered {:?}",
        String::from_utf8_lossy(status_line)
    );
    Ok(())
}

/// The shared registry.
pub type SharedMetrics = Arc<Metrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_short_and_plain() {
        let longest = "a".repeat(MAX_REQUEST_ID_BYTES);
        for good in ["trace-42", "a.b_c:d-E9", "0", longest.as_str()] {
            assert!(valid_request_id(good.as_bytes()), "{good}");
        }
        let too_long = "a".repeat(MAX_REQUEST_ID_BYTES + 1);
        for bad in [
            "",
            "a status=200 route=/x",
            "a\nb",
            "\"quoted\"",
            "id/1",
            "ünïcode",
            too_long.as_str(),
        ] {
            assert!(!valid_request_id(bad.as_bytes()), "{bad}");
        }
    }
}
