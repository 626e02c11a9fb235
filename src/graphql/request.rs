//! One GraphQL request from arrival to answer, for both interfaces: automatic persisted
//! queries, the refusal of NUL characters, the limits, parsing (once per distinct document),
//! the choice of database (a query may read the replica; a mutation runs wholly on the primary),
//! the caller and fresh dataloaders, and after a committed write the forgetting of cached totals.
//!
//! This runs before the schema rather than as schema extensions on purpose: with no extension
//! registered, async-graphql resolves each field directly instead of through a chain of boxed
//! hooks and a registry lookup per field, which is most of the cost of a large page.

use std::sync::Arc;

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
use crate::{
    auth::Auth,
    cache::{self, Bounded},
    state::AppState,
    state::Core,
};

/// Documents kept at most by each cache.
const MAX_DOCUMENTS: usize = 1024;
/// The longest document either cache keeps (persisted or parsed).
pub const MAX_CACHED_TEXT: usize = 16 * 1024;
/// Bytes the persisted documents may weigh.
const MAX_PERSISTED_BYTES: usize = 4 << 20;
/// Bytes the parsed documents may weigh, by the estimate of [`parsed_weight`].
const MAX_PARSED_BYTES: usize = 16 << 20;
/// Clean runs remembered at most (a digest each).
const MAX_CLEAN_RUNS: usize = 8192;

/// What a parsed document is taken to weigh: its syntax tree holds a node with a position per
/// token and a shared name per identifier, measured at well under sixteen times the text.
fn parsed_weight(text: &str) -> usize {
    16 * text.len() + 512
}

/// Documents by persisted-query hash, parsed documents that passed the limits, and the runs
/// that passed validation, all bounded in entries and bytes and keyed by digests, never by a
/// client's text.
pub struct Documents {
    persisted: Bounded<Arc<str>>,
    parsed: Bounded<Arc<ExecutableDocument>>,
    /// Documents with the variables and operation they ran with once without an error: every
    /// validation rule passed for them, and the same run skips the rules whose answer cannot
    /// change ([`super::Schemas::known`]).
    clean: Bounded<()>,
}

impl Default for Documents {
    fn default() -> Self {
        Documents {
            persisted: Bounded::new(MAX_DOCUMENTS, MAX_PERSISTED_BYTES),
            parsed: Bounded::new(MAX_DOCUMENTS, MAX_PARSED_BYTES),
            clean: Bounded::new(MAX_CLEAN_RUNS, MAX_CLEAN_RUNS * cache::ENTRY_OVERHEAD),
        }
    }
}

impl Documents {
    /// Entries and bytes of the persisted and the parsed documents and of the clean runs, for
    /// the tests of bounds.
    pub fn usage(&self) -> [(usize, usize); 3] {
        [
            self.persisted.usage(),
            self.parsed.usage(),
            self.clean.usage(),
        ]
    }
}

/// Where a document comes from.
pub enum Source {
    /// A client of `POST /graphql`: every check applies.
    Client,
    /// A client of `GET /graphql`: every check applies, and only a query may run (a GET must
    /// change nothing: caches and prefetchers repeat it).
    ClientGet,
    /// One of the REST layer's own documents, parsed once: fixed, listed, trusted.
    Rest(Arc<ExecutableDocument>),
}

/// Automatic persisted queries (Apollo's protocol): a hash alone names a document sent before
/// with it. Answers the hash under which a document sent with its hash is to be remembered,
/// which [`client_document`] does only once the document passed every limit. Registered
/// documents are kept in the database for every instance (`persisted_query`) and in each
/// instance's memory; a hash known to neither answers `PersistedQueryNotFound`, and the client
/// resends the text.
async fn persisted(
    state: &AppState,
    request: &mut Request,
) -> Result<Option<cache::Key>, ServerError> {
    let documents = &state.documents;
    let Some(value) = request.extensions.remove("persistedQuery") else {
        return Ok(None);
    };
    let ext = value.into_json().unwrap_or_default();
    if ext["version"] != 1 {
        return Err(refusal(
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "Only version 1 of the persistedQuery extension is supported.".into(),
        ));
    }
    // The hash a client sends is already a digest of 32 bytes: it is the key as it is. One
    // that is no SHA-256 in hex names no document, and matches none.
    let mut digest = [0u8; 32];
    let is_digest = ext["sha256Hash"]
        .as_str()
        .is_some_and(|h| hex::decode_to_slice(h, &mut digest).is_ok());
    if request.query.is_empty() {
        let mut found = is_digest
            .then(|| documents.persisted.get(&digest))
            .flatten();
        if found.is_none() && is_digest {
            found = stored_document(&state.core.db, &digest).await.map(|text| {
                let text: Arc<str> = Arc::from(text);
                documents.persisted.insert(digest, text.clone(), text.len());
                text
            });
        }
        return match found {
            Some(text) => {
                request.query = text.to_string();
                Ok(None)
            }
            None => Err(refusal(
                "PERSISTED_QUERY_NOT_FOUND",
                "PersistedQueryNotFound".into(),
            )),
        };
    }
    if !is_digest || <[u8; 32]>::from(Sha256::digest(request.query.as_bytes())) != digest {
        return Err(refusal(
            crate::error::ErrorCode::BadUserInput.as_str(),
            "The sha256Hash does not match the query.".into(),
        ));
    }
    Ok(Some(digest))
}

/// A client's document: from the cache of documents that passed, or checked and parsed.
async fn client_document(
    state: &AppState,
    request: &mut Request,
) -> Result<Arc<ExecutableDocument>, ServerError> {
    let documents = &state.documents;
    let register = persisted(state, request).await?;
    let text_key = cache::key(&[request.query.as_bytes()]);
    let doc = match documents.parsed.get(&text_key) {
        Some(doc) => doc,
        None => {
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
                documents
                    .parsed
                    .insert(text_key, doc.clone(), parsed_weight(&request.query));
            }
            doc
        }
    };
    // Only a document that passed every limit is remembered under its hash.
    if let Some(hash) = register {
        let known = documents.persisted.get(&hash).is_some();
        if request.query.len() <= MAX_CACHED_TEXT && !known {
            documents.persisted.insert(
                hash,
                Arc::from(request.query.as_str()),
                request.query.len(),
            );
            // A mutation's text may hold a password or a key as a literal: it stays in this
            // instance's memory, never in a table (other instances ask for its text again).
            if !has_mutation(&doc) {
                store_document(&state.core.db, &hash, &request.query).await;
            }
        }
    }
    Ok(doc)
}

/// Persisted documents the database keeps at most: a client registering ever new documents
/// (each at most [`MAX_CACHED_TEXT`], each within the limits) fills it to 160 MB at worst, and
/// past that its documents are remembered only in the instances' memory.
pub const MAX_STORED_DOCUMENTS: u64 = 10_000;

/// The document registered under `hash` by any instance. A failed lookup is a miss (the client
/// resends the text), logged.
async fn stored_document(db: &DatabaseConnection, hash: &cache::Key) -> Option<String> {
    use sea_orm::EntityTrait;
    match entity::persisted_query::Entity::find_by_id(hex::encode(hash))
        .one(db)
        .await
    {
        Ok(found) => found.map(|row| row.document),
        Err(e) => {
            tracing::warn!(error = %e, "persisted queries could not be read");
            None
        }
    }
}

/// Registers `document` under `hash` for every instance, unless the table is full or holds it.
async fn store_document(db: &DatabaseConnection, hash: &cache::Key, document: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    // One statement: the bound, the insert and a concurrent registration of the same hash.
    let sql = format!(
        "INSERT INTO persisted_query (hash, document, created_at) SELECT $1, $2, $3 \
         WHERE (SELECT COUNT(*) FROM persisted_query) < {MAX_STORED_DOCUMENTS} \
         ON CONFLICT (hash) DO NOTHING"
    );
    let values = [
        hex::encode(hash).into(),
        document.into(),
        crate::db::now().into(),
    ];
    let statement = Statement::from_sql_and_values(backend, sql, values);
    if let Err(e) = db.execute_raw(statement).await {
        tracing::warn!(error = %e, "a persisted query could not be stored");
    }
}

/// Whether any operation of `doc` is a mutation.
fn has_mutation(doc: &ExecutableDocument) -> bool {
    doc.operations
        .iter()
        .any(|(_, op)| op.node.ty == OperationType::Mutation)
}

/// The type of the operation the request selects, if the document has it.
fn selected(doc: &ExecutableDocument, operation_name: Option<&str>) -> Option<OperationType> {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    op.map(|op| op.node.ty)
}

/// Whether the operation the request selects writes. An operation that cannot be found (the
/// schema will say so) counts as writing: the primary is always right.
fn writes(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    selected(doc, operation_name).is_none_or(|ty| ty != OperationType::Query)
}

/// The `extensions.code` of a mutation sent with GET (HTTP 405).
pub const NOT_A_QUERY: &str = "METHOD_NOT_ALLOWED";

/// Fresh dataloaders of every domain, reading from `db`.
fn attach_loaders(request: Request, db: &DatabaseConnection) -> Request {
    let request = crate::accounts::loaders::attach(request, db);
    let request = crate::payers::loaders::attach(request, db);
    let request = crate::market::loaders::attach(request, db);
    let request = crate::merchants::loaders::attach(request, db);
    let request = crate::orders::loaders::attach(request, db);
    crate::reports::loaders::attach(request, db)
}

/// What validation looks at in `request`: its document, variables and operation, as a digest.
fn run_key(request: &Request) -> cache::Key {
    let variables = serde_json::to_vec(&request.variables).unwrap_or_default();
    let operation = request.operation_name.as_deref().unwrap_or_default();
    cache::key(&[request.query.as_bytes(), &variables, operation.as_bytes()])
}

/// Runs `request` as `auth`.
pub async fn run(state: &AppState, mut request: Request, auth: Auth, source: Source) -> Response {
    let read_only = matches!(source, Source::ClientGet);
    let doc = match source {
        Source::Rest(doc) => Ok(doc),
        Source::Client | Source::ClientGet => client_document(state, &mut request).await,
    };
    // The variables of every request, and a client's document, are checked for NULs.
    let doc = match doc.and_then(|doc| refuse_nul(&request).map(|()| doc)) {
        Ok(doc) => doc,
        Err(e) => return Response::from_errors(vec![e]),
    };
    let selected = selected(&doc, request.operation_name.as_deref());
    // An operation that cannot be found runs nowhere: the schema says so, whatever the method.
    if read_only && selected.is_some_and(|ty| ty != OperationType::Query) {
        let message = "Only queries may be sent with GET; send a mutation with POST.";
        return Response::from_errors(vec![refusal(NOT_A_QUERY, message.into())]);
    }
    let writing = writes(&doc, request.operation_name.as_deref());
    request.set_parsed_query((*doc).clone());
    // A caller who wrote a moment ago reads the primary: the replica may not have its write yet.
    let core: &Arc<Core> = match &state.reader {
        Some(reader) if !writing && !state.bus.reads_primary(&auth) => reader,
        _ => &state.core,
    };
    let writer = writing.then(|| auth.clone());
    let request = request.data(auth);
    // The schema's own data holds the primary's core; a query on the replica gets its own.
    let request = attach_loaders(request.data(core.clone()), &core.db);
    // A run that passed validation once passes it again: its document, variables and
    // operation are the key, and the schema is the same.
    let run_key = run_key(&request);
    let known = state.documents.clean.get(&run_key).is_some();
    let schema = if known {
        &state.schema.known
    } else {
        &state.schema.strict
    };
    let mut response = schema.execute(request).await;
    if !known && response.errors.is_empty() {
        state.documents.clean.insert(run_key, (), 0);
    }
    // Totals are forgotten once a write committed (outside a served request, where that cannot
    // be known, after any mutation), here and on the other instances: a document that fails,
    // or writes nothing, leaves them.
    if let Some(writer) = writer.filter(|_| crate::ops::committed().unwrap_or(true)) {
        state.bus.wrote(&writer).await;
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
