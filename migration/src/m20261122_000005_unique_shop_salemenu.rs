//! A quote sheet is bound to a shop at most once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Keep the first of any duplicate bindings made before the index existed.
        m.get_connection()
            .execute_unprepared(
                "DELETE FROM shop_salemenu WHERE id NOT IN \
                 (SELECT MIN(id) FROM shop_salemenu GROUP BY shop_id, salemenu_id)",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("uq_shop_salemenu")
                .table("shop_salemenu")
                .col("shop_id")
                .col("salemenu_id")
                .unique()
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_shop_salemenu")
                .table("shop_salemenu")
                .to_owned(),
        )
        .await
    }
}
