//! The `persisted_query` table.

use sea_orm::entity::prelude::*;

/// A GraphQL document registered under its hash (automatic persisted queries), for every
/// instance.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persisted_query")]
pub struct Model {
    /// SHA-256 of the document, hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub document: String,
    pub created_at: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
