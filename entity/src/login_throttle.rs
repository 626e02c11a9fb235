//! The `login_throttle` table.

use sea_orm::entity::prelude::*;

/// Failed logins counted for one account or client address in its current window.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// SHA-256 of the throttle key (`staff:<id>`, `name:<lowercased>`, `addr:<ip>`), hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// When the window began, Unix seconds: the row counts until `WINDOW` after it.
    pub window_start: i64,
    /// Failures counted in the window.
    pub failures: i32,
}

/// No relations: a row names no account, only a digest.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
