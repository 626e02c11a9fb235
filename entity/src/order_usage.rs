//! The `order_usage` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `order_usage`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_usage")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: i32,
        /// Reads granted.
        pub quantity_count: i32,
        /// Reads left.
        pub available_count: i32,
        pub expend_status: i16,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
