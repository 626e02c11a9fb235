//! JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the legacy answers.
//!
//! Where an answer is a GraphQL result under aliases, its schema is derived from the document
//! the route runs and the live SDL ([`from_document`]), so the documentation follows the
//! document. Where a handler reshapes the result, the shape is derived from the table that
//! reshapes it ([`super::rows`]); envelopes are written out with the small vocabulary below.
//! Objects are closed (`additionalProperties: false`) and
//! every listed key is required: a legacy client breaks on a missing key, and a test checks
//! every answer of the suite against these schemas.

use std::{collections::HashMap, sync::LazyLock};

use async_graphql::parser::{
    parse_query, parse_schema,
    types::{
        BaseType, DocumentOperations, ExecutableDocument, SelectionSet, Type, TypeKind,
        TypeSystemDefinition,
    },
};
use serde_json::{json, Map, Value};

/// An integer.
pub fn int() -> Value {
    json!({ "type": "integer" })
}

/// A number (integer or not).
pub fn number() -> Value {
    json!({ "type": "number" })
}

/// A string.
pub fn string() -> Value {
    json!({ "type": "string" })
}

/// A text filter or search keyword: at most [`MAX_FILTER_CHARS`] characters, as the GraphQL
/// filter inputs take them.
///
/// [`MAX_FILTER_CHARS`]: crate::graphql::MAX_FILTER_CHARS
pub fn filter_text() -> Value {
    json!({ "type": "string", "maxLength": crate::graphql::MAX_FILTER_CHARS })
}

/// A boolean.
pub fn boolean() -> Value {
    json!({ "type": "boolean" })
}

/// One of the given integers.
pub fn int_of(values: &[i64]) -> Value {
    json!({ "type": "integer", "enum": values })
}

/// One of the given strings.
pub fn string_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

/// A date as `2022-06-16`.
pub fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

/// An array of `items`.
pub fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

/// `schema` or null.
pub fn nullable(schema: Value) -> Value {
    match schema.get("type") {
        Some(Value::String(t)) if schema.get("enum").is_none() && t != "object" && t != "array" => {
            let mut s = schema.clone();
            s["type"] = json!([t, "null"]);
            s
        }
        _ => json!({ "anyOf": [schema, { "type": "null" }] }),
    }
}

/// An object's `schema` without its null alternative (`anyOf: [object, null]`).
pub fn non_null(schema: Value) -> Value {
    match schema.get("anyOf") {
        Some(any) => any[0].clone(),
        None => schema,
    }
}

/// A closed object with every key required, in the answer's key order.
pub fn object(properties: &[(&str, Value)]) -> Value {
    let mut props = Map::new();
    for (k, v) in properties {
        props.insert((*k).to_owned(), v.clone());
    }
    closed(props)
}

fn closed(props: Map<String, Value>) -> Value {
    let required: Vec<&String> = props.keys().collect();
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

/// An object keyed by ids (`{"440300": …}`), each value `values`.
pub fn map_of(values: Value) -> Value {
    json!({ "type": "object", "additionalProperties": values })
}

/// `schema` with the keys of `extra` added (required, after the others).
pub fn with(schema: Value, extra: &[(&str, Value)]) -> Value {
    let mut schema = schema;
    for (k, v) in extra {
        schema["properties"][*k] = v.clone();
        if let Some(required) = schema["required"].as_array_mut() {
            required.push(json!(k));
        }
    }
    schema
}

/// `schema` without the keys `drop`.
pub fn without(schema: Value, drop: &[&str]) -> Value {
    let mut schema = schema;
    if let Some(props) = schema["properties"].as_object_mut() {
        for k in drop {
            props.shift_remove(*k);
        }
    }
    if let Some(required) = schema["required"].as_array_mut() {
        required.retain(|k| !drop.iter().any(|d| k == d));
    }
    schema
}

/// `schema` with every object key `key`, wherever it is, made optional and non-null: the
/// handler leaves the key out instead of answering null.
pub fn absent_when_null(schema: Value, key: &str) -> Value {
    fn walk(v: &mut Value, key: &str) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    if let Some(p) = props.get_mut(key) {
                        if let Some(any) = p.get("anyOf").and_then(Value::as_array) {
                            *p = any[0].clone();
                        }
                    }
                    if let Some(Value::Array(required)) = map.get_mut("required") {
                        required.retain(|k| k != key);
                    }
                }
                map.values_mut().for_each(|v| walk(v, key));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, key)),
            _ => {}
        }
    }
    let mut schema = schema;
    walk(&mut schema, key);
    schema
}

/// The element schema of an array schema.
pub fn element(schema: Value) -> Value {
    let mut schema = schema;
    schema["items"].take()
}

/// The live SDL, parsed once: field types by object type, values by enum.
struct Sdl {
    fields: HashMap<String, HashMap<String, Type>>,
    enums: HashMap<String, Vec<String>>,
}

static SDL: LazyLock<Sdl> = LazyLock::new(|| {
    let doc = parse_schema(crate::graphql::sdl()).expect("the live SDL parses");
    let mut fields = HashMap::new();
    let mut enums = HashMap::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match t.node.kind {
            TypeKind::Object(o) => {
                let by_name = o
                    .fields
                    .into_iter()
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                    .collect();
                fields.insert(name, by_name);
            }
            TypeKind::Enum(e) => {
                let values = e
                    .values
                    .into_iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect();
                enums.insert(name, values);
            }
            _ => {}
        }
    }
    Sdl { fields, enums }
});

/// The schema of the value at `path` (keys joined by `.`, lists crossed transparently) in the
/// `data` of `document`'s first operation, from the live SDL. Panics on a path the document
/// does not select: documentation is built in the tests, so a typo fails them.
pub fn from_document(document: &str, path: &str) -> Value {
    let doc = parse_query(document).expect("a REST document parses");
    let op = match &doc.operations {
        DocumentOperations::Single(op) => op,
        DocumentOperations::Multiple(ops) => ops.values().next().expect("one operation"),
    };
    let root = match op.node.ty {
        async_graphql::parser::types::OperationType::Mutation => "MutationRoot",
        _ => "QueryRoot",
    };
    let mut schema = selection(root, &op.node.selection_set.node, &doc);
    for key in path.split('.').filter(|k| !k.is_empty()) {
        while schema.get("items").is_some() || schema.get("anyOf").is_some() {
            schema = match schema.get("items") {
                Some(items) => items.clone(),
                None => schema["anyOf"][0].clone(),
            };
        }
        schema = schema["properties"]
            .get(key)
            .unwrap_or_else(|| panic!("{path}: {key} is not selected"))
            .clone();
    }
    schema
}

/// A closed object of a selection set on `type_name`, fragments expanded.
fn selection(type_name: &str, set: &SelectionSet, doc: &ExecutableDocument) -> Value {
    let mut props = Map::new();
    collect(type_name, set, doc, &mut props);
    closed(props)
}

fn collect(
    type_name: &str,
    set: &SelectionSet,
    doc: &ExecutableDocument,
    out: &mut Map<String, Value>,
) {
    use async_graphql::parser::types::Selection;
    let fields = SDL
        .fields
        .get(type_name)
        .unwrap_or_else(|| panic!("{type_name} is not an object type"));
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let f = &f.node;
                let name = f.name.node.as_str();
                let key = f.response_key().node.to_string();
                if name == "__typename" {
                    out.insert(key, string());
                    continue;
                }
                let ty = fields
                    .get(name)
                    .unwrap_or_else(|| panic!("{type_name}.{name} is not a field"));
                out.insert(key, of_type(ty, &f.selection_set.node, doc));
            }
            Selection::FragmentSpread(s) => {
                let fragment = &doc.fragments[&s.node.fragment_name.node];
                collect(type_name, &fragment.node.selection_set.node, doc, out);
            }
            Selection::InlineFragment(i) => {
                collect(type_name, &i.node.selection_set.node, doc, out)
            }
        }
    }
}

fn of_type(ty: &Type, set: &SelectionSet, doc: &ExecutableDocument) -> Value {
    let inner = match &ty.base {
        BaseType::List(of) => array(of_type(of, set, doc)),
        BaseType::Named(name) => match name.as_str() {
            "Int" => int(),
            "Float" | "Money" => number(),
            "String" | "ID" => string(),
            "Boolean" => boolean(),
            "NaiveDate" => date(),
            other => match SDL.enums.get(other) {
                Some(values) => json!({ "type": "string", "enum": values }),
                None if SDL.fields.contains_key(other) => selection(other, set, doc),
                None => json!({}),
            },
        },
    };
    if ty.nullable {
        nullable(inner)
    } else {
        inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_gives_the_shape_of_its_answer() {
        let doc = "query Q { viewer { kind id who: name } }";
        assert_eq!(
            from_document(doc, "viewer"),
            nullable(object(&[
                ("kind", string()),
                ("id", int()),
                ("who", string())
            ]))
        );
        assert_eq!(from_document(doc, "viewer.id"), int());
    }

    #[test]
    fn absent_when_null_makes_a_key_optional() {
        let s = object(&[("a", int()), ("c", nullable(object(&[("x", int())])))]);
        let s = absent_when_null(s, "c");
        assert_eq!(s["required"], json!(["a"]));
        assert_eq!(s["properties"]["c"], object(&[("x", int())]));
    }
}
