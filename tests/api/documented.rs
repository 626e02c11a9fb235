//! Every REST answer the suite receives is checked against the OpenAPI document the server
//! publishes: the status must be documented for the route, and a JSON body must match the
//! documented schema. So the documentation cannot drift from what legacy clients get.

use std::{collections::HashMap, sync::LazyLock, sync::Mutex};

use axum::http::{header, HeaderMap, Method, StatusCode};
use serde_json::Value;

static DOCUMENT: LazyLock<Value> = LazyLock::new(opsgraph::rest::openapi::document);

/// Compiled validators by (method, route, status).
static VALIDATORS: LazyLock<Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>> =
    LazyLock::new(Default::default);

/// The documented route pattern `path` matches, if any; a literal segment beats a parameter,
/// as in the router.
fn route_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    DOCUMENT["paths"]
        .as_object()?
        .keys()
        .filter(|pattern| {
            let parts: Vec<&str> = pattern.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(p, s)| {
                    (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s
                })
        })
        .min_by_key(|pattern| pattern.matches('{').count())
        .map(String::as_str)
}

/// Panics unless the answer is what the document promises.
pub fn check(method: &Method, path: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]) {
    let Some(route) = route_of(path) else {
        return; // GraphQL, operations endpoints, or an unknown URL (the fallback's 404).
    };
    let method_key = method.as_str().to_ascii_lowercase();
    let Some(op) = DOCUMENT["paths"][route].get(&method_key) else {
        return; // a method the route does not serve: the fallback's 405.
    };
    let code = status.as_u16().to_string();
    let Some(response) = op["responses"].get(&code) else {
        panic!("{method} {path}: status {code} is not documented for {route}");
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let Some(documented) = response["content"].get(media) else {
        panic!(
            "{method} {path}: {code} answered {content_type:?}, documented {:?}",
            response["content"]
        );
    };
    if media != "application/json" {
        return;
    }
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{method} {path}: {code} body is not JSON: {e}"));
    let key = format!("{method_key} {route} {code}");
    let validator = {
        let mut cache = VALIDATORS.lock().unwrap();
        cache
            .entry(key)
            .or_insert_with(|| {
                std::sync::Arc::new(
                    jsonschema::draft202012::new(&documented["schema"])
                        .unwrap_or_else(|e| panic!("{route}: schema does not compile: {e}")),
                )
            })
            .clone()
    };
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .take(5)
        .map(|e| format!("at {}: {}", e.instance_path(), clip(&e.to_string())))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path}: the {code} answer does not match the documented schema:\n{}\nbody: {}",
        errors.join("\n"),
        clip(&value.to_string())
    );
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
