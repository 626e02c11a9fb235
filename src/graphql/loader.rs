//! Dataloaders of nested objects. Each request gets fresh, caching loaders (`Cached`). A list
//! resolver either feeds them the to-one objects its own statement joined (`graphql::joins`) or
//! prefetches the keys of a whole page with one `load_many`: a page then costs one statement, or
//! one `IN (...)` statement per nested type, whatever its size, independent of timing (the
//! loader's own batching window is a millisecond, which a busy or slow process can split).

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    marker::PhantomData,
    sync::Mutex,
};

use async_graphql::{
    dataloader::{DataLoader, HashMapCache, Loader},
    ErrorExtensions,
};
use sea_orm::{
    sea_query::{Value, ValueType},
    ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, ModelTrait, QueryFilter, QueryOrder,
};

use crate::error::AppError;

/// What a loader key must be: hashable, and bindable as an SQL value and read back from one.
pub trait Key: Send + Sync + Hash + Eq + Clone + Into<Value> + ValueType + 'static {}
impl<T: Send + Sync + Hash + Eq + Clone + Into<Value> + ValueType + 'static> Key for T {}

/// An entity a loader may read: its rows and columns cross tasks.
pub trait Table:
    EntityTrait<Model: Clone + Send + Sync + 'static, Column: Send + Sync + 'static>
    + Send
    + Sync
    + 'static
{
}
impl<E> Table for E where
    E: EntityTrait<Model: Clone + Send + Sync + 'static, Column: Send + Sync + 'static>
        + Send
        + Sync
        + 'static
{
}

/// The key `column` holds in `row`.
fn key_of<E: EntityTrait, K: Key>(
    row: &E::Model,
    column: E::Column,
) -> Result<K, async_graphql::Error> {
    <K as ValueType>::try_from(row.get(column))
        .map_err(|_| AppError::Internal(format!("loader key type of {}", column.as_str())).extend())
}

/// Loads `E` rows by a unique column (usually the primary key).
pub struct ByIdLoader<E: EntityTrait, K = i32> {
    db: DatabaseConnection,
    column: E::Column,
    /// Keys a page's own statement found no row for (a LEFT JOIN that matched nothing): the
    /// dataloader caches only what it found, so without this a missing object would cost a
    /// statement of its own.
    absent: Mutex<HashSet<K>>,
    _entity: PhantomData<E>,
}

impl<E: EntityTrait, K> ByIdLoader<E, K> {
    /// A loader over `column`, whose value is the key.
    pub fn new(db: &DatabaseConnection, column: E::Column) -> Self {
        ByIdLoader {
            db: db.clone(),
            column,
            absent: Mutex::new(HashSet::new()),
            _entity: PhantomData,
        }
    }
}

impl<E: EntityTrait, K: Key> ByIdLoader<E, K> {
    /// Notes keys that have no row, so loading them answers nothing without a statement.
    pub fn note_absent(&self, keys: impl IntoIterator<Item = K>) {
        self.absent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend(keys);
    }
}

fn db_error(e: sea_orm::DbErr) -> async_graphql::Error {
    AppError::from(e).extend()
}

impl<E: Table, K: Key> Loader<K> for ByIdLoader<E, K> {
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, E::Model>, Self::Error> {
        let keys: Vec<K> = {
            let absent = self
                .absent
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            keys.iter()
                .filter(|k| !absent.contains(k))
                .cloned()
                .collect()
        };
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = E::find()
            .filter(self.column.is_in(keys))
            .all(&self.db)
            .await
            .map_err(db_error)?;
        rows.into_iter()
            .map(|m| Ok((key_of::<E, K>(&m, self.column)?, m)))
            .collect()
    }
}

/// Loads, per key, every `E` row whose `column` holds it (one-to-many), ordered by `order`.
pub struct GroupLoader<E: EntityTrait, K = i32> {
    db: DatabaseConnection,
    column: E::Column,
    order: E::Column,
    _entity: PhantomData<(E, K)>,
}

impl<E: EntityTrait, K> GroupLoader<E, K> {
    /// A loader of the rows whose `column` holds the key.
    pub fn new(db: &DatabaseConnection, column: E::Column, order: E::Column) -> Self {
        GroupLoader {
            db: db.clone(),
            column,
            order,
            _entity: PhantomData,
        }
    }
}

impl<E: Table, K: Key> Loader<K> for GroupLoader<E, K> {
    type Value = Vec<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Vec<E::Model>>, Self::Error> {
        let rows = E::find()
            .filter(self.column.is_in(keys.iter().cloned()))
            .order_by_asc(self.order)
            .all(&self.db)
            .await
            .map_err(db_error)?;
        // Every asked key answers, an empty list when it has no rows.
        let mut out: HashMap<K, Vec<E::Model>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for row in rows {
            out.entry(key_of::<E, K>(&row, self.column)?)
                .or_default()
                .push(row);
        }
        Ok(out)
    }
}

/// A per-request loader that remembers what it loaded.
pub type Cached<L> = DataLoader<L, HashMapCache>;

/// Wraps `loader` for one request. Its batches run as tasks of their own, in the request's
/// span, so what they log names the request.
pub fn cached<L>(loader: L) -> Cached<L> {
    use tracing::Instrument;
    let spawn = |batch: async_graphql::futures_util::future::BoxFuture<'static, ()>| {
        tokio::spawn(batch.in_current_span())
    };
    DataLoader::with_cache(loader, spawn, HashMapCache::default())
}

/// What the request's loader `L` has for `key` (`None`: no such row).
pub async fn load<L, K>(
    ctx: &async_graphql::Context<'_>,
    key: K,
) -> async_graphql::Result<Option<L::Value>>
where
    L: Loader<K, Error = async_graphql::Error>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    ctx.data::<Cached<L>>()?.load_one(key).await
}

/// Declares a domain's [`ByIdLoader`]s, each a type alias over an `entity` table keyed by one of
/// its columns (`i32` unless a key type is given), and the domain's `attach`, which adds a fresh
/// one of each to a request: a loader is named and keyed in one place. A domain with loaders of
/// another kind names, after `=>`, a function that adds them.
macro_rules! by_id_loaders {
    (
        $($(#[$doc:meta])* $name:ident = $table:ident by $column:ident $(as $key:ty)?;)+
        $(=> $more:path;)?
    ) => {
        $(
            $(#[$doc])*
            pub type $name =
                $crate::graphql::loader::ByIdLoader<entity::$table::Entity $(, $key)?>;
        )+

        /// Adds this domain's loaders to one request.
        pub fn attach(
            request: async_graphql::Request,
            db: &sea_orm::DatabaseConnection,
        ) -> async_graphql::Request {
            use $crate::graphql::loader::cached;
            let request = request
                $(.data(cached($name::new(db, entity::$table::Column::$column))))+;
            $(let request = $more(request, db);)?
            request
        }
    };
}
pub(crate) use by_id_loaders;
