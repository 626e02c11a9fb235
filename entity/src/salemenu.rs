//! The `salemenu` table.

use sea_orm::entity::prelude::*;

/// One row of `salemenu`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "salemenu")]
pub struct Model {
    /// e.g. `S8443`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
