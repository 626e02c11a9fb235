//! What every route file of the REST layer uses: a route's declaration (`Route`, `Doc`,
//! `Access`, the schema builders, `fields!` tables), its extractors (the `Caller` first), and the
//! one call it makes (`run` a GraphQL document as the caller, `take` its answer). Route files
//! `use crate::rest::prelude::*;` and import only what is their own beside it.

pub use axum::{
    extract::{Path, RawQuery, State},
    http::Method,
    routing::{delete, get, post, put},
};
pub use const_format::concatcp;
pub use serde_json::{json, Value};

pub(crate) use crate::rest::params::fields;
pub use crate::{
    auth::{Auth, Permission},
    error::AppError,
    rest::{
        doc::{Access, Doc},
        operation::{run, take, Caller},
        params::{legacy_error, BodyFields, FieldSpec, Fields, Paging, QueryFields, REQUIRED},
        schema::*,
        Route,
    },
    state::AppState,
};
