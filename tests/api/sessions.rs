//! Sessions that end when they should: `logout` ends one JWT, `logoutEverywhere` every JWT of
//! the account, `changePassword` checks the old password and the policy, ends every earlier JWT
//! and answers a new one; the audit log records each without a secret.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{each_db, TestApp};

/// Logs in as the seed's curl does; answers the JWT.
async fn token(app: &TestApp, password: &str) -> String {
    let (status, v) = app
        .post_json(
            "/api/access/token",
            None,
            json!({ "account": "admin", "password": password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    format!("Bearer {}", v["data"]["token"].as_str().expect("a token"))
}

/// Who the token is, through both interfaces: the GraphQL viewer's name and the status of a
/// REST page (401 once the session has ended).
async fn who(app: &TestApp, bearer: &str) -> (Value, StatusCode) {
    let v = app
        .graphql(Some(bearer), "{ viewer { name } }", json!({}))
        .await;
    let viewer = if v["errors"].is_null() {
        v["data"]["viewer"]["name"].clone()
    } else {
        v["errors"][0]["extensions"]["code"].clone()
    };
    let (status, _) = app.get("/api/report?page=1", Some(bearer)).await;
    (viewer, status)
}

fn ok(v: &Value, field: &str) -> Value {
    assert!(v["errors"].is_null(), "{v}");
    v["data"][field].clone()
}

#[tokio::test]
async fn logout_ends_one_token_and_logout_everywhere_ends_them_all() {
    each_db(|app| async move {
        let signed_in = (json!("admin"), StatusCode::OK);
        let ended = (json!("UNAUTHENTICATED"), StatusCode::UNAUTHORIZED);
        let (a, b) = (token(&app, "123456").await, token(&app, "123456").await);
        assert_eq!(who(&app, &a).await, signed_in);
        // A is logged out: refused at once; B goes on.
        assert_eq!(
            ok(
                &app.graphql(Some(&a), "mutation { logout }", json!({}))
                    .await,
                "logout"
            ),
            true
        );
        assert_eq!(who(&app, &a).await, ended);
        assert_eq!(who(&app, &b).await, signed_in);
        let v = app
            .graphql(Some(&a), "mutation { logout }", json!({}))
            .await;
        assert_eq!(
            v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{v}"
        );
        // A key has no session to log out.
        let v = app
            .graphql(Some("Token admin123"), "mutation { logout }", json!({}))
            .await;
        assert_eq!(
            v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{v}"
        );
        // Everywhere: B and every other token of the account end; keys go on; a new login works.
        let c = token(&app, "123456").await;
        let v = app
            .graphql(Some(&b), "mutation { logoutEverywhere }", json!({}))
            .await;
        assert_eq!(ok(&v, "logoutEverywhere"), true);
        assert_eq!(who(&app, &b).await, ended);
        assert_eq!(who(&app, &c).await, ended);
        assert_eq!(who(&app, "Token admin123").await, signed_in);
        let d = token(&app, "123456").await;
        assert_eq!(who(&app, &d).await, signed_in);
        // The logged-out token's id is kept until it expires; expired ones are pruned by the
        // next logout.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM revoked_token").await, 1);
        app.exec("INSERT INTO revoked_token (jti, staff_id, expires_at) VALUES ('old', 1, 1)")
            .await;
        ok(
            &app.graphql(Some(&d), "mutation { logout }", json!({}))
                .await,
            "logout",
        );
        assert_eq!(app.scalar("SELECT COUNT(*) FROM revoked_token").await, 2);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM revoked_token WHERE jti = 'old'")
                .await,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_the_policy_and_ends_every_session() {
    each_db(|app| async move {
        let a = token(&app, "123456").await;
        let change = |old: &str, new: &str| {
            json!({ "old": old, "new": new })
        };
        let m = "mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { token tokenType } }";
        let refused = |v: Value| {
            (
                v["errors"][0]["extensions"].clone(),
                v["errors"][0]["message"].clone(),
            )
        };
        assert_eq!(
            refused(app.graphql(Some(&a), m, change("123456", "short")).await),
            (
                json!({ "code": "BAD_USER_INPUT", "field": "newPassword" }),
                json!("The password must have at least 8 characters.")
            )
        );
        assert_eq!(
            refused(app.graphql(Some(&a), m, change("123456", "ADMIN")).await).0["field"],
            "newPassword"
        );
        assert_eq!(
            refused(app.graphql(Some(&a), m, change("wrong-old", "a-good-passphrase")).await),
            (
                json!({ "code": "BAD_USER_INPUT", "field": "oldPassword" }),
                json!("The old password is wrong.")
            )
        );
        // Nothing changed so far: the token still works.
        assert_eq!(who(&app, &a).await.1, StatusCode::OK);
        let v = app.graphql(Some(&a), m, change("123456", "a-good-passphrase")).await;
        let fresh = ok(&v, "changePassword");
        assert_eq!(fresh["tokenType"], "Bearer");
        let fresh = format!("Bearer {}", fresh["token"].as_str().unwrap());
        assert_eq!(who(&app, &a).await.1, StatusCode::UNAUTHORIZED, "the old token ended");
        assert_eq!(who(&app, &fresh).await, (json!("admin"), StatusCode::OK));
        // The old password is gone, the new one logs in.
        let (status, _) = app
            .post_json(
                "/api/access/token",
                None,
                json!({ "account": "admin", "password": "123456" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        token(&app, "a-good-passphrase").await;
        // The audit log says what happened, never a password or a hash.
        let v = app
            .graphql(
                Some("Token admin123"),
                r#"{ auditLog(filter: { entity: "staff" }, pageSize: 50) { items { action changes } } }"#,
                json!({}),
            )
            .await;
        let items = ok(&v, "auditLog")["items"].clone();
        let text = items.to_string();
        assert!(text.contains("changePassword"), "{text}");
        for secret in ["123456", "a-good-passphrase", "$argon2"] {
            assert!(!text.contains(secret), "the audit log holds {secret}: {text}");
        }
    })
    .await;
}

#[tokio::test]
async fn permission_codes_list_every_code_with_what_it_allows() {
    each_db(|app| async move {
        let none = crate::walk::staff_with(&app, "panel", &[]).await;
        let v = app
            .graphql(Some(&none), "{ permissionCodes { code description } }", json!({}))
            .await;
        let codes = ok(&v, "permissionCodes");
        let codes = codes.as_array().expect("a list");
        assert_eq!(codes.len(), opsgraph::auth::Permission::ALL.len());
        assert_eq!(
            codes[0],
            json!({ "code": "PAYER_LIST", "description": "Read the kids-coding paid users." })
        );
        assert!(codes.iter().any(|c| c
            == &json!({ "code": "Payment_Order_Info", "description": "Read an order with its invoice." })));
        let v = app
            .graphql(Some(crate::common::MEMBER), "{ permissionCodes { code } }", json!({}))
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN", "{v}");
    })
    .await;
}
