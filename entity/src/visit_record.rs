//! The `visit_record` table.

use sea_orm::entity::prelude::*;

/// One row of `visit_record`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "visit_record")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contact: String,
    pub detail: Option<String>,
    pub visit_time: Option<Date>,
    pub created_at: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
