//! The `role` table.

use sea_orm::entity::prelude::*;

/// One row of `role`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    /// Holds every permission code.
    pub superuser: bool,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
