//! Tried as a hostile client would: what a permission protects stays protected wherever it is
//! reachable, and nothing a caller sends grows the server's caches past their bounds.

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    common::{each_db, STAFF},
    walk::staff_with,
};

/// Sends `query` with its persisted-query hash, as Apollo's clients register a document.
async fn with_hash(app: &crate::common::TestApp, query: &str) -> Value {
    let hash = hex::encode(Sha256::digest(query.as_bytes()));
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let body = json!({ "query": query, "extensions": ext });
    app.post_json("/graphql", None, body).await.1
}

fn code(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

/// The seed's payer_update body, whose values the demo's tester001 already has after one run.
const SEED_UPDATE: &str = r#"{ "username": "tester001", "star": false, "realname": "真实姓名", "age":100, "sex": "male", "city": "城市", "remark": "备注备注", "follow_up": "one2one", "deep_consume": "5_class_bag"}"#;

#[tokio::test]
async fn an_invoice_needs_payment_order_info_even_from_the_order_list() {
    each_db(|app| async move {
        let list_only = staff_with(&app, "orders_only", &["Payment_Order_List"]).await;
        let q = r#"{ orders(filter:{startDate:"2000-01-01", number:"423132323232372212"}) { items { number invoice { vatBankAccount invoiceTaxNum } } } }"#;
        let v = app.graphql(Some(&list_only), q, json!({})).await;
        assert_eq!(
            v,
            json!({
                "data": { "orders": { "items": [{ "number": "423132323232372212", "invoice": null }] } },
                "errors": [{
                    "message": "You do not have permission to perform this action.",
                    "locations": [{ "line": 1, "column": 89 }],
                    "path": ["orders", "items", 0, "invoice"],
                    "extensions": { "code": "FORBIDDEN" }
                }]
            })
        );
        // REST refuses the same role the order with its invoice, as before.
        let (status, _) = app
            .get("/api/order/423132323232372212", Some(&list_only))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // With the code, the invoice answers.
        let both = staff_with(&app, "orders_both", &["Payment_Order_List", "Payment_Order_Info"]).await;
        let v = app.graphql(Some(&both), q, json!({})).await;
        assert_eq!(
            v["data"]["orders"]["items"][0]["invoice"],
            json!({ "vatBankAccount": "", "invoiceTaxNum": "91350200MA2YC2UA52" }),
            "{v}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_update_that_changes_nothing_reads_nothing_without_the_read_code() {
    each_db(|app| async move {
        let update_only = staff_with(&app, "payer_update_only", &["PAYER_UPDATE"]).await;
        // A real change: the role sees the record it changed (the seed's answer).
        let (status, body) = app
            .post_raw("/server/userinfo/payer_update/", Some(&update_only), SEED_UPDATE)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["owner"], "tester001");
        // The same again changes nothing: no free read of the record.
        let (status, body) = app
            .post_raw("/server/userinfo/payer_update/", Some(&update_only), SEED_UPDATE)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(
            body,
            json!({ "detail": "You do not have permission to perform this action. Nothing was changed, and reading the record needs PAYER_LIST." })
        );
        let (status, body) = app
            .post_raw(
                "/server/userinfo/payer_update/",
                Some(&update_only),
                r#"{"username":"12345678900"}"#,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let m = r#"mutation { updatePayer(input: {username: "12345678900"}) { owner remark } }"#;
        let v = app.graphql(Some(&update_only), m, json!({})).await;
        assert_eq!(code(&v), "FORBIDDEN", "{v}");
        assert!(v["data"].is_null(), "{v}");
        // A caller who may read the record gets it either way.
        let both = staff_with(&app, "payer_both", &["PAYER_UPDATE", "PAYER_LIST"]).await;
        let v = app.graphql(Some(&both), m, json!({})).await;
        assert_eq!(v["data"]["updatePayer"]["owner"], "12345678900", "{v}");
        // Merchants: an edit that changes nothing is refused to an edit-only role too.
        let edit_only = staff_with(&app, "merchant_edit_only", &["MERCHANT_EDIT"]).await;
        let v = app
            .graphql(Some(STAFF), "{ merchants(filter: {}, pageSize: 1) { items { sid } } }", json!({}))
            .await;
        let sid = v["data"]["merchants"]["items"][0]["sid"].as_str().expect("a shop");
        let m = format!(r#"mutation {{ updateShop(input: {{sid: "{sid}"}}) {{ sid companyName }} }}"#);
        let m = m.as_str();
        let v = app.graphql(Some(&edit_only), m, json!({})).await;
        assert_eq!(code(&v), "FORBIDDEN", "{v}");
        let v = app.graphql(Some(STAFF), m, json!({})).await;
        assert!(v["errors"].is_null(), "{v}");
    })
    .await;
}

#[tokio::test]
async fn a_product_off_sale_is_not_found_by_the_public() {
    each_db(|app| async move {
        for prefix in ["/market", "/program_face2face/market"] {
            let (status, body) = app
                .get(&format!("{prefix}/exchange_products/30/"), None)
                .await;
            assert_eq!(
                (status, body),
                (StatusCode::NOT_FOUND, json!({ "detail": "Not found." })),
                "{prefix}"
            );
            let (status, body) = app
                .get(&format!("{prefix}/exchange_products/1/"), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let q = "{ exchangeProduct(id: 30) { id name onSale } }";
        let v = app.graphql(None, q, json!({})).await;
        assert_eq!(code(&v), "NOT_FOUND", "{v}");
        let member = crate::common::MEMBER;
        assert_eq!(code(&app.graphql(Some(member), q, json!({})).await), "NOT_FOUND");
        let lister = staff_with(&app, "product_lister", &["MARKET_PRODUCT_LIST"]).await;
        let v = app.graphql(Some(&lister), q, json!({})).await;
        assert_eq!(
            v,
            json!({ "data": { "exchangeProduct": { "id": 30, "name": "限定背景", "onSale": false } } })
        );
    })
    .await;
}

#[tokio::test]
async fn text_filters_are_bounded_in_every_envelope() {
    each_db(|app| async move {
        let long = "长".repeat(opsgraph::graphql::MAX_FILTER_CHARS + 1);
        let ok = "长".repeat(opsgraph::graphql::MAX_FILTER_CHARS);
        // GraphQL: a code, nothing run.
        let q = "query($n: String) { exchangeProducts(filter: {name: $n}) { totalCount } }";
        let v = app.graphql(None, q, json!({ "n": long })).await;
        assert_eq!(code(&v), "BAD_USER_INPUT", "{v}");
        assert!(v["data"].is_null(), "{v}");
        let v = app.graphql(None, q, json!({ "n": ok })).await;
        assert_eq!(
            v,
            json!({ "data": { "exchangeProducts": { "totalCount": 0 } } })
        );
        // DRF, paid and merchant families: a 400 in their own envelope.
        let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
        let (status, body) = app
            .get(
                &format!("/market/exchange_products/?name={}", enc(&long)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = app
            .get(
                &format!("/server/userinfo/payer_list/?kw={}", enc(&long)),
                Some(STAFF),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let jwt = STAFF;
        let (status, body) = app
            .get(&format!("/api/report?title={}", enc(&long)), Some(jwt))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_ne!(body["status"], 0, "{body}");
        let (status, body) = app
            .get(
                &format!("/custommanage/list?search_text={}", enc(&long)),
                Some(jwt),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], 1, "{body}");
    })
    .await;
}

#[tokio::test]
async fn a_persisted_query_is_remembered_only_once_it_passed_the_limits() {
    each_db(|app| async move {
        let aliases: Vec<String> = (0..16)
            .map(|i| format!("a{i}: viewer {{ kind }}"))
            .collect();
        let query = format!("{{ {} }}", aliases.join(" "));
        let v = with_hash(&app, &query).await;
        assert_eq!(code(&v), "TOO_MANY_ALIASES", "{v}");
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let (_, v) = app
            .post_json("/graphql", None, json!({ "extensions": ext }))
            .await;
        assert_eq!(code(&v), "PERSISTED_QUERY_NOT_FOUND", "{v}");
        assert_eq!(app.state.documents.usage()[0].0, 0, "nothing persisted");
    })
    .await;
}

#[tokio::test]
async fn only_a_committed_write_forgets_the_totals() {
    each_db(|app| async move {
        let q = "{ exchangeProducts { totalCount } }";
        async fn cost(app: &crate::common::TestApp, q: &str) -> (u64, Value) {
            let before = app.statements();
            let v = app.graphql(None, q, json!({})).await;
            (
                app.statements() - before,
                v["data"]["exchangeProducts"]["totalCount"].clone(),
            )
        }
        cost(&app, q).await;
        let (warm, total) = cost(&app, q).await;
        // Documents that write nothing: an anonymous mutation, a refused one, a failing one.
        for m in [
            "mutation { __typename }",
            "mutation { purchaseProduct(productId: 1) { order { orderNumber } } }",
            "mutation { nothing }",
        ] {
            app.graphql(None, m, json!({})).await;
            assert_eq!(cost(&app, q).await, (warm, total.clone()), "after {m}");
        }
        // A purchase commits (stock and sales change; the list of products does not), and
        // the next page counts again.
        let v = app
            .graphql(
                Some(crate::common::MEMBER),
                "mutation { purchaseProduct(productId: 1) { order { orderNumber } } }",
                json!({}),
            )
            .await;
        assert!(v["errors"].is_null(), "{v}");
        assert_eq!(cost(&app, q).await, (warm + 1, total));
    })
    .await;
}

#[tokio::test]
async fn a_multipart_request_is_refused_before_its_body_is_read() {
    each_db(|app| async move {
        // A body that never ends: a server that read it would never answer.
        let endless = || {
            Body::from_stream(async_graphql::futures_util::stream::pending::<
                Result<Vec<u8>, std::io::Error>,
            >())
        };
        let member = crate::common::MEMBER;
        let lister = staff_with(&app, "upload_none", &["PAYER_LIST"]).await;
        for (auth, status, expected) in [
            (None, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            (Some("Token not-a-key"), StatusCode::OK, "UNAUTHENTICATED"),
            (Some(member), StatusCode::FORBIDDEN, "FORBIDDEN"),
            (Some(lister.as_str()), StatusCode::FORBIDDEN, "FORBIDDEN"),
        ] {
            let mut req = Request::builder()
                .method(Method::POST)
                .uri("/graphql")
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x");
            if let Some(auth) = auth {
                req = req.header(header::AUTHORIZATION, auth);
            }
            let answer = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                app.request(req.body(endless()).expect("request")),
            )
            .await
            .expect("answered without reading the body");
            let v: Value = serde_json::from_slice(&answer.2).expect("JSON");
            assert_eq!((answer.0, code(&v)), (status, expected), "{auth:?}: {v}");
        }
    })
    .await;
}

#[tokio::test]
async fn caches_stay_within_their_bytes_whatever_is_sent() {
    each_db(|app| async move {
        // Documents of 15 KB each (a long comment costs no token), all distinct, each sent
        // with its persisted-query hash: both caches fill to their byte bounds and no further.
        for i in 0..150 {
            let query = format!("# {i} {}\n{{ viewer {{ kind }} }}", "x".repeat(15_000));
            let v = with_hash(&app, &query).await;
            assert!(v["errors"].is_null(), "{v}");
        }
        let [(persisted, persisted_bytes), (parsed, parsed_bytes), _] = app.state.documents.usage();
        assert!(
            persisted_bytes <= 4 << 20 && persisted > 100,
            "{persisted} {persisted_bytes}"
        );
        assert!(
            parsed_bytes <= 16 << 20 && parsed < 150,
            "{parsed} {parsed_bytes}"
        );
        // Totals of many distinct filters: entries of one size, keyed by digests.
        for i in 0..50 {
            let v = app
                .graphql(
                    None,
                    "query($n: String) { exchangeProducts(filter: {name: $n}) { totalCount } }",
                    json!({ "n": format!("{i}{}", "名".repeat(190)) }),
                )
                .await;
            assert_eq!(v["data"]["exchangeProducts"]["totalCount"], 0, "{v}");
        }
        let (entries, bytes) = app.state.core.counts.usage();
        assert!(entries >= 50 && bytes <= entries * 200, "{entries} {bytes}");
        // Every clean run is remembered as a digest, whatever its document and variables weigh.
        let (clean, clean_bytes) = app.state.documents.usage()[2];
        assert!(
            clean >= 200 && clean_bytes <= clean * 96,
            "{clean} {clean_bytes}"
        );
    })
    .await;
}
