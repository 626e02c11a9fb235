//! What a legacy route promises: who may call it, its parameters and body, and its answers.
//! Every [`super::Route`] carries one; the OpenAPI document, the authorization walk of the tests
//! and the body limits are built from them, so a route cannot go undocumented.

use serde_json::Value;

use super::{
    params::{FieldSpec, Kind, Paging},
    schema,
};
use crate::auth::Permission;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone; credentials, when sent, must still be valid.
    Public,
    /// A kids-coding member calling with its own key.
    Member,
    /// A staff account whose role grants the permission.
    Staff(Permission),
    /// Anyone with a password: the login itself.
    Login,
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum In {
    Path,
    Query,
}

/// A path or query parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    pub location: In,
    pub schema: Value,
    pub required: bool,
    pub description: &'static str,
    /// A value that reaches the route's operation (the authorization walk sends it).
    pub example: Option<Value>,
}

/// A request body.
#[derive(Clone, Debug)]
pub enum Body {
    /// JSON, or form-urlencoded as `curl -d` sends it: the legacy fields.
    Fields(Vec<FieldSpec>),
    /// JSON with a nested shape, written out.
    Json(Value),
    /// `multipart/form-data` with a file under this field name.
    Upload(&'static str),
}

/// The media type of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Json,
    Xlsx,
}

/// One successful answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub media: Media,
    /// The body's schema (unused for downloads).
    pub schema: Value,
}

/// A route's documentation.
#[derive(Clone, Debug)]
pub struct Doc {
    pub summary: &'static str,
    pub access: Access,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub answers: Vec<Answer>,
    /// Failure statuses the route itself answers (401, 403 and 413 are added by family).
    pub errors: Vec<u16>,
}

impl Doc {
    /// A route called `summary`, open to `access`.
    pub fn new(summary: &'static str, access: Access) -> Self {
        Doc {
            summary,
            access,
            params: Vec::new(),
            body: None,
            answers: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn param(
        mut self,
        location: In,
        name: &'static str,
        schema: Value,
        description: &'static str,
    ) -> Self {
        self.params.push(Param {
            name,
            location,
            schema,
            required: location == In::Path,
            description,
            example: None,
        });
        self
    }

    /// A path parameter, with a value the walk can send.
    pub fn path(
        self,
        name: &'static str,
        schema: Value,
        example: Value,
        description: &'static str,
    ) -> Self {
        self.param(In::Path, name, schema, description)
            .required(example)
    }

    /// The parameter declared last is required, with `example` a value the walk can send: a
    /// path parameter always is ([`Doc::path`]); a query parameter after [`Doc::query`].
    pub fn required(mut self, example: Value) -> Self {
        if let Some(p) = self.params.last_mut() {
            p.required = true;
            p.example = Some(example);
        }
        self
    }

    /// An optional query parameter.
    pub fn query(self, name: &'static str, schema: Value, description: &'static str) -> Self {
        self.param(In::Query, name, schema, description)
    }

    /// The paging parameters of a list.
    pub fn paged(self, paging: &Paging) -> Self {
        let (page, size) = (paging.page, paging.size);
        self.query(page.name, schema::int(), page.description)
            .query(size.name, schema::int(), size.description)
    }

    /// Legacy body fields (called again, more of them).
    pub fn fields(mut self, fields: &[FieldSpec]) -> Self {
        match &mut self.body {
            Some(Body::Fields(all)) => all.extend_from_slice(fields),
            _ => self.body = Some(Body::Fields(fields.to_vec())),
        }
        self
    }

    /// A JSON body of the given shape.
    pub fn json_body(mut self, schema: Value) -> Self {
        self.body = Some(Body::Json(schema));
        self
    }

    /// A multipart upload of a file under `field`.
    pub fn upload(mut self, field: &'static str) -> Self {
        self.body = Some(Body::Upload(field));
        self
    }

    /// A JSON answer.
    pub fn answer(mut self, status: u16, schema: Value) -> Self {
        self.answers.push(Answer {
            status,
            media: Media::Json,
            schema,
        });
        self
    }

    /// An `.xlsx` download.
    pub fn xlsx(mut self) -> Self {
        self.answers.push(Answer {
            status: 200,
            media: Media::Xlsx,
            schema: Value::Null,
        });
        self
    }

    /// Failure statuses the route answers itself.
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        self.errors.extend_from_slice(statuses);
        self
    }

    /// Whether the body is an upload (the larger body limit applies).
    pub fn takes_upload(&self) -> bool {
        matches!(self.body, Some(Body::Upload(_)))
    }
}

/// The JSON Schema of a legacy field. Clients may also send numbers and booleans as text
/// (form bodies carry nothing else; `True`, `"100"`), as the legacy frameworks accepted.
pub fn field_schema(kind: Kind) -> Value {
    match kind {
        Kind::Str => schema::string(),
        Kind::Int | Kind::BigInt => schema::int(),
        Kind::Float => schema::number(),
        Kind::Bool => schema::boolean(),
        Kind::Flag => schema::int_of(&[0, 1]),
        Kind::StrList => schema::array(schema::string()),
    }
}

/// The object schema of a body of legacy fields; the required ones are required. Open, since
/// the legacy frameworks ignored keys they did not know.
pub fn fields_schema(fields: &[FieldSpec]) -> Value {
    let mut properties = serde_json::Map::new();
    for f in fields {
        properties.insert(f.legacy.to_owned(), field_schema(f.kind));
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.legacy)
        .collect();
    serde_json::json!({ "type": "object", "properties": properties, "required": required })
}
