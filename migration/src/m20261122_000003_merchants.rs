//! Merchant management: geography (cities, two levels of areas), service stations and the
//! cities they serve, employees, quote sheets (salemenus) and their stations, merchant labels,
//! merchant accounts (KID), shops (SID) and the shop ↔ quote-sheet bindings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
    to_col: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("district")
                .col(string("code").primary_key())
                .col(string("name"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("area_level1")
                .col(big_integer("id").primary_key())
                .col(string("name"))
                .col(string("district_code"))
                .foreign_key(&mut fk("area_level1", "district_code", "district", "code"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("area_level2")
                .col(big_integer("id").primary_key())
                .col(string("name"))
                .col(big_integer("level1_id"))
                .foreign_key(&mut fk("area_level2", "level1_id", "area_level1", "id"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("station")
                .col(string("id").primary_key())
                .col(string("name"))
                .col(string("district_code"))
                .col(string("key_url").default(""))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("station_city")
                .col(string("station_id"))
                .col(string("district_code"))
                .primary_key(Index::create().col("station_id").col("district_code"))
                .foreign_key(&mut fk("station_city", "station_id", "station", "id"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("employee")
                .col(integer("id").primary_key())
                .col(string("name"))
                .col(string("phone").default(""))
                .col(string_null("district_code"))
                // Opens merchant accounts (开户经理).
                .col(boolean("opens_accounts").default(true))
                // Manages sales (销售经理).
                .col(boolean("sells").default(true))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("salemenu")
                .col(string("id").primary_key())
                .col(string("name"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("station_salemenu")
                .col(string("station_id"))
                .col(string("salemenu_id"))
                .primary_key(Index::create().col("station_id").col("salemenu_id"))
                .foreign_key(&mut fk("station_salemenu", "station_id", "station", "id"))
                .foreign_key(&mut fk("station_salemenu", "salemenu_id", "salemenu", "id"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("address_label")
                .col(integer("id").primary_key())
                .col(string("name"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("merchant_account")
                .col(pk_auto("id"))
                .col(string_uniq("username"))
                .col(string("password_hash"))
                .col(string("company_name").default(""))
                .col(string("telephone").default(""))
                // 1 shop, 2 individual.
                .col(small_integer("customer_type").default(1))
                .col(date_time("create_time"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("shop")
                .col(pk_auto("id"))
                .col(integer("account_id"))
                .col(string("name"))
                .col(string("receiver_name"))
                .col(string("receiver_telephone"))
                .col(string("payer_name").default(""))
                .col(string("payer_telephone").default(""))
                .col(string("district_code"))
                .col(big_integer("area_level1_id"))
                .col(big_integer("area_level2_id"))
                .col(string("address"))
                .col(double_null("lat"))
                .col(double_null("lng"))
                .col(string("map_address").default(""))
                .col(small_integer("settle_way").default(1))
                .col(small_integer("pay_method").default(1))
                .col(small_integer("check_out").default(0))
                // 0 not frozen, 1 frozen, 2 unknown, -99 deleted.
                .col(small_integer("finance_status").default(0))
                .col(small_integer("whitelist").default(0))
                .col(small_integer("keycustomer").default(0))
                // Money in cents.
                .col(big_integer("balance_cents").default(0))
                .col(integer("point").default(0))
                .col(integer_null("address_label_id"))
                .col(integer_null("create_employee_id"))
                .col(integer_null("sale_employee_id"))
                .col(small_integer("is_credit").default(0))
                .col(big_integer_null("credit_limit_cents"))
                .col(date_null("effective_date"))
                .col(integer_null("begin_day"))
                .col(integer_null("settle_day"))
                .col(small_integer_null("settle_date_type"))
                .col(integer_null("settle_remind"))
                .col(date_time("create_time"))
                .foreign_key(&mut fk("shop", "account_id", "merchant_account", "id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("shop", "district_code")
                        .to("district", "code"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("shop", "area_level1_id")
                        .to("area_level1", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("shop", "area_level2_id")
                        .to("area_level2", "id"),
                )
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("idx_shop_account", &["account_id"][..]),
            ("idx_shop_district", &["district_code", "id"][..]),
        ] {
            let mut index = Index::create().name(name).table("shop").take();
            for c in cols {
                index.col(*c);
            }
            m.create_index(index).await?;
        }
        m.create_table(
            Table::create()
                .table("shop_salemenu")
                .col(pk_auto("id"))
                .col(integer("shop_id"))
                .col(string("salemenu_id"))
                .col(string_null("service_station_id"))
                .foreign_key(&mut fk("shop_salemenu", "shop_id", "shop", "id"))
                .foreign_key(&mut fk("shop_salemenu", "salemenu_id", "salemenu", "id"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_shop_salemenu_shop")
                .table("shop_salemenu")
                .col("shop_id")
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "shop_salemenu",
            "shop",
            "merchant_account",
            "address_label",
            "station_salemenu",
            "salemenu",
            "employee",
            "station_city",
            "station",
            "area_level2",
            "area_level1",
            "district",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
