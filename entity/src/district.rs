//! The `district` table.

use sea_orm::entity::prelude::*;

/// One row of `district`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "district")]
pub struct Model {
    /// The district (postal) code, e.g. `440300`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
