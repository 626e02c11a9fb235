//! The `exchange_order` table.

use sea_orm::entity::prelude::*;

/// One row of `exchange_order`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "exchange_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// 26 digits, unique.
    #[sea_orm(unique)]
    pub order_number: String,
    pub owner_id: i32,
    pub product_id: i32,
    /// Diamonds paid.
    pub diamond: i64,
    pub status: i16,
    pub create_time: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
