//! The `payment_order` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `payment_order`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_order")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub number: String,
        pub customer_id: i32,
        pub title: String,
        pub total_cents: i64,
        pub size: i32,
        /// 1 pending, 2 cancelled, 3 completed.
        pub state: i16,
        /// Unix seconds.
        pub checkout_at: i64,
        pub expire_at: i64,
        pub paid_at: i64,
        pub fulfilled_at: i64,
        pub third_trade_num: String,
        pub third_trade_identity: String,
        pub payment_source: i16,
        pub payment_channel: i16,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
