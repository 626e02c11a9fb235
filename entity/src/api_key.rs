//! The `api_key` table.

use sea_orm::entity::prelude::*;

/// A legacy `Token <key>` credential of a staff account or a kids-coding member.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// SHA-256 of the key, hex; the key itself is never stored.
    /// Never in an audit record or anything else serialized.
    #[serde(skip)]
    #[sea_orm(unique)]
    pub digest: String,
    /// The key's first 6 characters, to recognise it by (null for keys older than the column).
    pub prefix: Option<String>,
    /// Set for a staff key (the CRM key `admin123` of the demo).
    pub staff_id: Option<i32>,
    /// Set for a member key (a kids-coding user).
    pub user_info_id: Option<i32>,
    pub created_at: DateTime,
    /// The last request made with the key, to the minute.
    pub last_used_at: Option<DateTime>,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
