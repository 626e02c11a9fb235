//! The kids-coding families (DRF): the CRM (`payers`) and the diamond market (`market`).

pub mod envelope;
mod market;
mod payers;

use crate::{
    graphql::page::INVALID_PAGE,
    rest::{
        params::{OnInvalid, PageParam, Paging},
        Route,
    },
};

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
pub(super) const PAGING: Paging = Paging {
    page: PageParam {
        name: "page",
        description: "Page number, from 1; another value is 404 `Invalid page.`",
        on_invalid: OnInvalid::NotFound(INVALID_PAGE),
    },
    size: PageParam {
        name: "page_size",
        description: "Rows per page (default 10, at most 100)",
        on_invalid: OnInvalid::Default,
    },
};
