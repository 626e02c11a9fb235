//! The `revoked_token` table.

use sea_orm::entity::prelude::*;

/// A JWT logged out before its expiry, refused by every instance until then.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revoked_token")]
pub struct Model {
    /// The token's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: String,
    pub staff_id: i32,
    /// The token's expiry, Unix seconds: the row is pruned after it.
    pub expires_at: i64,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
