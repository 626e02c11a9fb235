//! The authorization walk: every REST route, read from the route table, and every GraphQL root
//! field, read from the live schema, is called by a stranger, by the wrong kind of caller, by a
//! staff account holding every permission code but the one needed, and by one holding just that
//! code. A route or field added later is walked without anyone remembering to.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use axum::http::{Method, StatusCode};
use opsgraph::{
    auth::{service, Permission},
    rest::{
        doc::{Access, Body, In},
        params::Kind,
    },
};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Map, Value};

use crate::common::{each_db, TestApp, MEMBER};

/// A staff account whose role holds exactly `codes`; answers its `Token` header.
pub async fn staff_with(app: &TestApp, name: &str, codes: &[&str]) -> String {
    let db = &app.state.core.db;
    let role = entity::role::ActiveModel {
        name: Set(name.to_owned()),
        superuser: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("role");
    for code in codes {
        entity::role_permission::ActiveModel {
            role_id: Set(role.id),
            code: Set((*code).to_owned()),
        }
        .insert(db)
        .await
        .expect("permission");
    }
    let staff = entity::staff::ActiveModel {
        username: Set(name.to_owned()),
        nickname: Set(name.to_owned()),
        password_hash: Set("not-a-login".into()),
        role_id: Set(role.id),
        is_active: Set(true),
        password_changed_at: Set(0),
        created_at: Set(chrono::Utc::now().naive_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("staff");
    let key = service::create_api_key(db, Some(staff.id), None)
        .await
        .expect("key");
    format!("Token {key}")
}

/// A second kids-coding member with no orders or props; answers its `Token` header.
async fn other_member(app: &TestApp) -> String {
    let db = &app.state.core.db;
    let member = entity::user_info::ActiveModel {
        owner: Set("13900000009".into()),
        name: Set("另一位".into()),
        avatar: Set(String::new()),
        bind_account: Set(String::new()),
        group_status: Set(3),
        diamonds: Set(1_000_000),
        created_at: Set(chrono::Utc::now().naive_utc()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("member");
    let key = service::create_api_key(db, None, Some(member.id))
        .await
        .expect("key");
    format!("Token {key}")
}

fn sample(kind: Kind) -> Value {
    match kind {
        Kind::Str => json!("1"),
        Kind::Int | Kind::BigInt | Kind::Float | Kind::Flag => json!(1),
        Kind::Bool => json!(true),
        Kind::StrList => json!(["1"]),
    }
}

/// One request that reaches a route's operation: path and required query parameters from the
/// documented examples, required body fields with sample values, a file for an upload.
fn request_for(route: &opsgraph::rest::Route) -> (String, Option<String>, Vec<u8>) {
    let mut path = route.path.clone();
    let mut query = Vec::new();
    for p in &route.doc.params {
        let Some(example) = &p.example else { continue };
        let text = example
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| example.to_string());
        match p.location {
            In::Path => path = path.replace(&format!("{{{}}}", p.name), &text),
            In::Query => query.push(format!("{}={text}", p.name)),
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    match &route.doc.body {
        None => (path, None, Vec::new()),
        Some(Body::Fields(fields)) => {
            let body: Map<String, Value> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| (f.legacy.to_owned(), sample(f.kind)))
                .collect();
            (
                path,
                Some("application/json".into()),
                Value::Object(body).to_string().into_bytes(),
            )
        }
        Some(Body::Json(_)) => (path, Some("application/json".into()), b"{}".to_vec()),
        Some(Body::Upload(field)) => {
            let boundary = "walk-boundary";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"a.xlsx\"\r\n\r\nnot a sheet\r\n--{boundary}--\r\n"
            );
            (
                path,
                Some(format!("multipart/form-data; boundary={boundary}")),
                body.into_bytes(),
            )
        }
    }
}

/// Tables a refused request must leave alone.
const TABLES: &[&str] = &[
    "user_info",
    "visit_record",
    "exchange_order",
    "user_product",
    "exchange_product",
    "shop",
    "report",
    "report_whitelist",
    "payment_order",
];

#[tokio::test]
async fn every_rest_route_admits_exactly_its_callers() {
    each_db(|app| async move {
        let all_codes: Vec<&str> = Permission::ALL.iter().map(|p| p.code()).collect();
        let mut without = HashMap::new();
        let mut only = HashMap::new();
        let mut reader = HashMap::new();
        let read_codes: Vec<&str> = opsgraph::auth::READ_CODES
            .iter()
            .map(|(_, p)| p.code())
            .collect();
        for p in Permission::ALL {
            let code = p.code();
            let mut with_reads = read_codes.clone();
            with_reads.push(code);
            with_reads.sort_unstable();
            with_reads.dedup();
            reader.insert(
                code,
                staff_with(&app, &format!("reader_{code}"), &with_reads).await,
            );
            let rest: Vec<&str> = all_codes.iter().copied().filter(|c| *c != code).collect();
            without.insert(
                code,
                staff_with(&app, &format!("without_{code}"), &rest).await,
            );
            only.insert(
                code,
                staff_with(&app, &format!("only_{code}"), &[code]).await,
            );
        }
        let superuser = "Token admin123";
        let before = app.row_counts(TABLES).await;
        let routes = opsgraph::rest::routes();
        let call = |route: &opsgraph::rest::Route, auth: Option<String>| {
            let (path, content_type, body) = request_for(route);
            let method = route.method.clone();
            let app = &app;
            async move {
                let (status, _, v) = app
                    .send(
                        method,
                        &path,
                        auth.as_deref(),
                        content_type.as_deref(),
                        body,
                    )
                    .await;
                (status, v, path)
            }
        };
        // Every refusal first, then the table counts, then the callers who get in.
        for route in &routes {
            let what = format!("{} {}", route.method, route.path);
            let bad_token = call(route, Some("Token not-a-key".into())).await;
            if route.doc.access != Access::Login {
                assert_eq!(
                    bad_token.0,
                    StatusCode::UNAUTHORIZED,
                    "{what}: a bad key: {}",
                    bad_token.1
                );
            }
            match route.doc.access {
                Access::Public | Access::Login => {}
                Access::Member => {
                    assert_eq!(
                        call(route, None).await.0,
                        StatusCode::UNAUTHORIZED,
                        "{what}: nobody"
                    );
                    assert_eq!(
                        call(route, Some(superuser.into())).await.0,
                        StatusCode::FORBIDDEN,
                        "{what}: staff"
                    );
                }
                Access::Staff(p) => {
                    assert_eq!(
                        call(route, None).await.0,
                        StatusCode::UNAUTHORIZED,
                        "{what}: nobody"
                    );
                    assert_eq!(
                        call(route, Some(MEMBER.into())).await.0,
                        StatusCode::FORBIDDEN,
                        "{what}: a member"
                    );
                    let (status, v, _) = call(route, Some(without[p.code()].clone())).await;
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{what}: every code but {}: {v}",
                        p.code()
                    );
                }
            }
        }
        assert_eq!(
            app.row_counts(TABLES).await,
            before,
            "a refused request wrote something"
        );
        for route in &routes {
            let what = format!("{} {}", route.method, route.path);
            let caller = match route.doc.access {
                // The login's sample password is wrong: its own tests cover it.
                Access::Login => continue,
                Access::Public => None,
                Access::Member => Some(MEMBER.to_owned()),
                Access::Staff(p) => Some(only[p.code()].clone()),
            };
            let (mut status, mut v, path) = call(route, caller).await;
            if status == StatusCode::FORBIDDEN {
                // An update whose sample body changes nothing answers the record only to a
                // caller who may read it (auth::READ_CODES): the route's code admitted it.
                if let Access::Staff(p) = route.doc.access {
                    (status, v, _) = call(route, Some(reader[p.code()].clone())).await;
                }
            }
            assert!(
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{what}: its own caller refused at {path}: {status} {v}"
            );
            assert!(!status.is_server_error(), "{what}: {status} {v}");
        }
    })
    .await;
}

#[tokio::test]
async fn no_member_reaches_another_members_data() {
    each_db(|app| async move {
        let other = other_member(&app).await;
        let order = "17003298818986925262490011"; // the demo member's order
        for prefix in ["/market", "/program_face2face/market"] {
            let (status, v) = app
                .get(
                    &format!("{prefix}/exchange_product_order/{order}/"),
                    Some(&other),
                )
                .await;
            assert_eq!(
                (status, v),
                (StatusCode::NOT_FOUND, json!({ "detail": "Not found." })),
                "{prefix}"
            );
            for action in ["use_product", "unuse_product"] {
                let (status, _, v) = app
                    .send(
                        Method::PUT,
                        &format!("{prefix}/{action}/129/"),
                        Some(&other),
                        None,
                        vec![],
                    )
                    .await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{prefix}/{action}: {v}");
            }
            let (_, v) = app
                .get(&format!("{prefix}/exchange_product_order/"), Some(&other))
                .await;
            assert_eq!(v["count"], 0, "{v}");
            let (_, v) = app
                .get(&format!("{prefix}/user_products/"), Some(&other))
                .await;
            assert_eq!(v["count"], 0, "{v}");
        }
        assert_eq!(
            app.scalar("SELECT status FROM user_product WHERE id = 129")
                .await,
            0,
            "untouched"
        );
        let v = app
            .graphql(
                Some(&other),
                &format!("{{ exchangeOrder(orderNumber: \"{order}\") {{ orderNumber }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND", "{v}");
        let v = app
            .graphql(
                Some(&other),
                "mutation { useProduct(id: 129) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND", "{v}");
        let v = app
            .graphql(Some(&other), "{ me { owner props { id } } }", json!({}))
            .await;
        assert_eq!(
            v["data"]["me"],
            json!({ "owner": "13900000009", "props": [] })
        );
    })
    .await;
}

/// A root field: its operation keyword, name, arguments and type.
pub type RootField = (&'static str, String, Vec<(String, Type)>, Type);

/// The live schema's root fields, and the schema to build their arguments from.
pub fn root_fields() -> (Vec<RootField>, Schema) {
    let doc = async_graphql::parser::parse_schema(opsgraph::graphql::sdl()).expect("SDL parses");
    let mut schema = Schema::default();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match t.node.kind {
            TypeKind::Object(o) => {
                schema.objects.insert(
                    name,
                    o.fields
                        .into_iter()
                        .map(|f| {
                            let args = f
                                .node
                                .arguments
                                .iter()
                                .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                                .collect();
                            (f.node.name.node.to_string(), args, f.node.ty.node)
                        })
                        .collect(),
                );
            }
            TypeKind::InputObject(i) => {
                schema.inputs.insert(
                    name,
                    i.fields
                        .into_iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                        .collect(),
                );
            }
            TypeKind::Enum(e) => {
                schema
                    .enums
                    .insert(name, e.values[0].node.value.node.to_string());
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    for (keyword, root) in [("query", "QueryRoot"), ("mutation", "MutationRoot")] {
        for (name, args, ty) in schema.objects[root].clone() {
            fields.push((keyword, name, args, ty));
        }
    }
    (fields, schema)
}

pub type Field = (String, Vec<(String, Type)>, Type);

/// The live schema's objects, input objects and enums (each enum's first value).
#[derive(Default)]
pub struct Schema {
    pub objects: HashMap<String, Vec<Field>>,
    pub inputs: HashMap<String, Vec<(String, Type)>>,
    pub enums: HashMap<String, String>,
}

impl Schema {
    /// A literal of a required type; `None` for an `Upload`, which travels as a file.
    pub fn literal(&self, ty: &Type) -> Option<String> {
        match &ty.base {
            BaseType::List(of) => self.literal(of).map(|v| format!("[{v}]")),
            BaseType::Named(name) => match name.as_str() {
                "Int" | "Float" | "Money" => Some("1".into()),
                "Boolean" => Some("true".into()),
                "NaiveDate" => Some("\"2022-06-16\"".into()),
                "Upload" => None,
                other if self.enums.contains_key(other) => Some(self.enums[other].clone()),
                other if self.inputs.contains_key(other) => {
                    let fields: Vec<String> = self.inputs[other]
                        .iter()
                        .filter(|(_, t)| !t.nullable)
                        .filter_map(|(n, t)| self.literal(t).map(|v| format!("{n}: {v}")))
                        .collect();
                    Some(format!("{{ {} }}", fields.join(", ")))
                }
                _ => Some("\"1\"".into()),
            },
        }
    }

    /// A selection for a field of type `ty`: none for a leaf, `{ __typename }` for an object.
    pub fn selection(&self, ty: &Type) -> &'static str {
        match &ty.base {
            BaseType::List(of) => self.selection(of),
            BaseType::Named(name) if self.objects.contains_key(name.as_str()) => " { __typename }",
            BaseType::Named(_) => "",
        }
    }
}

/// Root fields anyone may call (and `login`), and those for members only; every other field
/// is for staff with a permission code. A new field is taken for staff's until listed here.
const PUBLIC_FIELDS: &[&str] = &["viewer", "exchangeProducts", "exchangeProduct"];
/// Root fields for any staff caller, whatever its codes: its own sessions and password.
const ANY_STAFF_FIELDS: &[&str] = &[
    "permissionCodes",
    "logout",
    "logoutEverywhere",
    "changePassword",
];
/// Fields for any authenticated caller, staff or member.
const ANY_CALLER_FIELDS: &[&str] = &["me"];
/// Fields for kids-coding members only.
const MEMBER_FIELDS: &[&str] = &[
    "exchangeOrders",
    "exchangeOrder",
    "myProducts",
    "currentMember",
    "purchaseProduct",
    "useProduct",
    "unuseProduct",
];

/// Sends one root field as `auth`; a field with an `Upload` argument goes as a GraphQL
/// multipart request with a small file.
async fn call_field(
    app: &TestApp,
    auth: Option<&str>,
    keyword: &str,
    field: &str,
    args: &[(String, Type)],
    ty: &Type,
    schema: &Schema,
) -> Value {
    let mut vars = Vec::new();
    let mut given = Vec::new();
    let mut upload = None;
    for (name, t) in args.iter().filter(|(_, t)| !t.nullable) {
        match schema.literal(t) {
            Some(v) => given.push(format!("{name}: {v}")),
            None => {
                vars.push(format!("${name}: Upload!"));
                given.push(format!("{name}: ${name}"));
                upload = Some(name.clone());
            }
        }
    }
    let vars = if vars.is_empty() {
        String::new()
    } else {
        format!("({})", vars.join(", "))
    };
    let args = if given.is_empty() {
        String::new()
    } else {
        format!("({})", given.join(", "))
    };
    let query = format!(
        "{keyword} Walk{vars} {{ {field}{args}{} }}",
        schema.selection(ty)
    );
    let Some(name) = upload else {
        return app.graphql(auth, &query, json!({})).await;
    };
    let boundary = "walk-gql";
    let operations = json!({ "query": query, "variables": { name.clone(): null } });
    let map = json!({ "0": [format!("variables.{name}")] });
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{map}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"a.xlsx\"\r\n\r\nnot a sheet\r\n--{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    app.send(
        Method::POST,
        "/graphql",
        auth,
        Some(&content_type),
        body.into_bytes(),
    )
    .await
    .2
}

fn code(v: &Value) -> &str {
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn every_graphql_root_field_admits_exactly_its_callers() {
    each_db(|app| async move {
        let nobody_codes = staff_with(&app, "no_codes", &[]).await;
        let (fields, schema) = root_fields();
        assert!(fields.len() > 40, "{} root fields", fields.len());
        for (keyword, field, args, ty) in &fields {
            let call = |auth: Option<String>| {
                let app = &app;
                let schema = &schema;
                async move { call_field(app, auth.as_deref(), keyword, field, args, ty, schema).await }
            };
            let what = format!("{keyword} {field}");
            let (anonymous, member, no_codes, superuser) = (
                call(None).await,
                call(Some(MEMBER.into())).await,
                call(Some(nobody_codes.clone())).await,
                call(Some("Token admin123".into())).await,
            );
            let refused = |v: &Value| matches!(code(v), "UNAUTHENTICATED" | "FORBIDDEN");
            if field == "login" {
                // Anyone may try; the sample password is wrong, which is no refusal of access.
                assert_ne!(code(&anonymous), "FORBIDDEN", "{what}: {anonymous}");
            } else if PUBLIC_FIELDS.contains(&field.as_str()) {
                assert!(!refused(&anonymous), "{what} is public: {anonymous}");
            } else if ANY_STAFF_FIELDS.contains(&field.as_str()) {
                assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{what}: {anonymous}");
                assert_eq!(code(&member), "FORBIDDEN", "{what}: a member: {member}");
                assert!(!refused(&no_codes), "{what}: staff without codes: {no_codes}");
            } else if ANY_CALLER_FIELDS.contains(&field.as_str()) {
                assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{what}: {anonymous}");
                for v in [&member, &no_codes, &superuser] {
                    assert!(!refused(v), "{what}: {v}");
                }
            } else if MEMBER_FIELDS.contains(&field.as_str()) {
                assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{what}: {anonymous}");
                assert_eq!(code(&superuser), "FORBIDDEN", "{what}: staff: {superuser}");
                assert!(!refused(&member), "{what}: the member: {member}");
            } else {
                assert_eq!(code(&anonymous), "UNAUTHENTICATED", "{what}: {anonymous}");
                assert_eq!(code(&member), "FORBIDDEN", "{what}: a member: {member}");
                assert_eq!(code(&no_codes), "FORBIDDEN", "{what}: staff without codes: {no_codes}");
                assert!(!refused(&superuser), "{what}: a superuser: {superuser}");
            }
            for v in [&anonymous, &member, &no_codes, &superuser] {
                assert_ne!(code(v), "INTERNAL_SERVER_ERROR", "{what}: {v}");
            }
        }
    })
    .await;
}

/// Root fields that reach a protected type, each with arguments that reach real rows of the
/// demo data (so the guard is met, not skipped over an empty page). A path found without a
/// witness here fails the walk: a new way to a protected object has to be shown guarded.
const WITNESSES: &[(&str, &str)] = &[
    (
        "orders",
        "(filter: { startDate: \"2000-01-01\" }, pageSize: 100)",
    ),
    ("order", "(number: \"423132323232372212\")"),
    ("customerOrders", "(customerId: 231233, pageSize: 100)"),
];

/// Every way from a root field to an object of type `target`: for each root and each field
/// that answers `target`, the shortest path of field names leading there.
fn paths_to(
    schema: &Schema,
    roots: &[RootField],
    target: &str,
) -> Vec<(&'static str, Vec<String>)> {
    fn named(ty: &Type) -> &str {
        match &ty.base {
            BaseType::List(of) => named(of),
            BaseType::Named(name) => name.as_str(),
        }
    }
    let mut found = Vec::new();
    for (keyword, root, _, ty) in roots {
        let mut seen = std::collections::HashSet::new();
        let mut queue =
            std::collections::VecDeque::from([(named(ty).to_owned(), vec![root.clone()])]);
        if named(ty) == target {
            found.push((*keyword, vec![root.clone()]));
            continue;
        }
        while let Some((type_name, path)) = queue.pop_front() {
            if !seen.insert(type_name.clone()) {
                continue;
            }
            for (field, _, field_ty) in schema.objects.get(&type_name).into_iter().flatten() {
                let next = named(field_ty);
                let mut longer = path.clone();
                longer.push(field.clone());
                if next == target {
                    found.push((*keyword, longer));
                } else if schema.objects.contains_key(next) {
                    queue.push_back((next.to_owned(), longer));
                }
            }
        }
    }
    found
}

/// The values at `path` in `data` (lists flattened).
fn values_at<'a>(data: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return vec![data];
    };
    match data {
        Value::Array(items) => items.iter().flat_map(|v| values_at(v, path)).collect(),
        Value::Object(map) => map
            .get(first)
            .map(|v| values_at(v, rest))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn a_protected_object_is_guarded_on_every_path_from_every_root() {
    each_db(|app| async move {
        let (roots, schema) = root_fields();
        let all_codes: Vec<&str> = Permission::ALL.iter().map(|p| p.code()).collect();
        let mut walked = 0;
        for (target, permission) in opsgraph::auth::PROTECTED_TYPES {
            let code = permission.code();
            let others: Vec<&str> = all_codes.iter().copied().filter(|c| *c != code).collect();
            let without = staff_with(&app, &format!("walk_without_{code}"), &others).await;
            let paths = paths_to(&schema, &roots, target);
            assert!(!paths.is_empty(), "{target} is reachable from no root");
            for (keyword, path) in paths {
                let root = &path[0];
                let Some((_, args)) = WITNESSES.iter().find(|(r, _)| r == root) else {
                    panic!(
                        "{} reaches {target}: add a witness to WITNESSES",
                        path.join(".")
                    );
                };
                let mut inner = String::from("__typename");
                for (i, field) in path.iter().enumerate().rev() {
                    let args = if i == 0 { *args } else { "" };
                    inner = format!("{field}{args} {{ {inner} }}");
                }
                let query = format!("{keyword} {{ {inner} }}");
                let what = path.join(".");
                // The superuser reaches real objects there: the witness is no empty page.
                let all = app.graphql(Some("Token admin123"), &query, json!({})).await;
                assert!(all["errors"].is_null(), "{what}: {all}");
                let reached = values_at(&all["data"], &path);
                assert!(
                    reached.iter().any(|v| v.is_object()),
                    "{what}: the witness reaches no {target}: {all}"
                );
                // Every code but the type's own: nothing of it, a FORBIDDEN at its path.
                let refused = app.graphql(Some(&without), &query, json!({})).await;
                let leaked: Vec<_> = values_at(&refused["data"], &path)
                    .into_iter()
                    .filter(|v| v.is_object())
                    .collect();
                assert!(
                    leaked.is_empty(),
                    "{what} answers {target} without {code}: {refused}"
                );
                let errors = refused["errors"].as_array().cloned().unwrap_or_default();
                assert!(
                    !errors.is_empty()
                        && errors
                            .iter()
                            .all(|e| e["extensions"]["code"] == "FORBIDDEN"),
                    "{what}: {refused}"
                );
                let at_field = errors.iter().any(|e| {
                    e["path"]
                        .as_array()
                        .and_then(|p| p.last())
                        .and_then(Value::as_str)
                        == path.last().map(String::as_str)
                });
                let at_root = errors
                    .iter()
                    .any(|e| e["path"].as_array().is_some_and(|p| p.len() == 1));
                assert!(at_field || at_root, "{what}: refused where? {refused}");
                // The rest of the page still answers when the root admits the caller.
                if !at_root {
                    assert!(!refused["data"][root].is_null(), "{what}: {refused}");
                }
                walked += 1;
            }
        }
        assert!(walked >= 3, "{walked} paths walked");
    })
    .await;
}
