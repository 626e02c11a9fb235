//! The `order_item` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `order_item`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_item")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: i32,
        pub report_id: i32,
        pub title: String,
        pub cover: String,
        pub price_cents: i64,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
