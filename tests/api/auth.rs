//! Authentication and authorization, through REST and GraphQL alike.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};

use crate::common::{backends, each_db, eventually, TestApp, MEMBER, STAFF};

/// Logs in as the seed's curl does and answers the token.
async fn login(app: &TestApp, account: &str, password: &str) -> (StatusCode, Value) {
    app.post_json(
        "/api/access/token",
        None,
        json!({ "account": account, "password": password }),
    )
    .await
}

fn payload(token: &str) -> Value {
    let middle = token.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

#[tokio::test]
async fn access_token_answers_the_seed_shape() {
    each_db(|app| async move {
        for account in ["13333891144", "admin"] {
            let (status, body) = login(&app, account, "123456").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let token = body["data"]["token"].as_str().unwrap().to_owned();
            let claims = payload(&token);
            let exp = claims["exp"].as_i64().unwrap();
            assert_eq!(
                body,
                json!({ "status": 0, "data": {
                    "token": token, "token_method": "HS256", "token_type": "Bearer",
                    "expire_time": exp, "nickname": "zhusj" } })
            );
            assert_eq!(claims["aud"], 1);
            assert_eq!(claims["iss"], "opsgraph-development");
            assert_eq!(claims["sub"], "opsgraph_staff");
            assert_eq!(exp - claims["iat"].as_i64().unwrap(), 86_400);
            // The token opens both interfaces.
            let bearer = format!("Bearer {token}");
            let (status, _) = app
                .get("/server/userinfo/payer_list/?page_size=1", Some(&bearer))
                .await;
            assert_eq!(status, StatusCode::OK);
            let v = app
                .graphql(Some(&bearer), "{ viewer { kind name } }", json!({}))
                .await;
            assert_eq!(
                v,
                json!({ "data": { "viewer": { "kind": "staff", "name": "admin" } } })
            );
        }
        // A form body works too, as the seed allows.
        let (status, _, body) = app
            .send(
                axum::http::Method::POST,
                "/api/access/token",
                None,
                Some("application/x-www-form-urlencoded"),
                b"account=admin&password=123456".to_vec(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
}

#[tokio::test]
async fn access_token_refuses_bad_credentials_alike() {
    each_db(|app| async move {
        let wrong = json!({ "status": 1, "error": "账号或密码错误", "errors": {} });
        assert_eq!(login(&app, "admin", "654321").await, (StatusCode::UNAUTHORIZED, wrong.clone()));
        assert_eq!(login(&app, "nobody", "123456").await, (StatusCode::UNAUTHORIZED, wrong));
        let (status, body) = app.post_json("/api/access/token", None, json!({ "password": "x" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({ "status": 1, "error": "account 不能为空", "errors": { "account": "account 不能为空" } })
        );
        let (status, body) = app.post_json("/api/access/token", None, json!({ "account": "admin" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"], json!({ "password": "password 不能为空" }));
        let (status, body) = app.post_raw("/api/access/token", None, "{\"account\":").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["status"], 1);
    })
    .await;
}

/// A token signed with the server's own secret but with chosen claims.
async fn forge(app: &TestApp, claims: Value) -> String {
    use sea_orm::EntityTrait;
    let secret = entity::setting::Entity::find_by_id("jwt_secret")
        .one(&app.state.core.db)
        .await
        .unwrap()
        .unwrap()
        .value;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_tokens_are_refused_everywhere() {
    each_db(|app| async move {
        let now = chrono::Utc::now().timestamp();
        let good = json!({ "aud": 1, "iss": "opsgraph-development", "sub": "opsgraph_staff", "iat": now, "exp": now + 60, "jti": "forged-0001", "sv": 0 });
        let mut expired = good.clone();
        expired["iat"] = json!(now - 7200);
        expired["exp"] = json!(now - 3600);
        let mut other_issuer = good.clone();
        other_issuer["iss"] = json!("opsgraph-production");
        let mut no_aud = good.clone();
        no_aud.as_object_mut().unwrap().remove("aud");
        let mut unknown_account = good.clone();
        unknown_account["aud"] = json!(999);
        let mut bad_tokens = vec!["Bearer not.a.jwt".to_owned(), "Token nope".to_owned(), "Basic YWRtaW46MTIzNDU2".to_owned(), "Token".to_owned()];
        for claims in [expired, other_issuer, no_aud, unknown_account] {
            bad_tokens.push(format!("Bearer {}", forge(&app, claims).await));
        }
        // alg "none" with the same payload.
        let unsigned = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(good.to_string())
        );
        bad_tokens.push(format!("Bearer {unsigned}"));
        let good_token = format!("Bearer {}", forge(&app, good).await);
        let (status, _) = app.get("/server/userinfo/payer_list/", Some(&good_token)).await;
        assert_eq!(status, StatusCode::OK, "the forged good token is the control");
        for token in &bad_tokens {
            let (status, body) = app.get("/server/userinfo/payer_list/", Some(token)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}: {body}");
            assert!(body["detail"].is_string());
            let v = app.graphql(Some(token), "{ payers { totalCount } }", json!({})).await;
            assert_eq!(v["data"], Value::Null, "{token}");
            assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{token}");
        }
        // A password change retires the tokens issued before it, even one made in SQL, outside
        // the API: the database's triggers tell the server, which forgets the credential.
        let status = |auth: String| {
            let app = &app;
            async move { app.get("/server/userinfo/payer_list/", Some(&auth)).await.0 }
        };
        app.exec(&format!("UPDATE staff SET password_changed_at = {} WHERE id = 1", now + 10)).await;
        eventually(StatusCode::UNAUTHORIZED, || status(good_token.clone())).await;
        // So does disabling the account, for its API key too.
        app.exec("UPDATE staff SET is_active = false WHERE id = 1").await;
        eventually(StatusCode::UNAUTHORIZED, || status(STAFF.to_owned())).await;
    })
    .await;
}

/// Every payer route, with a body that would succeed.
fn payer_routes() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("GET", "/server/userinfo/payer_list/", ""),
        (
            "POST",
            "/server/userinfo/payer_update/",
            r#"{"username":"tester001","star":true}"#,
        ),
        (
            "GET",
            "/server/userinfo/visit_records/?contact=tester001",
            "",
        ),
        (
            "POST",
            "/server/userinfo/visit_record_create/",
            r#"{"contact":"tester001"}"#,
        ),
    ]
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &str,
    auth: Option<&str>,
) -> (StatusCode, Value) {
    let (s, _, v) = app
        .send(
            method.parse().unwrap(),
            path,
            auth,
            None,
            body.as_bytes().to_vec(),
        )
        .await;
    (s, v)
}

#[tokio::test]
async fn staff_routes_need_credentials_and_permission_codes() {
    each_db(|app| async move {
        // A role that may read payers but change nothing.
        app.exec("INSERT INTO role (name, superuser) VALUES ('reader', false)")
            .await;
        let role = app
            .scalar("SELECT id FROM role WHERE name = 'reader'")
            .await;
        app.exec(&format!(
            "INSERT INTO role_permission (role_id, code) VALUES ({role}, 'PAYER_LIST')"
        ))
        .await;
        let staff = opsgraph::auth::service::create_staff(
            &app.state.core.db,
            "reader",
            opsgraph::auth::password::hash("secret1".into())
                .await
                .unwrap(),
            None,
            "只读",
            role as i32,
        )
        .await
        .unwrap();
        let key = opsgraph::auth::service::create_api_key(&app.state.core.db, Some(staff.id), None)
            .await
            .unwrap();
        let reader = format!("Token {key}");
        let writes_before = (
            app.scalar("SELECT COUNT(*) FROM visit_record").await,
            app.scalar("SELECT COUNT(*) FROM user_info WHERE star = true")
                .await,
        );
        for (method, path, body) in payer_routes() {
            let (status, v) = call(&app, method, path, body, None).await;
            assert_eq!(
                (status, v),
                (
                    StatusCode::UNAUTHORIZED,
                    json!({ "detail": "Authentication credentials were not provided." })
                ),
                "{path}"
            );
            let (status, v) = call(&app, method, path, body, Some(MEMBER)).await;
            assert_eq!(
                (status, v),
                (
                    StatusCode::FORBIDDEN,
                    json!({ "detail": "You do not have permission to perform this action." })
                ),
                "member on {path}"
            );
            let (status, _) = call(&app, method, path, body, Some(&reader)).await;
            let expected = if path.contains("payer_list") {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "reader on {path}");
        }
        let writes_after = (
            app.scalar("SELECT COUNT(*) FROM visit_record").await,
            app.scalar("SELECT COUNT(*) FROM user_info WHERE star = true")
                .await,
        );
        assert_eq!(
            writes_before, writes_after,
            "a refused request wrote something"
        );
        // GraphQL answers the same refusals with codes.
        let v = app
            .graphql(
                Some(&reader),
                r#"mutation { createVisitRecord(input: {contact: "x"}) { id } }"#,
                json!({}),
            )
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
        let v = app
            .graphql(
                None,
                "{ visitRecords(contact: \"x\") { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        let v = app
            .graphql(
                Some(STAFF),
                "{ visitRecords(contact: \"tester001\") { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            v,
            json!({ "data": { "visitRecords": { "totalCount": 2 } } })
        );
    })
    .await;
}

#[tokio::test]
async fn api_keys_are_stored_only_as_digests() {
    each_db(|app| async move {
        let raw = app
            .scalar("SELECT COUNT(*) FROM api_key WHERE digest = 'admin123'")
            .await;
        assert_eq!(raw, 0, "the key itself is not stored");
        let digest = opsgraph::auth::service::key_digest("admin123");
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM api_key WHERE digest = '{digest}' AND prefix = 'admin1'"
            ))
            .await,
            1
        );
        // Knowing the digest is no key.
        let (status, _) = app
            .get(
                "/server/userinfo/payer_list/",
                Some(&format!("Token {digest}")),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account() {
    each_db(|app| async move {
        opsgraph::auth::service::create_staff(
            &app.state.core.db,
            "other",
            opsgraph::auth::password::hash("secret1".into())
                .await
                .unwrap(),
            Some("13600000001"),
            "",
            1,
        )
        .await
        .unwrap();
        for _ in 0..5 {
            assert_eq!(
                login(&app, "admin", "wrong-1").await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        let limited =
            json!({ "status": 1, "error": "登录失败次数过多, 请 15 分钟后再试", "errors": {} });
        // Now even the right password waits, under the username and the mobile alike.
        assert_eq!(
            login(&app, "admin", "123456").await,
            (StatusCode::TOO_MANY_REQUESTS, limited.clone())
        );
        assert_eq!(
            login(&app, "13333891144", "123456").await,
            (StatusCode::TOO_MANY_REQUESTS, limited)
        );
        let v = app
            .graphql(
                None,
                r#"mutation { login(account: "admin", password: "123456") { token } }"#,
                json!({}),
            )
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        // Other accounts are not affected; a success clears an account's failures.
        assert_eq!(
            login(&app, "other", "nope").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(login(&app, "other", "secret1").await.0, StatusCode::OK);
    })
    .await;
}

/// A login from `addr` (the peer address the server sees), with headers.
async fn login_from(
    app: &TestApp,
    addr: [u8; 4],
    forwarded: Option<&str>,
    account: &str,
    password: &str,
) -> StatusCode {
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/access/token")
        .header("content-type", "application/json");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req
        .body(axum::body::Body::from(
            json!({ "account": account, "password": password }).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            addr, 40000,
        ))));
    app.request(req).await.0
}

#[tokio::test]
async fn failed_logins_are_throttled_per_address_too() {
    each_db(|app| async move {
        let guesser = [10, 0, 0, 7];
        // Twenty guesses at twenty accounts: no account reaches its own limit...
        for i in 0..20 {
            assert_eq!(
                login_from(&app, guesser, None, &format!("user{i}"), "guess").await,
                StatusCode::UNAUTHORIZED
            );
        }
        // ...but the address has reached its: even a right password waits there.
        assert_eq!(
            login_from(&app, guesser, None, "admin", "123456").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // A forged X-Forwarded-For changes nothing unless the deployment trusts it.
        assert_eq!(
            login_from(&app, guesser, Some("203.0.113.9"), "admin", "123456").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            login_from(&app, [10, 0, 0, 8], None, "admin", "123456").await,
            StatusCode::OK
        );
    })
    .await;
    for backend in crate::common::backends() {
        let app = TestApp::start_with(backend, true, |c| c.trust_forwarded_for = true).await;
        let proxy = [10, 0, 0, 1];
        for i in 0..20 {
            let status = login_from(
                &app,
                proxy,
                Some(&format!("198.51.100.{i}, 203.0.113.5")),
                &format!("user{i}"),
                "x",
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // Behind the proxy, the address is its last entry: 203.0.113.5 is throttled, others not.
        assert_eq!(
            login_from(&app, proxy, Some("203.0.113.5"), "admin", "123456").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            login_from(
                &app,
                proxy,
                Some("203.0.113.5, 203.0.113.6"),
                "admin",
                "123456"
            )
            .await,
            StatusCode::OK
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_change_made_outside_the_api_applies_to_the_very_next_request_when_nothing_is_remembered()
{
    for backend in backends() {
        let app = TestApp::start_with(backend, true, |c| c.credential_cache_secs = 0).await;
        // No resolved credential is kept: an account disabled in SQL (or by another instance,
        // or by the CLI) is refused on its next request, and enabled again likewise.
        let payers = "/server/userinfo/payer_list/";
        assert_eq!(app.get(payers, Some(STAFF)).await.0, StatusCode::OK);
        app.exec("UPDATE staff SET is_active = false WHERE id = 1")
            .await;
        assert_eq!(
            app.get(payers, Some(STAFF)).await.0,
            StatusCode::UNAUTHORIZED
        );
        app.exec("UPDATE staff SET is_active = true WHERE id = 1")
            .await;
        assert_eq!(app.get(payers, Some(STAFF)).await.0, StatusCode::OK);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_change_made_outside_the_api_applies_within_a_notification() {
    each_db(|app| async move {
        // Resolved credentials are remembered, and forgotten when the database's triggers tell
        // of a change to what they read, whoever made it: here plain SQL.
        let payers = "/server/userinfo/payer_list/";
        let status = || async { app.get(payers, Some(STAFF)).await.0 };
        assert_eq!(status().await, StatusCode::OK);
        for (sql, expected) in [
            (
                "UPDATE staff SET is_active = false WHERE id = 1",
                StatusCode::UNAUTHORIZED,
            ),
            (
                "UPDATE staff SET is_active = true WHERE id = 1",
                StatusCode::OK,
            ),
            (
                "UPDATE role SET superuser = false WHERE id = 1",
                StatusCode::FORBIDDEN,
            ),
            (
                "INSERT INTO role_permission (role_id, code) VALUES (1, 'PAYER_LIST')",
                StatusCode::OK,
            ),
            (
                "DELETE FROM role_permission WHERE role_id = 1",
                StatusCode::FORBIDDEN,
            ),
            (
                "UPDATE role SET superuser = true WHERE id = 1",
                StatusCode::OK,
            ),
            (
                "DELETE FROM api_key WHERE staff_id = 1",
                StatusCode::UNAUTHORIZED,
            ),
        ] {
            app.exec(sql).await;
            eventually(expected, status).await;
        }
        // Writes to what no credential reads keep what is remembered: a warm request costs
        // what it did before them.
        let owner = || async {
            let me = app
                .graphql(Some(MEMBER), "{ me { owner } }", json!({}))
                .await;
            me["data"]["me"]["owner"].clone()
        };
        owner().await;
        let before = app.statements();
        assert_eq!(owner().await, json!("18519791946"));
        let warm = app.statements() - before;
        app.exec("UPDATE user_info SET points = points + 1").await;
        app.exec("UPDATE api_key SET last_used_at = NULL").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let before = app.statements();
        owner().await;
        assert_eq!(app.statements() - before, warm, "{}", app.name());
        // A member's key resolves to its owner: renamed, the key answers for the new name.
        app.exec("UPDATE user_info SET owner = 'renamed' WHERE id = 100")
            .await;
        eventually(json!("renamed"), owner).await;
    })
    .await;
}
