//! The `staff` table.

use sea_orm::entity::prelude::*;

/// One row of `staff`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub mobile: Option<String>,
    pub nickname: String,
    /// Argon2id PHC string.
    /// Never in an audit record or anything else serialized.
    #[serde(skip)]
    pub password_hash: String,
    pub role_id: i32,
    pub is_active: bool,
    /// Unix seconds of the last password change; older tokens are refused.
    pub password_changed_at: i64,
    pub created_at: DateTime,
    /// Every JWT carries the version it was issued under (`sv`); moving it ends them all.
    pub session_version: i32,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
