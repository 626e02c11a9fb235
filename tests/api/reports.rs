//! Paid reports (`paid-reports.txt`, the report half): reports, whitelists, their spreadsheets
//! (written and read back by independent tools), and Qiniu signing.

use std::io::Write;

use axum::http::{Method, StatusCode};
use base64::Engine;
use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER};

pub(crate) async fn bearer(app: &TestApp) -> String {
    let (_, body) = app
        .post_json(
            "/api/access/token",
            None,
            json!({ "account": "13333891144", "password": "123456" }),
        )
        .await;
    format!("Bearer {}", body["data"]["token"].as_str().unwrap())
}

/// A multipart body with one `file` part.
pub(crate) fn multipart(bytes: &[u8], filename: &str) -> (String, Vec<u8>) {
    let boundary = "opsgraph-test-boundary";
    let mut body = Vec::new();
    write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn upload(
    app: &TestApp,
    path: &str,
    auth: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let (ct, body) = multipart(bytes, "示例表.xlsx");
    let (s, _, v) = app
        .send(Method::POST, path, Some(auth), Some(&ct), body)
        .await;
    (s, v)
}

/// A workbook written by an independent writer (rust_xlsxwriter, not umya-spreadsheet).
pub(crate) fn workbook(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && !cell.is_empty() => {
                    sheet.write_number(r as u32, c as u16, n).map(|_| ())
                }
                _ => sheet.write_string(r as u32, c as u16, *cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn sheet_rows(bytes: Vec<u8>) -> Vec<Vec<Value>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let formulas = book.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    book.worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Int(i) => json!(*i as f64),
                    Data::Float(f) => json!(f),
                    Data::String(s) => json!(s),
                    Data::Empty => json!(""),
                    other => json!(other.to_string()),
                })
                .collect()
        })
        .collect()
}

fn seed_report_1() -> Value {
    json!({
        "id": 1, "title": "测试数据1", "cover": "http://s.laoyaoba.com/15421639996676.jpeg", "type_id": 1,
        "intro": "简介", "directory": "目录介绍", "file_address": "http://s.laoyaoba.com/15421639996676.pdf",
        "price": 100, "read_count": 300, "status": 1, "publish_time": "2022-06-22 08:00:00",
        "short_intro": "购买须知"
    })
}

const SEED_CREATE: &str = r#"{"title":"测试数据1","cover":"15421639996676.jpeg","type_id":1,"intro":"简介","directory":"目录介绍","file":{"file_name":"test","src":"static/test.pdf","format":"pdf","size":1000},"price":100,"read_count":300,"status":1,"publish_time":"2022-06-22 08:00:00","white_list":[{"given_user":"朱思嘉","given_position":"18434910083","given_company":"爱集微","read_count":100},{"given_user":"史蒂夫","given_position":"18434910085","given_company":"爱集微","read_count":100}]}"#;

#[tokio::test]
async fn report_list_and_detail_answer_the_seed() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, body) = app
            .get("/api/report?title=%E6%B5%8B%E8%AF%95&start_ctime=2022-06-16&end_ctime=2022-06-22", Some(&auth))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "status": 0, "data": { "current_page": 1, "last_page": 1, "per_page": 20, "total": 1, "data": [{
                "id": 1, "cover": "http://s.laoyaoba.com/15421639996676.jpeg", "title": "测试数据1", "price": 100,
                "status": 1, "subscribe_count": 0, "publish_at": "2022-06-22 08:00:00" }] } })
        );
        assert_eq!(app.get("/api/report/1", Some(&auth)).await, (StatusCode::OK, json!({ "status": 0, "data": seed_report_1() })));
        // The end day counts whole; the day before does not reach 08:00 on the 22nd.
        let ids = |body: &Value| body["data"]["data"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>();
        assert_eq!(ids(&app.get("/api/report?end_ctime=2022-06-21", Some(&auth)).await.1), Vec::<i64>::new());
        assert_eq!(ids(&app.get("/api/report?start_ctime=2022-06-23", Some(&auth)).await.1), vec![37, 2]);
        assert_eq!(ids(&app.get("/api/report?status=2", Some(&auth)).await.1), vec![2]);
        assert_eq!(ids(&app.get("/api/report?type_id=1&limit=2", Some(&auth)).await.1), vec![37, 2]);
        let (_, paged) = app.get("/api/report?limit=2&page=2", Some(&auth)).await;
        assert_eq!(paged["data"]["last_page"], 2);
        assert_eq!(paged["data"]["current_page"], 2);
        assert_eq!(ids(&paged), vec![1]);
        assert_eq!(ids(&app.get("/api/report?limit=2&page=9", Some(&auth)).await.1), Vec::<i64>::new());
        for bad in ["status=7", "start_ctime=yesterday", "page=x"] {
            let (status, body) = app.get(&format!("/api/report?{bad}"), Some(&auth)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(body["status"], 1, "{bad}");
        }
        assert_eq!(app.get("/api/report/999", Some(&auth)).await.0, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn report_create_update_delete_as_the_seed() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, _, body) = app
            .send(Method::POST, "/api/report", Some(&auth), Some("application/json"), SEED_CREATE.as_bytes().to_vec())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let id = body["data"]["id"].as_i64().unwrap();
        assert_eq!(body, json!({ "status": 0, "data": { "id": id }, "date": { "id": id } }));
        // The seed's entries carry their phone under given_position.
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM report_whitelist WHERE report_id = {id} AND mobile IN ('18434910083', '18434910085') AND residue_count = 100")).await, 2);
        let (_, detail) = app.get(&format!("/api/report/{id}"), Some(&auth)).await;
        assert_eq!(detail["data"]["file_address"], "http://s.laoyaoba.com/static/test.pdf");
        assert_eq!(detail["data"]["publish_time"], "2022-06-22 08:00:00");
        // Update as the seed's curl (its white_list is not applied).
        let (status, body) = app
            .send(Method::PUT, &format!("/api/report/{id}"), Some(&auth), Some("application/json"),
                  r#"{"price":99.5,"read_count":30,"status":2,"publish_time":"2022-07-01 09:00:00","short_intro":"须知","white_list":[{"given_user":"x","residue_count":1}]}"#.as_bytes().to_vec())
            .await
            .into_pair();
        assert_eq!((status, body), (StatusCode::OK, json!({ "status": 0, "data": { "id": id }, "date": { "id": id } })));
        let (_, detail) = app.get(&format!("/api/report/{id}"), Some(&auth)).await;
        assert_eq!((detail["data"]["price"].clone(), detail["data"]["read_count"].clone(), detail["data"]["status"].clone()), (json!(99.5), json!(30), json!(2)));
        assert_eq!(detail["data"]["publish_time"], "2022-07-01 09:00:00");
        // Going on sale without a time when never published: now.
        let (_, created) = app.post_json("/api/report", Some(&auth), json!({ "title": "t", "cover": "c.png", "intro": "i", "directory": "d",
            "file": { "file_name": "f", "src": "f.pdf", "format": "pdf", "size": 1 }, "price": "0", "read_count": 1, "status": 0 })).await;
        let pending = created["data"]["id"].as_i64().unwrap();
        assert_eq!(app.get(&format!("/api/report/{pending}"), Some(&auth)).await.1["data"]["publish_time"], Value::Null);
        app.send(Method::PUT, &format!("/api/report/{pending}"), Some(&auth), Some("application/json"), br#"{"status":1}"#.to_vec()).await;
        assert!(app.get(&format!("/api/report/{pending}"), Some(&auth)).await.1["data"]["publish_time"].is_string());
        // Delete: gone from detail and list.
        let (status, _, body) = app.send(Method::DELETE, &format!("/api/report/{id}"), Some(&auth), None, vec![]).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "status": 0, "data": { "id": id }, "date": { "id": id } })));
        assert_eq!(app.get(&format!("/api/report/{id}"), Some(&auth)).await, (StatusCode::NOT_FOUND, json!({ "status": 1, "error": "记录不存在", "errors": {} })));
        let (_, list) = app.get("/api/report?limit=100", Some(&auth)).await;
        assert!(list["data"]["data"].as_array().unwrap().iter().all(|r| r["id"] != id));
    })
    .await;
}

trait Pair {
    fn into_pair(self) -> (StatusCode, Value);
}
impl Pair for (StatusCode, axum::http::HeaderMap, Value) {
    fn into_pair(self) -> (StatusCode, Value) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn report_create_refuses_bad_input_and_writes_nothing() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let base: Value = serde_json::from_str(SEED_CREATE).unwrap();
        let before = (
            app.scalar("SELECT COUNT(*) FROM report").await,
            app.scalar("SELECT COUNT(*) FROM report_whitelist").await,
        );
        let mut cases: Vec<(Value, &str)> = Vec::new();
        let mut no_title = base.clone();
        no_title.as_object_mut().unwrap().remove("title");
        cases.push((no_title, "title"));
        let mut bad_price = base.clone();
        bad_price["price"] = json!("free");
        cases.push((bad_price, "price"));
        let mut negative = base.clone();
        negative["price"] = json!(-1);
        cases.push((negative, "price"));
        let mut bad_status = base.clone();
        bad_status["status"] = json!(5);
        cases.push((bad_status, "status"));
        let mut no_file = base.clone();
        no_file.as_object_mut().unwrap().remove("file");
        cases.push((no_file, "file"));
        let mut bad_time = base.clone();
        bad_time["publish_time"] = json!("soon");
        cases.push((bad_time, "publish_time"));
        let mut no_mobile = base.clone();
        no_mobile["white_list"][0]["given_position"] = json!("php");
        cases.push((no_mobile, "white_list.0"));
        for (body, field) in cases {
            let (status, v) = app.post_json("/api/report", Some(&auth), body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {v}");
            assert_eq!(v["status"], 1);
            assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
            assert!(v["errors"].get(field).is_some(), "{field}: {v}");
        }
        // An amount past what money can hold is refused before anything runs.
        let mut huge = base.clone();
        huge["price"] = json!(1e13);
        let (status, v) = app.post_json("/api/report", Some(&auth), huge).await;
        assert_eq!(
            (status, v["status"].clone()),
            (StatusCode::BAD_REQUEST, json!(1)),
            "{v}"
        );
        assert!(v["error"].as_str().unwrap().contains("Money"), "{v}");
        let (status, v) = app
            .post_raw("/api/report", Some(&auth), r#"{"title": "#)
            .await;
        assert_eq!(
            (status, v["status"].clone()),
            (StatusCode::BAD_REQUEST, json!(1))
        );
        let after = (
            app.scalar("SELECT COUNT(*) FROM report").await,
            app.scalar("SELECT COUNT(*) FROM report_whitelist").await,
        );
        assert_eq!(before, after);
    })
    .await;
}

#[tokio::test]
async fn whitelist_answers_the_seed() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let row1 = json!({ "id": 1, "given_user": "朱思嘉", "given_position": "php", "given_company": "爱集微", "mobile": "18343819907",
            "read_count": 200, "residue_count": 100, "last_modify_author": "朱思嘉", "updated_at": "2020-07-23 09:00:00", "state": 0 });
        let row2 = json!({ "id": 2, "given_user": "史蒂夫", "given_position": "php", "given_company": "爱集微", "mobile": "18343819908",
            "read_count": 200, "residue_count": 0, "last_modify_author": "朱思嘉", "updated_at": "2020-07-23 09:00:00", "state": 0 });
        // The seed's report-1 customers, whitelisted by `test` (the seed's example search).
        let customer = |id: i64, user: &str, mobile: &str, read: i64, residue: i64| json!({ "id": id, "given_user": user, "given_position": "",
            "given_company": "", "mobile": mobile, "read_count": read, "residue_count": residue, "last_modify_author": "test",
            "updated_at": "2020-07-23 09:00:00", "state": 0 });
        let rows = [row1.clone(), row2, customer(3, "王强", "133422898123", 150, 100), customer(4, "李刚", "133422892109", 300, 200)];
        let page = json!({ "current_page": 1, "last_page": 1, "per_page": 20, "total": 4, "data": rows });
        assert_eq!(app.get("/api/report/1/white", Some(&auth)).await, (StatusCode::OK, json!({ "status": 0, "data": page.clone(), "date": page })));
        // search: mobile, nickname, company or last modifier.
        for (q, n) in [("19907", 1), ("%E5%8F%B2", 1), ("%E7%88%B1%E9%9B%86", 2), ("%E6%9C%B1%E6%80%9D", 2), ("test", 2)] {
            let (_, v) = app.get(&format!("/api/report/1/white?search={q}"), Some(&auth)).await;
            assert_eq!(v["data"]["total"], n, "{q}");
        }
        assert_eq!(
            app.get("/api/report/37/white/36", Some(&auth)).await,
            (StatusCode::OK, json!({ "status": 0, "data": { "id": 36, "given_user": "朱思嘉", "given_position": "php",
                "given_company": "爱集微", "mobile": "18434819907", "read_count": 0, "residue_count": 0, "state": 0 } }))
        );
        assert_eq!(app.get("/api/report/1/white/36", Some(&auth)).await.0, StatusCode::NOT_FOUND);
        let (status, v) = app.post_json("/api/report/1/white", Some(&auth),
            json!({ "given_user": "朱思嘉", "given_position": "php", "given_company": "爱集微", "read_count": 100, "mobile": 18434819907_i64 })).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let new_id = v["data"]["id"].as_i64().unwrap();
        assert_eq!(v, json!({ "status": 0, "data": { "id": new_id }, "date": { "id": new_id } }));
        let (status, v) = app.post_json("/api/report/1/white", Some(&auth), json!({ "read_count": 1, "mobile": "18434819907" })).await;
        assert_eq!((status, v["status"].clone()), (StatusCode::BAD_REQUEST, json!(1)), "a mobile once per report");
        let (status, v) = app.post_json("/api/report/1/white", Some(&auth), json!({ "mobile": "1843" })).await;
        assert_eq!((status, v["status"].clone()), (StatusCode::BAD_REQUEST, json!(1)));
        // Edit: recorded as the caller, state disables.
        let (status, v) = app.send(Method::PUT, "/api/report/1/white/1", Some(&auth), Some("application/json"),
            r#"{"given_user":"朱思嘉","given_position":"php","given_company":"爱集微","residue_count":100,"state":1}"#.as_bytes().to_vec()).await.into_pair();
        assert_eq!((status, v), (StatusCode::OK, json!({ "status": 0, "data": { "id": 1 }, "date": { "id": 1 } })));
        let (_, list) = app.get("/api/report/1/white?search=zhusj", Some(&auth)).await;
        let edited = &list["data"]["data"][0];
        assert_eq!((edited["id"].clone(), edited["state"].clone(), edited["last_modify_author"].clone()), (json!(1), json!(1), json!("zhusj")));
        assert_ne!(edited["updated_at"], "2020-07-23 09:00:00");
        let (status, _) = app.send(Method::PUT, "/api/report/1/white/1", Some(&auth), Some("application/json"), br#"{"state":3}"#.to_vec()).await.into_pair();
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn whitelist_import_counts_exactly_and_is_idempotent() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let file = workbook(&[
            vec!["昵称", "职位", "公司", "电话", "阅读次数"],
            vec!["甲", "php", "爱集微", "13900000001", "10"],
            vec!["乙", "go", "爱集微", "13900000002", "20"],
            vec!["甲again", "php", "爱集微", "13900000001", "10"],
            vec!["已在", "php", "爱集微", "18343819907", "5"],
            vec!["", "", "", "", ""],
            vec!["坏号", "php", "爱集微", "12ab", "5"],
            vec!["坏数", "php", "爱集微", "13900000003", "-4"],
        ]);
        let (status, body) = upload(&app, "/api/report/1/excel", &auth, &file).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected = json!({ "total": 6, "success": 2, "repeat": 2, "error": 2, "errors": [
            { "row": 7, "reason": "电话格式错误: \"12ab\"" }, { "row": 8, "reason": "阅读次数必须是非负整数: \"-4\"" } ] });
        assert_eq!(body, json!({ "status": 0, "data": expected.clone(), "date": expected }));
        // The demo's four entries and the two new mobiles.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM report_whitelist WHERE report_id = 1").await, 6);
        assert_eq!(app.scalar("SELECT residue_count FROM report_whitelist WHERE mobile = '13900000002'").await, 20);
        let (_, again) = upload(&app, "/api/report/1/excel", &auth, &file).await;
        assert_eq!(again["data"], json!({ "total": 6, "success": 0, "repeat": 4, "error": 2, "errors": expected["errors"] }));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM report_whitelist WHERE report_id = 1").await, 6);
        // Convert reads without saving.
        let (status, conv) = upload(&app, "/api/white/example", &auth, &file).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(conv["data"][0], json!({ "given_user": "甲", "given_position": "php", "given_company": "爱集微", "mobile": "13900000001", "read_count": 10 }));
        assert_eq!(conv["data"].as_array().unwrap().len(), 4);
        assert_eq!(conv["errors"].as_array().unwrap().len(), 2);
        // The template is a sheet the importer takes.
        let (status, headers, template) = app.get_bytes("/api/white/example", &auth).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let rows = sheet_rows(template.clone());
        assert_eq!(rows[0], vec![json!("昵称"), json!("职位"), json!("公司"), json!("电话"), json!("阅读次数")]);
        let (_, imported) = upload(&app, "/api/report/37/excel", &auth, &template).await;
        assert_eq!(imported["data"]["total"], 1);
        assert_eq!(imported["data"]["repeat"], 1, "the template's example mobile is already on report 37");
    })
    .await;
}

/// A zip whose one part is 50 MB of zeros: what a zip bomb looks like to the pre-check.
fn zip_bomb() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..50 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[tokio::test]
async fn whitelist_import_refuses_bad_files_and_writes_nothing() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let good = workbook(&[
            vec!["昵称", "电话", "阅读次数"],
            vec!["a", "13900000009", "1"],
        ]);
        let no_headers = workbook(&[vec!["name", "phone"], vec!["a", "13900000009"]]);
        let mut oversized = good.clone();
        oversized.resize(10 * 1024 * 1024 + 1, 0);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("text", b"given_user,mobile\na,139".to_vec()),
            ("truncated", good[..good.len() / 2].to_vec()),
            ("headers", no_headers),
            ("bomb", zip_bomb()),
            ("oversized", oversized),
            ("empty", Vec::new()),
        ];
        let before = app.scalar("SELECT COUNT(*) FROM report_whitelist").await;
        for (name, bytes) in cases {
            let (status, body) = upload(&app, "/api/report/1/excel", &auth, &bytes).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
            assert_eq!(body["status"], 1, "{name}");
            assert!(body["errors"]["file"].is_string(), "{name}: {body}");
        }
        // Not multipart at all.
        let (status, body) = app
            .post_json("/api/report/1/excel", Some(&auth), json!({}))
            .await;
        assert_eq!(
            (status, body["status"].clone()),
            (StatusCode::BAD_REQUEST, json!(1))
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM report_whitelist").await,
            before
        );
        let (status, _) = upload(&app, "/api/report/999/excel", &auth, &good).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn whitelist_export_reads_back_in_every_id_form() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        app.post_json("/api/report/1/white", Some(&auth), json!({ "given_user": "=1+1", "given_company": "@cmd", "read_count": 3, "mobile": "13911112222" })).await;
        let (_, list) = app.get("/api/report/1/white?limit=100", Some(&auth)).await;
        let entries = list["data"]["data"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 5, "the demo's four entries and the new one");
        let expect = |rows: &[Value]| -> Vec<Vec<Value>> {
            rows.iter().map(|e| ["id", "given_user", "given_position", "given_company", "mobile", "read_count", "residue_count", "state", "last_modify_author", "updated_at"]
                .iter().map(|k| match &e[*k] { Value::Number(n) => json!(n.as_f64().unwrap()), other => other.clone() }).collect()).collect()
        };
        for (query, wanted) in [
            ("", entries.clone()),
            ("?id=[1,2]", entries[..2].to_vec()),
            ("?id=%5B1%2C2%5D", entries[..2].to_vec()),
            ("?id=1,2", entries[..2].to_vec()),
            ("?id[]=1&id[]=2", entries[..2].to_vec()),
            ("?id%5B%5D=2", entries[1..2].to_vec()),
        ] {
            let (status, headers, bytes) = app.get_bytes(&format!("/api/report/1/excel{query}"), &auth).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            assert!(headers["content-disposition"].to_str().unwrap().contains("whitelist-1.xlsx"));
            let rows = sheet_rows(bytes);
            assert_eq!(rows[0][0], "ID");
            assert_eq!(rows[1..].to_vec(), expect(&wanted), "{query}");
        }
        let (status, body) = app.get("/api/report/1/excel?id=abc", Some(&auth)).await;
        assert_eq!((status, body["status"].clone()), (StatusCode::BAD_REQUEST, json!(1)));
    })
    .await;
}

fn hmac_b64(secret: &str, data: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn qiniu_tokens_urls_and_copies() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let now = chrono::Utc::now().timestamp();
        for (query, bucket) in [
            ("", "jiwei-market"),
            ("?type=default", "jiwei-market"),
            ("?type=private", "jiwei-private"),
        ] {
            let (status, body) = app
                .get(&format!("/api/qiniu/token{query}"), Some(&auth))
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body.as_object().unwrap().keys().collect::<Vec<_>>(),
                vec!["status", "qiniu_token"]
            );
            let token = body["qiniu_token"].as_str().unwrap();
            let parts: Vec<&str> = token.split(':').collect();
            assert_eq!(parts[0], "abcdefghklmnopq");
            assert_eq!(
                parts[1],
                hmac_b64("1234567890", parts[2]),
                "HMAC-SHA1 of the encoded policy"
            );
            let policy: Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE
                    .decode(parts[2])
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(policy["scope"], bucket);
            let deadline = policy["deadline"].as_i64().unwrap();
            assert!((now + 3590..=now + 3610).contains(&deadline));
        }
        let (status, body) = app.get("/api/qiniu/token?type=public", Some(&auth)).await;
        assert_eq!(
            (status, body["status"].clone()),
            (StatusCode::BAD_REQUEST, json!(1))
        );
        let (status, body) = app
            .get(
                "/api/report/downloadurl?report_name=02_SHELL%E7%BC%96%E7%A8%8B.pdf",
                Some(&auth),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let url = body["data"].as_str().unwrap();
        let (signed, token) = url.split_once("&token=").unwrap();
        assert!(signed
            .starts_with("https://privte.laoyaoba.com/uploads/02_SHELL%E7%BC%96%E7%A8%8B.pdf?e="));
        assert_eq!(
            token,
            format!("abcdefghklmnopq:{}", hmac_b64("1234567890", signed))
        );
        for bad in ["", "?report_name=../secret.pdf"] {
            let (status, body) = app
                .get(&format!("/api/report/downloadurl{bad}"), Some(&auth))
                .await;
            assert_eq!(
                (status, body["status"].clone()),
                (StatusCode::BAD_REQUEST, json!(1)),
                "{bad}"
            );
        }
        // Copy from the public bucket to the private one, through the storage backend.
        let storage = &app.state.core.storage;
        storage
            .put("jiwei-market", "reports/a.pdf", b"pdf".to_vec())
            .await
            .unwrap();
        assert_eq!(
            app.get("/api/qiniu/copyfile?key=reports/a.pdf", Some(&auth))
                .await,
            (
                StatusCode::OK,
                json!({ "status": 0, "data": { "message": "File copied successfully" } })
            )
        );
        assert_eq!(
            storage.get("jiwei-private", "reports/a.pdf").await.unwrap(),
            Some(b"pdf".to_vec())
        );
        assert_eq!(
            app.get("/api/qiniu/copyfile?key=missing.pdf", Some(&auth))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/qiniu/copyfile", Some(&auth)).await.0,
            StatusCode::BAD_REQUEST
        );
    })
    .await;
}

#[tokio::test]
async fn every_report_route_needs_a_token_and_its_code() {
    each_db(|app| async move {
        let routes: &[(&str, &str, &str)] = &[
            ("GET", "/api/report", "PAYMENT_REPORT_LIST"),
            ("POST", "/api/report", "PAYMENT_REPORT_ADD"),
            ("GET", "/api/report/1", "PAYMENT_REPORT_INFO"),
            ("PUT", "/api/report/1", "PAYMENT_REPORT_MODIFY"),
            ("DELETE", "/api/report/1", "PAYMENT_REPORT_DELETE"),
            ("GET", "/api/report/1/white", "REPORT_WHITE_LIST"),
            ("POST", "/api/report/1/white", "REPORT_WHITE_ADD"),
            ("GET", "/api/report/37/white/36", "REPORT_WHITE_INFO"),
            ("PUT", "/api/report/1/white/1", "REPORT_WHITE_EDIT"),
            ("POST", "/api/report/1/excel", "REPORT_WHITE_IMPORT"),
            ("GET", "/api/report/1/excel", "REPORT_WHITE_EXPORT"),
            ("GET", "/api/white/example", "WHITE_LIST_EXAMPLE"),
            ("POST", "/api/white/example", "WHITE_EXPORT_CONVERT"),
            ("GET", "/api/report/downloadurl?report_name=a.pdf", "GET_REPORT_DOWNLOADURL"),
            ("GET", "/api/qiniu/token", "GET_QINIU_TOKEN"),
            ("GET", "/api/qiniu/copyfile?key=a.pdf", "GET_QINIU_TOKEN"),
        ];
        // A role holding every code but the route's: 403 on that route only.
        let now = chrono::Utc::now().timestamp();
        let expired = {
            use sea_orm::EntityTrait;
            let secret = entity::setting::Entity::find_by_id("jwt_secret").one(&app.state.core.db).await.unwrap().unwrap().value;
            let claims = json!({ "aud": 1, "iss": "opsgraph-development", "sub": "opsgraph_staff", "iat": now - 90_000, "exp": now - 3_600 });
            format!("Bearer {}", jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap()).unwrap())
        };
        let mut n = 0;
        for (method, path, code) in routes {
            n += 1;
            let (s, _, body) = app.send(method.parse().unwrap(), path, None, Some("application/json"), b"{}".to_vec()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert_eq!(body["status"], 1);
            let (s, _, _) = app.send(method.parse().unwrap(), path, Some(&expired), Some("application/json"), b"{}".to_vec()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "expired on {method} {path}");
            let (s, _, _) = app.send(method.parse().unwrap(), path, Some(MEMBER), Some("application/json"), b"{}".to_vec()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "member on {method} {path}");
            let role = format!("all_but_{n}");
            app.exec(&format!("INSERT INTO role (name, superuser) VALUES ('{role}', false)")).await;
            let role_id = app.scalar(&format!("SELECT id FROM role WHERE name = '{role}'")).await;
            for p in opsgraph::auth::Permission::ALL.iter().filter(|p| p.code() != *code) {
                app.exec(&format!("INSERT INTO role_permission (role_id, code) VALUES ({role_id}, '{}')", p.code())).await;
            }
            let staff = opsgraph::auth::service::create_staff(&app.state.core.db, &role, opsgraph::auth::password::hash("secret1".into()).await.unwrap(), None, "", role_id as i32).await.unwrap();
            let key = opsgraph::auth::service::create_api_key(&app.state.core.db, Some(staff.id), None).await.unwrap();
            let (s, _, body) = app.send(method.parse().unwrap(), path, Some(&format!("Token {key}")), Some("application/json"), b"{}".to_vec()).await;
            assert_eq!((s, body), (StatusCode::FORBIDDEN, json!({ "status": 1, "error": "权限不足,没有调用权限", "errors": {} })), "without {code}: {method} {path}");
        }
    })
    .await;
}

#[tokio::test]
async fn big_lists_far_cells_and_china_time() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // A create with thousands of entries (written in batches), one of them repeated.
        let mut entries: Vec<Value> = (0..4000).map(|i| json!({ "mobile": format!("1380000{i:04}"), "read_count": 3 })).collect();
        entries.push(json!({ "mobile": "13800000000", "read_count": 9 }));
        let body = json!({ "title": "大名单", "cover": "c.png", "intro": "i", "directory": "d",
            "file": { "file_name": "f", "src": "f.pdf", "format": "pdf", "size": 1 }, "price": 1, "read_count": 3,
            "status": 1, "white_list": entries });
        let (status, created) = app.post_json("/api/report", Some(&auth), body).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let id = created["data"]["id"].as_i64().unwrap();
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM report_whitelist WHERE report_id = {id}")).await, 4000);
        assert_eq!(app.scalar(&format!("SELECT read_count FROM report_whitelist WHERE report_id = {id} AND mobile = '13800000000'")).await, 3, "the first of a repeat wins");
        // Another 2,000 in SQL: 6,000 rows export over two pages (5,000 a page), every row
        // once, in id order, read back by an independent reader.
        let values: Vec<String> = (4000..6000)
            .map(|i| format!("({id}, 'u', 'p', 'c', '1380000{i:04}', 1, 1, 0, '', '2022-01-01 00:00:00', '2022-01-01 00:00:00')"))
            .collect();
        app.exec(&format!(
            "INSERT INTO report_whitelist (report_id, given_user, given_position, given_company, mobile, read_count, residue_count, state, last_modify_author, created_at, updated_at) VALUES {}",
            values.join(", ")
        ))
        .await;
        let (status, _, file) = app.get_bytes(&format!("/api/report/{id}/excel"), &auth).await;
        assert_eq!(status, StatusCode::OK);
        let rows = sheet_rows(file);
        assert_eq!(rows.len(), 6001, "the header and every row");
        let mobiles: std::collections::HashSet<&str> = rows[1..].iter().map(|r| r[4].as_str().unwrap()).collect();
        assert_eq!(mobiles.len(), 6000, "no row twice, none missing");
        let ids: Vec<f64> = rows[1..].iter().map(|r| r[0].as_f64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
        // On sale now: the publish time is now in China time, as clients read it.
        let (_, detail) = app.get(&format!("/api/report/{id}"), Some(&auth)).await;
        let published = chrono::NaiveDateTime::parse_from_str(detail["data"]["publish_time"].as_str().unwrap(), "%Y-%m-%d %H:%M:%S").unwrap();
        let china_now = (chrono::Utc::now() + chrono::Duration::hours(8)).naive_utc();
        assert!((china_now - published).num_seconds().abs() < 120, "{published} vs {china_now}");
        // A sheet whose one far cell would span a grid of billions is refused, not allocated.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "电话").unwrap();
        sheet.write_string(0, 1, "阅读次数").unwrap();
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
        let far = book.save_to_buffer().unwrap();
        let (status, body) = upload(&app, "/api/report/1/excel", &auth, &far).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["error"].as_str().unwrap().contains("表格过大"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn import_whitelist_over_the_graphql_multipart_spec() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let file = workbook(&[vec!["电话", "阅读次数"], vec!["13911110001", "4"], vec!["13911110002", "5"]]);
        let boundary = "gql-multipart-boundary";
        let mut body = Vec::new();
        let part = |body: &mut Vec<u8>, name: &str, extra: &str, content: &[u8]| {
            write!(body, "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n").unwrap();
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        let operations = json!({
            "query": "mutation ($file: Upload!) { importWhitelist(reportId: 37, file: $file) { total success repeat error } }",
            "variables": { "file": null }
        });
        part(&mut body, "operations", "", operations.to_string().as_bytes());
        part(&mut body, "map", "", br#"{"0": ["variables.file"]}"#);
        part(&mut body, "0", "; filename=\"w.xlsx\"\r\nContent-Type: application/octet-stream", &file);
        write!(body, "--{boundary}--\r\n").unwrap();
        let (status, _, v) = app
            .send(Method::POST, "/graphql", Some(&auth), Some(&format!("multipart/form-data; boundary={boundary}")), body)
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v, json!({ "data": { "importWhitelist": { "total": 2, "success": 2, "repeat": 0, "error": 0 } } }));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM report_whitelist WHERE report_id = 37").await, 3);
    })
    .await;
}
