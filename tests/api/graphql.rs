//! The GraphQL interface itself: the checked-in SDL, error codes, limits, and the fixed cost
//! of a page.

use serde_json::json;

use crate::common::{each_db, STAFF};

#[test]
fn schema_graphql_is_the_live_sdl() {
    let live = opsgraph::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == live,
        "schema.graphql differs from the live schema: run `cargo run -- export-schema`"
    );
}

/// The REST contract pinned beside the SDL: a change to a legacy URL, parameter or answer
/// shows in review as a change of `openapi.json`.
#[test]
fn openapi_json_is_the_live_document() {
    let live = serde_json::to_string_pretty(&opsgraph::rest::openapi::document()).expect("JSON");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in.trim_end() == live,
        "openapi.json differs from the live document: run `cargo run -- export-openapi`"
    );
}

#[tokio::test]
async fn payers_query_with_nested_objects_and_codes() {
    each_db(|app| async move {
        let q = r#"query ($kw: String) { payers(filter: {kw: $kw}, pageSize: 1) {
            totalCount page pageSize items { id owner commission groupInfo { status statusDisplay }
              teacher { id owner } student { id nickname birthday } followUpDisplay } } }"#;
        let v = app.graphql(Some(STAFF), q, json!({ "kw": "12345678900" })).await;
        assert_eq!(
            v,
            json!({ "data": { "payers": { "totalCount": 1, "page": 1, "pageSize": 1, "items": [{
                "id": 98, "owner": "12345678900", "commission": "0.00",
                "groupInfo": { "status": 3, "statusDisplay": "未组队有资格" },
                "teacher": { "id": 108, "owner": "12345" },
                "student": { "id": 92, "nickname": "", "birthday": null },
                "followUpDisplay": null }] } } })
        );
        let m = r#"mutation { updatePayer(input: {username: "tester001", followUp: "soon"}) { id } }"#;
        let v = app.graphql(Some(STAFF), m, json!({})).await;
        assert_eq!(v["errors"][0]["extensions"], json!({ "code": "BAD_USER_INPUT", "field": "followUp" }));
        let m = r#"mutation { updatePayer(input: {username: "nobody", star: true}) { id } }"#;
        let v = app.graphql(Some(STAFF), m, json!({})).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let m = r#"mutation { updatePayer(input: {username: "tester001", star: true, city: null}) { star city } }"#;
        let v = app.graphql(Some(STAFF), m, json!({})).await;
        assert_eq!(v, json!({ "data": { "updatePayer": { "star": true, "city": null } } }));
        let m = r#"mutation { createVisitRecord(input: {contact: "tester001", visitTime: "2020-1-2"}) { contact visitTime } }"#;
        let v = app.graphql(Some(STAFF), m, json!({})).await;
        assert_eq!(v, json!({ "data": { "createVisitRecord": { "contact": "tester001", "visitTime": "2020-01-02" } } }));
    })
    .await;
}

/// Each field of `page`'s rows asked alone answers what it answers among all the others, and
/// no answer holds a column that was not read: a page selects only the columns its selected
/// fields read (`row_object!`'s `reads`), and the others hold values no row holds
/// (`entity::Unread`), which a field reading a column it does not declare would answer.
async fn each_field_alone_answers_as_among_all(
    app: &crate::common::TestApp,
    page: &str,
    fields: &[&str],
) {
    let all = fields.join(" ");
    let full = app
        .graphql(
            Some(STAFF),
            &format!("{{ {page} {{ items {{ {all} }} }} }}"),
            json!({}),
        )
        .await;
    let root = page.split('(').next().unwrap();
    let rows = full["data"][root]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rows.len() >= 5, "{}: {full}", app.name());
    let unread = [
        entity::UNREAD_TEXT.to_owned(),
        i16::MIN.to_string(),
        i32::MIN.to_string(),
        i64::MIN.to_string(),
        chrono::NaiveDate::MIN.to_string(),
    ];
    let text = full.to_string();
    assert!(
        unread.iter().all(|u| !text.contains(u.as_str())),
        "{}: {full}",
        app.name()
    );
    for field in fields.iter().copied().chain(["__typename"]) {
        let alone = app
            .graphql(
                Some(STAFF),
                &format!("{{ {page} {{ items {{ {field} }} }} }}"),
                json!({}),
            )
            .await;
        let key = field.split(' ').next().unwrap();
        let expected: Vec<_> = rows
            .iter()
            .map(|row| json!({ key: row.get(key).cloned().unwrap_or(json!(root_type(root))) }))
            .collect();
        assert_eq!(
            alone,
            json!({ "data": { root: { "items": expected } } }),
            "{}: {field}",
            app.name()
        );
    }
}

/// The type of the rows of the page `root`, as `__typename` answers it.
fn root_type(root: &str) -> &'static str {
    match root {
        "payers" => "Payer",
        _ => "Order",
    }
}

#[tokio::test]
async fn a_pages_fields_answer_alone_as_among_all() {
    each_db(|app| async move {
        let payer = [
            "id",
            "owner",
            "name",
            "avatar",
            "age",
            "points",
            "lessonTotal",
            "isSeller",
            "commission",
            "mySeller",
            "remark",
            "teacher { id owner }",
            "student { id owner name nickname avatar sex birthday }",
            "identity",
            "isPay",
            "isBind",
            "bindAccount",
            "groupInfo { status statusDisplay }",
            "star",
            "realname",
            "city",
            "learnExtent",
            "followUp",
            "followUpDisplay",
            "deepConsume",
            "deepConsumeDisplay",
            "sex",
            "sexDisplay",
        ];
        each_field_alone_answers_as_among_all(&app, "payers(pageSize: 30)", &payer).await;
        let order = [
            "id",
            "number",
            "title",
            "total",
            "size",
            "state",
            "stateDisplay",
            "checkoutAt",
            "expireAt",
            "paidAt",
            "fulfilledAt",
            "tradeInfo { thirdTradeNum thirdTradeIdentity paymentSource paymentChannel }",
            "orderItem { id title cover price }",
            "customer { id nickName avatar mobile }",
            "usage { quantityCount availableCount expendStatus }",
            "invoice { state createTime invoiceTitle invoiceAmount vatBankAccount }",
        ];
        let orders = r#"orders(filter: { startDate: "2019-01-01" }, pageSize: 30)"#;
        each_field_alone_answers_as_among_all(&app, orders, &order).await;
    })
    .await;
}

/// The rows of the largest pages resolve their fields in place (`graphql::row::Inline`), as
/// async-graphql would: fragments named and inline, aliases, a key selected twice (its objects
/// merged), `__typename`, `@skip` and `@include`, in the document's order.
#[tokio::test]
async fn inline_rows_answer_every_form_of_selection() {
    each_db(|app| async move {
        let q = r#"query { payers(filter: {kw: "12345678900"}, pageSize: 1) { items {
            __typename ...P id other: id teacher { id } teacher { owner }
            ... on Payer { groupInfo { status } }
            ... @include(if: true) { name groupInfo { statusDisplay } }
            sex @skip(if: true)
            ... on Payer @skip(if: true) { age }
          } } }
          fragment P on Payer { owner student { id } }"#;
        let v = app.graphql(Some(STAFF), q, json!({})).await;
        let row = json!({
            "__typename": "Payer", "owner": "12345678900", "student": { "id": 92 },
            "id": 98, "other": 98, "teacher": { "id": 108, "owner": "12345" },
            "groupInfo": { "status": 3, "statusDisplay": "未组队有资格" }, "name": "昵称"
        });
        let expected = json!({ "data": { "payers": { "items": [row] } } });
        assert_eq!(v, expected, "{}", app.name());
        // The keys in the document's order too, which `Value`'s equality ignores.
        assert_eq!(v.to_string(), expected.to_string(), "{}", app.name());
    })
    .await;
}

/// A run (document, variables, operation) made once without an error skips the validation
/// rules it passed (`graphql::Schemas::known`) and answers the same; the same document with
/// other variables is validated by every rule again.
#[tokio::test]
async fn a_run_that_passed_answers_the_same_and_other_variables_are_checked() {
    each_db(|app| async move {
        let q = "query ($size: Int) { payers(pageSize: $size) { items { id } } }";
        for (vars, size) in [(json!({}), 10), (json!({ "size": 3 }), 3)] {
            let first = app.graphql(Some(STAFF), q, vars.clone()).await;
            let items = first["data"]["payers"]["items"].as_array().map(Vec::len);
            assert_eq!(items, Some(size), "{first}");
            for _ in 0..2 {
                assert_eq!(app.graphql(Some(STAFF), q, vars.clone()).await, first);
            }
        }
        let bad = app.graphql(Some(STAFF), q, json!({ "size": "many" })).await;
        let message = r#"Invalid value for argument "pageSize", expected type "Int""#;
        let location = json!([{ "line": 1, "column": 29 }]);
        assert_eq!(
            bad,
            json!({ "data": null, "errors": [{ "message": message, "locations": location }] }),
            "{}",
            app.name()
        );
    })
    .await;
}

#[tokio::test]
async fn a_page_costs_the_same_statements_whatever_its_size() {
    each_db(|app| async move {
        // More payers than the largest page, each with a teacher and a student.
        for i in 0..60 {
            app.exec(&format!(
                "INSERT INTO student (owner, name, nickname, avatar, sex) VALUES ('s{i}', 'n', 'nick', '', 'S')"
            ))
            .await;
            let student = app.scalar(&format!("SELECT id FROM student WHERE owner = 's{i}'")).await;
            app.exec(&format!(
                "INSERT INTO user_info (owner, name, avatar, age, points, lesson_total, is_seller, commission_cents, \
                 is_pay, is_bind, bind_account, group_status, star, teacher_id, student_id, created_at) \
                 VALUES ('p{i}', 'p', '', 1, 0, 0, false, 0, true, false, '', 3, false, {}, {student}, '2020-01-01 00:00:00')",
                if i % 2 == 0 { 2 } else { 108 }
            ))
            .await;
        }
        let q = "query ($size: Int) { payers(pageSize: $size) { totalCount items { id teacher { owner } student { nickname } } } }";
        // The first page pays for the total, which later pages reuse.
        let mut costs = Vec::new();
        for size in [50, 5, 50] {
            let before = app.statements();
            let v = app.graphql(Some(STAFF), q, json!({ "size": size })).await;
            costs.push(app.statements() - before);
            assert_eq!(v["data"]["payers"]["items"].as_array().unwrap().len(), size);
        }
        assert_eq!(costs[1], costs[2], "statements for a page of 5 and of 50");
        // The same through the legacy URL.
        let mut rest_costs = Vec::new();
        for size in [5, 50] {
            let before = app.statements();
            let (status, _) = app
                .get(&format!("/server/userinfo/payer_list/?page_size={size}"), Some(STAFF))
                .await;
            assert_eq!(status, axum::http::StatusCode::OK);
            rest_costs.push(app.statements() - before);
        }
        assert_eq!(rest_costs, [costs[1], costs[1]], "the same statements, the same total");
        // The first page: the credential (remembered from then on), count, and the page with
        // its teachers and students joined; the first use of the key notes it (once a minute).
        // Later pages reuse the credential and the total: one statement a page.
        assert_eq!(costs, [4, 1, 1], "{}", app.name());
        // Without totalCount nothing is counted, the first time either (a filter not seen yet).
        let q = "query ($kw: String) { payers(pageSize: 5, filter: { kw: $kw }) { items { id teacher { owner } student { nickname } } } }";
        let before = app.statements();
        let v = app.graphql(Some(STAFF), q, json!({ "kw": "p" })).await;
        assert_eq!(app.statements() - before, 1, "{}: {v}", app.name());
        assert_eq!(v["data"]["payers"]["items"].as_array().unwrap().len(), 5, "{v}");
        // A page past the end is refused alike, counted or not.
        let past = |total: &str| format!("{{ payers(page: 1000, pageSize: 50) {{ {total} items {{ id }} }} }}");
        let counted = app.graphql(Some(STAFF), &past("totalCount"), json!({})).await;
        let uncounted = app.graphql(Some(STAFF), &past(""), json!({})).await;
        assert_eq!(counted["errors"][0]["extensions"], uncounted["errors"][0]["extensions"], "{counted} {uncounted}");
        assert_eq!(counted["errors"][0]["message"], uncounted["errors"][0]["message"]);
        assert!(counted["errors"][0]["message"].is_string(), "{counted}");
    })
    .await;
}

#[tokio::test]
async fn automatic_persisted_queries_round_trip() {
    use sha2::Digest;
    each_db(|app| async move {
        let query = "{ viewer { kind } }";
        let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        // Hash only, unknown yet: the client is told to send the text.
        let (_, first) = app
            .post_json("/graphql", Some(STAFF), json!({ "extensions": ext }))
            .await;
        assert_eq!(
            first["errors"][0]["message"], "PersistedQueryNotFound",
            "{first}"
        );
        // Text and hash: answered and remembered.
        let (_, second) = app
            .post_json(
                "/graphql",
                Some(STAFF),
                json!({ "query": query, "extensions": ext }),
            )
            .await;
        assert_eq!(second, json!({ "data": { "viewer": { "kind": "staff" } } }));
        // Hash only, now known.
        let (_, third) = app
            .post_json("/graphql", Some(STAFF), json!({ "extensions": ext }))
            .await;
        assert_eq!(third, second);
    })
    .await;
}

#[tokio::test]
async fn list_totals_are_reused_until_this_instance_writes() {
    each_db(|app| async move {
        let first = visit_count(&app).await;
        // A write this instance did not make (another instance's): the total is reused a while.
        app.exec("INSERT INTO visit_record (contact, detail, created_at) VALUES ('tester001', 'elsewhere', '2022-01-01 00:00:00')").await;
        assert_eq!(visit_count(&app).await, first, "within the cache's time");
        // A mutation here forgets every total: both new rows show.
        let (status, _) = app
            .post_json("/server/userinfo/visit_record_create/", Some(STAFF), json!({ "contact": "tester001" }))
            .await;
        assert_eq!(status, axum::http::StatusCode::CREATED);
        assert_eq!(visit_count(&app).await, first + 2);
    })
    .await;
    for backend in crate::common::backends() {
        let app =
            crate::common::TestApp::start_with(backend, true, |c| c.count_cache_secs = 0).await;
        let (_, v) = app
            .get(
                "/server/userinfo/visit_records/?contact=tester001",
                Some(STAFF),
            )
            .await;
        app.exec("INSERT INTO visit_record (contact, detail, created_at) VALUES ('tester001', 'x', '2022-01-01 00:00:00')").await;
        let (_, w) = app
            .get(
                "/server/userinfo/visit_records/?contact=tester001",
                Some(STAFF),
            )
            .await;
        assert_eq!(
            w["count"].as_i64(),
            v["count"].as_i64().map(|c| c + 1),
            "no cache: counted every time"
        );
        app.finish().await;
    }
}

/// The `count` of tester001's visit records, through the legacy URL.
async fn visit_count(app: &crate::common::TestApp) -> i64 {
    let (_, page) = app
        .get(
            "/server/userinfo/visit_records/?contact=tester001",
            Some(STAFF),
        )
        .await;
    page["count"].as_i64().unwrap()
}
