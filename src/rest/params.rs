//! Decoding legacy request values. A request's query string or body (JSON, or form-urlencoded
//! as curl's `-d` sends it) becomes one JSON object; typed readers then coerce values the way
//! the legacy frameworks did (`"100"` is an integer, `True`/`1` a boolean) and turn the rest
//! into a field error. Only shapes are checked here: rules live in the services.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, FromRequest, Request},
    http::{header::CONTENT_TYPE, HeaderMap},
};
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};

/// The type a legacy field must have.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Str,
    /// A 32-bit integer.
    Int,
    /// A 64-bit integer (area ids).
    BigInt,
    Float,
    Bool,
    /// 0 or 1, also given as a boolean.
    Flag,
    /// A list of strings: a JSON array, a JSON array in a string, or one string.
    StrList,
}

/// One legacy field mapped onto a GraphQL input field.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// The legacy (snake_case) name.
    pub legacy: &'static str,
    /// The GraphQL input field it fills.
    pub graphql: &'static str,
    pub kind: Kind,
    pub required: bool,
}

/// A table of [`FieldSpec`]s, one `"legacy" => "graphql": Kind` a field (`"name": Kind` where
/// both names are the same), `required` after the kind of a field the request must carry (the
/// others are optional).
///
/// ```ignore
/// const ENTRY: &[FieldSpec] = fields![
///     "mobile": Str required,
///     "read_count" => "readCount": Int,
/// ];
/// ```
macro_rules! fields {
    (@required) => {
        false
    };
    (@required required) => {
        true
    };
    (@graphql $legacy:literal) => {
        $legacy
    };
    (@graphql $legacy:literal $graphql:literal) => {
        $graphql
    };
    ($($legacy:literal $(=> $graphql:literal)?: $kind:ident $($required:ident)?),* $(,)?) => {
        &[$($crate::rest::params::field(
            $legacy,
            $crate::rest::params::fields!(@graphql $legacy $($graphql)?),
            $crate::rest::params::Kind::$kind,
            $crate::rest::params::fields!(@required $($required)?),
        )),*]
    };
}
pub(crate) use fields;

/// Shorthand for a [`FieldSpec`].
pub const fn field(
    legacy: &'static str,
    graphql: &'static str,
    kind: Kind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        legacy,
        graphql,
        kind,
        required,
    }
}

/// The legacy name of a GraphQL input path, segment by segment (`whiteList.0.readCount` →
/// `white_list.0.read_count`): through `tables`, the field tables the route reads its request
/// with, and `parts`, (legacy, GraphQL) names of the nested parts it reads by hand. A segment
/// none names (an index, a name both call alike) stays as it is.
pub fn legacy_path(tables: &[&[FieldSpec]], parts: &[(&str, &str)], path: &str) -> String {
    let legacy = |segment: &str| -> String {
        let from_table = tables
            .iter()
            .flat_map(|t| t.iter())
            .find(|s| s.graphql == segment);
        let from_parts = parts.iter().find(|(_, graphql)| *graphql == segment);
        match (from_table, from_parts) {
            (Some(spec), _) => spec.legacy.to_owned(),
            (None, Some((legacy, _))) => (*legacy).to_owned(),
            (None, None) => segment.to_owned(),
        }
    };
    path.split('.').map(legacy).collect::<Vec<_>>().join(".")
}

/// What a route does to the error of the operation it ran: the domain names a bad field by its
/// GraphQL input name, the legacy client knows it by the parameter the route read it from
/// ([`legacy_path`]). `run(..).await.map_err(legacy_error(&[TABLE], &[]))`.
pub fn legacy_error<'a>(
    tables: &'a [&'a [FieldSpec]],
    parts: &'a [(&'a str, &'a str)],
) -> impl Fn(AppError) -> AppError + 'a {
    move |error| match error {
        AppError::BadInput {
            field: Some(field),
            message,
        } => AppError::BadInput {
            field: Some(legacy_path(tables, parts, &field)),
            message,
        },
        other => other,
    }
}

/// DRF's message for a missing field.
pub const REQUIRED: &str = "This field is required.";

/// A handler's legacy body, decoded by [`Fields::from_body`]. A body that cannot be read at
/// all is axum's rejection; one that does not decode is the handler's to answer in its
/// family's envelope, hence the result inside.
pub struct BodyFields(pub AppResult<Fields>);

impl<S: Send + Sync> FromRequest<S> for BodyFields {
    type Rejection = BytesRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, BytesRejection> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state).await?;
        Ok(BodyFields(Fields::from_body(&headers, &body)))
    }
}

/// A handler's query string, decoded by [`Fields::from_query`] (which cannot fail).
pub struct QueryFields(pub Fields);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for QueryFields {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(QueryFields(Fields::from_query(parts.uri.query())))
    }
}

/// The values of one legacy request.
#[derive(Debug, Default)]
pub struct Fields(pub Map<String, Value>);

impl Fields {
    /// From a query string; a repeated key keeps its last value.
    pub fn from_query(raw: Option<&str>) -> Self {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        Fields(map)
    }

    /// From a body: JSON when declared so or when it looks like a JSON object (curl's `-d`
    /// sends JSON as a form by default), form-urlencoded otherwise.
    pub fn from_body(headers: &HeaderMap, body: &[u8]) -> AppResult<Self> {
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let trimmed = body.trim_ascii();
        if trimmed.is_empty() {
            return Ok(Fields::default());
        }
        let looks_json = trimmed.starts_with(b"{") || trimmed.starts_with(b"[");
        if content_type.contains("json") || (looks_json && !content_type.contains("multipart")) {
            return match serde_json::from_slice::<Value>(trimmed) {
                Ok(Value::Object(map)) => Ok(Fields(map)),
                Ok(_) => Err(AppError::bad_input(
                    "Invalid data. Expected a dictionary, but got a list or a scalar.",
                )),
                Err(e) => Err(AppError::bad_input(format!("JSON parse error - {e}"))),
            };
        }
        if content_type.contains("multipart") {
            return Err(AppError::bad_input(
                "Unsupported media type: send JSON or form-urlencoded data.",
            ));
        }
        let text = std::str::from_utf8(trimmed)
            .map_err(|_| AppError::bad_input("The body is not valid UTF-8."))?;
        Ok(Fields::from_query(Some(text)))
    }

    /// A text field; numbers are taken as their text, blank as absent.
    pub fn string(&self, key: &str) -> AppResult<Option<String>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => coerce(key, Kind::Str, v).map(|v| v.as_str().map(str::to_owned)),
        }
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> AppResult<Option<i64>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(v) => coerce(key, Kind::Int, v).map(|v| v.as_i64()),
        }
    }

    /// A 64-bit integer field.
    pub fn big_int(&self, key: &str) -> AppResult<Option<i64>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(v) => coerce(key, Kind::BigInt, v).map(|v| v.as_i64()),
        }
    }

    /// A boolean field.
    pub fn bool(&self, key: &str) -> AppResult<Option<bool>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(v) => coerce(key, Kind::Bool, v).map(|v| v.as_bool()),
        }
    }

    /// A GraphQL input object from `specs`: absent fields stay absent (a partial update leaves
    /// them alone), null stays null, values are coerced to their kind.
    pub fn input(&self, specs: &[FieldSpec]) -> AppResult<Value> {
        let mut out = Map::new();
        for spec in specs {
            match self.0.get(spec.legacy) {
                None if spec.required => return Err(AppError::field(spec.legacy, REQUIRED)),
                None => {}
                Some(Value::Null) if spec.required => {
                    return Err(AppError::field(spec.legacy, "This field may not be null."))
                }
                Some(Value::Null) => {
                    out.insert(spec.graphql.into(), Value::Null);
                }
                // A blank form value of a non-text field is no value (`telephone:` stays text).
                Some(Value::String(s))
                    if s.trim().is_empty() && !matches!(spec.kind, Kind::Str) && spec.required =>
                {
                    return Err(AppError::field(spec.legacy, REQUIRED));
                }
                Some(Value::String(s))
                    if s.trim().is_empty() && !matches!(spec.kind, Kind::Str) => {}
                Some(v) => {
                    out.insert(spec.graphql.into(), coerce(spec.legacy, spec.kind, v)?);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// What a paging parameter that is not a positive integer does.
#[derive(Clone, Copy, Debug)]
pub enum OnInvalid {
    /// Not an integer is a field error; zero or less is no value (the default page).
    FieldError,
    /// No value: the default.
    Default,
    /// 404 with this message (DRF's `Invalid page.`).
    NotFound(&'static str),
}

/// One paging parameter of a family: its name, its documentation, and what a bad value does.
#[derive(Clone, Copy, Debug)]
pub struct PageParam {
    pub name: &'static str,
    pub description: &'static str,
    pub on_invalid: OnInvalid,
}

/// A family's paging parameters: the page number and the rows per page. Each family declares
/// its own once (names, wording, errors differ: DRF's `page_size`, Laravel's `limit`, the
/// merchant pages' `num`); [`Fields::paging`] reads them and [`Doc::paged`] documents them.
///
/// [`Doc::paged`]: super::doc::Doc::paged
#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: PageParam,
    pub size: PageParam,
}

impl Paging {
    /// `page` from 1 and a page size named `size`: a value that is not an integer is a field
    /// error, one below 1 the default (the Laravel and merchant-management pages).
    pub const fn numbered(size: &'static str, description: &'static str) -> Paging {
        Paging {
            page: PageParam {
                name: "page",
                description: "Page number, from 1",
                on_invalid: OnInvalid::FieldError,
            },
            size: PageParam {
                name: size,
                description,
                on_invalid: OnInvalid::FieldError,
            },
        }
    }
}

impl Fields {
    /// The page number and page size of a list request, absent (the GraphQL defaults) when
    /// not given, or given as a value `paging` ignores.
    pub fn paging(&self, paging: &Paging) -> AppResult<(Option<i64>, Option<i64>)> {
        Ok((
            self.page_param(&paging.page)?,
            self.page_param(&paging.size)?,
        ))
    }

    fn page_param(&self, param: &PageParam) -> AppResult<Option<i64>> {
        let not_found = match param.on_invalid {
            OnInvalid::FieldError => return Ok(self.int(param.name)?.filter(|v| *v >= 1)),
            OnInvalid::Default => None,
            OnInvalid::NotFound(message) => Some(message),
        };
        // As DRF reads them: the text as given, no trimming; a blank value is a bad one.
        let Some(raw) = self.0.get(param.name).and_then(Value::as_str) else {
            return Ok(None);
        };
        match (raw.parse::<i32>().ok().filter(|v| *v >= 1), not_found) {
            (Some(v), _) => Ok(Some(i64::from(v))),
            (None, None) => Ok(None),
            (None, Some(message)) => Err(AppError::NotFound(message.into())),
        }
    }
}

/// A value as `kind`, or the field error DRF would give.
fn coerce(key: &str, kind: Kind, value: &Value) -> AppResult<Value> {
    match (kind, value) {
        (Kind::Str, Value::String(s)) if s.contains('\0') => {
            Err(AppError::field(key, "Null characters are not allowed."))
        }
        (Kind::Str, Value::String(_)) => Ok(value.clone()),
        (Kind::Str, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Kind::Str, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Kind::Str, _) => Err(AppError::field(key, "Not a valid string.")),
        (Kind::Int | Kind::BigInt, _) => match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
        // An `Int` is GraphQL's: 32 bits.
        .filter(|i| matches!(kind, Kind::BigInt) || i32::try_from(*i).is_ok())
        .map(Value::from)
        .ok_or_else(|| AppError::field(key, "A valid integer is required.")),
        (Kind::Float, Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Value::from)
            .ok_or_else(|| AppError::field(key, "A valid number is required.")),
        (Kind::Float, Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from)
            .ok_or_else(|| AppError::field(key, "A valid number is required.")),
        (Kind::Float, _) => Err(AppError::field(key, "A valid number is required.")),
        (Kind::Flag, Value::Bool(b)) => Ok(Value::from(i32::from(*b))),
        (Kind::Flag, other) => match coerce(key, Kind::Bool, other) {
            Ok(Value::Bool(b)) => Ok(Value::from(i32::from(b))),
            _ => coerce(key, Kind::Int, other),
        },
        (Kind::StrList, Value::Array(items)) => items
            .iter()
            .map(|v| coerce(key, Kind::Str, v))
            .collect::<AppResult<Vec<_>>>()
            .map(Value::Array),
        (Kind::StrList, Value::String(s)) if s.trim_start().starts_with('[') => {
            match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Array(_)) => coerce(key, Kind::StrList, &v),
                _ => Err(AppError::field(key, "Expected a list of strings.")),
            }
        }
        (Kind::StrList, Value::String(s)) => Ok(Value::Array(
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
        )),
        (Kind::StrList, _) => Err(AppError::field(key, "Expected a list of strings.")),
        (Kind::Bool, Value::Bool(_)) => Ok(value.clone()),
        (Kind::Bool, Value::Number(n)) if n.as_i64() == Some(1) => Ok(Value::Bool(true)),
        (Kind::Bool, Value::Number(n)) if n.as_i64() == Some(0) => Ok(Value::Bool(false)),
        (Kind::Bool, Value::String(s)) => match s.trim() {
            "true" | "True" | "TRUE" | "1" | "on" | "yes" => Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" | "0" | "off" | "no" => Ok(Value::Bool(false)),
            _ => Err(AppError::field(key, "Must be a valid boolean.")),
        },
        (Kind::Bool, _) => Err(AppError::field(key, "Must be a valid boolean.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn curl_dash_d_json_without_content_type_is_json() {
        let f = Fields::from_body(&HeaderMap::new(), br#"{"username":"a","age":"7"}"#).unwrap();
        assert_eq!(f.0["username"], json!("a"));
        assert_eq!(f.int("age").unwrap(), Some(7));
    }

    #[test]
    fn form_bodies_and_booleans() {
        let f = Fields::from_body(&HeaderMap::new(), b"star=True&age=x").unwrap();
        assert_eq!(f.bool("star").unwrap(), Some(true));
        assert!(f.int("age").is_err());
    }

    #[test]
    fn input_keeps_absent_null_and_value_apart() {
        let f = Fields(json!({"a": null, "b": "1"}).as_object().unwrap().clone());
        let v = f
            .input(&[
                field("a", "a", Kind::Str, false),
                field("b", "bb", Kind::Int, false),
                field("c", "c", Kind::Str, false),
            ])
            .unwrap();
        assert_eq!(v, json!({"a": null, "bb": 1}));
        assert!(f.input(&[field("c", "c", Kind::Str, true)]).is_err());
    }

    #[test]
    fn paging_follows_the_family() {
        let param = |name, on_invalid| PageParam {
            name,
            description: "",
            on_invalid,
        };
        let drf = Paging {
            page: param("page", OnInvalid::NotFound("Invalid page.")),
            size: param("page_size", OnInvalid::Default),
        };
        let laravel = Paging::numbered("limit", "");
        let q = |raw: &str| Fields::from_query(Some(raw));
        assert_eq!(
            q("page=2&page_size=x").paging(&drf).unwrap(),
            (Some(2), None)
        );
        assert!(matches!(
            q("page=0").paging(&drf),
            Err(AppError::NotFound(m)) if m == "Invalid page."
        ));
        assert_eq!(
            q("page=0&limit=5").paging(&laravel).unwrap(),
            (None, Some(5))
        );
        assert!(q("limit=x").paging(&laravel).is_err());
        assert_eq!(q("").paging(&laravel).unwrap(), (None, None));
    }

    #[test]
    fn error_fields_go_back_to_their_legacy_names() {
        const ENTRY: &[FieldSpec] = &[field("read_count", "readCount", Kind::Int, false)];
        let parts = [("white_list", "whiteList")];
        assert_eq!(
            legacy_path(&[ENTRY], &parts, "whiteList.0.readCount"),
            "white_list.0.read_count"
        );
        assert_eq!(legacy_path(&[ENTRY], &parts, "mobile"), "mobile");
        match legacy_error(&[ENTRY], &[])(AppError::field("readCount", "bad")) {
            AppError::BadInput { field, .. } => assert_eq!(field.as_deref(), Some("read_count")),
            other => panic!("{other:?}"),
        }
    }
}
