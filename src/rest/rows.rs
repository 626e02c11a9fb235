//! Legacy rows declared once. Where a legacy key only renames a GraphQL field, the document
//! aliases it and the answer needs no reshaping. Where a row flattens nested objects, supplies
//! a default or formats a value (a merchant search row, a report's user), it is a [`Row`]: a
//! table of [`Column`]s (legacy key, path in the GraphQL answer, default when empty), from
//! which the reshaping ([`Row::reshape`]), the OpenAPI schema ([`Row::schema`]) and the
//! spreadsheet columns ([`Row::sheet`]) are all read.

use async_graphql::Value as ConstValue;
use axum::{
    body::Body,
    http::{header, HeaderValue},
    response::Response,
};
use serde_json::{Map, Value};

use super::operation::Rows;
use super::schema::{array, from_document, int, nullable, number, object, string};
use crate::xlsx::{self, Cell};

/// How a column's value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// As GraphQL answers it.
    AsIs,
    /// A `Money` amount as the legacy float (`100.0`, `6885.93`).
    Float,
    /// A `Money` amount as cents, in text (`"300000"`).
    CentsText,
    /// A `Money` amount as cents, a number.
    Cents,
}

/// One key of a legacy row.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The legacy key.
    pub key: &'static str,
    /// Where the value is in one GraphQL row: field names joined by `.`; a list on the way
    /// gives a list of values, a null object on the way gives null.
    pub source: &'static str,
    /// The text answered when the value is null or empty.
    pub default: Option<&'static str>,
    pub format: Format,
    /// The column in the spreadsheet export (from 0) and its header.
    pub sheet: Option<(usize, &'static str)>,
}

/// A column `key` read from `source`, as it is.
pub const fn col(key: &'static str, source: &'static str) -> Column {
    Column {
        key,
        source,
        default: None,
        format: Format::AsIs,
        sheet: None,
    }
}

impl Column {
    /// `text` when the value is null or empty.
    pub const fn or(mut self, text: &'static str) -> Self {
        self.default = Some(text);
        self
    }

    /// Written as `format`.
    pub const fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Exported as spreadsheet column `position` (from 0) under `header`.
    pub const fn sheet(mut self, position: usize, header: &'static str) -> Self {
        self.sheet = Some((position, header));
        self
    }

    /// The legacy value of this column in the GraphQL row `item`.
    fn value(&self, item: &Value) -> Value {
        let value = at(item, self.source);
        let value = match (self.default, &value) {
            (Some(text), Value::Null) => Value::String(text.to_owned()),
            (Some(text), Value::String(s)) if s.is_empty() => Value::String(text.to_owned()),
            _ => value,
        };
        formatted(self.format, value)
    }
}

/// The value at `path` in `value`, lists crossed.
fn at(value: &Value, path: &str) -> Value {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    match (value.get(head), rest) {
        (None, _) => Value::Null,
        (Some(v), None) => v.clone(),
        (Some(Value::Array(items)), Some(rest)) => {
            Value::Array(items.iter().map(|i| at(i, rest)).collect())
        }
        (Some(v), Some(rest)) => at(v, rest),
    }
}

/// A `Money` amount (yuan, a JSON number) in cents.
pub fn cents(money: &Value) -> Option<i64> {
    money.as_f64().map(|yuan| (yuan * 100.0).round() as i64)
}

/// `value` written as `format`; null stays null.
pub fn formatted(format: Format, value: Value) -> Value {
    match (format, &value) {
        (Format::AsIs, _) | (_, Value::Null) => value,
        (Format::Float, v) => v.as_f64().map(Value::from).unwrap_or(value),
        (Format::CentsText, v) => Value::String(cents(v).unwrap_or_default().to_string()),
        (Format::Cents, v) => Value::from(cents(v).unwrap_or_default()),
    }
}

/// The schema of a value written as `format` (`schema` for [`Format::AsIs`]).
pub fn format_schema(format: Format, schema: Value) -> Value {
    match format {
        Format::AsIs => schema,
        Format::Float => number(),
        Format::CentsText => string(),
        Format::Cents => int(),
    }
}

/// The keys of an aliased answer that are written in another format than GraphQL's: each
/// by its path (keys through nested objects).
#[derive(Clone, Copy, Debug)]
pub struct Formats(pub &'static [(&'static [&'static str], Format)]);

impl Formats {
    /// `answer` with these keys formatted (a key under a null object stays absent).
    pub fn apply(&self, mut answer: Value) -> Value {
        for (path, format) in self.0 {
            let mut at = Some(&mut answer);
            for key in *path {
                at = at
                    .and_then(|v| v.as_object_mut())
                    .and_then(|m| m.get_mut(*key));
            }
            if let Some(v) = at {
                *v = formatted(*format, v.take());
            }
        }
        answer
    }

    /// [`Formats::apply`] on every row of a page, whichever form its rows are in.
    pub fn apply_rows(&self, rows: &mut Rows) {
        match rows {
            Rows::Json(Value::Array(items)) => {
                for item in items {
                    *item = self.apply(item.take());
                }
            }
            Rows::Graphql(ConstValue::List(items), _) => {
                for item in items {
                    self.apply_graphql(item);
                }
            }
            _ => {}
        }
    }

    /// [`Formats::apply`] on a row as async-graphql built it: each formatted value goes
    /// through JSON (a leaf, cheap) so that [`formatted`] stays the one rule.
    fn apply_graphql(&self, row: &mut ConstValue) {
        for (path, format) in self.0 {
            let mut at = Some(&mut *row);
            for key in *path {
                at = at.and_then(|v| match v {
                    ConstValue::Object(map) => map.get_mut(*key),
                    _ => None,
                });
            }
            if let Some(v) = at {
                let json = std::mem::take(v).into_json().unwrap_or(Value::Null);
                *v = ConstValue::from_json(formatted(*format, json)).unwrap_or(ConstValue::Null);
            }
        }
    }

    /// `schema` (of the aliased answer) with these keys' schemas formatted.
    pub fn schema(&self, mut schema: Value) -> Value {
        for (path, format) in self.0 {
            let mut at = &mut schema;
            for key in *path {
                if at.get("anyOf").is_some() {
                    at = &mut at["anyOf"][0];
                }
                at = &mut at["properties"][*key];
            }
            *at = format_schema(*format, at.take());
        }
        schema
    }
}

/// A legacy row reshaped from the rows of a GraphQL answer.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// A document that selects every source.
    pub document: &'static str,
    /// The path of the rows in that document's answer (`merchants.items`).
    pub rows_at: &'static str,
    /// The legacy keys, in the legacy order.
    pub columns: &'static [Column],
}

impl Row {
    /// The legacy row of the GraphQL row `item`, keys in the legacy order.
    pub fn reshape(&self, item: &Value) -> Value {
        let mut out = Map::with_capacity(self.columns.len());
        for c in self.columns {
            out.insert(c.key.to_owned(), c.value(item));
        }
        Value::Object(out)
    }

    /// The legacy rows of a list of GraphQL rows (none when it is not a list).
    pub fn reshape_all(&self, items: &Value) -> Vec<Value> {
        items
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|item| self.reshape(item))
            .collect()
    }

    /// The schema of [`Row::reshape`]'s rows, from the document's types: a list on a column's
    /// way makes it a list, a nullable object on its way nullable (unless it has a default).
    pub fn schema(&self) -> Value {
        let columns: Vec<(&str, Value)> = self
            .columns
            .iter()
            .map(|c| (c.key, self.column_schema(c)))
            .collect();
        object(&columns)
    }

    fn column_schema(&self, column: &Column) -> Value {
        let of = |path: &str| from_document(self.document, &format!("{}.{path}", self.rows_at));
        let mut schema = of(column.source);
        let mut prefix = String::new();
        let mut wrappers = Vec::new();
        let steps: Vec<&str> = column.source.split('.').collect();
        for step in &steps[..steps.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(step);
            let on_the_way = of(&prefix);
            if on_the_way.get("items").is_some() {
                wrappers.push(array as fn(Value) -> Value);
            } else if on_the_way.get("anyOf").is_some() && column.default.is_none() {
                wrappers.push(nullable);
            }
        }
        if column.default.is_some() {
            schema = string();
        }
        schema = format_schema(column.format, schema);
        for wrap in wrappers.into_iter().rev() {
            schema = wrap(schema);
        }
        schema
    }

    /// The exported columns in the spreadsheet's order: legacy key and header.
    pub fn sheet(&self) -> Vec<(&'static str, &'static str)> {
        let mut columns: Vec<(usize, &'static str, &'static str)> = self
            .columns
            .iter()
            .filter_map(|c| c.sheet.map(|(position, header)| (position, c.key, header)))
            .collect();
        columns.sort_by_key(|(position, _, _)| *position);
        columns.into_iter().map(|(_, k, h)| (k, h)).collect()
    }
}

/// A legacy value as a spreadsheet cell: numbers stay numbers, a list is its items joined by
/// `、`, null is empty.
pub fn cell(value: &Value) -> Cell {
    match value {
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or_default()),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Null => Cell::Text(String::new()),
        Value::Array(items) => Cell::Text(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join("、"),
        ),
        other => Cell::Text(other.to_string()),
    }
}

/// The cells of `row` under the `keys` of a sheet's columns.
pub fn cells<'a>(row: &Value, keys: impl IntoIterator<Item = &'a str>) -> Vec<Cell> {
    keys.into_iter().map(|k| cell(&row[k])).collect()
}

/// An `.xlsx` download named `name`.
pub fn download(bytes: Vec<u8>, name: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(xlsx::CONTENT_TYPE),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = "query Q { viewer { kind id who: name } }";

    #[test]
    fn a_row_reshapes_and_describes_itself_from_one_table() {
        const COLUMNS: &[Column] = &[
            col("who", "who").or("--").sheet(1, "名字"),
            col("number", "id").sheet(0, "编号"),
        ];
        let row = Row {
            document: DOC,
            rows_at: "viewer",
            columns: COLUMNS,
        };
        assert_eq!(
            row.reshape(&json!({ "id": 7, "who": "" })),
            json!({ "who": "--", "number": 7 })
        );
        assert_eq!(
            row.schema(),
            object(&[("who", string()), ("number", int())])
        );
        assert_eq!(row.sheet(), vec![("number", "编号"), ("who", "名字")]);
    }

    #[test]
    fn paths_cross_lists_and_null_objects() {
        let item = json!({ "a": [{ "n": "x" }, { "n": "y" }], "b": null });
        assert_eq!(at(&item, "a.n"), json!(["x", "y"]));
        assert_eq!(at(&item, "b.n"), Value::Null);
        assert_eq!(formatted(Format::CentsText, json!(3000)), json!("300000"));
        assert_eq!(formatted(Format::Float, json!(100)).to_string(), "100.0");
        assert_eq!(formatted(Format::Cents, json!(99.5)), json!(9950));
    }
}
