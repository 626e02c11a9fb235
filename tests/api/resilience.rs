//! The real binary under real failures: `opsgraph serve --demo` as a child process, spoken to
//! over HTTP on 127.0.0.1. Acknowledged writes survive `kill -9`, two servers on one
//! PostgreSQL never overspend a member's diamonds, and SIGTERM lets a request in flight finish
//! before the process exits cleanly.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Method, Request, StatusCode};
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, QueryResult, Statement};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::common::{backends, fresh_database, postgres_only, Backend, MEMBER, STAFF};

/// The seeded member (the member key's `user_info` row), the product it buys, and the price
/// the tests set on it so that the balance decides exactly how many purchases succeed.
const MEMBER_ID: i64 = 100;
const PRODUCT: i64 = 1;
const PRICE: i64 = 100;
const PURCHASE: &str = "/market/exchange_products/purchase/1/";
const VISIT_CREATE: &str = "/server/userinfo/visit_record_create/";
const PAYER_UPDATE: &str = "/server/userinfo/payer_update/";

/// The longest any one exchange may take: a hung server fails the test instead of hanging it.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a server may take to migrate, seed and listen (debug build, busy CI machine).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

fn backend_name(backend: &Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    }
}

/// A `serve --demo` process on a free port, with its log in a file (shown when it fails).
/// Dropping it kills it, so a failing test leaves no server behind.
pub struct Server {
    pub child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the binary on `database_url` and waits, bounded, until `/healthz` answers 200.
    pub async fn start(database_url: &str, dir: &Path) -> Server {
        Server::start_with(database_url, dir, &[]).await
    }

    /// [`Server::start`] with more settings (`--metrics-bind …`, say) before `serve --demo`.
    pub async fn start_with(database_url: &str, dir: &Path, settings: &[&str]) -> Server {
        // The free port is found by binding and releasing it, so another process may take it
        // before the server binds: that rare clash is retried on another port.
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let log = dir.join(format!("server-{port}.log"));
            let out = std::fs::File::create(&log).expect("server log file");
            let err = out.try_clone().expect("server log file");
            let child = Command::new(env!("CARGO_BIN_EXE_opsgraph"))
                .args(["--database-url", database_url])
                .args(["--bind", &format!("127.0.0.1:{port}")])
                .args(["--storage", "local", "--storage-dir"])
                .arg(dir.join("storage"))
                .args(settings)
                .args(["serve", "--demo"])
                .env("RUST_LOG", "info")
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("spawn the opsgraph binary");
            let mut server = Server { child, port, log };
            match server.wait_healthy().await {
                Ok(()) => return server,
                Err(log) if log.contains("Address already in use") => continue,
                Err(log) => panic!("opsgraph did not come up; its log:\n{log}"),
            }
        }
        panic!("no free port after 3 tries");
    }

    /// `Err(log)` when the process exits or does not answer in time.
    async fn wait_healthy(&mut self) -> Result<(), String> {
        let http = http();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if self.child.try_wait().expect("child status").is_some() {
                return Err(self.log_text());
            }
            if let Ok((StatusCode::OK, _)) =
                call(&http, Method::GET, &self.url("/healthz"), None, None).await
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "(no answer within {STARTUP_TIMEOUT:?})\n{}",
            self.log_text()
        ))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGKILL (what `Child::kill` sends) and reap: no shutdown code runs.
    fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// SIGTERM, the graceful stop. Sent by the shell's `kill` builtin: the crate forbids the
    /// unsafe of libc, and `/bin/kill` (procps) is missing from slim CI images, `sh` never is.
    fn terminate(&self) {
        let status = Command::new("sh")
            .args([
                "-c",
                "kill -TERM \"$1\"",
                "sh",
                &self.child.id().to_string(),
            ])
            .status()
            .expect("run sh -c 'kill -TERM'");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// The exit status, polled until `within` has passed.
    async fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {within:?}; its log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub type Http = Client<HttpConnector, Full<Bytes>>;

pub fn http() -> Http {
    Client::builder(TokioExecutor::new()).build_http()
}

/// One request. `Err` is a transport failure (refused, reset, timed out), never a status: an
/// answered request, whatever its status, is `Ok`.
async fn call(
    http: &Http,
    method: Method,
    url: &str,
    auth: Option<&str>,
    json: Option<&Value>,
) -> Result<(StatusCode, Value), String> {
    let mut request = Request::builder().method(method).uri(url);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let body = match json {
        Some(v) => {
            request = request.header("content-type", "application/json");
            Full::new(Bytes::from(v.to_string()))
        }
        None => Full::default(),
    };
    let request = request.body(body).expect("a valid request");
    let exchange = async {
        let response = http.request(request).await.map_err(|e| format!("{e:?}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{e:?}"))?
            .to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok((status, value))
    };
    tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no answer within {EXCHANGE_TIMEOUT:?}"))?
}

/// A direct connection to the server's database: the checks read what is stored, not what the
/// code under test answers about it.
struct Sql(DatabaseConnection);

impl Sql {
    async fn open(url: &str) -> Sql {
        Sql(Database::connect(url)
            .await
            .expect("open the test database"))
    }

    async fn rows(&self, sql: &str) -> Vec<QueryResult> {
        self.0
            .query_all_raw(Statement::from_string(
                self.0.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn exec(&self, sql: &str) {
        self.0
            .execute_raw(Statement::from_string(
                self.0.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The first column of the only row, as an integer (engines differ in integer widths).
    async fn int(&self, sql: &str) -> i64 {
        let rows = self.rows(sql).await;
        let row = rows.first().unwrap_or_else(|| panic!("{sql}: no row"));
        int_at(row, 0).unwrap_or_else(|| panic!("{sql}: not an integer"))
    }

    /// The first column of the only row, as text.
    async fn text(&self, sql: &str) -> Option<String> {
        let rows = self.rows(sql).await;
        let row = rows.first().unwrap_or_else(|| panic!("{sql}: no row"));
        row.try_get_by_index::<Option<String>>(0)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn close(self) {
        let _ = self.0.close().await;
    }
}

fn int_at(row: &QueryResult, index: usize) -> Option<i64> {
    row.try_get_by_index::<i64>(index)
        .or_else(|_| row.try_get_by_index::<i32>(index).map(i64::from))
        .ok()
}

/// Prices the product at [`PRICE`] and gives the member exactly `purchases` purchases' worth of
/// diamonds.
async fn afford(sql: &Sql, purchases: i64) {
    sql.exec(&format!(
        "UPDATE exchange_product SET diamond = {PRICE} WHERE id = {PRODUCT}"
    ))
    .await;
    sql.exec(&format!(
        "UPDATE user_info SET diamonds = {} WHERE id = {MEMBER_ID}",
        purchases * PRICE
    ))
    .await;
}

/// What the load was answered. Only acknowledged writes are promised to survive; a request
/// without an answer (in flight at the kill) may or may not have been applied.
#[derive(Default)]
struct Ledger {
    purchases: usize,
    /// `(pk, detail)` of every visit record answered 201.
    visits: Vec<(i64, String)>,
    /// The highest remark number answered 200, and the highest one sent.
    remark_acked: Option<u64>,
    remark_sent: Option<u64>,
    /// Unexpected answers, and transport failures before the kill.
    failures: Vec<String>,
}

#[derive(Clone, Copy)]
enum Load {
    Purchase,
    Visit,
    Remark,
}

/// The remark the payer update number `n` writes: the number is read back after the crash.
fn remark(n: u64) -> String {
    format!("resilience-remark-{n:08}")
}

/// Writes of one kind, one after another, until the server stops answering. Each answer is
/// checked and booked; a transport failure ends the task, and is a failure unless the server
/// was killed on purpose.
async fn drive(
    base: String,
    load: Load,
    task: usize,
    ledger: Arc<Mutex<Ledger>>,
    killed: Arc<AtomicBool>,
) {
    let http = http();
    for n in 0_u64.. {
        let detail = format!("resilience-visit-{task}-{n}");
        let (method, path, auth, body) = match load {
            Load::Purchase => (Method::GET, PURCHASE, MEMBER, None),
            Load::Visit => (
                Method::POST,
                VISIT_CREATE,
                STAFF,
                Some(json!({ "contact": "tester001", "visit_time": "2018-5-5", "detail": detail })),
            ),
            Load::Remark => {
                ledger.lock().expect("ledger").remark_sent = Some(n);
                let body = json!({ "username": "tester001", "remark": remark(n) });
                (Method::POST, PAYER_UPDATE, STAFF, Some(body))
            }
        };
        let url = format!("{base}{path}");
        let answer = call(&http, method, &url, Some(auth), body.as_ref()).await;
        let mut book = ledger.lock().expect("ledger");
        let (status, answer) = match answer {
            Ok(answered) => answered,
            Err(transport) => {
                if !killed.load(Ordering::SeqCst) {
                    book.failures
                        .push(format!("{path} before the kill: {transport}"));
                }
                return;
            }
        };
        let acknowledged = match load {
            Load::Purchase => {
                status == StatusCode::OK && answer == json!({ "message": "兑换成功" })
            }
            Load::Visit => {
                status == StatusCode::CREATED && answer["detail"] == detail && answer["pk"].is_i64()
            }
            Load::Remark => status == StatusCode::OK && answer["remark"] == remark(n),
        };
        if !acknowledged {
            book.failures.push(format!("{path}: {status} {answer}"));
            return;
        }
        match load {
            Load::Purchase => book.purchases += 1,
            Load::Visit => book
                .visits
                .push((answer["pk"].as_i64().expect("checked above"), detail)),
            Load::Remark => book.remark_acked = Some(n),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    // Far more than the load buys before the kill: a refusal here would be a bug.
    const AFFORDABLE: i64 = 200;
    const PURCHASE_TASKS: usize = 3;
    const VISIT_TASKS: usize = 3;
    // Enough acknowledged writes of each kind before the kill to make the checks mean something.
    const ENOUGH: (usize, usize, u64) = (30, 30, 10);
    for backend in backends() {
        let started = Instant::now();
        let name = backend_name(&backend);
        let (url, cleanup) = fresh_database(&backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Server::start(&url, dir.path()).await;
        let sql = Sql::open(&url).await;
        afford(&sql, AFFORDABLE).await;
        let last_order = sql
            .int("SELECT COALESCE(MAX(id), 0) FROM exchange_order")
            .await;
        let bought = sql
            .int(&format!(
                "SELECT bought FROM exchange_product WHERE id = {PRODUCT}"
            ))
            .await;
        let props = sql
            .int(&format!(
                "SELECT COUNT(*) FROM user_product WHERE owner_id = {MEMBER_ID} AND product_id = {PRODUCT}"
            ))
            .await;

        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let killed = Arc::new(AtomicBool::new(false));
        let loads = [Load::Purchase; PURCHASE_TASKS]
            .into_iter()
            .chain([Load::Visit; VISIT_TASKS])
            .chain([Load::Remark]);
        let tasks: Vec<_> = loads
            .enumerate()
            .map(|(task, load)| {
                tokio::spawn(drive(
                    server.url(""),
                    load,
                    task,
                    ledger.clone(),
                    killed.clone(),
                ))
            })
            .collect();
        // Kill once enough is acknowledged: a count, not a clock, decides, and the load is
        // still running (no task stops on its own before a failure).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let l = ledger.lock().expect("ledger");
                assert!(l.failures.is_empty(), "{name}: {:?}", l.failures);
                if l.purchases >= ENOUGH.0
                    && l.visits.len() >= ENOUGH.1
                    && l.remark_acked >= Some(ENOUGH.2)
                {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{name}: too slow: {} purchases, {} visits, remark {:?} acknowledged in 30 s",
                    l.purchases,
                    l.visits.len(),
                    l.remark_acked
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        killed.store(true, Ordering::SeqCst);
        server.kill_9();
        for task in tasks {
            tokio::time::timeout(EXCHANGE_TIMEOUT * 2, task)
                .await
                .expect("a load task ends once the server is gone")
                .expect("a load task does not panic");
        }
        let ledger = std::mem::take(&mut *ledger.lock().expect("ledger"));
        assert!(ledger.failures.is_empty(), "{name}: {:?}", ledger.failures);

        // The restart recovers the database (SQLite replays its WAL) and does not seed again.
        let server = Server::start(&url, dir.path()).await;
        let (status, body) = call(&http(), Method::GET, &server.url("/readyz"), None, None)
            .await
            .expect("readyz answers");
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        if matches!(backend, Backend::Sqlite) {
            let check = sql.text("PRAGMA integrity_check").await;
            assert_eq!(check.as_deref(), Some("ok"), "{name}");
        }

        // Every acknowledged visit record is there, under the id it was answered with.
        let stored: HashMap<String, i64> = sql
            .rows("SELECT id, detail FROM visit_record WHERE detail LIKE 'resilience-visit-%'")
            .await
            .iter()
            .map(|row| {
                let detail = row.try_get_by_index::<String>(1).expect("detail");
                (detail, int_at(row, 0).expect("id"))
            })
            .collect();
        for (pk, detail) in &ledger.visits {
            assert_eq!(
                stored.get(detail),
                Some(pk),
                "{name}: acknowledged visit {detail} lost"
            );
        }
        let unacked_visits = stored.len() - ledger.visits.len();
        assert!(
            unacked_visits <= VISIT_TASKS,
            "{name}: {unacked_visits} visits stored unanswered"
        );

        // The last acknowledged remark, or the one in flight after it (updates are sequential).
        let acked = ledger.remark_acked.expect("a remark was acknowledged");
        let sent = ledger.remark_sent.expect("a remark was sent");
        let remark_stored = sql
            .text("SELECT remark FROM user_info WHERE owner = 'tester001'")
            .await
            .expect("a remark is stored");
        assert!(
            remark_stored == remark(acked) || remark_stored == remark(sent),
            "{name}: stored {remark_stored}, acknowledged {acked}, sent {sent}"
        );

        // Purchases are all or nothing: the debit, the order, the prop and the count agree.
        let orders = sql
            .int(&format!(
                "SELECT COUNT(*) FROM exchange_order WHERE id > {last_order} AND owner_id = {MEMBER_ID} \
                 AND product_id = {PRODUCT} AND diamond = {PRICE}"
            ))
            .await;
        let all_orders = sql
            .int(&format!(
                "SELECT COUNT(*) FROM exchange_order WHERE id > {last_order}"
            ))
            .await;
        assert_eq!(
            orders, all_orders,
            "{name}: an order of another shape appeared"
        );
        let purchases = ledger.purchases as i64;
        assert!(
            (purchases..=purchases + PURCHASE_TASKS as i64).contains(&orders),
            "{name}: {orders} orders for {purchases} acknowledged purchases"
        );
        let diamonds = sql
            .int(&format!(
                "SELECT diamonds FROM user_info WHERE id = {MEMBER_ID}"
            ))
            .await;
        assert_eq!(
            diamonds,
            (AFFORDABLE - orders) * PRICE,
            "{name}: diamonds vs {orders} orders"
        );
        let bought_now = sql
            .int(&format!(
                "SELECT bought FROM exchange_product WHERE id = {PRODUCT}"
            ))
            .await;
        assert_eq!(
            bought_now,
            bought + orders,
            "{name}: bought vs {orders} orders"
        );
        let props_now = sql
            .int(&format!(
                "SELECT COUNT(*) FROM user_product WHERE owner_id = {MEMBER_ID} AND product_id = {PRODUCT}"
            ))
            .await;
        assert_eq!(
            props_now,
            props + orders,
            "{name}: props vs {orders} orders"
        );

        eprintln!(
            "{name}: kill -9 after {purchases} purchases, {} visit records and payer update #{acked} \
             were acknowledged; after the restart: {orders} orders (diamonds {diamonds}), {} visit \
             records, remark {remark_stored} (#{sent} was the last sent); {:.1?}",
            ledger.visits.len(),
            stored.len(),
            started.elapsed()
        );
        drop(server);
        sql.close().await;
        cleanup.run().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_never_overspend() {
    const AFFORDABLE: i64 = 25;
    const ATTEMPTS: usize = 100;
    let Some(backend) = postgres_only() else {
        return;
    };
    let started = Instant::now();
    let (url, cleanup) = fresh_database(&backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Server::start(&url, dir.path()).await;
    let sql = Sql::open(&url).await;
    // Set before the second server starts: a seeding that overwrote data would reset it.
    afford(&sql, AFFORDABLE).await;
    let second = Server::start(&url, dir.path()).await;
    assert_eq!(
        sql.int(&format!(
            "SELECT diamonds FROM user_info WHERE id = {MEMBER_ID}"
        ))
        .await,
        AFFORDABLE * PRICE,
        "the second `serve --demo` seeded again"
    );
    let orders = sql.int("SELECT COUNT(*) FROM exchange_order").await;
    let bought = sql
        .int(&format!(
            "SELECT bought FROM exchange_product WHERE id = {PRODUCT}"
        ))
        .await;
    let props = sql.int("SELECT COUNT(*) FROM user_product").await;

    let http = http();
    let servers = [&first, &second];
    let answers = futures::future::join_all((0..ATTEMPTS).map(|i| {
        let url = servers[i % 2].url(PURCHASE);
        let http = &http;
        async move {
            (
                i % 2,
                call(http, Method::GET, &url, Some(MEMBER), None).await,
            )
        }
    }))
    .await;
    let mut succeeded = [0_i64; 2];
    for (server, answer) in answers {
        match answer.expect("every purchase is answered") {
            (StatusCode::OK, body) => {
                assert_eq!(body, json!({ "message": "兑换成功" }));
                succeeded[server] += 1;
            }
            (status, body) => assert_eq!(
                (status, body),
                (StatusCode::BAD_REQUEST, json!({ "message": "钻石不足" }))
            ),
        }
    }
    assert_eq!(succeeded[0] + succeeded[1], AFFORDABLE, "{succeeded:?}");
    assert_eq!(
        sql.int(&format!(
            "SELECT diamonds FROM user_info WHERE id = {MEMBER_ID}"
        ))
        .await,
        0
    );
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM exchange_order").await,
        orders + AFFORDABLE
    );
    assert_eq!(
        sql.int("SELECT COUNT(DISTINCT order_number) FROM exchange_order")
            .await,
        orders + AFFORDABLE,
        "order numbers are unique"
    );
    assert_eq!(
        sql.int(&format!(
            "SELECT bought FROM exchange_product WHERE id = {PRODUCT}"
        ))
        .await,
        bought + AFFORDABLE
    );
    assert_eq!(
        sql.int("SELECT COUNT(*) FROM user_product").await,
        props + AFFORDABLE
    );
    eprintln!(
        "postgres: {ATTEMPTS} purchases across two servers, {AFFORDABLE} affordable: \
         {} succeeded on the first, {} on the second, the rest refused; {:.1?}",
        succeeded[0],
        succeeded[1],
        started.elapsed()
    );
    drop((first, second));
    sql.close().await;
    cleanup.run().await;
}

/// What a connection attempted during the shutdown met.
#[derive(Debug, Default)]
struct Probes {
    refused: usize,
    closed: usize,
    answered: usize,
}

/// Tries a new connection and a `GET /healthz` on it. `true` once connections are refused: the
/// listener is closed, so the shutdown has begun. Anything but an answer or a refusal within a
/// bounded time (a hang) fails the test.
async fn probe(port: u16, probes: &mut Probes) -> bool {
    let attempt = async {
        let mut stream = match TcpStream::connect(("127.0.0.1", port)).await {
            Ok(stream) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return true,
            // Queued on the listener as it closed: reset, unanswered. Try again.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                probes.closed += 1;
                return false;
            }
            Err(e) => panic!("connect: {e}"),
        };
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        let mut answer = Vec::new();
        // A connection accepted just as the shutdown began may be closed or reset unanswered.
        let _ = stream.write_all(request.as_bytes()).await;
        let _ = stream.read_to_end(&mut answer).await;
        if answer.starts_with(b"HTTP/1.1 200") {
            probes.answered += 1;
        } else {
            assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
            probes.closed += 1;
        }
        false
    };
    let refused = tokio::time::timeout(EXCHANGE_TIMEOUT, attempt)
        .await
        .expect("a connection during the shutdown hung");
    probes.refused += usize::from(refused);
    refused
}

/// Reads until `marker` has arrived; answers everything read.
async fn read_until(stream: &mut TcpStream, marker: &[u8]) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0_u8; 1024];
    while !seen.windows(marker.len()).any(|w| w == marker) {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    seen
}

#[tokio::test]
async fn in_flight_requests_complete_on_sigterm() {
    for backend in backends() {
        let started = Instant::now();
        let name = backend_name(&backend);
        let (url, cleanup) = fresh_database(&backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = Server::start(&url, dir.path()).await;

        let detail = format!("sigterm-{name}");
        let body = json!({ "contact": "tester001", "visit_time": "2018-5-5", "detail": detail })
            .to_string();
        let (head, tail) = body.split_at(body.len() / 2);
        let mut stream = TcpStream::connect(("127.0.0.1", server.port))
            .await
            .expect("connect");
        // `Expect: 100-continue` makes the server say when the handler starts reading the
        // body: from then on the request is in flight, without guessing with a sleep.
        let headers = format!(
            "POST {VISIT_CREATE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {STAFF}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        stream
            .write_all(headers.as_bytes())
            .await
            .expect("send headers");
        let interim = tokio::time::timeout(EXCHANGE_TIMEOUT, read_until(&mut stream, b"\r\n\r\n"))
            .await
            .expect("100 Continue in time");
        assert!(
            interim.starts_with(b"HTTP/1.1 100 Continue\r\n"),
            "{name}: {}",
            String::from_utf8_lossy(&interim)
        );
        stream
            .write_all(head.as_bytes())
            .await
            .expect("send half the body");

        server.terminate();
        let mut probes = Probes::default();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !probe(server.port, &mut probes).await {
            assert!(
                Instant::now() < deadline,
                "{name}: still accepting 10 s after SIGTERM: {probes:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }

        // New connections are refused now; the request begun before still completes.
        stream
            .write_all(tail.as_bytes())
            .await
            .expect("send the rest of the body");
        let mut answer = Vec::new();
        tokio::time::timeout(EXCHANGE_TIMEOUT, stream.read_to_end(&mut answer))
            .await
            .expect("the in-flight request is answered in time")
            .expect("read the answer");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 201 "), "{name}: {answer}");
        let (_, json) = answer.split_once("\r\n\r\n").expect("a body");
        let created: Value = serde_json::from_str(json).expect("a JSON body");
        assert_eq!(created["detail"], detail, "{name}: {created}");
        let pk = created["pk"].as_i64().expect("a pk");

        let status = server.wait_exit(Duration::from_secs(15)).await;
        assert_eq!(
            status.code(),
            Some(0),
            "{name}: {status}; log:\n{}",
            server.log_text()
        );
        let sql = Sql::open(&url).await;
        assert_eq!(
            sql.int(&format!(
                "SELECT COUNT(*) FROM visit_record WHERE id = {pk} AND detail = '{detail}'"
            ))
            .await,
            1,
            "{name}: the record answered 201 is not stored"
        );
        eprintln!(
            "{name}: the request in flight at SIGTERM answered 201 (pk {pk}); connections \
             during the shutdown: {probes:?}; exit 0; {:.1?}",
            started.elapsed()
        );
        sql.close().await;
        cleanup.run().await;
    }
}
