//! Dataloaders of account administration: roles with their codes.

use std::collections::HashMap;

use async_graphql::{dataloader::Loader, ErrorExtensions};
use sea_orm::DatabaseConnection;

use super::{service, types::Role};
use crate::graphql::loader::cached;

/// Roles by id, each with its codes: two statements for any number of roles.
pub struct RoleLoader {
    db: DatabaseConnection,
}

impl Loader<i32> for RoleLoader {
    type Value = Role;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[i32]) -> Result<HashMap<i32, Role>, Self::Error> {
        let roles = service::roles_by_id(&self.db, ids)
            .await
            .map_err(|e| e.extend())?;
        Ok(roles.into_iter().map(|r| (r.id, r)).collect())
    }
}

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request.data(cached(RoleLoader { db: db.clone() }))
}
