//! Limits on what one request may ask: GraphQL documents (depth, aliases, tokens, directives,
//! complexity), batches, body sizes, suggestions and introspection; each refusal answered in
//! the caller's own envelope with a code.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{backends, each_db, TestApp, STAFF};

/// The `extensions.code` of a response's first error.
fn code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// `{ a { a { … } } }`, `levels` fields deep. Depth is measured before validation, so the
/// names need not exist: what decides is the nesting alone.
fn nested(levels: usize) -> String {
    format!("{}{}", "{ a ".repeat(levels), "}".repeat(levels))
}

#[tokio::test]
async fn graphql_limits_refuse_with_a_code_and_let_the_playground_in() {
    each_db(|app| async move {
        // The playground's schema query is deeper than data may go: it passes.
        let introspection = include_str!("fixtures/graphiql-introspection.graphql");
        let r = app.graphql(Some(STAFF), introspection, json!({})).await;
        assert!(r["errors"].is_null(), "{}", r["errors"]);
        assert_eq!(r["data"]["__schema"]["queryType"]["name"], "QueryRoot");
        // Introspection has its own allowance: 16 levels are refused.
        let ofs = "ofType { ".repeat(11) + "name" + &" }".repeat(11);
        let deep = format!("{{ __schema {{ types {{ fields {{ type {{ {ofs} }} }} }} }} }}");
        let r = app.graphql(Some(STAFF), &deep, json!({})).await;
        assert_eq!(code(&r), "QUERY_TOO_DEEP", "{r}");

        // Depth: 10 levels pass the limit (and then fail validation, as `a` is no field),
        // 11 are refused first.
        let ten = app.graphql(Some(STAFF), &nested(10), json!({})).await;
        assert_ne!(code(&ten), "QUERY_TOO_DEEP", "{ten}");
        let eleven = app.graphql(Some(STAFF), &nested(11), json!({})).await;
        assert_eq!(code(&eleven), "QUERY_TOO_DEEP", "{eleven}");
        assert!(eleven["data"].is_null());

        // Aliases: 15 pass, 16 are refused.
        let aliases = |n: usize| {
            format!(
                "{{ {} }}",
                (0..n)
                    .map(|i| format!("a{i}: viewer {{ kind }}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        assert!(app.graphql(Some(STAFF), &aliases(15), json!({})).await["errors"].is_null());
        let r = app.graphql(Some(STAFF), &aliases(16), json!({})).await;
        assert_eq!(code(&r), "TOO_MANY_ALIASES", "{r}");

        // Tokens, counted before parsing: 1,000 pass, more are refused.
        let tokens = |n: usize| format!("{{ {} }}", vec!["__typename"; n - 2].join(" "));
        assert!(app.graphql(Some(STAFF), &tokens(1000), json!({})).await["errors"].is_null());
        let r = app.graphql(Some(STAFF), &tokens(1001), json!({})).await;
        assert_eq!(code(&r), "TOO_MANY_TOKENS", "{r}");

        // Directives: 50 pass, 51 are refused.
        let directives = |n: usize| {
            format!(
                "{{ viewer {{ {} }} }}",
                (0..n)
                    .map(|_| "kind @include(if: true)")
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        assert!(app.graphql(Some(STAFF), &directives(50), json!({})).await["errors"].is_null());
        let r = app.graphql(Some(STAFF), &directives(51), json!({})).await;
        assert_eq!(code(&r), "TOO_MANY_DIRECTIVES", "{r}");

        // Complexity: fragments multiply fields without tokens; 20 × 20 × 20 fields refused.
        let spreads = |name: &str, n: usize| vec![format!("...{name}"); n].join(" ");
        let complex = format!(
            "{{ viewer {{ {} }} }} fragment B on Viewer {{ {} }} fragment A on Viewer {{ {} }}",
            spreads("B", 20),
            spreads("A", 20),
            vec!["kind"; 20].join(" ")
        );
        let r = app.graphql(Some(STAFF), &complex, json!({})).await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");

        // No suggestions that spell the schema out.
        let r = app
            .graphql(Some(STAFF), "{ viewr { kind } }", json!({}))
            .await;
        let message = r["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains("Did you mean"), "{message}");
    })
    .await;
}

#[tokio::test]
async fn batches_and_oversized_bodies_are_refused_in_each_envelope() {
    each_db(|app| async move {
        // A batch would run its operations concurrently: refused, nothing run (the caller's
        // credential, which comes first, was remembered from an earlier request, which also
        // noted the key's use).
        app.graphql(Some(STAFF), "{ viewer { kind } }", json!({}))
            .await;
        let before = app.statements();
        let batch = json!([{ "query": "{ viewer { kind } }" }, { "query": "{ viewer { kind } }" }]);
        let (status, r) = app.post_json("/graphql", Some(STAFF), batch).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(code(&r), "BATCH_NOT_SUPPORTED", "{r}");
        assert_eq!(app.statements(), before, "nothing ran");

        // A JSON body over 2 MB, to GraphQL and to each family: 413 in the family's envelope.
        let big = format!(
            "{{\"query\": \"{{ viewer {{ kind }} }}\", \"pad\": \"{}\"}}",
            "x".repeat(2 * 1024 * 1024)
        );
        let (status, _, r) = app
            .send(
                Method::POST,
                "/graphql",
                Some(STAFF),
                Some("application/json"),
                big.clone().into_bytes(),
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(code(&r), "PAYLOAD_TOO_LARGE", "{r}");
        let cases = [
            (
                "/server/userinfo/payer_update/",
                json!({ "detail": "Request body is too large." }),
            ),
            (
                "/custommanage/edit",
                json!({ "code": 413, "msg": "Request body is too large." }),
            ),
            (
                "/api/report",
                json!({ "status": 1, "error": "Request body is too large.", "errors": {} }),
            ),
        ];
        for (path, expected) in cases {
            let (status, _, r) = app
                .send(
                    Method::POST,
                    path,
                    Some(STAFF),
                    Some("application/json"),
                    big.clone().into_bytes(),
                )
                .await;
            assert_eq!(
                (status, r),
                (StatusCode::PAYLOAD_TOO_LARGE, expected),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn introspection_is_off_in_production_unless_switched_on() {
    for backend in backends() {
        let production = TestApp::start_with(backend.clone(), true, |c| {
            c.environment = "production".into()
        })
        .await;
        let r = production
            .graphql(
                Some(STAFF),
                "{ __schema { queryType { name } } }",
                json!({}),
            )
            .await;
        assert!(
            r["data"]["__schema"].is_null() || !r["errors"].is_null(),
            "{r}"
        );
        assert!(r["errors"].is_array(), "introspection refused: {r}");
        let ok = production
            .graphql(Some(STAFF), "{ viewer { kind } }", json!({}))
            .await;
        assert_eq!(ok["data"]["viewer"]["kind"], "staff");
        let switched = TestApp::start_with(backend, true, |c| {
            c.environment = "production".into();
            c.graphql_introspection = Some(true);
        })
        .await;
        let r = switched
            .graphql(
                Some(STAFF),
                "{ __schema { queryType { name } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            r["data"]["__schema"]["queryType"]["name"], "QueryRoot",
            "{r}"
        );
        production.finish().await;
        switched.finish().await;
    }
}
