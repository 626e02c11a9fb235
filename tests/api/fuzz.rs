//! Property tests of input handling: every REST route (from the route table) with random
//! parameters and bodies, and the whitelist importer with random and broken sheets. For every
//! input: no 5xx, no panic, an answer the OpenAPI document allows (checked in `common`), and a
//! refused request writes nothing (no row anywhere, no audit entry).
//!
//! Inputs come from a seeded generator, so a failure reproduces: the seed is in the message,
//! and `OPSGRAPH_FUZZ_SEED` replays it (`OPSGRAPH_FUZZ_CASES` sets the cases per route).

use std::io::Write;

use axum::http::StatusCode;
use opsgraph::rest::{
    doc::{Access, Body, In},
    Route,
};
use rand::{rngs::StdRng, RngExt, SeedableRng};
use serde_json::{json, Map, Value};

use crate::common::{each_db, MEMBER, STAFF};

fn seed() -> u64 {
    std::env::var("OPSGRAPH_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_123)
}

fn cases(default: usize) -> usize {
    std::env::var("OPSGRAPH_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Text a hostile or careless client sends: edge numbers, wildcards, injections, control
/// characters, scripts from other alphabets, very long strings.
fn junk_text(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "",
        "0",
        "-1",
        "1",
        "2147483648",
        "-2147483649",
        "99999999999999999999",
        "1e309",
        "NaN",
        "1.5",
        "True",
        "false",
        "null",
        "[]",
        "{}",
        "[1,2]",
        "%",
        "_",
        "\\",
        "'",
        "\"",
        "' OR 1=1 --",
        "%' --",
        "\0",
        "\u{1}",
        "\t",
        "\r\n",
        "13800131036",
        "2022-02-30",
        "2022-06-16",
        "0000-00-00",
        "9999-12-31",
        "S312206",
        "K073655",
        "tester001",
        "测试",
        "😀",
        "\u{202e}",
        "<script>",
        "=1+1",
        "@SUM(A1)",
        "../../etc/passwd",
        " ",
    ];
    match rng.random_range(0..10) {
        0 => "x".repeat(rng.random_range(1..20_000)),
        1 => (0..rng.random_range(1..40))
            .map(|_| rng.random_range(' '..='\u{ffff}'))
            .collect(),
        2 => rng.random::<i64>().to_string(),
        3 => rng.random::<f64>().to_string(),
        _ => PIECES[rng.random_range(0..PIECES.len())].to_owned(),
    }
}

fn junk_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth > 1 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random_range(-1e6..1e6)),
        4 => json!(junk_text(rng)),
        5 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| junk_value(rng, depth + 1))
                .collect(),
        ),
        6 => {
            let map: Map<String, Value> = (0..rng.random_range(0..4))
                .map(|_| (junk_text(rng), junk_value(rng, depth + 1)))
                .collect();
            Value::Object(map)
        }
        _ => json!(rng.random_range(0..3)),
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// An object with a random half of `keys`, each with a random value.
fn random_object(rng: &mut StdRng, keys: Vec<String>) -> Value {
    let mut map = Map::new();
    for key in keys {
        if rng.random_bool(0.5) {
            map.insert(key, junk_value(rng, 0));
        }
    }
    Value::Object(map)
}

/// A random request to `route`: (path with query, content type, body).
pub fn random_request(route: &Route, rng: &mut StdRng) -> (String, Option<String>, Vec<u8>) {
    let mut path = route.path.clone();
    let mut query = Vec::new();
    for p in &route.doc.params {
        let example = p.example.as_ref().map(|e| {
            e.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| e.to_string())
        });
        let value = match (rng.random_range(0..3), example) {
            (0, Some(e)) => e,
            _ => junk_text(rng),
        };
        match p.location {
            // An empty segment would be another route: path values are never empty.
            In::Path => {
                let value = if value.is_empty() {
                    "0".to_owned()
                } else {
                    value
                };
                path = path.replace(&format!("{{{}}}", p.name), &encode(&value));
            }
            In::Query if rng.random_bool(0.6) => {
                query.push(format!("{}={}", p.name, encode(&value)))
            }
            In::Query => {}
        }
    }
    if rng.random_bool(0.3) {
        query.push(format!(
            "{}={}",
            encode(&junk_text(rng)),
            encode(&junk_text(rng))
        ));
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let body = match &route.doc.body {
        None => None,
        Some(Body::Fields(fields)) => {
            let keys: Vec<String> = fields.iter().map(|f| f.legacy.to_owned()).collect();
            Some(random_object(rng, keys))
        }
        Some(Body::Json(schema)) => {
            let keys = schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            Some(random_object(rng, keys))
        }
        Some(Body::Upload(field)) => {
            let boundary = "fuzz-boundary";
            let mut bytes = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"f.xlsx\"\r\n\r\n"
            )
            .into_bytes();
            bytes.extend(random_sheet(rng));
            bytes.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
            return (
                path,
                Some(format!("multipart/form-data; boundary={boundary}")),
                bytes,
            );
        }
    };
    match (body, rng.random_range(0..6)) {
        (None, _) => (path, None, Vec::new()),
        (Some(b), 0) => {
            // As a form, the way `curl -d` sends fields.
            let form: Vec<String> = b
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        encode(k),
                        encode(
                            &v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        )
                    )
                })
                .collect();
            (
                path,
                Some("application/x-www-form-urlencoded".into()),
                form.join("&").into_bytes(),
            )
        }
        (Some(_), 1) => {
            let junk: Vec<u8> = (0..rng.random_range(0..200))
                .map(|_| rng.random())
                .collect();
            (path, Some("application/json".into()), junk)
        }
        (Some(_), 2) => (
            path,
            Some("application/json".into()),
            junk_value(rng, 0).to_string().into_bytes(),
        ),
        (Some(b), _) => (
            path,
            Some("application/json".into()),
            b.to_string().into_bytes(),
        ),
    }
}

/// Tables any route may write, and the audit log every write goes with.
const TABLES: &[&str] = &[
    "user_info",
    "visit_record",
    "exchange_order",
    "user_product",
    "exchange_product",
    "shop",
    "shop_salemenu",
    "merchant_account",
    "report",
    "report_whitelist",
    "audit_log",
];

#[tokio::test]
async fn every_rest_route_survives_random_input() {
    let seed = seed();
    each_db(|app| async move {
        let mut rng = StdRng::seed_from_u64(seed);
        let per_route = cases(12);
        let mut refused = 0;
        for route in opsgraph::rest::routes() {
            // The caller the route admits, so that its parameters are what gets tested.
            let auth = match route.doc.access {
                Access::Member => Some(MEMBER),
                Access::Staff(_) => Some(STAFF),
                Access::Public | Access::Login => None,
            };
            for case in 0..per_route {
                let (path, content_type, body) = random_request(&route, &mut rng);
                let before = app.row_counts(TABLES).await;
                let (status, _, answer) = app
                    .send(
                        route.method.clone(),
                        &path,
                        auth,
                        content_type.as_deref(),
                        body.clone(),
                    )
                    .await;
                let what = format!(
                    "seed {seed}, {} {path} case {case}, body {:.300}",
                    route.method,
                    String::from_utf8_lossy(&body)
                );
                assert!(!status.is_server_error(), "{what}: {status} {answer}");
                if status.is_client_error() {
                    refused += 1;
                    assert_eq!(
                        app.row_counts(TABLES).await,
                        before,
                        "{what}: refused ({status}) but wrote"
                    );
                }
            }
        }
        assert!(refused > 0, "the generator never produced bad input");
    })
    .await;
}

/// A spreadsheet: a valid one with random cells, or one broken in a random way.
fn random_sheet(rng: &mut StdRng) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["昵称", "职位", "公司", "电话", "阅读次数"];
    if rng.random_bool(0.8) {
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
    }
    for r in 1..rng.random_range(1..30u32) {
        for c in 0..rng.random_range(0..8u16) {
            let cell = match rng.random_range(0..4) {
                0 => format!("1{}", rng.random_range(3_000_000_000u64..9_999_999_999)),
                1 => rng.random_range(-5..500).to_string(),
                _ => junk_text(rng)
                    .chars()
                    .take(300)
                    .filter(|c| !c.is_control())
                    .collect(),
            };
            match cell.parse::<f64>() {
                Ok(n) if n.is_finite() && rng.random_bool(0.5) => {
                    sheet.write_number(r, c, n).map(|_| ())
                }
                _ => sheet.write_string(r, c, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    let mut bytes = book.save_to_buffer().unwrap();
    match rng.random_range(0..8) {
        // Flipped bytes: the zip and its XML no longer agree.
        0 => {
            for _ in 0..rng.random_range(1..20) {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = rng.random();
            }
        }
        // Cut short.
        1 => bytes.truncate(rng.random_range(0..bytes.len())),
        // Not a zip at all.
        2 => {
            bytes = (0..rng.random_range(0..4096))
                .map(|_| rng.random())
                .collect()
        }
        // A zip with a part that inflates past every limit.
        3 => {
            let mut out = std::io::Cursor::new(Vec::new());
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            let zeros = vec![b'<'; 1024 * 1024];
            for _ in 0..rng.random_range(1..40) {
                zip.write_all(&zeros).unwrap();
            }
            zip.finish().unwrap();
            bytes = out.into_inner();
        }
        _ => {}
    }
    bytes
}

#[tokio::test]
async fn the_whitelist_importer_survives_random_and_broken_sheets() {
    let seed = seed();
    each_db(|app| async move {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let (mut accepted, mut refused) = (0, 0);
        for case in 0..cases(40) {
            let sheet = random_sheet(&mut rng);
            let boundary = "fuzz-sheet";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"w.xlsx\"\r\n\r\n"
            )
            .into_bytes();
            body.extend(&sheet);
            body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
            let ct = format!("multipart/form-data; boundary={boundary}");
            let before = app.scalar("SELECT COUNT(*) FROM report_whitelist WHERE report_id = 1").await;
            let audits = app.scalar("SELECT COUNT(*) FROM audit_log").await;
            let (status, _, answer) = app
                .send(axum::http::Method::POST, "/api/report/1/excel", Some(STAFF), Some(&ct), body)
                .await;
            let after = app.scalar("SELECT COUNT(*) FROM report_whitelist WHERE report_id = 1").await;
            let what = format!("seed {seed}, sheet {case} ({} bytes)", sheet.len());
            match status {
                StatusCode::OK => {
                    accepted += 1;
                    let d = &answer["data"];
                    let (total, success, repeat, error) =
                        (d["total"].as_i64().unwrap(), d["success"].as_i64().unwrap(), d["repeat"].as_i64().unwrap(), d["error"].as_i64().unwrap());
                    assert_eq!(success + repeat + error, total, "{what}: {answer}");
                    assert_eq!(after - before, success, "{what}: rows written == success");
                    assert_eq!(d["errors"].as_array().unwrap().len() as i64, error, "{what}");
                }
                StatusCode::BAD_REQUEST => {
                    refused += 1;
                    assert_eq!(after, before, "{what}: refused but wrote");
                    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, audits, "{what}");
                    assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {answer}");
                }
                other => panic!("{what}: {other} {answer}"),
            }
        }
        assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}: both kinds generated");
    })
    .await;
}
