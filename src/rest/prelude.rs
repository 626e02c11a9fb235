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
        operation::{run, take, Caller, Page},
        params::{legacy_error, BodyFields, FieldSpec, Fields, Paging, QueryFields, REQUIRED},
        schema::*,
        Route,
    },
    state::AppState,
};

/// The document of a DRF list with a filter: `$field(filter:, page:, pageSize:)` of the schema
/// with its total, page, size and items (each `...$fragment`), the fragments appended. Several
/// kids-coding lists are this one query under other names.
macro_rules! filtered_list {
    ($operation:literal, $filter:literal, $field:literal, $fragment:literal, $($fragments:expr),+) => {
        $crate::rest::prelude::concatcp!(
            "query ", $operation, "($filter: ", $filter, ", $page: Int, $pageSize: Int) { ",
            $field, "(filter: $filter, page: $page, pageSize: $pageSize) { ",
            "totalCount page pageSize items { ...", $fragment, " } } } ",
            $($fragments),+
        )
    };
}
pub(crate) use filtered_list;
