//! Reading from the replica. When `DATABASE_REPLICA_URL` is set, a request whose document holds
//! no mutation runs on a copy of [`Core`] whose database is the replica (resolvers and
//! dataloaders alike); a document with a mutation runs wholly on the primary, so a mutation's
//! own reads and its answer never lag behind its write.

use std::sync::Arc;

use async_graphql::{
    async_trait,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    Request, ServerResult,
};

use crate::state::Core;

/// Schema data: the core whose database is the read replica.
pub struct Reader(pub Arc<Core>);

/// Routes query documents to the replica.
pub struct ReadFromReplica;

impl ExtensionFactory for ReadFromReplica {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReadFromReplica)
    }
}

#[async_trait::async_trait]
impl Extension for ReadFromReplica {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // The extensions after this one have run: an automatic persisted query's text is in.
        let request = next.run(ctx, request).await?;
        match ctx.data_opt::<Reader>() {
            Some(Reader(reader)) if !request.query.is_empty() && !writes(&request.query) => {
                let request = request.data(reader.clone());
                Ok(super::attach_loaders(request, &reader.db))
            }
            _ => Ok(request),
        }
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
