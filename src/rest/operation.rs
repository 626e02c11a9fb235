//! Running a GraphQL operation for a legacy URL: the REST layer's only way to the data.

use async_graphql::Variables;
use axum::http::{header::AUTHORIZATION, HeaderMap};
use serde_json::Value;

use crate::{
    auth::{service, Auth},
    error::{AppError, AppResult},
    state::AppState,
};

/// The caller of a REST request, from its `Authorization` header.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> AppResult<Auth> {
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    service::authenticate(&state.core.db, &state.core.jwt, header).await
}

/// Runs `document` with `variables` as `auth`, answering the `data` object or the first error.
pub async fn run(
    state: &AppState,
    auth: Auth,
    document: &str,
    variables: Value,
) -> AppResult<Value> {
    let request = async_graphql::Request::new(document).variables(Variables::from_json(variables));
    let request = crate::graphql::prepare(request, &state.core, auth);
    let response = state.schema.execute(request).await;
    if let Some(err) = response.errors.first() {
        return Err(AppError::from_graphql(err));
    }
    response
        .data
        .into_json()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// `data[key]`, taken out.
pub fn take(mut data: Value, key: &str) -> Value {
    data.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}
