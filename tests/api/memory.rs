//! Nothing a caller sends grows the server's memory past its caches' bounds. The real binary
//! (`serve --demo`) is sent, round after round, random values for every documented REST
//! parameter and body field, a 1 MB string for every string argument of every GraphQL root
//! field (and every string field of their input objects), 1 MB search names, distinct documents
//! with persisted-query hashes, distinct filters and failed logins under distinct long names:
//! enough to fill every cache. Its resident memory, read from `/proc`, may grow while the
//! caches fill, by no more than their byte bounds and the allocator's slack, and not after.

use std::time::Duration;

use async_graphql::parser::types::{BaseType, Type};
use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Method, Request, StatusCode};
use rand::{rngs::StdRng, SeedableRng};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    common::{backends, fresh_database, STAFF},
    fuzz::random_request,
    resilience::{http, Http, Server},
    walk::{root_fields, RootField, Schema},
};

/// What the caches may hold at most, in bytes: parsed documents 16 MB, persisted ones 4 MB,
/// credentials 8 MB, totals about 2 MB (the login throttle counts in the database).
const CACHE_BOUNDS: u64 = 30 << 20;
/// What the allocator may keep beyond live data after bursts of megabyte buffers.
const SLACK: u64 = 48 << 20;

/// The resident memory of process `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

/// Sends one request; answers its status (a transport failure or no answer within 30 s fails).
async fn send(
    http: &Http,
    server: &Server,
    method: Method,
    path: &str,
    auth: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> StatusCode {
    let mut request = Request::builder().method(method).uri(server.url(path));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let request = request.body(Full::new(Bytes::from(body))).expect("request");
    let exchange = async {
        let response = http.request(request).await.expect("an answer");
        let status = response.status();
        response.into_body().collect().await.expect("a body");
        status
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer within 30 s"))
}

async fn graphql(http: &Http, server: &Server, auth: Option<&str>, body: Value) -> StatusCode {
    let body = body.to_string().into_bytes();
    send(
        http,
        server,
        Method::POST,
        "/graphql",
        auth,
        Some("application/json"),
        body,
    )
    .await
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::List(of) => named(of),
        BaseType::Named(name) => name.as_str(),
    }
}

/// For one root field, requests that give each of its string arguments a megabyte (as a
/// variable), or each string field of its input-object arguments a long literal (`long`), every
/// other required argument a sample: (document, variables).
fn oversized_requests(
    field: &RootField,
    schema: &Schema,
    big: &str,
    long: &str,
) -> Vec<(String, Value)> {
    let (keyword, name, args, ty) = field;
    let required = |skip: &str| -> Vec<String> {
        args.iter()
            .filter(|(n, t)| !t.nullable && n != skip)
            .filter_map(|(n, t)| schema.literal(t).map(|v| format!("{n}: {v}")))
            .collect()
    };
    let selection = schema.selection(ty);
    let mut requests = Vec::new();
    for (arg, arg_ty) in args {
        let mut given = required(arg);
        match named(arg_ty) {
            "String" => {
                given.push(format!("{arg}: $v"));
                requests.push((
                    format!(
                        "{keyword}($v: String) {{ {name}({}){selection} }}",
                        given.join(", ")
                    ),
                    json!({ "v": big }),
                ));
            }
            input if schema.inputs.contains_key(input) => {
                for (f, _) in schema.inputs[input]
                    .iter()
                    .filter(|(_, t)| named(t) == "String")
                {
                    let others: Vec<String> = schema.inputs[input]
                        .iter()
                        .filter(|(o, t)| !t.nullable && o != f)
                        .filter_map(|(o, t)| schema.literal(t).map(|v| format!("{o}: {v}")))
                        .collect();
                    let mut given = given.clone();
                    given.push(format!("{arg}: {{ {f}: {long:?} {} }}", others.join(" ")));
                    requests.push((
                        format!("{keyword} {{ {name}({}){selection} }}", given.join(", ")),
                        json!({}),
                    ));
                }
            }
            _ => {}
        }
    }
    requests
}

/// One round of everything a hostile client can send to grow memory; `n` makes its documents,
/// filters and names differ from every other round's.
async fn round(
    http: &Http,
    server: &Server,
    rng: &mut StdRng,
    n: usize,
    schema: &(Vec<RootField>, Schema),
) {
    let big = "x".repeat(1 << 20);
    // Every REST route: random values, as the fuzz test sends them, as the staff superuser
    // (so every parameter is read) and anonymously.
    for route in opsgraph::rest::routes() {
        for auth in [Some(STAFF), None] {
            let (path, content_type, body) = random_request(&route, rng);
            let status = send(
                http,
                server,
                route.method.clone(),
                &path,
                auth,
                content_type.as_deref(),
                body,
            )
            .await;
            assert!(
                status != StatusCode::INTERNAL_SERVER_ERROR,
                "{} {path}: 500; log:\n{}",
                route.method,
                server.log_text()
            );
        }
    }
    // Every GraphQL root field with a megabyte in each string it takes (64 KB in the document's
    // text, which the lexer reads character by character: slow in a debug build).
    let (fields, types) = schema;
    for field in fields {
        for (query, variables) in oversized_requests(field, types, &big, &big[..64 << 10]) {
            let body = json!({ "query": query, "variables": variables });
            graphql(http, server, Some(STAFF), body).await;
        }
    }
    // The measurement: anonymous searches for 1 MB names.
    let q = "query($n: String) { exchangeProducts(filter: { name: $n }) { totalCount } }";
    // And distinct filters of the longest length: the totals fill.
    let megabyte_names = (0..60).map(|i| format!("{n}-{i}{}", &big[..big.len() - 16]));
    let longest_names = (0..300).map(|i| format!("{n}-{i}-{}", "名".repeat(180)));
    for name in megabyte_names.chain(longest_names) {
        let body = json!({ "query": q, "variables": { "n": name } });
        graphql(http, server, None, body).await;
    }
    // Distinct 15 KB documents with their hashes: the parsed and persisted documents fill.
    for i in 0..300 {
        let query = format!("# {n}-{i} {}\n{{ viewer {{ kind }} }}", &big[..15_000]);
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        graphql(
            http,
            server,
            None,
            json!({ "query": query, "extensions": ext }),
        )
        .await;
    }
    // Failed logins under distinct long account names: counted in the database, not here.
    for i in 0..20 {
        let account = format!("{n}-{i}-{}", &big[..1_000]);
        let body = json!({ "account": account, "password": "wrong" }).to_string();
        send(
            http,
            server,
            Method::POST,
            "/api/access/token",
            None,
            Some("application/json"),
            body.into_bytes(),
        )
        .await;
    }
}

#[tokio::test]
async fn memory_stays_within_the_caches_bounds_whatever_is_sent() {
    let schema = root_fields();
    for backend in backends() {
        let (url, cleanup) = fresh_database(&backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let server = Server::start(&url, dir.path()).await;
        let pid = server.child.id();
        let http = http();
        let mut rng = StdRng::seed_from_u64(20_261_201);
        // A first round warms what any server holds after use (connections, the schema's
        // lazily built parts, the allocator's pools), then the caches fill and must stop.
        round(&http, &server, &mut rng, 0, &schema).await;
        let warm = rss(pid);
        round(&http, &server, &mut rng, 1, &schema).await;
        let filled = rss(pid);
        round(&http, &server, &mut rng, 2, &schema).await;
        let last = rss(pid);
        let mb = |b: u64| b as f64 / (1 << 20) as f64;
        eprintln!(
            "RSS: warm {:.1} MB, after a second round {:.1} MB, after a third {:.1} MB",
            mb(warm),
            mb(filled),
            mb(last)
        );
        assert!(
            filled.saturating_sub(warm) <= CACHE_BOUNDS + SLACK,
            "a round grew the server by {:.1} MB",
            mb(filled - warm)
        );
        assert!(
            last.saturating_sub(filled) <= SLACK,
            "a third round grew the server by {:.1} MB: something keeps what callers send",
            mb(last - filled)
        );
        drop(server);
        cleanup.run().await;
    }
}
