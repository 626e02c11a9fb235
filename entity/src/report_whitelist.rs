//! The `report_whitelist` table.

use sea_orm::entity::prelude::*;

/// One row of `report_whitelist`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "report_whitelist")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub report_id: i32,
    pub given_user: String,
    pub given_position: String,
    pub given_company: String,
    pub mobile: String,
    pub read_count: i32,
    pub residue_count: i32,
    /// 0 enabled, 1 disabled.
    pub state: i16,
    pub last_modify_author: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
