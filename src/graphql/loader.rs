//! Dataloaders of nested objects. Each request gets fresh, caching loaders (`Cached`), and list
//! resolvers prefetch the keys of a whole page with one `load_many`: a page then costs one
//! `IN (...)` statement per nested type whatever its size, independent of timing (the loader's
//! own batching window is a millisecond, which a busy or slow process can split).

use std::{collections::HashMap, marker::PhantomData};

use async_graphql::{
    dataloader::{DataLoader, HashMapCache, Loader},
    ErrorExtensions,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::error::AppError;

/// Loads `E` rows by their `i32` id column.
pub struct ByIdLoader<E: EntityTrait> {
    db: DatabaseConnection,
    id_column: E::Column,
    id_of: fn(&E::Model) -> i32,
    _entity: PhantomData<E>,
}

impl<E: EntityTrait> ByIdLoader<E> {
    /// A loader over `id_column`, where `id_of` reads the id back from a row.
    pub fn new(db: DatabaseConnection, id_column: E::Column, id_of: fn(&E::Model) -> i32) -> Self {
        ByIdLoader {
            db,
            id_column,
            id_of,
            _entity: PhantomData,
        }
    }
}

impl<E> Loader<i32> for ByIdLoader<E>
where
    E: EntityTrait + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, E::Model>, Self::Error> {
        let rows = E::find()
            .filter(self.id_column.is_in(keys.iter().copied()))
            .all(&self.db)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        Ok(rows.into_iter().map(|m| ((self.id_of)(&m), m)).collect())
    }
}

/// A per-request loader that remembers what it loaded.
pub type Cached<L> = DataLoader<L, HashMapCache>;

/// Wraps `loader` for one request.
pub fn cached<L>(loader: L) -> Cached<L> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}
