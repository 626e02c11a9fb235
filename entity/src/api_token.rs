//! The `api_token` table.

use sea_orm::entity::prelude::*;

/// One row of `api_token`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    /// SHA-256 of the key, hex; the key itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Set for a staff key (the CRM key `admin123` of the demo).
    pub staff_id: Option<i32>,
    /// Set for a member key (a kids-coding user).
    pub user_info_id: Option<i32>,
    pub created_at: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
