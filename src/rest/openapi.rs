//! The OpenAPI 3.1 document of the REST layer, generated from the route table
//! ([`super::routes`]) and each route's [`Doc`]. Served at `/openapi.json`, rendered offline at
//! `/docs`, written by `opsgraph export-openapi`, fuzzed by schemathesis in CI; the test suite
//! checks every answer it receives against it.

use std::sync::LazyLock;

use axum::{
    http::header,
    response::{Html, IntoResponse},
};
use serde_json::{json, Map, Value};

use super::{
    doc::{fields_schema, Access, Body, Doc, In, Media},
    Family,
};
use crate::xlsx;

/// The document, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| document().to_string());

/// `GET /openapi.json`.
pub async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

/// `GET /docs`: a page that renders `/openapi.json` with no outside asset.
pub async fn docs() -> Html<&'static str> {
    // Beside the playground's bundle in `assets/`: a page, not Rust.
    Html(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/docs.html"
    )))
}

fn family_tag(family: Family) -> &'static str {
    match family {
        Family::KidsCoding => "kids-coding",
        Family::Merchants => "merchant-management",
        Family::PaidReports => "paid-reports",
    }
}

/// An operation id from the method and path: `get_api_report_id_white`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        id.push('_');
        id.extend(part.chars().filter(|c| !matches!(c, '{' | '}')).map(|c| {
            if c.is_ascii_alphanumeric() {
                c
            } else {
                '_'
            }
        }));
    }
    id
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad input or a broken rule",
        401 => "No, or invalid, credentials",
        403 => "The caller lacks the permission",
        404 => "No such record",
        409 => "Conflicts with an existing record",
        413 => "Body too large",
        429 => "Too many failed logins",
        503 => "Busy: too many spreadsheet jobs at once; try again after `Retry-After` seconds",
        _ => "Error",
    }
}

/// Every failure status of a route: its own, and those of the layers in front of it.
pub fn error_statuses(doc: &Doc) -> Vec<u16> {
    let mut statuses = doc.errors.clone();
    // Any input can be bad (a NUL character anywhere is refused, for one).
    if !doc.params.is_empty() || doc.body.is_some() {
        statuses.push(400);
    }
    // A bad `Authorization` header is refused even on public routes; a login can fail.
    statuses.push(401);
    if matches!(doc.access, Access::Member | Access::Staff(_)) {
        statuses.push(403);
    }
    // The body limit covers every route.
    statuses.push(413);
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

fn request_body(body: &Body) -> Value {
    match body {
        Body::Fields(fields) => {
            let schema = fields_schema(fields);
            json!({
                "required": fields.iter().any(|f| f.required),
                "content": {
                    "application/json": { "schema": schema },
                    "application/x-www-form-urlencoded": { "schema": schema },
                },
            })
        }
        Body::Json(schema) => json!({
            "required": true,
            "content": { "application/json": { "schema": schema } },
        }),
        Body::Upload(field) => json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": {
                "type": "object",
                "properties": { *field: { "type": "string", "format": "binary" } },
                "required": [field],
            } } },
        }),
    }
}

/// One operation of the document.
fn operation(method: &str, path: &str, doc: &Doc) -> Value {
    let family = Family::of(path);
    let parameters: Vec<Value> = doc
        .params
        .iter()
        .map(|p| {
            let mut param = json!({
                "name": p.name,
                "in": if p.location == In::Path { "path" } else { "query" },
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            });
            if let Some(example) = &p.example {
                param["example"] = example.clone();
            }
            param
        })
        .collect();
    let (description, security) = match doc.access {
        Access::Public => (
            "Public: no credentials needed.".to_owned(),
            json!([{}, { "authorization": [] }]),
        ),
        Access::Login => (
            "Takes a password instead of credentials.".to_owned(),
            json!([]),
        ),
        Access::Member => (
            "A kids-coding member's own key (`Token <key>`).".to_owned(),
            json!([{ "authorization": [] }]),
        ),
        Access::Staff(p) => (
            format!("Needs the permission `{}`.", p.code()),
            json!([{ "authorization": [] }]),
        ),
    };
    let mut op = json!({
        "operationId": operation_id(method, path),
        "summary": doc.summary,
        "description": description,
        "tags": [family_tag(family)],
        "security": security,
        "parameters": parameters,
    });
    if let Some(body) = &doc.body {
        op["requestBody"] = request_body(body);
    }
    let mut responses = Map::new();
    for answer in &doc.answers {
        let entry = responses
            .entry(answer.status.to_string())
            .or_insert_with(|| json!({ "description": status_text(answer.status), "content": {} }));
        match answer.media {
            Media::Json => {
                entry["content"]["application/json"] = json!({ "schema": answer.schema })
            }
            Media::Xlsx => {
                entry["content"][xlsx::CONTENT_TYPE] =
                    json!({ "schema": { "type": "string", "format": "binary" } })
            }
        }
    }
    for status in error_statuses(doc) {
        let mut response = json!({
            "description": status_text(status),
            "content": { "application/json": { "schema": family.error_schema() } },
        });
        if status == 503 {
            response["headers"] = json!({ "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": { "type": "integer", "minimum": 1 },
            } });
        }
        responses.insert(status.to_string(), response);
    }
    op["responses"] = Value::Object(responses);
    op
}

/// The whole document, from the route table.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in super::routes() {
        let method = route.method.as_str().to_ascii_lowercase();
        let item = paths.entry(route.path.clone()).or_insert_with(|| json!({}));
        item[&method] = operation(&method, &route.path, &route.doc);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "opsgraph legacy REST layer",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every URL of the four legacy admin APIs, served by opsgraph over its \
                GraphQL schema (`/graphql`). Each family keeps its own envelope: kids-coding \
                answers the Django REST Framework way, merchant management `{code, msg, data}`, \
                paid reports `{status, data}` and `{status, error, errors}`.",
        },
        "servers": [{ "url": "/" }],
        "tags": [
            { "name": "kids-coding", "description": "CRM (payers, visits) and diamond market: kids-coding-payers.txt, kids-coding-market.txt" },
            { "name": "merchant-management", "description": "Geography, merchant search and export, edit, create shop: merchant-management.txt" },
            { "name": "paid-reports", "description": "Login, reports, whitelists, customers, orders, storage signing: paid-reports.txt" },
        ],
        "components": { "securitySchemes": { "authorization": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <api key>` (a staff or member key) or `Bearer <JWT>` from \
                `POST /api/access/token`; every family accepts both.",
        } } },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route is documented once with a unique id, every path parameter is declared, and
    /// every documented path is a route.
    #[test]
    fn document_follows_the_route_table() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        let routes = crate::rest::routes();
        for route in &routes {
            let method = route.method.as_str().to_ascii_lowercase();
            let op = &doc["paths"][&route.path][&method];
            assert!(op.is_object(), "{method} {} undocumented", route.path);
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()));
            for segment in route.path.split('/') {
                if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    let declared =
                        op["parameters"].as_array().unwrap().iter().any(|p| {
                            p["in"] == "path" && p["name"] == name && p["required"] == true
                        });
                    assert!(declared, "{method} {}: path parameter {name}", route.path);
                }
            }
            assert!(
                !route.doc.answers.is_empty(),
                "{method} {}: no answer",
                route.path
            );
        }
        let documented: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| item.as_object().unwrap().len())
            .sum();
        assert_eq!(documented, routes.len());
    }
}
