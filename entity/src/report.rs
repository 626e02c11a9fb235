//! The `report` table.

use sea_orm::entity::prelude::*;

/// One row of `report`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    /// Storage key of the cover image.
    pub cover: String,
    pub type_id: Option<i32>,
    pub intro: String,
    pub directory: String,
    pub file_name: String,
    /// Storage key of the report file.
    pub file_src: String,
    pub file_format: String,
    pub file_size: i64,
    pub price_cents: i64,
    pub read_count: i32,
    /// 0 pending, 1 on sale, 2 off sale.
    pub status: i16,
    pub publish_time: Option<DateTime>,
    pub short_intro: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub deleted_at: Option<DateTime>,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
