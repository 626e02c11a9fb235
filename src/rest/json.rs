//! JSON answers, written into one growing buffer.
//!
//! axum's `Json` writes through `BytesMut`'s `BufMut` adapter, a call per token; a page of 20
//! payers is ~800 keys and values, and that adapter showed as 0.6% of all CPU in the S2
//! benchmark's profile (BENCHMARKS.md). `serde_json::to_vec` appends to a `Vec` instead.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// A JSON answer (`application/json`), a drop-in for axum's `Json` as a response.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => {
                crate::error::log_internal(&format!("JSON answer: {e}"));
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}
