//! What browsers and proxies get, asked with curl of a real server: CORS on every route
//! (preflights, answers, downloads, refusals), compression negotiated for text and never for
//! spreadsheets, GraphiQL's assets under hashed names, and GraphQL over GET.

use axum::http::{Method, StatusCode};
use opsgraph::config::{cors_origins, Config, CorsOrigins};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{backends, curl, each_db, Curled, Served, TestApp, MEMBER, STAFF};

/// An admin panel on its own development server.
const SPA: &str = "http://localhost:5173";

/// The headers of `answer` but its request id (a fresh UUID each time), in order.
fn headers_but_id(answer: &Curled) -> Vec<(&str, &str)> {
    answer
        .headers
        .iter()
        .filter(|(n, _)| n != "x-request-id")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A server on a fresh database of each engine, configured by `configure`: `test` runs on it.
async fn each_server<F, Fut>(configure: fn(&mut Config), test: F)
where
    F: Fn(Served) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        let app = TestApp::start_with(backend, true, configure).await;
        test(Served::start(app.router.clone()).await).await;
        app.finish().await;
    }
}

/// `curl -H 'Origin: <origin>' -H 'Authorization: <auth>' <url>`: a page's call with a token.
async fn from_page(server: &Served, origin: &str, auth: &str, path: &str) -> Curled {
    let (origin, auth) = (
        format!("Origin: {origin}"),
        format!("Authorization: {auth}"),
    );
    curl(&["-H", &origin, "-H", &auth, &server.url(path)]).await
}

/// `curl -X OPTIONS <url>` as a browser sends it before a cross-origin POST with a token.
pub async fn preflight(url: &str, origin: &str) -> Curled {
    curl(&[
        "-X",
        "OPTIONS",
        "-H",
        &format!("Origin: {origin}"),
        "-H",
        "Access-Control-Request-Method: POST",
        "-H",
        "Access-Control-Request-Headers: authorization, content-type, x-request-id",
        url,
    ])
    .await
}

const VARY: (&str, &str) = (
    "vary",
    "origin, access-control-request-method, access-control-request-headers",
);
const EXPOSE: (&str, &str) = (
    "access-control-expose-headers",
    "x-request-id,content-disposition,retry-after",
);

/// What every preflight answers, allowed or not; an allowed origin gets `allow-origin` too.
/// Sorted by name, as [`Curled`] holds them.
fn preflight_headers<'a>(allow_origin: Option<&'a str>, allow: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![
        VARY,
        ("access-control-allow-methods", "GET,POST,PUT,PATCH,DELETE"),
        (
            "access-control-allow-headers",
            "authorization,content-type,x-request-id,apollo-require-preflight,\
             x-apollo-operation-name,apollographql-client-name,apollographql-client-version",
        ),
        ("access-control-max-age", "7200"),
    ];
    if let Some(origin) = allow_origin {
        headers.push(("access-control-allow-origin", origin));
    }
    headers.push(("allow", allow));
    headers.sort();
    headers
}

fn listed(config: &mut Config) {
    config.cors_origins =
        Some(cors_origins("https://admin.example.com,http://localhost:5173").unwrap());
}

#[tokio::test]
async fn listed_origins_reach_graphql_rest_and_downloads() {
    each_server(listed, |server| async move {
        // The preflight of a POST with a token: 204, everything a page needs allowed.
        let answer = preflight(&server.url("/graphql"), SPA).await;
        assert_eq!((answer.status, answer.body.len()), (204, 0));
        assert_eq!(
            headers_but_id(&answer),
            preflight_headers(Some(SPA), "POST,GET,HEAD")
        );
        assert!(answer.header("access-control-allow-credentials").is_none());
        // The same for a REST route; an origin that is not listed gets no allow-origin.
        let url = server.url("/server/userinfo/payer_update/");
        let answer = preflight(&url, "https://admin.example.com").await;
        assert_eq!(
            headers_but_id(&answer),
            preflight_headers(Some("https://admin.example.com"), "POST")
        );
        let answer = preflight(&server.url("/graphql"), "https://evil.example").await;
        assert_eq!(
            headers_but_id(&answer),
            preflight_headers(None, "POST,GET,HEAD")
        );

        // The request itself: GraphQL with a token.
        let answer = curl(&[
            "-H",
            &format!("Origin: {SPA}"),
            "-H",
            &format!("Authorization: {STAFF}"),
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Request-Id: spa-1",
            "-d",
            r#"{"query":"{ viewer { kind name } }"}"#,
            &server.url("/graphql"),
        ])
        .await;
        assert_eq!(
            answer,
            Curled {
                status: 200,
                headers: owned(&[
                    ("content-type", "application/graphql-response+json"),
                    VARY,
                    ("access-control-allow-origin", SPA),
                    EXPOSE,
                    ("x-request-id", "spa-1"),
                    ("content-length", "51"),
                ]),
                body: br#"{"data":{"viewer":{"kind":"staff","name":"admin"}}}"#.to_vec(),
            }
        );
        // A REST route, a refusal (so the page can read why) and a download with its name.
        for (path, auth, status) in [
            ("/server/userinfo/payer_list/?page_size=1", STAFF, 200),
            ("/server/userinfo/payer_list/", "Token wrong", 401),
            ("/api/white/example", STAFF, 200),
        ] {
            let answer = from_page(&server, SPA, auth, path).await;
            assert_eq!(answer.status, status, "{path}");
            assert_eq!(
                answer.header("access-control-allow-origin"),
                Some(SPA),
                "{path}"
            );
            assert_eq!(answer.header(EXPOSE.0), Some(EXPOSE.1), "{path}");
        }
        let answer = curl(&[
            "-H",
            &format!("Authorization: {STAFF}"),
            &server.url("/api/white/example"),
        ])
        .await;
        assert!(answer
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")));
        // Not listed: answered, but no browser lets the page read it.
        let path = "/server/userinfo/payer_list/?page_size=1";
        let answer = from_page(&server, "https://evil.example", STAFF, path).await;
        assert_eq!(
            (answer.status, answer.header("access-control-allow-origin")),
            (200, None)
        );
    })
    .await;
}

/// Header pairs as [`Curled`] holds them.
fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<_> = pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    all.sort();
    all
}

fn production(config: &mut Config) {
    config.environment = "production".into();
}

fn any_origin(config: &mut Config) {
    config.cors_origins = Some(CorsOrigins::Any);
}

#[tokio::test]
async fn production_allows_no_origin_unless_told_and_star_allows_any_without_credentials() {
    each_server(production, |server| async move {
        let answer = preflight(&server.url("/graphql"), SPA).await;
        assert_eq!(answer.status, 204);
        assert_eq!(
            headers_but_id(&answer),
            preflight_headers(None, "POST,GET,HEAD")
        );
        let answer = curl(&["-H", &format!("Origin: {SPA}"), &server.url("/healthz")]).await;
        assert_eq!(
            (answer.status, answer.header("access-control-allow-origin")),
            (200, None)
        );
    })
    .await;
    each_server(any_origin, |server| async move {
        let answer = preflight(&server.url("/api/report"), "https://anywhere.example").await;
        assert_eq!(
            headers_but_id(&answer),
            preflight_headers(Some("*"), "GET,HEAD,POST")
        );
        let path = "/market/exchange_products/";
        let answer = from_page(&server, "https://anywhere.example", MEMBER, path).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(answer.header("access-control-allow-credentials"), None);
    })
    .await;
}

/// `curl --compressed -H 'Accept-Encoding: <encoding>' <url>` with a token: what it received,
/// decoded.
async fn fetch(server: &Served, path: &str, encoding: &str) -> Curled {
    curl(&[
        "--compressed",
        "-H",
        &format!("Accept-Encoding: {encoding}"),
        "-H",
        &format!("Authorization: {STAFF}"),
        &server.url(path),
    ])
    .await
}

fn defaults(_: &mut Config) {}

#[tokio::test]
async fn text_is_compressed_as_negotiated_and_spreadsheets_never() {
    each_server(defaults, |server| async move {
        let script = {
            let page = fetch(&server, "/graphiql", "identity").await;
            let page = String::from_utf8(page.body).unwrap();
            let at = page.find("/graphiql/graphiql.").unwrap();
            page[at..].split('"').next().unwrap().to_owned()
        };
        // JSON (the OpenAPI document, a 100-row page, a GraphQL answer), HTML, JS and CSS.
        for path in [
            "/openapi.json",
            "/server/userinfo/payer_list/?page_size=100",
            "/graphql?query=%7B%20payers(pageSize%3A%20100)%20%7B%20items%20%7B%20id%20owner%20name%20%7D%20%7D%20%7D",
            "/docs",
            &script,
            "/graphiql/graphiql.css",
        ] {
            let plain = fetch(&server, path, "identity").await;
            assert_eq!((plain.status, plain.header("content-encoding")), (200, None), "{path}");
            for (accept, chosen) in [("gzip", "gzip"), ("br", "br"), ("gzip;q=0.5, br", "br")] {
                let packed = fetch(&server, path, accept).await;
                assert_eq!(packed.status, 200, "{path}");
                assert_eq!(packed.header("content-encoding"), Some(chosen), "{path} {accept}");
                assert_eq!(packed.header("vary"), Some("accept-encoding"), "{path}");
                assert!(packed.body == plain.body, "{path} {accept}: decoded, the same bytes");
            }
        }
        // Small answers go as they are; spreadsheets are zips already.
        for path in ["/healthz", "/api/white/example", "/custommanage/list?export=1"] {
            let answer = fetch(&server, path, "gzip, br").await;
            assert_eq!((answer.status, answer.header("content-encoding")), (200, None), "{path}");
        }
        let sheet = fetch(&server, "/custommanage/list?export=1", "gzip, br").await;
        assert!(sheet.body.starts_with(b"PK\x03\x04"), "an xlsx as written");
    })
    .await;
}

#[tokio::test]
async fn graphiql_assets_have_hashed_names_cached_for_a_year() {
    each_server(defaults, |server| async move {
        let page = curl(&[&server.url("/graphiql")]).await;
        assert_eq!(page.header("cache-control"), Some("no-cache"));
        let page = String::from_utf8(page.body).unwrap();
        for (plain, bytes) in [
            (
                "graphiql.js",
                include_bytes!("../../assets/graphiql/graphiql.js").as_slice(),
            ),
            (
                "graphiql.css",
                include_bytes!("../../assets/graphiql/graphiql.css").as_slice(),
            ),
        ] {
            let (stem, ext) = plain.split_once('.').unwrap();
            let hash = hex::encode(&Sha256::digest(bytes)[..8]);
            let hashed = format!("/graphiql/{stem}.{hash}.{ext}");
            assert!(page.contains(&format!("\"{hashed}\"")), "{page}");
            let answer = curl(&[&server.url(&hashed)]).await;
            assert_eq!(answer.status, 200);
            assert_eq!(
                answer.header("cache-control"),
                Some("public, max-age=31536000, immutable")
            );
            assert!(answer.body == bytes, "{hashed}");
            // The plain name, for a page fetched before: revalidated.
            let answer = curl(&[&server.url(&format!("/graphiql/{plain}"))]).await;
            assert_eq!(
                (answer.status, answer.header("cache-control")),
                (200, Some("no-cache"))
            );
        }
        let answer = curl(&[&server.url("/graphiql/graphiql.0000000000000000.js")]).await;
        assert_eq!(
            (answer.status, answer.json()),
            (404, json!({ "detail": "Not found." }))
        );
    })
    .await;
}

/// `GET /graphql?<query>` in-process, as a CDN would pass it on.
async fn get_graphql(
    app: &TestApp,
    auth: Option<&str>,
    query: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    app.send(
        Method::GET,
        &format!("/graphql?{query}"),
        auth,
        None,
        vec![],
    )
    .await
}

#[tokio::test]
async fn graphql_over_get_runs_queries_and_persisted_hashes_and_refuses_mutations() {
    each_db(|app| async move {
        let (status, _, v) = get_graphql(&app, Some(STAFF), &[("query", "query Who($k: Boolean) { viewer { kind name @include(if: $k) } }"), ("variables", r#"{"k":true}"#), ("operationName", "Who")]).await;
        assert_eq!((status, v), (StatusCode::OK, json!({ "data": { "viewer": { "kind": "staff", "name": "admin" } } })));

        // A persisted query: unknown, then registered by a GET with its text, then by hash alone.
        let text = "{ viewer { kind } }";
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
        let (status, _, v) = get_graphql(&app, Some(STAFF), &[("extensions", &extensions)]).await;
        assert_eq!((status, v), (StatusCode::OK, json!({ "data": null, "errors": [{ "message": "PersistedQueryNotFound", "extensions": { "code": "PERSISTED_QUERY_NOT_FOUND" } }] })));
        let (_, _, v) = get_graphql(&app, Some(STAFF), &[("query", text), ("extensions", &extensions)]).await;
        assert_eq!(v, json!({ "data": { "viewer": { "kind": "staff" } } }));
        let (status, _, v) = get_graphql(&app, Some(MEMBER), &[("extensions", &extensions)]).await;
        assert_eq!((status, v), (StatusCode::OK, json!({ "data": { "viewer": { "kind": "member" } } })));

        // A mutation over GET: 405, POST named, nothing run (the audit log stays empty).
        let not_get = json!({ "data": null, "errors": [{ "message": "Only queries may be sent with GET; send a mutation with POST.", "extensions": { "code": "METHOD_NOT_ALLOWED" } }] });
        let update = r#"mutation { updatePayer(input: {username: "tester001", remark: "via GET"}) { remark } }"#;
        let (status, headers, v) = get_graphql(&app, Some(STAFF), &[("query", update)]).await;
        assert_eq!((status, &headers["allow"], v), (StatusCode::METHOD_NOT_ALLOWED, &"POST".parse::<axum::http::HeaderValue>().unwrap(), not_get.clone()));
        let both = "query Q { viewer { kind } } mutation M { logout }";
        let (status, _, v) = get_graphql(&app, Some(STAFF), &[("query", both), ("operationName", "M")]).await;
        assert_eq!((status, v), (StatusCode::METHOD_NOT_ALLOWED, not_get));
        let (status, _, _) = get_graphql(&app, Some(STAFF), &[("query", both), ("operationName", "Q")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, 0);

        // No query at all, or variables that are not JSON: 400.
        for query in [vec![], vec![("query", "{ viewer { kind } }"), ("variables", "{")]] {
            let (status, _, v) = get_graphql(&app, None, &query).await;
            assert_eq!((status, &v["errors"][0]["extensions"]["code"]), (StatusCode::BAD_REQUEST, &json!("BAD_REQUEST")), "{v}");
        }
        // Any other method: 405 as a GraphQL error.
        let (status, headers, v) = app.send(Method::PUT, "/graphql", None, None, vec![]).await;
        assert_eq!(headers["allow"], "POST,GET,HEAD");
        assert_eq!((status, v), (StatusCode::METHOD_NOT_ALLOWED, json!({ "data": null, "errors": [{ "message": "Method \"PUT\" not allowed.", "extensions": { "code": "METHOD_NOT_ALLOWED" } }] })));
    })
    .await;
}
