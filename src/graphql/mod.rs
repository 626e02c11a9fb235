//! The one GraphQL schema: each domain contributes a query and a mutation object, merged here.

pub mod guard_input;
pub mod http;
pub mod limits;
pub mod loader;
pub mod money;
pub mod page;
pub mod writes;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use async_graphql::{
    extensions::apollo_persisted_queries::{ApolloPersistedQueries, LruCacheStorage},
    Context, EmptySubscription, MergedObject, Schema, SchemaBuilder,
};

use crate::{
    audit::schema::AuditQuery,
    auth::{
        schema::{AuthMutation, AuthQuery},
        Auth,
    },
    config::Config,
    market::schema::{MarketMutation, MarketQuery},
    merchants::schema::{MerchantsMutation, MerchantsQuery},
    orders::schema::OrdersQuery,
    payers::schema::{PayersMutation, PayersQuery},
    reports::schema::{ReportsMutation, ReportsQuery},
    state::Core,
};

/// Every query root field.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    AuthQuery,
    AuditQuery,
    PayersQuery,
    MarketQuery,
    MerchantsQuery,
    ReportsQuery,
    OrdersQuery,
);

/// Every mutation root field.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AuthMutation,
    PayersMutation,
    MarketMutation,
    MerchantsMutation,
    ReportsMutation,
);

/// The schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with its limits but without data: enough for the SDL.
pub fn builder(config: &Config) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_complexity(config.graphql_max_complexity)
    // Suggestions ("Did you mean …?") would spell the schema out to a caller who may not
    // introspect it.
    .disable_suggestions()
    .extension(limits::Limits {
        max_depth: config.graphql_max_depth,
        max_aliases: config.graphql_max_aliases,
        max_tokens: config.graphql_max_tokens,
        max_directives: MAX_DIRECTIVES,
        introspection: config.introspection(),
    })
    .extension(guard_input::RejectNulFactory)
    // Before the persisted queries: it looks at the document once they have filled it in.
    .extension(writes::Writes)
    // Automatic persisted queries: after the first request an SPA may send only the query's
    // SHA-256 (Apollo's protocol). Each instance keeps its own cache; a miss answers
    // `PersistedQueryNotFound` and the client resends the text.
    .extension(ApolloPersistedQueries::new(LruCacheStorage::new(1024)));
    if config.introspection() {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// Directives one document may carry (GraphQL Armor's default).
const MAX_DIRECTIVES: usize = 50;

/// The live schema over `core`.
/// The live schema over `core`, reading queries from `reader` (the replica) when there is one.
pub fn build(core: Arc<Core>, reader: Option<Arc<Core>>) -> AppSchema {
    let builder = builder(&core.config).data(core);
    match reader {
        Some(reader) => builder.data(writes::Reader(reader)).finish(),
        None => builder.finish(),
    }
}

/// Adds what one request needs, whichever interface it came through: the caller, and fresh
/// dataloaders of every domain.
pub fn prepare(request: async_graphql::Request, core: &Core, auth: Auth) -> async_graphql::Request {
    attach_loaders(request.data(auth), &core.db)
}

/// Fresh dataloaders of every domain, reading from `db`.
fn attach_loaders(
    request: async_graphql::Request,
    db: &DatabaseConnection,
) -> async_graphql::Request {
    let request = crate::payers::loaders::attach(request, db);
    let request = crate::market::loaders::attach(request, db);
    let request = crate::merchants::loaders::attach(request, db);
    crate::orders::loaders::attach(request, db)
}

/// The SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder(&Config::for_database("sqlite::memory:"))
        .finish()
        .sdl()
}

/// The core services, from a resolver.
pub fn state<'a>(ctx: &'a Context<'_>) -> &'a Core {
    ctx.data_unchecked::<Arc<Core>>()
}
