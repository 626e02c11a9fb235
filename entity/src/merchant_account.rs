//! The `merchant_account` table.

use sea_orm::entity::prelude::*;

/// One row of `merchant_account`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "merchant_account")]
pub struct Model {
    /// The account id (`KID` is `K` and this, zero-padded to 6 digits).
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    /// Argon2id PHC string.
    /// Never in an audit record or anything else serialized.
    #[serde(skip)]
    pub password_hash: String,
    pub company_name: String,
    pub telephone: String,
    /// 1 shop, 2 individual.
    pub customer_type: i16,
    pub create_time: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
