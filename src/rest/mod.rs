//! The legacy REST compatibility layer. Each family is a folder of routes that decode the legacy
//! request, run one GraphQL operation (aliases give the legacy keys) and wrap the answer in the
//! family's envelope. No business rule lives here.

pub mod drf;
pub mod kids_coding;
pub mod operation;
pub mod paid;
pub mod paid_reports;
pub mod params;

use axum::Router;

use crate::state::AppState;

/// Every legacy URL.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(kids_coding::router())
        .merge(paid_reports::router())
}
