//! The kids-coding families (DRF): the CRM (`payers`) and the diamond market (`market`).

pub mod envelope;
mod market;
mod payers;

use std::convert::Infallible;

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{request::Parts, HeaderMap, Uri},
    response::Response,
};

use crate::rest::prelude::*;
use crate::{
    error::AppResult,
    graphql::page::INVALID_PAGE,
    rest::{
        operation::Page,
        params::{OnInvalid, PageParam},
    },
};

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

/// A DRF list request: its query parameters, and the URL and headers its page links are
/// built from.
pub(super) struct ListRequest {
    pub query: Fields,
    uri: Uri,
    headers: HeaderMap,
}

impl<S: Send + Sync> FromRequestParts<S> for ListRequest {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let OriginalUri(uri) = OriginalUri::from_request_parts(parts, state).await?;
        Ok(ListRequest {
            query: Fields::from_query(parts.uri.query()),
            uri,
            headers: parts.headers.clone(),
        })
    }
}

impl ListRequest {
    /// The page number and size asked for ([`PAGING`]).
    pub fn paging(&self) -> AppResult<(Option<i64>, Option<i64>)> {
        self.query.paging(&PAGING)
    }

    /// Runs the list `document` with `$filter` read from the query by `filter`, and the page
    /// asked for; answers the GraphQL page at `field`. A bad filter value is named by its legacy
    /// parameter.
    pub async fn fetch(
        &self,
        caller: &Caller,
        (document, field): (&'static str, &str),
        filter: &[FieldSpec],
    ) -> AppResult<Value> {
        let (page, page_size) = self.paging()?;
        let vars = json!({
            "filter": self.query.input(filter)?,
            "page": page, "pageSize": page_size,
        });
        let data = caller
            .run(document, vars)
            .await
            .map_err(legacy_error(&[filter], &[]))?;
        Ok(take(data, field))
    }

    /// `graphql_page` as a DRF page, its links on this request's URL.
    pub fn page(&self, state: &AppState, graphql_page: Page) -> Response {
        envelope::page(
            graphql_page,
            &self.uri,
            &self.headers,
            state.core.config.public_url.as_deref(),
        )
    }
}
