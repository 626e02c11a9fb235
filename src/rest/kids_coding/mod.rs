//! The kids-coding families (DRF): the CRM (`payers`) and the diamond market (`market`).

pub mod envelope;
mod market;
mod payers;

use crate::{
    error::AppError,
    graphql::page::INVALID_PAGE,
    rest::{params::Fields, Route},
};
use envelope::KidsCodingError;

/// The GraphQL documents both families run.
pub(crate) fn documents() -> Vec<&'static str> {
    [payers::DOCUMENTS, market::DOCUMENTS].concat()
}

/// The routes of both families.
pub fn routes() -> Vec<Route> {
    let mut routes = payers::routes();
    routes.extend(market::routes());
    routes
}

/// DRF's page parameters: a `page` that is not a positive integer is "Invalid page." (404);
/// a `page_size` that is not a positive integer falls back to the default.
pub(super) fn page_vars(q: &Fields) -> Result<(Option<i64>, Option<i64>), KidsCodingError> {
    let page = match q.0.get("page").and_then(|v| v.as_str()) {
        None => None,
        Some(p) => Some(
            p.parse::<i32>()
                .ok()
                .filter(|p| *p >= 1)
                .map(i64::from)
                .ok_or_else(|| AppError::NotFound(INVALID_PAGE.into()))?,
        ),
    };
    let page_size =
        q.0.get("page_size")
            .and_then(|v| v.as_str())
            .and_then(|s| s.parse::<i32>().ok())
            .filter(|s| *s >= 1)
            .map(i64::from);
    Ok((page, page_size))
}
