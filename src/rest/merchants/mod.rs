//! The merchant-management URLs (`merchant-management.txt`), each mapped onto GraphQL
//! operations: the index (`index`), the search and its export (`search`), and the shop forms
//! (`edit`). The index and list answers are reshaped into the legacy id-keyed maps and flat
//! rows.

mod edit;
pub mod envelope;
mod index;
mod search;

use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{json::Json, schema::int_of, schema::object, schema::string, Route};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    [index::routes(), search::routes(), edit::routes()]
        .into_iter()
        .flatten()
        .collect()
}

/// The schema of a success answer carrying `data`.
fn ok_schema(data: Value) -> Value {
    object(&[("data", data), ("msg", string()), ("code", int_of(&[0]))])
}

fn ok(body: Value) -> Response {
    Json(body).into_response()
}

fn items_of(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}
