//! The `customer` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `customer`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "customer")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub nick_name: String,
        pub avatar: String,
        pub mobile: String,
        /// Unix seconds.
        pub regist_at: i64,
        pub last_login_at: i64,
        pub last_review_at: i64,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
