//! Running a GraphQL operation for a legacy URL: the REST layer's only way to the data.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, RwLock},
};

use async_graphql::indexmap::IndexMap;
use async_graphql::{
    parser::{
        parse_query,
        types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet},
    },
    Name, Value as ConstValue, Variables,
};
use axum::{
    extract::{rejection::ExtensionRejection, FromRequestParts},
    http::request::Parts,
    Extension,
};
use serde_json::{Map, Value};

use crate::{
    auth::Auth,
    error::{AppError, AppResult},
    graphql::request::{self, Source},
    state::AppState,
};

/// The REST layer's documents, parsed once each, by address: they are `&'static str` constants,
/// so the address names one (hashing the text would cost more than the lookup saves).
static PARSED: LazyLock<RwLock<ParsedDocuments>> = LazyLock::new(Default::default);

/// Parsed documents by (address, length) of their text.
type ParsedDocuments = HashMap<(usize, usize), Arc<Parsed>>;

/// A REST document, parsed, with the key order of its answer worked out once.
struct Parsed {
    doc: Arc<ExecutableDocument>,
    /// The operation's response keys, `None` for a document without an operation.
    order: Option<KeyOrder>,
}

/// The response keys of a selection set in document order (fragments expanded), each with the
/// order of its own selection (empty for a leaf); shared, so a page's rows can keep theirs.
/// The keys are the document's own names, which the answer's objects share when they were
/// executed from the same parsed document: a key is found by its address before its text.
#[derive(Default)]
pub struct KeyOrder(Vec<(Name, Arc<KeyOrder>)>);

impl KeyOrder {
    fn of(set: &SelectionSet, doc: &ExecutableDocument) -> KeyOrder {
        let mut keys = Vec::new();
        Self::collect(set, doc, &mut keys);
        KeyOrder(keys)
    }

    fn collect(set: &SelectionSet, doc: &ExecutableDocument, out: &mut Vec<(Name, Arc<KeyOrder>)>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(f) => out.push((
                    f.node.response_key().node.clone(),
                    Arc::new(KeyOrder::of(&f.node.selection_set.node, doc)),
                )),
                Selection::FragmentSpread(s) => {
                    if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                        Self::collect(&fragment.node.selection_set.node, doc, out);
                    }
                }
                Selection::InlineFragment(i) => Self::collect(&i.node.selection_set.node, doc, out),
            }
        }
    }

    /// The order of the selection under `key`.
    fn under(&self, key: &str) -> Option<&Arc<KeyOrder>> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, sub)| sub)
    }

    /// Where in `map` the value for `key` is: first looked for at `*next`, just after the
    /// previous key's position (fields that resolve at once arrive in document order, so no
    /// hashing), by hash when out of place; `*next` moves past it.
    fn position(map: &IndexMap<Name, ConstValue>, key: &Name, next: &mut usize) -> Option<usize> {
        let at = match map.get_index(*next) {
            Some((name, _)) if std::ptr::eq(name.as_str(), key.as_str()) || name == key => {
                Some(*next)
            }
            _ => map.get_index_of(key.as_str()),
        }?;
        *next = at + 1;
        Some(at)
    }
}

fn parsed(document: &'static str) -> AppResult<Arc<Parsed>> {
    let key = (document.as_ptr() as usize, document.len());
    if let Some(parsed) = PARSED.read().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(parsed);
    }
    debug_assert!(
        super::documents().contains(&document),
        "a REST document missing from rest::documents(): {document}"
    );
    let doc =
        parse_query(document).map_err(|e| AppError::Internal(format!("REST document: {e}")))?;
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => ops.values().next(),
    };
    let order = operation.map(|op| KeyOrder::of(&op.node.selection_set.node, &doc));
    let parsed = Arc::new(Parsed {
        doc: Arc::new(doc),
        order,
    });
    if let Ok(mut map) = PARSED.write() {
        map.insert(key, parsed.clone());
    }
    Ok(parsed)
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

/// The caller of a legacy route, with the app it calls: the route's middleware admitted it
/// ([`super::admit`]), and the handler runs every GraphQL document as it ([`Caller::run`]).
#[derive(Clone)]
pub struct Caller {
    pub state: AppState,
    pub auth: Auth,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ExtensionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, ExtensionRejection> {
        let Extension(auth) = Extension::<Auth>::from_request_parts(parts, state).await?;
        Ok(Caller {
            state: state.clone(),
            auth,
        })
    }
}

impl Caller {
    /// Runs `document` with `variables` as this caller ([`run`]).
    pub async fn run(&self, document: &'static str, variables: Value) -> AppResult<Value> {
        run(&self.state, self.auth.clone(), document, variables).await
    }
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
    let (data, parsed) = execute(state, auth, document, variables, upload).await?;
    match &parsed.order {
        Some(order) => Ok(ordered(data, order)),
        None => Ok(plain_json(data)),
    }
}

/// Runs `document` as `auth`: the `data` async-graphql built, or the first error.
async fn execute(
    state: &AppState,
    auth: Auth,
    document: &'static str,
    variables: Value,
    upload: Option<(&str, async_graphql::UploadValue)>,
) -> AppResult<(ConstValue, Arc<Parsed>)> {
    let parsed = parsed(document)?;
    let mut request =
        async_graphql::Request::new(document).variables(Variables::from_json(variables));
    if let Some((name, file)) = upload {
        request.set_upload(&format!("variables.{name}"), file);
    }
    let response = request::run(state, request, auth, Source::Rest(parsed.doc.clone())).await;
    if let Some(err) = response.errors.first() {
        return Err(AppError::from_graphql(err));
    }
    Ok((response.data, parsed))
}

/// A GraphQL page (`totalCount`, `page`, `pageSize`, `items`) for a legacy list envelope.
pub struct Page {
    /// Rows on all pages (`totalCount`).
    pub total: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// Rows a page.
    pub page_size: u64,
    /// This page's rows.
    pub items: Rows,
}

/// A page's rows, written as they are.
pub enum Rows {
    /// As async-graphql built them, with the document's key order: never turned into JSON
    /// objects, so a page passed through unchanged costs no map, key copy or hash per field.
    Graphql(ConstValue, Arc<KeyOrder>),
    /// Rows a handler reshaped as JSON.
    Json(Value),
}

impl Page {
    /// A page of `items` whose counts `number` reads by GraphQL key (absent: total 0, page 1,
    /// size 1).
    fn new(number: impl Fn(&str) -> Option<u64>, items: Rows) -> Page {
        Page {
            total: number("totalCount").unwrap_or(0),
            page: number("page").unwrap_or(1),
            page_size: number("pageSize").unwrap_or(1),
            items,
        }
    }

    /// A page a handler holds as JSON (it reshaped its rows).
    pub fn from_json(mut page: Value) -> Page {
        let items = Rows::Json(page.get_mut("items").map(Value::take).unwrap_or_default());
        Page::new(|key| page[key].as_u64(), items)
    }
}

impl serde::Serialize for Rows {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rows::Graphql(value, order) => Ordered(value, order).serialize(s),
            Rows::Json(value) => value.serialize(s),
        }
    }
}

impl Caller {
    /// Runs the list `document` and answers its GraphQL page at `field`, the rows kept as
    /// async-graphql built them ([`Rows::Graphql`]): for a handler that passes them through.
    pub async fn run_page(
        &self,
        document: &'static str,
        variables: Value,
        field: &str,
    ) -> AppResult<Page> {
        let (data, parsed) =
            execute(&self.state, self.auth.clone(), document, variables, None).await?;
        let missing = || AppError::Internal(format!("REST document without a page at {field}"));
        let order = parsed
            .order
            .as_ref()
            .and_then(|o| o.under(field))
            .and_then(|o| o.under("items"))
            .cloned()
            .ok_or_else(missing)?;
        let ConstValue::Object(mut root) = data else {
            return Err(missing());
        };
        let Some(ConstValue::Object(mut page)) = root.swap_remove(field) else {
            return Err(missing());
        };
        let items = page.swap_remove("items").unwrap_or(ConstValue::Null);
        let number = |key: &str| match page.get(key) {
            Some(ConstValue::Number(n)) => n.as_u64(),
            _ => None,
        };
        Ok(Page::new(number, Rows::Graphql(items, order)))
    }
}

/// A value written with every object's keys in the order of its selection, straight from
/// async-graphql's value (see [`ordered`] for why the order needs restoring).
struct Ordered<'a>(&'a ConstValue, &'a KeyOrder);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Ordered(value, order) = *self;
        match value {
            ConstValue::List(items) => s.collect_seq(items.iter().map(|v| Ordered(v, order))),
            ConstValue::Object(map) if !order.0.is_empty() => {
                let mut out = s.serialize_map(None)?;
                let mut next = 0;
                for (key, sub) in &order.0 {
                    if let Some(at) = KeyOrder::position(map, key, &mut next) {
                        out.serialize_entry(key, &Ordered(&map[at], sub))?;
                    }
                }
                out.end()
            }
            leaf => leaf.serialize(s),
        }
    }
}

/// The answer as JSON with every object's keys in the order the document selects them, built in
/// one pass. async-graphql resolves the fields of an object that is not serial (`row_object!`'s
/// `serial`) concurrently and inserts them as they finish, so fields that wait on a dataloader
/// come last; legacy answers keep the seed's key order.
fn ordered(value: ConstValue, order: &KeyOrder) -> Value {
    match value {
        ConstValue::List(items) => {
            Value::Array(items.into_iter().map(|v| ordered(v, order)).collect())
        }
        ConstValue::Object(mut map) if !order.0.is_empty() => {
            let mut out = Map::with_capacity(map.len());
            let mut next = 0;
            for (key, sub) in &order.0 {
                if let Some(at) = KeyOrder::position(&map, key, &mut next) {
                    out.insert(key.to_string(), ordered(std::mem::take(&mut map[at]), sub));
                }
            }
            Value::Object(out)
        }
        leaf => plain_json(leaf),
    }
}

/// A value whose keys need no reordering, as JSON, its string values moved rather than copied:
/// async-graphql's own conversion runs every value through a serializer, which copies each
/// string of a page (keys and enum names are still copied).
fn plain_json(value: ConstValue) -> Value {
    match value {
        ConstValue::Null => Value::Null,
        ConstValue::Boolean(b) => Value::Bool(b),
        ConstValue::Number(n) => Value::Number(n),
        ConstValue::String(s) => Value::String(s),
        ConstValue::Enum(name) => Value::String(name.to_string()),
        ConstValue::List(items) => Value::Array(items.into_iter().map(plain_json).collect()),
        ConstValue::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_string(), plain_json(v)))
                .collect(),
        ),
        binary @ ConstValue::Binary(_) => binary.into_json().unwrap_or(Value::Null),
    }
}

/// `data[key]`, taken out.
pub fn take(mut data: Value, key: &str) -> Value {
    data.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}
