//! Running a GraphQL operation for a legacy URL: the REST layer's only way to the data.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, RwLock},
};

use async_graphql::{
    parser::{
        parse_query,
        types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet},
    },
    Value as ConstValue, Variables,
};
use axum::http::{header::AUTHORIZATION, HeaderMap};
use serde_json::{Map, Value};

use crate::{
    auth::{service, Auth},
    error::{AppError, AppResult},
    graphql::request::{self, Source},
    state::AppState,
};

/// The caller of a REST request, from its `Authorization` header.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<Auth> {
    let header = match headers.get(AUTHORIZATION).map(|v| v.to_str()) {
        None => None,
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => return Err(AppError::Unauthenticated("Invalid token header.".into())),
    };
    let core = &state.core;
    service::authenticate(&core.db, &core.jwt, &core.auth_cache, header).await
}

/// The REST layer's documents, parsed once each, by address: they are `&'static str` constants,
/// so the address names one (hashing the text would cost more than the lookup saves).
static PARSED: LazyLock<RwLock<ParsedDocuments>> = LazyLock::new(Default::default);

/// Parsed documents by (address, length) of their text.
type ParsedDocuments = HashMap<(usize, usize), Arc<ExecutableDocument>>;

fn parsed(document: &'static str) -> AppResult<Arc<ExecutableDocument>> {
    let key = (document.as_ptr() as usize, document.len());
    if let Some(doc) = PARSED.read().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(doc);
    }
    debug_assert!(
        super::documents().contains(&document),
        "a REST document missing from rest::documents(): {document}"
    );
    let doc = Arc::new(
        parse_query(document).map_err(|e| AppError::Internal(format!("REST document: {e}")))?,
    );
    if let Ok(mut map) = PARSED.write() {
        map.insert(key, doc.clone());
    }
    Ok(doc)
}

/// Every REST document with its operation name, as `export-operations` writes them.
pub fn catalogue() -> AppResult<Vec<Value>> {
    super::documents()
        .into_iter()
        .map(|document| {
            let doc = parse_query(document)
                .map_err(|e| AppError::Internal(format!("REST document: {e}")))?;
            let name = match &doc.operations {
                DocumentOperations::Single(_) => None,
                DocumentOperations::Multiple(ops) => ops.keys().next().map(|n| n.to_string()),
            };
            Ok(serde_json::json!({ "name": name, "document": document }))
        })
        .collect()
}

/// Runs `document` with `variables` as `auth`, answering the `data` object (its keys in the
/// document's order) or the first error.
pub async fn run(
    state: &AppState,
    auth: Auth,
    document: &'static str,
    variables: Value,
) -> AppResult<Value> {
    run_with_upload(state, auth, document, variables, None).await
}

/// [`run`] with a file for the `Upload` variable at `variables.<name>`.
pub async fn run_with_upload(
    state: &AppState,
    auth: Auth,
    document: &'static str,
    variables: Value,
    upload: Option<(&str, async_graphql::UploadValue)>,
) -> AppResult<Value> {
    let doc = parsed(document)?;
    let mut request =
        async_graphql::Request::new(document).variables(Variables::from_json(variables));
    if let Some((name, file)) = upload {
        request.set_upload(&format!("variables.{name}"), file);
    }
    let response = request::run(state, request, auth, Source::Rest(doc.clone())).await;
    if let Some(err) = response.errors.first() {
        return Err(AppError::from_graphql(err));
    }
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => ops.values().next(),
    };
    match operation {
        Some(op) => Ok(in_selection_order(
            response.data,
            &op.node.selection_set.node,
            &doc,
        )),
        None => response
            .data
            .into_json()
            .map_err(|e| AppError::Internal(e.to_string())),
    }
}

/// The answer as JSON with every object's keys in the order the document selects them.
/// async-graphql resolves a selection's fields concurrently and inserts them as they finish, so
/// fields that wait on a dataloader would otherwise come last; legacy answers keep the seed's
/// key order. One pass builds the JSON in that order.
fn in_selection_order(value: ConstValue, set: &SelectionSet, doc: &ExecutableDocument) -> Value {
    let mut keys = Vec::new();
    response_keys(set, doc, &mut keys);
    ordered(value, &keys, doc)
}

fn ordered(value: ConstValue, keys: &[(&str, &SelectionSet)], doc: &ExecutableDocument) -> Value {
    match value {
        ConstValue::List(items) => {
            Value::Array(items.into_iter().map(|v| ordered(v, keys, doc)).collect())
        }
        ConstValue::Object(mut map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, sub) in keys {
                if let Some(v) = map.swap_remove(*key) {
                    let v = if sub.items.is_empty() {
                        v.into_json().unwrap_or(Value::Null)
                    } else {
                        in_selection_order(v, sub, doc)
                    };
                    out.insert((*key).to_owned(), v);
                }
            }
            Value::Object(out)
        }
        leaf => leaf.into_json().unwrap_or(Value::Null),
    }
}

/// The response keys of a selection set in order, fragments expanded.
fn response_keys<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    out: &mut Vec<(&'a str, &'a SelectionSet)>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(f) => out.push((
                f.node.response_key().node.as_str(),
                &f.node.selection_set.node,
            )),
            Selection::FragmentSpread(s) => {
                if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                    response_keys(&fragment.node.selection_set.node, doc, out);
                }
            }
            Selection::InlineFragment(i) => response_keys(&i.node.selection_set.node, doc, out),
        }
    }
}

/// `data[key]`, taken out.
pub fn take(mut data: Value, key: &str) -> Value {
    data.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}
