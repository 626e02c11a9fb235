//! The `shop` table.

use sea_orm::entity::prelude::*;

/// One row of `shop`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "shop")]
pub struct Model {
    /// The shop id (`SID` is `S` and this).
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub receiver_name: String,
    pub receiver_telephone: String,
    pub payer_name: String,
    pub payer_telephone: String,
    pub district_code: String,
    pub area_level1_id: i64,
    pub area_level2_id: i64,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub map_address: String,
    pub settle_way: i16,
    pub pay_method: i16,
    pub check_out: i16,
    pub finance_status: i16,
    pub whitelist: i16,
    pub keycustomer: i16,
    pub balance_cents: i64,
    pub point: i32,
    pub address_label_id: Option<i32>,
    pub create_employee_id: Option<i32>,
    pub sale_employee_id: Option<i32>,
    pub is_credit: i16,
    pub credit_limit_cents: Option<i64>,
    pub effective_date: Option<Date>,
    pub begin_day: Option<i32>,
    pub settle_day: Option<i32>,
    pub settle_date_type: Option<i16>,
    pub settle_remind: Option<i32>,
    pub create_time: DateTime,
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
