//! The `invoice` table.

use sea_orm::entity::prelude::*;

crate::model_read_at! {
    /// One row of `invoice`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub order_id: i32,
        pub state: i16,
        /// Unix seconds.
        pub create_time: i64,
        pub is_vat: i16,
        pub invoice_title: String,
        pub invoice_amount_cents: i64,
        pub invoice_tax_num: String,
        pub vat_name: String,
        pub vat_mail_address: String,
        pub vat_company_name: String,
        pub vat_company_address: String,
        pub vat_company_mobile: String,
        pub vat_telphone: String,
        pub vat_bank_name: String,
        pub vat_bank_account: String,
        /// 1 personal, 2 company.
        pub invoice_option: i16,
    }
}

/// Relations are resolved by the GraphQL dataloaders, not by joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
