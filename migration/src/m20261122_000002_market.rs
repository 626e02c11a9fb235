//! The kids-coding diamond market: member balances, prop categories, exchange products,
//! exchange orders and members' products (props).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The balance can never go below zero, whatever the application does: the purchase's
        // conditional debit is the real guard, this CHECK the backstop. Raw SQL because both
        // engines accept a CHECK in ADD COLUMN and the builder does not emit one there.
        m.get_connection()
            .execute_unprepared(
                "ALTER TABLE user_info ADD COLUMN diamonds BIGINT NOT NULL DEFAULT 0 \
                 CHECK (diamonds >= 0)",
            )
            .await?;

        m.create_table(
            Table::create()
                .table("prop_category")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(string("desc").default(""))
                .col(string("style").default(""))
                // `avatar` or `background`: what the prop applies to; one in use per action.
                .col(string("action"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("exchange_product")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(text("content"))
                .col(string("image").default(""))
                .col(big_integer("diamond").check(Expr::col("diamond").gt(0)))
                .col(big_integer("bought").default(0))
                // 0 physical, 1 virtual (a prop).
                .col(small_integer("product_type").default(0))
                .col(integer_null("category_id"))
                .col(boolean("on_sale").default(true))
                // Units left; null is unlimited.
                .col(big_integer_null("stock").check(Expr::col("stock").gte(0)))
                .col(date_time("create_time"))
                .foreign_key(
                    ForeignKey::create()
                        .from("exchange_product", "category_id")
                        .to("prop_category", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("exchange_order")
                .col(pk_auto("id"))
                .col(string_len_uniq("order_number", 26))
                .col(integer("owner_id"))
                .col(integer("product_id"))
                .col(big_integer("diamond"))
                .col(small_integer("status").default(1))
                .col(date_time("create_time"))
                .foreign_key(
                    ForeignKey::create()
                        .from("exchange_order", "owner_id")
                        .to("user_info", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("exchange_order", "product_id")
                        .to("exchange_product", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_exchange_order_owner")
                .table("exchange_order")
                .col("owner_id")
                .col("id")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("user_product")
                .col(pk_auto("id"))
                .col(integer("owner_id"))
                .col(integer("product_id"))
                // 0 unused, 1 in use.
                .col(small_integer("status").default(0))
                .col(date_time("create_time"))
                .foreign_key(
                    ForeignKey::create()
                        .from("user_product", "owner_id")
                        .to("user_info", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("user_product", "product_id")
                        .to("exchange_product", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_product_owner")
                .table("user_product")
                .col("owner_id")
                .col("id")
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "user_product",
            "exchange_order",
            "exchange_product",
            "prop_category",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.alter_table(
            Table::alter()
                .table("user_info")
                .drop_column("diamonds")
                .take(),
        )
        .await?;
        Ok(())
    }
}
