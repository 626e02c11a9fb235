//! Administering accounts without SQL (issue 16): the whole life of a staff account through
//! GraphQL with old tokens and keys refused at once, the rules (grant only what you hold, the
//! password policy, never disable yourself, keep the last superuser), two instances on one
//! database agreeing (on the very next request, or within a notification's delay when they
//! remember credentials), the CLI, and audit rows without secrets.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use axum::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use opsgraph::config::Config;

use crate::common::{backends, each_db, eventually, TestApp, MEMBER, STAFF};

/// `POST /api/access/token`: the bearer header, or the refusal's status and body.
async fn login(
    app: &TestApp,
    account: &str,
    password: &str,
) -> Result<String, (StatusCode, Value)> {
    let body = json!({ "account": account, "password": password });
    let (status, v) = app.post_json("/api/access/token", None, body).await;
    match v["data"]["token"].as_str() {
        Some(token) if status == StatusCode::OK => Ok(format!("Bearer {token}")),
        _ => Err((status, v)),
    }
}

/// A GraphQL request that must succeed: its `data`.
async fn ok(app: &TestApp, auth: &str, query: &str, variables: Value) -> Value {
    let v = app.graphql(Some(auth), query, variables).await;
    assert!(v["errors"].is_null(), "{query}: {v}");
    v["data"].clone()
}

/// A GraphQL request that must fail: its error's code and message.
async fn refused(app: &TestApp, auth: &str, query: &str, variables: Value) -> (String, String) {
    let v = app.graphql(Some(auth), query, variables).await;
    let error = &v["errors"][0];
    assert!(error.is_object(), "{query} answered {v}");
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
        error["message"].as_str().unwrap_or("").to_owned(),
    )
}

/// The status of the CRM's paid-user list for `auth`: 200 with `PAYER_LIST`, 403 without,
/// 401 for a credential that no longer works.
async fn payers(app: &TestApp, auth: &str) -> StatusCode {
    app.get("/server/userinfo/payer_list/?page_size=1", Some(auth))
        .await
        .0
}

const CREATE_ROLE: &str =
    "mutation($input: CreateRoleInput!) { createRole(input: $input) { id name superuser permissions } }";
const CREATE_STAFF: &str = "mutation($input: CreateStaffInput!) {
    createStaff(input: $input) { id username nickname mobile isActive role { id name } } }";
const UPDATE_STAFF: &str = "mutation($id: Int!, $input: UpdateStaffInput!) {
    updateStaff(id: $id, input: $input) { id nickname mobile isActive role { name } } }";
const CREATE_KEY: &str = "mutation($id: Int!) {
    createApiKey(staffId: $id) { key apiKey { id prefix kind staffId memberId owner lastUsedAt } } }";

/// Every audit row of account administration, as text: what must hold no secret.
async fn audit_rows(app: &TestApp) -> Vec<String> {
    let db = &app.state.core.db;
    let sql = "SELECT action, entity, record_id, changes FROM audit_log \
               WHERE entity IN ('staff', 'role', 'api_key') ORDER BY id";
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("audit rows")
        .iter()
        .map(|row| {
            let text = |i: usize| row.try_get_by_index::<String>(i).expect("text");
            format!("{} {} {} {}", text(0), text(1), text(2), text(3))
        })
        .collect()
}

#[tokio::test]
async fn an_account_lives_its_whole_life_through_graphql() {
    each_db(|app| async move {
        let admin = login(&app, "admin", "123456").await.expect("the demo admin");
        // A role, and an account holding it.
        let clerks = json!({ "name": "clerks", "permissions": ["PAYER_LIST", "AUDIT_LOG_LIST", "PAYER_LIST"] });
        assert_eq!(
            ok(&app, &admin, CREATE_ROLE, json!({ "input": clerks })).await,
            json!({ "createRole": { "id": 2, "name": "clerks", "superuser": false,
                                    "permissions": ["PAYER_LIST", "AUDIT_LOG_LIST"] } })
        );
        let input = json!({ "username": "clerk", "password": "clerk-pass-1", "nickname": "Clerk",
                            "mobile": "13900000001", "roleId": 2 });
        assert_eq!(
            ok(&app, &admin, CREATE_STAFF, json!({ "input": input })).await,
            json!({ "createStaff": { "id": 2, "username": "clerk", "nickname": "Clerk",
                                     "mobile": "13900000001", "isActive": true,
                                     "role": { "id": 2, "name": "clerks" } } })
        );
        // The account signs in (by its mobile too) and sees itself.
        let first = login(&app, "13900000001", "clerk-pass-1").await.expect("the clerk");
        assert_eq!(
            ok(&app, &first, "{ me { kind id username nickname mobile userId permissions
                                     role { id name superuser permissions } } }", json!({})).await,
            json!({ "me": { "kind": "staff", "id": 2, "username": "clerk", "nickname": "Clerk",
                            "mobile": "13900000001", "userId": null,
                            "permissions": ["PAYER_LIST", "AUDIT_LOG_LIST"],
                            "role": { "id": 2, "name": "clerks", "superuser": false,
                                      "permissions": ["PAYER_LIST", "AUDIT_LOG_LIST"] } } })
        );
        // A key for it, shown once; listed by prefix and owner, with its last use.
        let made = ok(&app, &admin, CREATE_KEY, json!({ "id": 2 })).await;
        let key = made["createApiKey"]["key"].as_str().expect("the key").to_owned();
        assert!(key.len() == 40 && key.chars().all(|c| c.is_ascii_hexdigit()), "{key}");
        assert_eq!(
            made["createApiKey"]["apiKey"],
            json!({ "id": 3, "prefix": &key[..6], "kind": "staff", "staffId": 2, "memberId": null,
                    "owner": "clerk", "lastUsedAt": null })
        );
        let clerk_key = format!("Token {key}");
        assert_eq!(payers(&app, &clerk_key).await, StatusCode::OK);
        let listed = ok(&app, &admin, "{ apiKeys(filter: { staffId: 2 }) { totalCount items { id prefix owner lastUsedAt } } }", json!({})).await;
        let item = &listed["apiKeys"]["items"][0];
        assert_eq!((item["id"].clone(), item["prefix"].clone(), item["owner"].clone()), (json!(3), json!(&key[..6]), json!("clerk")));
        assert!(item["lastUsedAt"].is_string(), "{listed}");
        assert!(!listed.to_string().contains(&key), "a listing never shows the key");

        // Another role: its codes apply to the very next request of the token and of the key.
        let readers = json!({ "name": "readers", "permissions": ["AUDIT_LOG_LIST"] });
        ok(&app, &admin, CREATE_ROLE, json!({ "input": readers })).await;
        assert_eq!(
            ok(&app, &admin, UPDATE_STAFF, json!({ "id": 2, "input": { "roleId": 3, "mobile": null } })).await,
            json!({ "updateStaff": { "id": 2, "nickname": "Clerk", "mobile": null, "isActive": true,
                                     "role": { "name": "readers" } } })
        );
        assert_eq!(payers(&app, &first).await, StatusCode::FORBIDDEN);
        assert_eq!(payers(&app, &clerk_key).await, StatusCode::FORBIDDEN);
        ok(&app, &clerk_key, "{ auditLog { totalCount } }", json!({})).await;

        // Its own password change ends its earlier tokens and answers a new one.
        let v = ok(&app, &first, "mutation { changePassword(oldPassword: \"clerk-pass-1\", newPassword: \"clerk-pass-2\") { token } }", json!({})).await;
        let second = format!("Bearer {}", v["changePassword"]["token"].as_str().expect("token"));
        assert_eq!(refused(&app, &first, "{ me { id } }", json!({})).await.0, "UNAUTHENTICATED");
        assert_eq!(ok(&app, &second, "{ me { id } }", json!({})).await, json!({ "me": { "id": 2 } }));
        // A reset by an administrator ends them too.
        let reset = "mutation { resetStaffPassword(id: 2, newPassword: \"clerk-pass-3\") }";
        assert_eq!(ok(&app, &admin, reset, json!({})).await, json!({ "resetStaffPassword": true }));
        assert_eq!(refused(&app, &second, "{ me { id } }", json!({})).await.0, "UNAUTHENTICATED");
        assert!(login(&app, "clerk", "clerk-pass-2").await.is_err());
        let third = login(&app, "clerk", "clerk-pass-3").await.expect("the new password");

        // Disabled: its tokens and keys are refused at once, and a login with the right password
        // answers exactly what a wrong one does.
        let disable = json!({ "id": 2, "input": { "isActive": false } });
        ok(&app, &admin, UPDATE_STAFF, disable).await;
        assert_eq!(refused(&app, &third, "{ me { id } }", json!({})).await.0, "UNAUTHENTICATED");
        assert_eq!(payers(&app, &clerk_key).await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            login(&app, "clerk", "clerk-pass-3").await.expect_err("disabled"),
            login(&app, "clerk", "wrong-pass-0").await.expect_err("wrong"),
        );
        // Enabled again: the key works again; tokens from before stay ended.
        ok(&app, &admin, UPDATE_STAFF, json!({ "id": 2, "input": { "isActive": true } })).await;
        assert_eq!(ok(&app, &clerk_key, "{ me { username } }", json!({})).await, json!({ "me": { "username": "clerk" } }));
        assert_eq!(refused(&app, &third, "{ me { id } }", json!({})).await.0, "UNAUTHENTICATED");

        // The key revoked by its prefix: refused at once.
        let revoke = format!("mutation {{ revokeApiKey(prefix: \"{}\") {{ id owner }} }}", &key[..6]);
        assert_eq!(ok(&app, &admin, &revoke, json!({})).await, json!({ "revokeApiKey": { "id": 3, "owner": "clerk" } }));
        assert_eq!(payers(&app, &clerk_key).await, StatusCode::UNAUTHORIZED);

        // A member's key: for the member's own routes; listed by member; revoked by id.
        let made = ok(&app, &admin, "mutation { createMemberApiKey(userId: 100) { key apiKey { id kind staffId memberId owner } } }", json!({})).await;
        let member_key = format!("Token {}", made["createMemberApiKey"]["key"].as_str().expect("key"));
        assert_eq!(
            made["createMemberApiKey"]["apiKey"],
            json!({ "id": 4, "kind": "member", "staffId": null, "memberId": 100, "owner": "18519791946" })
        );
        assert_eq!(app.get("/userinfo/", Some(&member_key)).await.0, StatusCode::OK);
        let listed = ok(&app, &admin, "{ apiKeys(filter: { memberId: 100 }) { totalCount items { id } } }", json!({})).await;
        assert_eq!(listed, json!({ "apiKeys": { "totalCount": 2, "items": [{ "id": 4 }, { "id": 2 }] } }));
        ok(&app, &admin, "mutation { revokeApiKey(id: 4) { id } }", json!({})).await;
        assert_eq!(app.get("/userinfo/", Some(&member_key)).await.0, StatusCode::UNAUTHORIZED);

        // A role held by an account cannot go; one held by none can.
        let (code, message) = refused(&app, &admin, "mutation { deleteRole(id: 3) }", json!({})).await;
        assert_eq!((code.as_str(), message.as_str()), ("ROLE_IN_USE", "The role readers is held by 1 account(s): give them another role first."));
        assert_eq!(ok(&app, &admin, "mutation { deleteRole(id: 2) }", json!({})).await, json!({ "deleteRole": true }));
        assert_eq!(ok(&app, &admin, "{ roles { name } }", json!({})).await, json!({ "roles": [{ "name": "admin" }, { "name": "readers" }] }));

        // Every change is in the audit log, by whom, without a password, a hash or a key.
        let rows = audit_rows(&app).await;
        let actions: Vec<&str> = rows.iter().map(|r| r.split(' ').next().unwrap_or("")).collect();
        assert_eq!(
            actions,
            ["login", "createRole", "createStaff", "login", "createApiKey", "createRole", "updateStaff",
             "changePassword", "resetStaffPassword", "login", "updateStaff", "updateStaff", "revokeApiKey",
             "createMemberApiKey", "revokeApiKey", "deleteRole"]
        );
        let digest = opsgraph::auth::service::key_digest(&key);
        for row in &rows {
            for secret in ["clerk-pass-1", "clerk-pass-2", "clerk-pass-3", "$argon2", "password_hash", &key, &digest] {
                assert!(!row.contains(secret), "{secret} in {row}");
            }
        }
        assert!(rows[2].contains("\"username\":{\"after\":\"clerk\",\"before\":null}") || rows[2].contains("\"username\":{\"before\":null,\"after\":\"clerk\"}"), "{}", rows[2]);
    })
    .await;
}

#[tokio::test]
async fn nobody_grants_what_they_do_not_hold_nor_removes_the_last_superuser() {
    each_db(|app| async move {
        let admin = STAFF;
        // A manager of staff, roles and keys who reads paid users and nothing else.
        let codes = ["PAYER_LIST", "STAFF_MANAGE", "ROLE_MANAGE", "API_KEY_MANAGE"];
        ok(&app, admin, CREATE_ROLE, json!({ "input": { "name": "managers", "permissions": codes } })).await;
        let input = json!({ "username": "manager", "password": "manager-pass", "roleId": 2 });
        ok(&app, admin, CREATE_STAFF, json!({ "input": input })).await;
        let manager = login(&app, "manager", "manager-pass").await.expect("the manager");
        let forbidden = |message: &str| ("FORBIDDEN".to_owned(), message.to_owned());

        // A role with a code the manager lacks; the superuser role to a new account; the admin's
        // role changed, the admin's account disabled, its password reset, a key for it.
        let more = json!({ "input": { "name": "auditors", "permissions": ["AUDIT_LOG_LIST"] } });
        assert_eq!(refused(&app, &manager, CREATE_ROLE, more).await, forbidden("You cannot grant AUDIT_LOG_LIST: you do not hold it."));
        let to_admin = json!({ "input": { "username": "sneaky", "password": "sneaky-pass", "roleId": 1 } });
        let only_superuser = "Only a superuser can grant or manage the superuser role admin.";
        assert_eq!(refused(&app, &manager, CREATE_STAFF, to_admin).await, forbidden(only_superuser));
        let admin_role = "mutation { updateRole(id: 1, input: { name: \"mine\" }) { id } }";
        assert_eq!(refused(&app, &manager, admin_role, json!({})).await, forbidden(only_superuser));
        let disable_admin = json!({ "id": 1, "input": { "isActive": false } });
        assert_eq!(refused(&app, &manager, UPDATE_STAFF, disable_admin).await, forbidden(only_superuser));
        let reset = "mutation { resetStaffPassword(id: 1, newPassword: \"taken-over\") }";
        assert_eq!(refused(&app, &manager, reset, json!({})).await, forbidden(only_superuser));
        assert_eq!(refused(&app, &manager, CREATE_KEY, json!({ "id": 1 })).await, forbidden(only_superuser));
        // Within what it holds, it may: a narrower role, an account holding it, a key for itself.
        let narrower = json!({ "input": { "name": "readers", "permissions": ["PAYER_LIST"] } });
        assert_eq!(
            ok(&app, &manager, CREATE_ROLE, narrower).await,
            json!({ "createRole": { "id": 3, "name": "readers", "superuser": false, "permissions": ["PAYER_LIST"] } })
        );
        ok(&app, &manager, CREATE_KEY, json!({ "id": 2 })).await;
        // Unknown codes and weak passwords are bad input, said plainly.
        let unknown = json!({ "input": { "name": "x", "permissions": ["EVERYTHING"] } });
        assert_eq!(
            refused(&app, &manager, CREATE_ROLE, unknown).await,
            ("BAD_USER_INPUT".into(), "Unknown permission code \"EVERYTHING\": see permissionCodes.".into())
        );
        for (password, message) in [
            ("short", "The password must have at least 8 characters."),
            ("Reader01", "The password must not be the username."),
        ] {
            let input = json!({ "input": { "username": "reader01", "password": password, "roleId": 3 } });
            assert_eq!(refused(&app, &manager, CREATE_STAFF, input).await, ("BAD_USER_INPUT".into(), message.into()));
        }
        let taken = json!({ "input": { "username": "manager", "password": "another-pass", "roleId": 3 } });
        assert_eq!(refused(&app, &manager, CREATE_STAFF, taken).await.0, "CONFLICT");

        // Nobody disables themselves; the last active superuser stays one.
        let (code, _) = refused(&app, &manager, UPDATE_STAFF, json!({ "id": 2, "input": { "isActive": false } })).await;
        assert_eq!(code, "CANNOT_DISABLE_SELF");
        let demote = json!({ "id": 1, "input": { "roleId": 2 } });
        assert_eq!(
            refused(&app, admin, UPDATE_STAFF, demote.clone()).await,
            ("LAST_SUPERUSER".into(), "The last active superuser cannot be disabled or given another role.".into())
        );
        // With a second superuser, the first may be moved; then the second is the last.
        let root = json!({ "input": { "username": "root2", "password": "root2-pass", "roleId": 1 } });
        ok(&app, admin, CREATE_STAFF, root).await;
        let root2 = login(&app, "root2", "root2-pass").await.expect("root2");
        ok(&app, &root2, UPDATE_STAFF, demote).await;
        let (code, _) = refused(&app, &root2, UPDATE_STAFF, json!({ "id": 3, "input": { "roleId": 2 } })).await;
        assert_eq!(code, "LAST_SUPERUSER");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM staff s JOIN role r ON r.id = s.role_id WHERE r.superuser AND s.is_active").await,
            1
        );
        // Accounts are listed like every list: filtered, paged, with their roles.
        let list = "{ staffAccounts(filter: { keyword: \"R\", isActive: true }, pageSize: 1, page: 2) {
                        totalCount page pageSize items { id username isActive role { name superuser } } } }";
        assert_eq!(
            ok(&app, &root2, list, json!({})).await,
            json!({ "staffAccounts": { "totalCount": 2, "page": 2, "pageSize": 1, "items": [
                { "id": 3, "username": "root2", "isActive": true, "role": { "name": "admin", "superuser": true } }
            ] } })
        );
        assert_eq!(
            ok(&app, &root2, "{ role(id: 3) { name permissions } }", json!({})).await,
            json!({ "role": { "name": "readers", "permissions": ["PAYER_LIST"] } })
        );
        // A member manages nothing, and sees itself through `me`.
        assert_eq!(refused(&app, MEMBER, "{ roles { id } }", json!({})).await.0, "FORBIDDEN");
        assert_eq!(
            ok(&app, MEMBER, "{ me { kind id username userId mobile role { id } permissions owner } }", json!({})).await,
            json!({ "me": { "kind": "member", "id": 100, "username": "18519791946", "userId": 100,
                            "mobile": null, "role": null, "permissions": [], "owner": "18519791946" } })
        );
    })
    .await;
}

/// When two instances agree on a change to credentials that one of them made.
#[derive(Clone, Copy)]
enum Agree {
    /// On the very next request: neither remembers a credential
    /// (`OPSGRAPH_CREDENTIAL_CACHE_SECS=0`).
    Next,
    /// Within a notification's delay: both remember credentials (the default).
    Soon,
}

impl Agree {
    /// `probe` answers `expected`: at once, or once the other instance heard of the change.
    async fn on<T, F, Fut>(self, expected: T, mut probe: F)
    where
        T: PartialEq + std::fmt::Debug,
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        match self {
            Agree::Next => assert_eq!(probe().await, expected),
            Agree::Soon => eventually(expected, probe).await,
        }
    }
}

#[tokio::test]
async fn two_instances_that_remember_nothing_agree_on_the_very_next_request() {
    for backend in backends() {
        let strict = |c: &mut Config| c.credential_cache_secs = 0;
        let a = TestApp::start_with(backend, true, strict).await;
        let b = a.another_instance_with(strict).await;
        two_instances_agree(&a, &b, Agree::Next).await;
        a.finish().await;
    }
}

#[tokio::test]
async fn two_instances_that_remember_credentials_agree_within_a_notification() {
    each_db(|a| async move {
        let b = a.another_instance().await;
        two_instances_agree(&a, &b, Agree::Soon).await;
        // Warm, a request costs no statement for its credential. (On SQLite the watcher may
        // still be about to forget what A remembered, having polled the version B's last change
        // moved: then one more request resolves the credential again.)
        eventually(1, || async {
            let before = a.statements();
            payers(&a, STAFF).await;
            a.statements() - before
        })
        .await;
    })
    .await;
}

/// The life of a clerk's token and key, changed on one instance and checked on the other.
async fn two_instances_agree(a: &TestApp, b: &TestApp, agree: Agree) {
    ok(
        a,
        STAFF,
        CREATE_ROLE,
        json!({ "input": { "name": "clerks", "permissions": ["PAYER_LIST"] } }),
    )
    .await;
    ok(
        a,
        STAFF,
        CREATE_STAFF,
        json!({ "input": { "username": "clerk", "password": "clerk-pass-1", "roleId": 2 } }),
    )
    .await;
    let token = login(a, "clerk", "clerk-pass-1").await.expect("the clerk");
    let made = ok(a, STAFF, CREATE_KEY, json!({ "id": 2 })).await;
    let key = format!(
        "Token {}",
        made["createApiKey"]["key"].as_str().expect("key")
    );
    agree
        .on((StatusCode::OK, StatusCode::OK), || async {
            (payers(b, &token).await, payers(b, &key).await)
        })
        .await;
    // A role's codes changed on A: B forbids.
    ok(
        a,
        STAFF,
        "mutation { updateRole(id: 2, input: { permissions: [] }) { id } }",
        json!({}),
    )
    .await;
    agree
        .on((StatusCode::FORBIDDEN, StatusCode::FORBIDDEN), || async {
            (payers(b, &token).await, payers(b, &key).await)
        })
        .await;
    ok(
        b,
        STAFF,
        "mutation { updateRole(id: 2, input: { permissions: [\"PAYER_LIST\"] }) { id } }",
        json!({}),
    )
    .await;
    agree
        .on((StatusCode::OK, StatusCode::OK), || async {
            (payers(a, &token).await, payers(a, &key).await)
        })
        .await;
    // Logged out on B: A refuses the token.
    assert_eq!(
        ok(b, &token, "mutation { logout }", json!({})).await,
        json!({ "logout": true })
    );
    agree
        .on(StatusCode::UNAUTHORIZED, || async {
            payers(a, &token).await
        })
        .await;
    // Every session ended on A: B refuses a token issued before.
    let token = login(b, "clerk", "clerk-pass-1").await.expect("again");
    agree
        .on(StatusCode::OK, || async { payers(a, &token).await })
        .await;
    ok(a, &token, "mutation { logoutEverywhere }", json!({})).await;
    agree
        .on(StatusCode::UNAUTHORIZED, || async {
            payers(b, &token).await
        })
        .await;
    // The key revoked on B: A refuses it.
    ok(
        b,
        STAFF,
        "mutation { revokeApiKey(id: 3) { id } }",
        json!({}),
    )
    .await;
    agree
        .on(StatusCode::UNAUTHORIZED, || async { payers(a, &key).await })
        .await;
    // The password changed on A: B refuses the token from before and takes the new one.
    let before = login(b, "clerk", "clerk-pass-1").await.expect("again");
    let changed = ok(
            a,
            &before,
            "mutation { changePassword(oldPassword: \"clerk-pass-1\", newPassword: \"clerk-pass-2\") { token } }",
            json!({}),
        )
        .await;
    let after = format!(
        "Bearer {}",
        changed["changePassword"]["token"].as_str().expect("token")
    );
    agree
        .on((StatusCode::UNAUTHORIZED, StatusCode::OK), || async {
            (payers(b, &before).await, payers(b, &after).await)
        })
        .await;
    // The password reset on B: A refuses the token from before.
    ok(
        b,
        STAFF,
        "mutation { resetStaffPassword(id: 2, newPassword: \"clerk-pass-3\") }",
        json!({}),
    )
    .await;
    agree
        .on(StatusCode::UNAUTHORIZED, || async {
            payers(a, &after).await
        })
        .await;
    // The account disabled on A: B refuses its new token.
    let token = login(b, "clerk", "clerk-pass-3").await.expect("again");
    ok(
        a,
        STAFF,
        UPDATE_STAFF,
        json!({ "id": 2, "input": { "isActive": false } }),
    )
    .await;
    agree
        .on(StatusCode::UNAUTHORIZED, || async {
            payers(b, &token).await
        })
        .await;
}

/// Runs `opsgraph` on the test's database with `stdin` as standard input: status and stdout.
fn cli(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsgraph"))
        .args(["--database-url", &app.url])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run opsgraph");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("opsgraph ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_administers_accounts_reading_passwords_from_stdin() {
    each_db(|app| async move {
        let run = |args: &[&str], stdin: &str| {
            let (success, out, err) = cli(&app, args, stdin);
            assert!(success, "{args:?}: {err}");
            out
        };
        assert_eq!(run(&["role", "create", "clerks", "PAYER_LIST"], ""), "created role clerks (id 2)\n");
        assert_eq!(run(&["role", "grant", "clerks", "AUDIT_LOG_LIST"], ""), "clerks: PAYER_LIST,AUDIT_LOG_LIST\n");
        assert_eq!(run(&["role", "revoke", "clerks", "PAYER_LIST"], ""), "clerks: AUDIT_LOG_LIST\n");
        assert_eq!(
            run(&["role", "list"], ""),
            "id\tname\tsuperuser\tcodes\n1\tadmin\ttrue\t(every code)\n2\tclerks\tfalse\tAUDIT_LOG_LIST\n"
        );
        // The password comes from stdin; the policy holds.
        let (success, _, err) = cli(&app, &["staff", "create", "--username", "clerk", "--role", "clerks"], "short\n");
        assert!(!success && err.contains("at least 8 characters"), "{err}");
        assert_eq!(
            run(&["staff", "create", "--username", "clerk", "--role", "clerks", "--nickname", "Clerk"], "clerk-pass-1\n"),
            "created staff clerk (id 2)\n"
        );
        let token = login(&app, "clerk", "clerk-pass-1").await.expect("the clerk");
        assert_eq!(run(&["role", "grant", "clerks", "PAYER_LIST"], ""), "clerks: PAYER_LIST,AUDIT_LOG_LIST\n");
        eventually(StatusCode::OK, || payers(&app, &token)).await;
        assert_eq!(
            run(&["staff", "list", "--role", "clerks"], ""),
            "id\tusername\tnickname\tmobile\trole\tactive\n2\tclerk\tClerk\t\tclerks\ttrue\n"
        );
        // A key, printed once; listed by prefix; revoked by prefix.
        let key = run(&["key", "create", "--staff", "clerk"], "").trim().to_owned();
        assert_eq!(key.len(), 40, "{key}");
        let auth = format!("Token {key}");
        eventually(StatusCode::OK, || payers(&app, &auth)).await;
        let listed = run(&["key", "list", "--staff", "clerk"], "");
        assert!(listed.starts_with(&format!("id\tprefix\tkind\towner\tcreated\tlast used\n3\t{}\tstaff\tclerk\t", &key[..6])), "{listed}");
        assert!(!listed.contains(&key));
        assert_eq!(run(&["key", "revoke", &key[..6]], ""), "revoked key 3 of clerk\n");
        let auth = format!("Token {key}");
        eventually(StatusCode::UNAUTHORIZED, || payers(&app, &auth)).await;
        // A password reset and a disable end the sessions (the server hears of each change the
        // CLI makes through the database's triggers).
        assert_eq!(run(&["staff", "reset-password", "clerk"], "clerk-pass-2\n"), "password of clerk set; its sessions ended\n");
        eventually(StatusCode::UNAUTHORIZED, || payers(&app, &token)).await;
        let token = login(&app, "clerk", "clerk-pass-2").await.expect("the new password");
        assert_eq!(run(&["staff", "disable", "clerk"], ""), "clerk disabled; its sessions ended\n");
        eventually(StatusCode::UNAUTHORIZED, || payers(&app, &token)).await;
        assert_eq!(run(&["staff", "enable", "clerk"], ""), "clerk enabled\n");
        assert_eq!(run(&["staff", "set-role", "clerk", "admin"], ""), "clerk now holds the role admin\n");
        // The last superuser stays: after clerk is moved back, admin is the last one.
        run(&["staff", "set-role", "clerk", "clerks"], "");
        let (success, _, err) = cli(&app, &["staff", "disable", "admin"], "");
        assert!(!success && err.contains("The last active superuser"), "{err}");
        // The CLI's changes are in the audit log as the console's, without secrets.
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'console'").await,
            12
        );
        for row in audit_rows(&app).await {
            for secret in ["clerk-pass-1", "clerk-pass-2", "$argon2", &key] {
                assert!(!row.contains(secret), "{secret} in {row}");
            }
        }
        // The first-start shortcut: a superuser and a key for it, its password never an argument.
        let (success, _, err) = cli(&app, &["create-admin", "--username", "root", "--password", "root-pass-1"], "");
        assert!(!success && err.contains("'--password'"), "{err}");
        let out = run(&["create-admin", "--username", "root"], "root-pass-1\n");
        let (created, root_key) = out.trim().split_once("; API key: ").expect("a key");
        assert_eq!(created, "created admin root (id 3)");
        let auth = format!("Token {root_key}");
        eventually(StatusCode::OK, || payers(&app, &auth)).await;
        login(&app, "root", "root-pass-1").await.expect("the new superuser");
    })
    .await;
}
