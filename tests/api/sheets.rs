//! Imports and exports cannot take the machine: a sheet too large to read is refused from its
//! XML before any parser builds a cell, and at most N parses and N exports run at once, the
//! next caller told to come back (503 and `Retry-After` in its family's envelope, `BUSY` in
//! GraphQL).

use std::io::Write;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, Method, StatusCode};
use opsgraph::state::SheetJob;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};

use crate::common::{backends, each_db, TestApp};
use crate::reports::{bearer, multipart, upload, workbook};

/// A workbook of the template's header row and one number at `BL200000`, its sheet declaring
/// `A1:BL200000`: within each side's limit, but a grid of 12.8 million cells. Padded with an
/// incompressible picture to just under the 10 MB upload limit, as an attacker would send it.
fn far_cell_workbook() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="白名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:BL200000"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>电话</t></is></c><c r="B1" t="inlineStr"><is><t>阅读次数</t></is></c></row><row r="200000"><c r="BL200000"><v>1</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (path, text) in parts {
        zip.start_file(path, deflated).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    let mut picture = vec![0u8; 10 * 1024 * 1024 - 16 * 1024];
    StdRng::seed_from_u64(15).fill_bytes(&mut picture);
    zip.start_file("xl/media/image1.png", stored).unwrap();
    zip.write_all(&picture).unwrap();
    zip.finish().unwrap().into_inner()
}

const TOO_LARGE: &str = "表格过大: 最多 200000 行, 64 列, 共 2000000 个单元格";

/// A GraphQL multipart request (the spec's `operations`, `map` and one file).
async fn graphql_upload(
    app: &TestApp,
    auth: &str,
    query: &str,
    file: &[u8],
) -> (StatusCode, HeaderMap, Value) {
    let boundary = "sheets-test-boundary";
    let mut body = Vec::new();
    let mut part = |name: &str, extra: &str, content: &[u8]| {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    let operations = json!({ "query": query, "variables": { "file": null } });
    part("operations", "", operations.to_string().as_bytes());
    part("map", "", br#"{"0": ["variables.file"]}"#);
    part(
        "0",
        "; filename=\"w.xlsx\"\r\nContent-Type: application/octet-stream",
        file,
    );
    write!(body, "--{boundary}--\r\n").unwrap();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    app.send(
        Method::POST,
        "/graphql",
        Some(auth),
        Some(&content_type),
        body,
    )
    .await
}

const IMPORT: &str =
    "mutation ($file: Upload!) { importWhitelist(reportId: 1, file: $file) { total success } }";

#[tokio::test]
async fn a_sheet_with_one_cell_at_bl200000_is_refused_from_its_xml_in_milliseconds() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let file = far_cell_workbook();
        assert!(file.len() > 10 * 1024 * 1024 - 20 * 1024 && file.len() <= 10 * 1024 * 1024);
        let tables = ["report_whitelist", "audit_log"];
        let before = app.row_counts(&tables).await;
        let refused = json!({ "status": 1, "error": TOO_LARGE, "errors": { "file": TOO_LARGE } });
        // curl -F 'file=@far.xlsx' /api/report/1/excel, and the same sheet to convert.
        for path in ["/api/report/1/excel", "/api/white/example"] {
            let started = Instant::now();
            let answer = upload(&app, path, &auth, &file).await;
            let took = started.elapsed();
            assert_eq!(answer, (StatusCode::BAD_REQUEST, refused.clone()), "{path}");
            // The whole request, 10 MB of multipart included; reading the grid took 12.8
            // million strings before.
            println!("{}: {path} refused in {took:?}", app.name());
            assert!(took < Duration::from_secs(1), "{path}: {took:?}");
        }
        let (status, _, answer) = graphql_upload(&app, &auth, IMPORT, &file).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["data"], Value::Null);
        assert_eq!(answer["errors"][0]["message"], TOO_LARGE);
        assert_eq!(
            answer["errors"][0]["extensions"],
            json!({ "code": "BAD_USER_INPUT", "field": "file" })
        );
        assert_eq!(app.row_counts(&tables).await, before, "nothing written");
    })
    .await;
}

const BUSY: &str = "服务器繁忙: 同时处理的表格已达上限, 请稍后重试";

fn retry_after(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn beyond_n_parses_or_exports_the_caller_is_told_to_come_back() {
    for backend in backends() {
        // N = 1, the one place taken here: the next job of that kind is refused.
        let app = TestApp::start_with(backend, true, |c| c.max_sheet_jobs = Some(1)).await;
        let auth = bearer(&app).await;
        let file = workbook(&[vec!["电话", "阅读次数"], vec!["13911110001", "4"]]);
        let tables = ["report_whitelist", "audit_log"];
        let before = app.row_counts(&tables).await;
        let jobs = &app.state.core.sheet_jobs;

        let parsing = jobs.start(SheetJob::Parse).expect("the one place");
        let busy = json!({ "status": 1, "error": BUSY, "errors": {} });
        for path in ["/api/report/1/excel", "/api/white/example"] {
            let (ct, body) = multipart(&file, "w.xlsx");
            let (status, headers, answer) = app
                .send(Method::POST, path, Some(&auth), Some(&ct), body)
                .await;
            assert_eq!(
                (status, answer),
                (StatusCode::SERVICE_UNAVAILABLE, busy.clone()),
                "{path}"
            );
            assert_eq!(retry_after(&headers), Some("5"), "{path}");
        }
        let (status, headers, answer) = graphql_upload(&app, &auth, IMPORT, &file).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["data"], Value::Null);
        assert_eq!(answer["errors"][0]["message"], BUSY);
        assert_eq!(answer["errors"][0]["path"], json!(["importWhitelist"]));
        assert_eq!(
            answer["errors"][0]["extensions"],
            json!({ "code": "BUSY", "retryAfter": 5 })
        );
        assert_eq!(retry_after(&headers), Some("5"));
        assert_eq!(app.row_counts(&tables).await, before, "nothing written");
        // Exports have places of their own.
        let (status, _, _) = app.get_bytes("/api/report/1/excel", &auth).await;
        assert_eq!(status, StatusCode::OK);

        let exporting = jobs.start(SheetJob::Export).expect("the one place");
        // Both exports wait for it, each in its family's envelope.
        for (path, envelope) in [
            ("/api/report/1/excel", busy.clone()),
            (
                "/custommanage/list?export=1",
                json!({ "code": 503, "msg": BUSY }),
            ),
        ] {
            let (status, headers, answer) =
                app.send(Method::GET, path, Some(&auth), None, vec![]).await;
            assert_eq!(
                (status, answer),
                (StatusCode::SERVICE_UNAVAILABLE, envelope),
                "{path}"
            );
            assert_eq!(retry_after(&headers), Some("5"), "{path}");
        }
        // A search without export is no sheet job.
        assert_eq!(
            app.get("/custommanage/list?num=1", Some(&auth)).await.0,
            StatusCode::OK
        );

        // Places free when their jobs end.
        drop((parsing, exporting));
        let (status, answer) = upload(&app, "/api/report/1/excel", &auth, &file).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::OK,
                json!({ "status": 0,
                "data": { "total": 1, "success": 1, "repeat": 0, "error": 0, "errors": [] },
                "date": { "total": 1, "success": 1, "repeat": 0, "error": 0, "errors": [] } })
            )
        );
        for path in ["/api/report/1/excel", "/custommanage/list?export=1"] {
            let (status, headers, _) = app.get_bytes(path, &auth).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(retry_after(&headers), None);
        }
        assert!(
            jobs.start(SheetJob::Parse).is_ok() && jobs.start(SheetJob::Export).is_ok(),
            "every place is back"
        );
        app.finish().await;
    }
}

#[test]
fn the_default_is_one_job_of_each_kind_per_core() {
    let config = opsgraph::config::Config::for_database("sqlite::memory:");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(config.sheet_jobs(), cores);
    let mut zero = config.clone();
    zero.max_sheet_jobs = Some(0);
    assert_eq!(zero.sheet_jobs(), 1, "never none");
}
