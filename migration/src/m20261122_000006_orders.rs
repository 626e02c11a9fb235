//! Paid-report customers and their orders: order items (the report bought), usage (reads
//! granted and left) and invoices.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("customer")
                .col(pk_auto("id"))
                .col(string("nick_name").default(""))
                .col(string("avatar").default(""))
                .col(string("mobile").default(""))
                // Unix seconds, as the legacy answers print them.
                .col(big_integer("regist_at").default(0))
                .col(big_integer("last_login_at").default(0))
                .col(big_integer("last_review_at").default(0))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_customer_mobile")
                .table("customer")
                .col("mobile")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_order")
                .col(pk_auto("id"))
                .col(string_uniq("number"))
                .col(integer("customer_id"))
                .col(string("title"))
                // Cents.
                .col(big_integer("total_cents"))
                .col(integer("size").default(1))
                // 1 pending, 2 cancelled, 3 completed.
                .col(small_integer("state"))
                .col(big_integer("checkout_at"))
                .col(big_integer("expire_at").default(0))
                .col(big_integer("paid_at").default(0))
                .col(big_integer("fulfilled_at").default(0))
                .col(string("third_trade_num").default(""))
                .col(string("third_trade_identity").default(""))
                .col(small_integer("payment_source").default(0))
                .col(small_integer("payment_channel").default(0))
                .foreign_key(
                    ForeignKey::create()
                        .from("payment_order", "customer_id")
                        .to("customer", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("idx_payment_order_checkout", &["checkout_at", "id"][..]),
            ("idx_payment_order_customer", &["customer_id", "id"][..]),
            ("idx_payment_order_trade", &["third_trade_num"][..]),
        ] {
            let mut index = Index::create().name(name).table("payment_order").take();
            for c in cols {
                index.col(*c);
            }
            m.create_index(index).await?;
        }
        m.create_table(
            Table::create()
                .table("order_item")
                .col(integer("order_id").primary_key())
                .col(integer("report_id"))
                // What was bought, as it was then.
                .col(string("title"))
                .col(string("cover").default(""))
                .col(big_integer("price_cents"))
                .foreign_key(
                    ForeignKey::create()
                        .from("order_item", "order_id")
                        .to("payment_order", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_order_item_report")
                .table("order_item")
                .col("report_id")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_usage")
                .col(integer("order_id").primary_key())
                .col(integer("quantity_count"))
                .col(integer("available_count"))
                // 1 once every read is used.
                .col(small_integer("expend_status").default(0))
                .foreign_key(
                    ForeignKey::create()
                        .from("order_usage", "order_id")
                        .to("payment_order", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("invoice")
                .col(integer("order_id").primary_key())
                .col(small_integer("state").default(0))
                .col(big_integer("create_time").default(0))
                .col(small_integer("is_vat").default(0))
                .col(string("invoice_title").default(""))
                .col(big_integer("invoice_amount_cents").default(0))
                .col(string("invoice_tax_num").default(""))
                .col(string("vat_name").default(""))
                .col(string("vat_mail_address").default(""))
                .col(string("vat_company_name").default(""))
                .col(string("vat_company_address").default(""))
                .col(string("vat_company_mobile").default(""))
                .col(string("vat_telphone").default(""))
                .col(string("vat_bank_name").default(""))
                .col(string("vat_bank_account").default(""))
                // 1 personal, 2 company.
                .col(small_integer("invoice_option").default(1))
                .foreign_key(
                    ForeignKey::create()
                        .from("invoice", "order_id")
                        .to("payment_order", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "invoice",
            "order_usage",
            "order_item",
            "payment_order",
            "customer",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
