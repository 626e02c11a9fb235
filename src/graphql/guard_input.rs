//! NUL characters are refused anywhere in a request (document or variables), for both
//! interfaces. PostgreSQL cannot store them and SQLite cuts strings at them (a LIKE pattern with
//! one matches everything): no value with one is ever meaningful.

use async_graphql::{ErrorExtensionValues, Request, ServerError};
use serde_json::Value;

/// The message of the refusal.
pub const NUL_REFUSED: &str = "Null characters are not allowed.";

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Refuses a request with a NUL in its document or variables (also written as an escape).
pub fn refuse_nul(request: &Request) -> Result<(), ServerError> {
    let query = request.query.to_ascii_lowercase();
    let in_query = query.contains('\0') || query.contains("\\u0000") || query.contains("\\u{0}");
    let in_variables = serde_json::to_value(&request.variables).is_ok_and(|v| has_nul(&v));
    if in_query || in_variables {
        let mut error = ServerError::new(NUL_REFUSED, None);
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", crate::error::ErrorCode::BadUserInput.as_str());
        error.extensions = Some(ext);
        return Err(error);
    }
    Ok(())
}
