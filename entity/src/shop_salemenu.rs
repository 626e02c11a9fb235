//! The `shop_salemenu` table.

use sea_orm::entity::prelude::*;

/// One row of `shop_salemenu`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "shop_salemenu")]
pub struct Model {
    /// The binding id (`record_id` of the legacy edit form).
    #[sea_orm(primary_key)]
    pub id: i32,
    pub shop_id: i32,
    pub salemenu_id: String,
    pub service_station_id: Option<String>,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
