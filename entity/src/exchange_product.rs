//! The `exchange_product` table.

use sea_orm::entity::prelude::*;

/// One row of `exchange_product`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exchange_product")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub content: String,
    pub image: String,
    /// Price in diamonds.
    pub diamond: i64,
    /// Units exchanged so far.
    pub bought: i64,
    /// 0 physical, 1 virtual.
    pub product_type: i16,
    pub category_id: Option<i32>,
    pub on_sale: bool,
    /// Units left; `None` is unlimited.
    pub stock: Option<i64>,
    pub create_time: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
