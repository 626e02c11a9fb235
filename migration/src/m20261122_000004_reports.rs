//! Paid reports and their whitelists.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report")
                .col(pk_auto("id"))
                .col(string("title"))
                // Storage key of the cover; answered as a URL on the public domain.
                .col(string("cover"))
                .col(integer_null("type_id"))
                .col(text("intro"))
                .col(text("directory"))
                .col(string("file_name"))
                .col(string("file_src"))
                .col(string("file_format"))
                .col(big_integer("file_size"))
                // Money in cents.
                .col(big_integer("price_cents"))
                // Reads each whitelist entry gets by default.
                .col(integer("read_count"))
                // 0 pending, 1 on sale, 2 off sale.
                .col(small_integer("status"))
                .col(date_time_null("publish_time"))
                .col(text("short_intro").default(""))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                // Deleted reports keep their rows for the orders that name them.
                .col(date_time_null("deleted_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("report_whitelist")
                .col(pk_auto("id"))
                .col(integer("report_id"))
                .col(string("given_user").default(""))
                .col(string("given_position").default(""))
                .col(string("given_company").default(""))
                .col(string("mobile"))
                .col(integer("read_count"))
                .col(integer("residue_count"))
                // 0 enabled, 1 disabled.
                .col(small_integer("state").default(0))
                .col(string("last_modify_author").default(""))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("report_whitelist", "report_id")
                        .to("report", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        // A mobile appears at most once per report: imports and concurrent adds rely on it.
        m.create_index(
            Index::create()
                .name("uq_report_whitelist_mobile")
                .table("report_whitelist")
                .col("report_id")
                .col("mobile")
                .unique()
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("report_whitelist").take())
            .await?;
        m.drop_table(Table::drop().table("report").take()).await?;
        Ok(())
    }
}
