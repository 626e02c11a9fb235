//! The payer CRM (`kids-coding-payers.txt`), URL by URL, as its curls use it.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, STAFF};

/// The seed's first payer-list result (pk 98), as the demo holds it.
fn payer_98() -> Value {
    json!({
        "pk": 98, "owner": "12345678900", "name": "昵称",
        "avatar": "https://static1.bcjiaoyu.com/head1@3x.png", "age": 0, "points": 0,
        "lesson_total": 0, "is_seller": false, "commission": "0.00", "my_seller": null,
        "remark": null, "teacher": { "owner": "12345", "pk": 108 },
        "student": { "pk": 92, "owner": "12345", "name": "", "nickname": "", "avatar": "",
                     "sex": "S", "birthday": null },
        "identity": "student", "is_pay": true, "is_bind": false, "bind_account": "tester003",
        "group_info": { "status": 3, "status_display": "未组队有资格" }, "star": false,
        "realname": null, "city": null, "learn_extent": null, "follow_up": null,
        "follow_up_display": null, "deep_consume": null, "deep_consume_display": null,
        "sex": null, "sex_display": null
    })
}

/// The seed's payer_update answer.
fn tester001_updated() -> Value {
    json!({
        "pk": 1, "owner": "tester001", "name": "001tester", "avatar": "http://test.png",
        "age": 100, "points": 0, "lesson_total": 0, "is_seller": false, "commission": "0.00",
        "my_seller": null, "remark": "备注备注", "teacher": { "owner": "tester001", "pk": 2 },
        "student": { "pk": 1, "owner": "tester001", "name": "tester", "nickname": "test",
                     "avatar": "http://test.png", "sex": "S", "birthday": null },
        "identity": null, "is_pay": true, "is_bind": false,
        "bind_account": "o-Iae4g9R2hdZNt0VMXWTrvb510Q",
        "group_info": { "status": 3, "status_display": "未组队有资格" }, "star": false,
        "realname": "真实姓名", "city": "城市", "learn_extent": null, "follow_up": "one2one",
        "follow_up_display": "购买一对一", "deep_consume": "5_class_bag",
        "deep_consume_display": "5课时课时包", "sex": "male", "sex_display": "男"
    })
}

const SEED_UPDATE: &str = r#"{ "username": "tester001", "star": false, "realname": "真实姓名", "age":100, "sex": "male", "city": "城市", "remark": "备注备注", "follow_up": "one2one", "deep_consume": "5_class_bag"}"#;

#[tokio::test]
async fn payer_list_answers_the_seed_shape() {
    each_db(|app| async move {
        let (status, body) = app
            .get("/server/userinfo/payer_list/?page_size=2", Some(STAFF))
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.name());
        let second = body["results"][1].clone();
        assert_eq!(second["pk"], 97);
        assert_eq!(
            body,
            json!({
                "count": 39,
                "next": "http://localhost:8000/server/userinfo/payer_list/?page=2&page_size=2",
                "previous": null,
                "results": [payer_98(), second],
            })
        );
        // Every key of the seed's example, on every row, in the seed's order (nested objects too):
        // `Value`'s equality ignores the order, its text does not.
        let text = |v: &Value| v.to_string();
        assert_eq!(text(&body["results"][0]), text(&payer_98()));
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        for row in body["results"].as_array().unwrap() {
            assert_eq!(keys(row), keys(&payer_98()));
        }
        assert_eq!(keys(&body), ["count", "next", "previous", "results"]);
    })
    .await;
}

#[tokio::test]
async fn payer_list_pages_link_both_ways_and_keep_filters() {
    each_db(|app| async move {
        let (_, page2) = app
            .get(
                "/server/userinfo/payer_list/?page=2&page_size=10&star=false",
                Some(STAFF),
            )
            .await;
        let starred_false = app
            .scalar("SELECT COUNT(*) FROM user_info WHERE is_pay = true AND star = false")
            .await;
        assert_eq!(page2["count"], starred_false);
        assert_eq!(
            page2["previous"],
            "http://localhost:8000/server/userinfo/payer_list/?page_size=10&star=false"
        );
        assert_eq!(
            page2["next"],
            "http://localhost:8000/server/userinfo/payer_list/?page=3&page_size=10&star=false"
        );
        let (_, page3) = app
            .get(
                "/server/userinfo/payer_list/?page=3&page_size=10&star=false",
                Some(STAFF),
            )
            .await;
        assert_eq!(
            page3["previous"],
            "http://localhost:8000/server/userinfo/payer_list/?page=2&page_size=10&star=false"
        );
        // Default page size is 10, a larger one is capped at 100, a bad one falls back.
        for (query, len) in [
            ("", 10),
            ("?page_size=1000", 39),
            ("?page_size=0", 10),
            ("?page_size=x", 10),
        ] {
            let (status, body) = app
                .get(&format!("/server/userinfo/payer_list/{query}"), Some(STAFF))
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["results"].as_array().unwrap().len(), len, "{query}");
        }
        // Pages past the end, and pages that are not positive numbers, are DRF's 404.
        for query in ["?page=5", "?page=0", "?page=abc"] {
            let (status, body) = app
                .get(&format!("/server/userinfo/payer_list/{query}"), Some(STAFF))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{query}");
            assert_eq!(body, json!({ "detail": "Invalid page." }));
        }
    })
    .await;
}

/// The pks a filtered list answers, all on one page.
async fn pks(app: &TestApp, query: &str) -> Vec<i64> {
    let (status, body) = app
        .get(
            &format!("/server/userinfo/payer_list/?page_size=100&{query}"),
            Some(STAFF),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let pks: Vec<i64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pk"].as_i64().unwrap())
        .collect();
    assert_eq!(body["count"], pks.len(), "{query}");
    pks
}

/// The ids an SQL query answers, newest first.
async fn ids(app: &TestApp, sql_where: &str) -> Vec<i64> {
    let n = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM user_info WHERE is_pay = true AND {sql_where}"
        ))
        .await;
    let mut out = Vec::new();
    for offset in 0..n {
        out.push(
            app.scalar(&format!(
                "SELECT id FROM user_info WHERE is_pay = true AND {sql_where} ORDER BY id DESC LIMIT 1 OFFSET {offset}"
            ))
            .await,
        );
    }
    out
}

#[tokio::test]
async fn payer_list_filters() {
    each_db(|app| async move {
        // kw: owner, name, realname, bind_account and the WeChat nickname, case-insensitive.
        assert_eq!(pks(&app, "kw=12345678").await, vec![98]);
        assert_eq!(pks(&app, "kw=沈乐").await, vec![97]);
        assert_eq!(pks(&app, "kw=TESTER003").await, vec![98]);
        assert_eq!(pks(&app, "kw=o-iae4g9").await, vec![1]);
        let by_nick = ids(&app, "student_id IN (SELECT id FROM student WHERE nickname = 'Python_Kid')").await;
        assert!(!by_nick.is_empty());
        assert_eq!(pks(&app, "kw=python_kid").await, by_nick);
        app.exec("UPDATE user_info SET realname = '欧阳娜娜' WHERE id = 70").await;
        assert_eq!(pks(&app, "kw=欧阳").await, vec![70]);
        // Keywords too short for the trigram indexes are tested row by row: the same five
        // fields, case-insensitive (a nickname, then phones).
        for kw in ["ki", "38"] {
            let five = format!(
                "(lower(owner) LIKE '%{kw}%' OR lower(name) LIKE '%{kw}%' \
                 OR lower(realname) LIKE '%{kw}%' OR lower(bind_account) LIKE '%{kw}%' \
                 OR student_id IN (SELECT id FROM student WHERE lower(nickname) LIKE '%{kw}%'))"
            );
            let expected = ids(&app, &five).await;
            assert!(!expected.is_empty(), "{kw}");
            assert_eq!(pks(&app, &format!("kw={}", kw.to_uppercase())).await, expected, "{kw}");
        }
        // LIKE wildcards in the keyword are plain characters.
        assert_eq!(pks(&app, "kw=%25").await, Vec::<i64>::new());
        assert_eq!(pks(&app, "kw=1_3").await, Vec::<i64>::new());
        // star, in each spelling DRF accepts.
        let starred = ids(&app, "star = true").await;
        assert!(!starred.is_empty());
        for spelling in ["True", "true", "1"] {
            assert_eq!(pks(&app, &format!("star={spelling}")).await, starred);
        }
        for spelling in ["False", "false", "0"] {
            assert_eq!(pks(&app, &format!("star={spelling}")).await, ids(&app, "star = false").await);
        }
        // course and extent.
        assert_eq!(
            pks(&app, "course=1").await,
            ids(&app, "id IN (SELECT user_info_id FROM course_enrollment WHERE course_id = 1)").await
        );
        assert_eq!(pks(&app, "extent=Python").await, ids(&app, "learn_extent = 'Python'").await);
        assert_eq!(pks(&app, "course=999").await, Vec::<i64>::new());
        // The seed's own combination.
        assert_eq!(
            pks(&app, "kw=138&star=True&course=1&extent=Python").await,
            ids(&app, "owner LIKE '%138%' AND star = true AND learn_extent = 'Python' AND id IN (SELECT user_info_id FROM course_enrollment WHERE course_id = 1)").await
        );
        // Bad values are field errors.
        for (query, field, message) in [
            ("star=maybe", "star", "Must be a valid boolean."),
            ("course=abc", "course", "A valid integer is required."),
            ("course=99999999999", "course", "A valid integer is required."),
        ] {
            let (status, body) = app
                .get(&format!("/server/userinfo/payer_list/?{query}"), Some(STAFF))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(body, json!({ field: [message] }));
        }
    })
    .await;
}

#[tokio::test]
async fn payer_update_answers_the_seed_example() {
    each_db(|app| async move {
        // As the seed's curl sends it: `-d` without a content type.
        let (status, body) = app
            .post_raw("/server/userinfo/payer_update/", Some(STAFF), SEED_UPDATE)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, tester001_updated());
        // And it stuck.
        let (_, list) = app
            .get("/server/userinfo/payer_list/?kw=tester001", Some(STAFF))
            .await;
        assert_eq!(list["results"][0], tester001_updated());
    })
    .await;
}

#[tokio::test]
async fn payer_update_is_partial_and_clears_with_null() {
    each_db(|app| async move {
        app.post_raw("/server/userinfo/payer_update/", Some(STAFF), SEED_UPDATE).await;
        // A form-encoded section edit changes only its fields.
        let (status, body) = app
            .post_raw(
                "/server/userinfo/payer_update/",
                Some(STAFF),
                "username=tester001&star=True&follow_up=consider",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut expected = tester001_updated();
        expected["star"] = json!(true);
        expected["follow_up"] = json!("consider");
        expected["follow_up_display"] = json!("考虑中");
        assert_eq!(body, expected);
        // JSON null clears a nullable field and its label.
        let (_, body) = app
            .post_json(
                "/server/userinfo/payer_update/",
                Some(STAFF),
                json!({ "username": "tester001", "deep_consume": null, "sex": "female", "age": "12" }),
            )
            .await;
        expected["deep_consume"] = Value::Null;
        expected["deep_consume_display"] = Value::Null;
        expected["sex"] = json!("female");
        expected["sex_display"] = json!("女");
        expected["age"] = json!(12);
        assert_eq!(body, expected);
    })
    .await;
}

#[tokio::test]
async fn payer_update_refuses_bad_input_and_writes_nothing() {
    each_db(|app| async move {
        let before = app
            .get("/server/userinfo/payer_list/?kw=tester001", Some(STAFF))
            .await
            .1;
        let cases: Vec<(&str, StatusCode, Value)> = vec![
            (r#"{"username":"tester001","follow_up":"later","star":true}"#, StatusCode::BAD_REQUEST,
             json!({"follow_up": ["\"later\" is not a valid choice."]})),
            (r#"{"username":"tester001","deep_consume":"7_class_bag","star":true}"#, StatusCode::BAD_REQUEST,
             json!({"deep_consume": ["\"7_class_bag\" is not a valid choice."]})),
            (r#"{"username":"tester001","sex":"M","star":true}"#, StatusCode::BAD_REQUEST,
             json!({"sex": ["\"M\" is not a valid choice."]})),
            (r#"{"username":"tester001","age":"old","star":true}"#, StatusCode::BAD_REQUEST,
             json!({"age": ["A valid integer is required."]})),
            (r#"{"username":"tester001","age":-1,"star":true}"#, StatusCode::BAD_REQUEST,
             json!({"age": ["Ensure this value is between 0 and 150."]})),
            (r#"{"username":"tester001","star":"maybe"}"#, StatusCode::BAD_REQUEST,
             json!({"star": ["Must be a valid boolean."]})),
            (r#"{"username":"tester001","star":null}"#, StatusCode::BAD_REQUEST,
             json!({"star": ["This field may not be null."]})),
            (r#"{"star":true}"#, StatusCode::BAD_REQUEST,
             json!({"username": ["This field is required."]})),
            (r#"{"username":"nobody","star":true}"#, StatusCode::NOT_FOUND,
             json!({"detail": "Not found."})),
            (r#"{"username":"13900000000","star":true}"#, StatusCode::NOT_FOUND,
             json!({"detail": "Not found."})),
            (r#"["username"]"#, StatusCode::BAD_REQUEST,
             json!({"detail": "Invalid data. Expected a dictionary, but got a list or a scalar."})),
        ];
        for (body, status, expected) in cases {
            let (got_status, got) = app
                .post_raw("/server/userinfo/payer_update/", Some(STAFF), body)
                .await;
            assert_eq!((got_status, got), (status, expected), "{body}");
        }
        let (status, body) = app
            .post_raw("/server/userinfo/payer_update/", Some(STAFF), r#"{"username": "tester001", "star": tr"#)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["detail"].as_str().unwrap().starts_with("JSON parse error"), "{body}");
        let after = app
            .get("/server/userinfo/payer_list/?kw=tester001", Some(STAFF))
            .await
            .1;
        assert_eq!(before, after, "a refused update wrote something");
    })
    .await;
}

#[tokio::test]
async fn visit_records_answer_the_seed_example() {
    each_db(|app| async move {
        let (status, body) = app
            .get("/server/userinfo/visit_records/?contact=tester001", Some(STAFF))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "count": 2, "next": null, "previous": null, "results": [
                { "pk": 2, "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-05-05" },
                { "pk": 1, "contact": "tester001", "detail": "访问内容详情", "visit_time": null }
            ]})
        );
        let (_, none) = app
            .get("/server/userinfo/visit_records/?contact=nobody", Some(STAFF))
            .await;
        assert_eq!(none, json!({ "count": 0, "next": null, "previous": null, "results": [] }));
        let (status, body) = app.get("/server/userinfo/visit_records/", Some(STAFF)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, json!({ "contact": ["This field is required."] }));
    })
    .await;
}

#[tokio::test]
async fn visit_record_create_answers_the_seed_example() {
    each_db(|app| async move {
        let (status, body) = app
            .post_raw(
                "/server/userinfo/visit_record_create/",
                Some(STAFF),
                r#"{ "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-5-5"}"#,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            body,
            json!({ "pk": 3, "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-05-05" })
        );
        let (_, list) = app
            .get("/server/userinfo/visit_records/?contact=tester001", Some(STAFF))
            .await;
        assert_eq!(list["count"], 3);
        assert_eq!(list["results"][0], body);
        // Only the contact is required.
        let (status, body) = app
            .post_raw("/server/userinfo/visit_record_create/", Some(STAFF), "contact=13800000000")
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body, json!({ "pk": 4, "contact": "13800000000", "detail": null, "visit_time": null }));
    })
    .await;
}

#[tokio::test]
async fn visit_record_create_refuses_bad_input_and_writes_nothing() {
    each_db(|app| async move {
        for (body, expected) in [
            (r#"{"detail":"x"}"#, json!({"contact": ["This field is required."]})),
            (r#"{"contact":"  "}"#, json!({"contact": ["This field may not be blank."]})),
            (r#"{"contact":null}"#, json!({"contact": ["This field may not be null."]})),
            (r#"{"contact":"a","visit_time":"2018-02-30"}"#,
             json!({"visit_time": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]})),
            (r#"{"contact":"a","visit_time":"yesterday"}"#,
             json!({"visit_time": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]})),
            (r#"{"contact":"a","visit_time":20180505}"#,
             json!({"visit_time": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]})),
        ] {
            let (status, got) = app
                .post_raw("/server/userinfo/visit_record_create/", Some(STAFF), body)
                .await;
            assert_eq!((status, got), (StatusCode::BAD_REQUEST, expected), "{body}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM visit_record").await, 2);
    })
    .await;
}

#[tokio::test]
async fn keyword_search_follows_every_change() {
    each_db(|app| async move {
        // A change through the API: the new real name is found, the old one no longer.
        let (status, _) = app
            .post_json("/server/userinfo/payer_update/", Some(STAFF), json!({ "username": "12345678900", "realname": "司马相如" }))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(pks(&app, "kw=司马相").await, vec![98]);
        app.post_json("/server/userinfo/payer_update/", Some(STAFF), json!({ "username": "12345678900", "realname": "东方朔" }))
            .await;
        assert_eq!(pks(&app, "kw=司马相").await, Vec::<i64>::new());
        assert_eq!(pks(&app, "kw=东方朔").await, vec![98]);
        // Changes made in SQL (another program's): a student's nickname, a new paid user.
        app.exec("UPDATE student SET nickname = 'Night_Owl' WHERE id = (SELECT student_id FROM user_info WHERE id = 98)").await;
        assert_eq!(pks(&app, "kw=night_o").await, vec![98], "case-insensitive, across the join");
        app.exec(
            "INSERT INTO user_info (owner, name, avatar, age, points, lesson_total, is_seller, commission_cents, \
             is_pay, is_bind, bind_account, group_status, star, created_at) \
             VALUES ('19912345678', '新来的', '', 1, 0, 0, false, 0, true, false, 'wx_new', 3, false, '2024-01-01 00:00:00')",
        )
        .await;
        let id = app.scalar("SELECT id FROM user_info WHERE owner = '19912345678'").await;
        assert_eq!(pks(&app, "kw=9123456").await, vec![id]);
        assert_eq!(pks(&app, "kw=新来").await, vec![id], "two characters: matched without the index");
        app.exec(&format!("DELETE FROM user_info WHERE id = {id}")).await;
        // That filter's total was counted before; another program's write reaches it after
        // OPSGRAPH_COUNT_CACHE_SECS, which the test does not wait out.
        app.state.core.counts.clear();
        assert_eq!(pks(&app, "kw=9123456").await, Vec::<i64>::new());
    })
    .await;
}

/// `GET path` with this `Host` header (staff credentials); answers the page's `next` and
/// `previous` links.
async fn links(app: &TestApp, path: &str, host: &str) -> Value {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("host", host)
        .header("authorization", STAFF)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, bytes) = app.request(req).await;
    assert_eq!(status, StatusCode::OK);
    let page: Value = serde_json::from_slice(&bytes).unwrap();
    json!({ "next": page["next"], "previous": page["previous"] })
}

#[tokio::test]
async fn page_links_use_the_public_url_when_one_is_set() {
    let page2 = "/server/userinfo/payer_list/?page=2&page_size=10";
    // Unset: the Host the request came with; a Host that is no plain host[:port] is not copied.
    each_db(|app| async move {
        assert_eq!(
            links(&app, page2, "crm.internal:8080").await,
            json!({
                "next": "http://crm.internal:8080/server/userinfo/payer_list/?page=3&page_size=10",
                "previous": "http://crm.internal:8080/server/userinfo/payer_list/?page_size=10",
            })
        );
        for forged in ["user@evil.example", "evil.example/phish?", "evil example"] {
            assert_eq!(
                links(&app, page2, forged).await,
                json!({
                    "next": "http://localhost/server/userinfo/payer_list/?page=3&page_size=10",
                    "previous": "http://localhost/server/userinfo/payer_list/?page_size=10",
                }),
                "{forged}"
            );
        }
    })
    .await;
    // Set (`OPSGRAPH_PUBLIC_URL=https://crm.example.com/opsgraph/`): that URL, whatever the Host.
    let public = opsgraph::config::public_url("https://crm.example.com/opsgraph/").unwrap();
    for backend in crate::common::backends() {
        let app = TestApp::start_with(backend, true, |c| c.public_url = Some(public.clone())).await;
        assert_eq!(
            links(&app, page2, "evil.example").await,
            json!({
                "next": "https://crm.example.com/opsgraph/server/userinfo/payer_list/?page=3&page_size=10",
                "previous": "https://crm.example.com/opsgraph/server/userinfo/payer_list/?page_size=10",
            })
        );
        assert_eq!(
            links(
                &app,
                "/market/exchange_products/?page_size=2",
                "evil.example"
            )
            .await,
            json!({
                "next": "https://crm.example.com/opsgraph/market/exchange_products/?page=2&page_size=2",
                "previous": null,
            })
        );
        app.finish().await;
    }
}
