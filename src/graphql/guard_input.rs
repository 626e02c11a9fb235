//! A schema extension that refuses NUL characters anywhere in a request (document or
//! variables), for both interfaces. PostgreSQL cannot store them and SQLite cuts strings at
//! them (a LIKE pattern with one matches everything): no value with one is ever meaningful.

use std::sync::Arc;

use async_graphql::{
    async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    Request, ServerError, ServerResult,
};
use serde_json::Value;

/// The message of the refusal.
pub const NUL_REFUSED: &str = "Null characters are not allowed.";

/// Registers [`RejectNul`] on the schema.
pub struct RejectNulFactory;

impl ExtensionFactory for RejectNulFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RejectNul)
    }
}

struct RejectNul;

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

#[async_trait::async_trait]
impl Extension for RejectNul {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let query = request.query.to_ascii_lowercase();
        let in_query =
            query.contains('\0') || query.contains("\\u0000") || query.contains("\\u{0}");
        let in_variables = serde_json::to_value(&request.variables).is_ok_and(|v| has_nul(&v));
        if in_query || in_variables {
            let mut error = ServerError::new(NUL_REFUSED, None);
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", "BAD_USER_INPUT");
            error.extensions = Some(ext);
            return Err(error);
        }
        next.run(ctx, request).await
    }
}
