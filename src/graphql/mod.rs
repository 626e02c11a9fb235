//! The one GraphQL schema: each domain contributes a query and a mutation object, merged here.

/// The longest text filter or search keyword, in characters: the filter inputs' validators
/// (`validator(chars_max_length = 200)`, written once by [`filter_input!`]) and the OpenAPI
/// `maxLength` of the REST parameters that carry them say the same number.
pub const MAX_FILTER_CHARS: usize = 200;

/// Declares a list's filter input: the struct as written (its attributes, the derives among
/// them), every field public. A field typed `text` is an `Option<String>` of at most
/// [`MAX_FILTER_CHARS`] characters, so the filters state that rule once; any other field keeps
/// its type and attributes.
///
/// ```ignore
/// filter_input! {
///     /// Filters of the report list.
///     #[derive(InputObject, Default, Debug)]
///     pub struct ReportFilter {
///         /// Substring of the title.
///         title: text,
///         type_id: Option<i32>,
///     }
/// }
/// ```
macro_rules! filter_input {
    ($(#[$attr:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $crate::graphql::filter_input!(@fields [$(#[$attr])* pub struct $name] [] $($body)*);
    };
    (@fields [$($head:tt)*] [$($out:tt)*]) => {
        $($head)* { $($out)* }
    };
    (@fields $head:tt [$($out:tt)*] $(#[$m:meta])* $f:ident: text, $($rest:tt)*) => {
        $crate::graphql::filter_input!(@fields $head [
            $($out)* $(#[$m])* #[graphql(validator(chars_max_length = 200))] pub $f: Option<String>,
        ] $($rest)*);
    };
    (@fields $head:tt [$($out:tt)*] $(#[$m:meta])* $f:ident: $ty:ty, $($rest:tt)*) => {
        $crate::graphql::filter_input!(@fields $head [$($out)* $(#[$m])* pub $f: $ty,] $($rest)*);
    };
}
pub(crate) use filter_input;

pub mod guard_input;
pub mod http;
pub mod joins;
pub mod limits;
pub mod loader;
pub mod money;
pub mod page;
pub mod request;
pub mod row;

use std::sync::Arc;

use async_graphql::{
    Context, EmptySubscription, MergedObject, Schema, SchemaBuilder, ValidationMode,
};

use crate::{
    accounts::schema::{AccountsMutation, AccountsQuery},
    audit::schema::AuditQuery,
    auth::schema::{AuthMutation, AuthQuery},
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
    AccountsQuery,
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
    AccountsMutation,
    PayersMutation,
    MarketMutation,
    MerchantsMutation,
    ReportsMutation,
);

/// The schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// The schema with its built-in limits but without data: enough for the SDL. No extension is
/// registered: what requests need before they run is done by [`request::run`], and the rows of
/// the largest pages resolve their fields without extension hooks ([`row::Inline`]).
pub fn builder(config: &Config) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_complexity(config.graphql_max_complexity)
    // Suggestions ("Did you mean …?") would spell the schema out to a caller who may not
    // introspect it.
    .disable_suggestions();
    if config.introspection() {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// Directives one document may carry (GraphQL Armor's default).
pub(crate) const MAX_DIRECTIVES: usize = 50;

/// The two schemas over `core` a request may run on.
pub fn build(core: Arc<Core>) -> Schemas {
    Schemas {
        strict: builder(&core.config).data(core.clone()).finish(),
        known: builder(&core.config)
            .validation_mode(ValidationMode::Fast)
            .data(core)
            .finish(),
    }
}

/// The same types and data, validating documents two ways ([`request::run`] chooses).
#[derive(Clone)]
pub struct Schemas {
    /// Every rule of the specification: a run's first time.
    pub strict: AppSchema,
    /// Only the rules whose answer may change from one run of the same document, variables and
    /// operation to the next (complexity and depth against the limits, fragment cycles): for a
    /// run this instance already made without an error. Every other rule looks at nothing but
    /// the document, its variables and the schema, and answered already; run again on every
    /// request they were 8% of a page's CPU (BENCHMARKS.md).
    pub known: AppSchema,
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
