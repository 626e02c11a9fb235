//! The `employee` table.

use sea_orm::entity::prelude::*;

/// One row of `employee`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "employee")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub name: String,
    pub phone: String,
    pub district_code: Option<String>,
    /// Opens merchant accounts (开户经理).
    pub opens_accounts: bool,
    /// Manages sales (销售经理).
    pub sells: bool,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
