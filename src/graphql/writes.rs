//! What follows from whether a document writes. A document with a mutation runs wholly on the
//! primary, so its own reads and its answer never lag behind its write, and it makes this
//! instance forget its cached list totals, so its writes show in the next page's count. When
//! `DATABASE_REPLICA_URL` is set, a document without one runs on a copy of [`Core`] whose
//! database is the replica (resolvers and dataloaders alike).

use std::sync::Arc;

use async_graphql::{
    async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest},
    Request, Response, ServerResult,
};

use crate::state::Core;

/// Schema data: the core whose database is the read replica.
pub struct Reader(pub Arc<Core>);

/// Request data of a document that writes.
struct Writing;

/// Routes documents by whether they write.
pub struct Writes;

impl ExtensionFactory for Writes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Writes)
    }
}

fn forget_counts(ctx: &ExtensionContext<'_>) {
    if let Some(core) = ctx.data_opt::<Arc<Core>>() {
        core.counts.clear();
    }
}

#[async_trait::async_trait]
impl Extension for Writes {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // The extensions after this one have run: an automatic persisted query's text is in.
        let request = next.run(ctx, request).await?;
        // Unknown text (a persisted query not found) is taken as writing: the primary is safe.
        if request.query.is_empty() || writes(&request.query) {
            return Ok(request.data(Writing));
        }
        match ctx.data_opt::<Reader>() {
            Some(Reader(reader)) => {
                let request = request.data(reader.clone());
                Ok(super::attach_loaders(request, &reader.db))
            }
            None => Ok(request),
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let writing = ctx.data_opt::<Writing>().is_some();
        if writing {
            forget_counts(ctx);
        }
        let response = next.run(ctx, operation_name).await;
        // Again after: a page counted while the write was under way may hold the old total.
        if writing {
            forget_counts(ctx);
        }
        response
    }
}

/// Whether a document defines a mutation (or a subscription): an operation keyword outside
/// every selection set, string and comment. Cheap and conservative: anything it cannot read
/// is treated as writing.
fn writes(document: &str) -> bool {
    let bytes = document.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let block = bytes[i..].starts_with(b"\"\"\"");
                i += if block { 3 } else { 1 };
                while i < bytes.len() {
                    if block && bytes[i..].starts_with(b"\"\"\"") {
                        i += 2;
                        break;
                    }
                    if !block && bytes[i] == b'"' {
                        break;
                    }
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &bytes[start..i];
                if depth == 0 && (word == b"mutation" || word == b"subscription") {
                    return true;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::writes;

    #[test]
    fn only_top_level_operation_keywords_write() {
        assert!(!writes("{ payers { totalCount } }"));
        assert!(!writes("query Q { mutation: viewer { kind } } # mutation"));
        assert!(!writes(
            r#"query Q($s: String = "mutation { x }") { a(s: """mutation""") }"#
        ));
        assert!(writes(
            "mutation M { login(account: \"a\", password: \"b\") { token } }"
        ));
        assert!(writes("query A { a } mutation B { b }"));
        assert!(writes("  subscription S { s }"));
    }
}
