//! The `user_info` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `user_info`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "user_info")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The login name (usually a phone number).
        #[sea_orm(unique)]
        pub owner: String,
        pub name: String,
        pub avatar: String,
        pub age: i32,
        pub points: i32,
        pub lesson_total: i32,
        pub is_seller: bool,
        pub commission_cents: i64,
        pub my_seller_id: Option<i32>,
        pub remark: Option<String>,
        pub teacher_id: Option<i32>,
        pub student_id: Option<i32>,
        pub identity: Option<String>,
        pub is_pay: bool,
        pub is_bind: bool,
        pub bind_account: String,
        pub group_status: i32,
        pub star: bool,
        pub realname: Option<String>,
        pub city: Option<String>,
        pub learn_extent: Option<String>,
        pub follow_up: Option<String>,
        pub deep_consume: Option<String>,
        pub sex: Option<String>,
        pub created_at: DateTime,
        /// Market balance; never negative (a CHECK in the schema backs the conditional debit).
        pub diamonds: i64,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
