//! One GraphQL request from arrival to answer, for both interfaces: automatic persisted
//! queries, the refusal of NUL characters, the limits, parsing (once per distinct document),
//! the choice of database (a query may read the replica; a mutation runs wholly on the primary),
//! the caller and fresh dataloaders, and after a mutation the forgetting of cached totals.
//!
//! This runs before the schema rather than as schema extensions on purpose: with no extension
//! registered, async-graphql resolves each field directly instead of through a chain of boxed
//! hooks and a registry lookup per field, which is most of the cost of a large page.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{
    parser::{
        parse_query,
        types::{DocumentOperations, ExecutableDocument, OperationType},
    },
    Request, Response, ServerError,
};
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use super::{
    guard_input::refuse_nul,
    limits::{refusal, with_code, Limits},
};
use crate::{auth::Auth, state::AppState, state::Core};

/// Documents kept at most by each cache; a full cache starts over.
const MAX_DOCUMENTS: usize = 1024;
/// The longest document the parse cache keeps.
const MAX_CACHED_TEXT: usize = 16 * 1024;

/// Documents by persisted-query hash, and parsed documents that passed the limits.
#[derive(Default)]
pub struct Documents {
    persisted: Mutex<HashMap<String, Arc<str>>>,
    parsed: Mutex<HashMap<Arc<str>, Arc<ExecutableDocument>>>,
}

fn bounded_insert<K: std::hash::Hash + Eq, V>(map: &Mutex<HashMap<K, V>>, key: K, value: V) {
    if let Ok(mut map) = map.lock() {
        if map.len() >= MAX_DOCUMENTS {
            map.clear();
        }
        map.insert(key, value);
    }
}

/// Where a document comes from.
pub enum Source {
    /// A client of `/graphql`: every check applies.
    Client,
    /// One of the REST layer's own documents, parsed once: fixed, listed, trusted.
    Rest(Arc<ExecutableDocument>),
}

/// Automatic persisted queries (Apollo's protocol): a hash alone names a document sent before
/// with it; a document with its hash is remembered. Each instance remembers on its own; a miss
/// answers `PersistedQueryNotFound` and the client resends the text.
fn persisted(documents: &Documents, request: &mut Request) -> Result<(), ServerError> {
    let Some(value) = request.extensions.remove("persistedQuery") else {
        return Ok(());
    };
    let ext = value.into_json().unwrap_or_default();
    if ext["version"] != 1 {
        return Err(refusal(
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "Only version 1 of the persistedQuery extension is supported.".into(),
        ));
    }
    let hash = ext["sha256Hash"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if request.query.is_empty() {
        let known = documents
            .persisted
            .lock()
            .ok()
            .and_then(|m| m.get(&hash).cloned());
        return match known {
            Some(text) => {
                request.query = text.to_string();
                Ok(())
            }
            None => Err(refusal(
                "PERSISTED_QUERY_NOT_FOUND",
                "PersistedQueryNotFound".into(),
            )),
        };
    }
    if hex::encode(Sha256::digest(request.query.as_bytes())) != hash {
        return Err(refusal(
            "BAD_USER_INPUT",
            "The sha256Hash does not match the query.".into(),
        ));
    }
    bounded_insert(
        &documents.persisted,
        hash,
        Arc::from(request.query.as_str()),
    );
    Ok(())
}

/// A client's document: from the cache of documents that passed, or checked and parsed.
fn client_document(
    state: &AppState,
    request: &mut Request,
) -> Result<Arc<ExecutableDocument>, ServerError> {
    let documents = &state.documents;
    persisted(documents, request)?;
    let cached = documents
        .parsed
        .lock()
        .ok()
        .and_then(|m| m.get(request.query.as_str()).cloned());
    if let Some(doc) = cached {
        return Ok(doc);
    }
    let config = &state.core.config;
    let limits = Limits {
        max_depth: config.graphql_max_depth,
        max_aliases: config.graphql_max_aliases,
        max_tokens: config.graphql_max_tokens,
        max_directives: super::MAX_DIRECTIVES,
        introspection: config.introspection(),
    };
    limits.check_text(&request.query)?;
    let doc = Arc::new(parse_query(&request.query)?);
    limits.check_document(&doc)?;
    if request.query.len() <= MAX_CACHED_TEXT {
        bounded_insert(
            &documents.parsed,
            Arc::from(request.query.as_str()),
            doc.clone(),
        );
    }
    Ok(doc)
}

/// Whether the operation the request selects writes. An operation that cannot be found (the
/// schema will say so) counts as writing: the primary is always right.
fn writes(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    op.is_none_or(|op| op.node.ty != OperationType::Query)
}

/// Fresh dataloaders of every domain, reading from `db`.
fn attach_loaders(request: Request, db: &DatabaseConnection) -> Request {
    let request = crate::payers::loaders::attach(request, db);
    let request = crate::market::loaders::attach(request, db);
    let request = crate::merchants::loaders::attach(request, db);
    crate::orders::loaders::attach(request, db)
}

/// Runs `request` as `auth`.
pub async fn run(state: &AppState, mut request: Request, auth: Auth, source: Source) -> Response {
    let doc = match source {
        Source::Rest(doc) => Ok(doc),
        Source::Client => client_document(state, &mut request),
    };
    // The variables of every request, and a client's document, are checked for NULs.
    let doc = match doc.and_then(|doc| refuse_nul(&request).map(|()| doc)) {
        Ok(doc) => doc,
        Err(e) => return Response::from_errors(vec![e]),
    };
    let writing = writes(&doc, request.operation_name.as_deref());
    request.set_parsed_query((*doc).clone());
    let request = request.data(auth);
    let core: &Arc<Core> = match &state.reader {
        Some(reader) if !writing => reader,
        _ => &state.core,
    };
    // The schema's own data holds the primary's core; a query on the replica gets its own.
    let request = attach_loaders(request.data(core.clone()), &core.db);
    if writing {
        core.counts.clear();
    }
    let mut response = state.schema.execute(request).await;
    // Again after: a page counted while the write was under way may hold the old total.
    if writing {
        core.counts.clear();
    }
    response.errors = response.errors.into_iter().map(with_code).collect();
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selected_operation_decides_whether_a_document_writes() {
        let doc = |q: &str| parse_query(q).unwrap();
        assert!(!writes(&doc("{ a }"), None));
        assert!(!writes(&doc("query Q { mutation: a }"), None));
        assert!(writes(&doc("mutation M { a }"), None));
        let both = doc("query A { a } mutation B { b }");
        assert!(!writes(&both, Some("A")));
        assert!(writes(&both, Some("B")));
        assert!(writes(&both, None), "not found: the primary");
        assert!(writes(&both, Some("C")));
    }
}
