//! The `audit_log` table.

use sea_orm::entity::prelude::*;

/// One recorded change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTime,
    /// `staff`, `member` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: Option<i32>,
    pub actor_name: String,
    /// The GraphQL mutation.
    pub action: String,
    pub entity: String,
    pub record_id: String,
    /// `{"field": {"before": …, "after": …}}`, JSON.
    pub changes: String,
    pub request_id: Option<String>,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
