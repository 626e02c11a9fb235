//! The foundation: settings, staff accounts with roles and permission codes, API keys, and the
//! kids-coding CRM (user infos, teachers, students, courses, visit records).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Server-wide key/value settings, e.g. the generated JWT secret, so every instance and
        // every restart signs with the same key.
        m.create_table(
            Table::create()
                .table("setting")
                .col(string("key").primary_key())
                .col(text("value"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("role")
                .col(pk_auto("id"))
                .col(string_uniq("name"))
                // A superuser role holds every permission code, present and future.
                .col(boolean("superuser").default(false))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("role_permission")
                .col(integer("role_id"))
                .col(string("code"))
                .primary_key(Index::create().col("role_id").col("code"))
                .foreign_key(&mut fk("role_permission", "role_id", "role"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff")
                .col(pk_auto("id"))
                .col(string_uniq("username"))
                .col(string_null("mobile").unique_key())
                .col(string("nickname").default(""))
                .col(string("password_hash"))
                .col(integer("role_id"))
                .col(boolean("is_active").default(true))
                // Unix seconds; tokens issued before it no longer work.
                .col(big_integer("password_changed_at"))
                .col(date_time("created_at"))
                .foreign_key(&mut fk("staff", "role_id", "role"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("teacher")
                .col(pk_auto("id"))
                .col(string("owner"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("student")
                .col(pk_auto("id"))
                .col(string("owner"))
                .col(string("name").default(""))
                // The student's WeChat nickname.
                .col(string("nickname").default(""))
                .col(string("avatar").default(""))
                .col(string("sex").default("S"))
                .col(date_null("birthday"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("user_info")
                .col(pk_auto("id"))
                .col(string_uniq("owner"))
                .col(string("name").default(""))
                .col(string("avatar").default(""))
                .col(integer("age").default(0))
                .col(integer("points").default(0))
                .col(integer("lesson_total").default(0))
                .col(boolean("is_seller").default(false))
                // Money in cents: never a float.
                .col(big_integer("commission_cents").default(0))
                .col(integer_null("my_seller_id"))
                .col(text_null("remark"))
                .col(integer_null("teacher_id"))
                .col(integer_null("student_id"))
                .col(string_null("identity"))
                .col(boolean("is_pay").default(false))
                .col(boolean("is_bind").default(false))
                .col(string("bind_account").default(""))
                .col(integer("group_status").default(3))
                .col(boolean("star").default(false))
                .col(string_null("realname"))
                .col(string_null("city"))
                .col(string_null("learn_extent"))
                .col(string_null("follow_up"))
                .col(string_null("deep_consume"))
                .col(string_null("sex"))
                .col(date_time("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("user_info", "teacher_id")
                        .to("teacher", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("user_info", "student_id")
                        .to("student", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_info_is_pay_id")
                .table("user_info")
                .col("is_pay")
                .col("id")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("api_token")
                .col(string("key").primary_key())
                .col(integer_null("staff_id"))
                .col(integer_null("user_info_id"))
                .col(date_time("created_at"))
                .foreign_key(&mut fk("api_token", "staff_id", "staff"))
                .foreign_key(&mut fk("api_token", "user_info_id", "user_info"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("course")
                .col(pk_auto("id"))
                .col(string("name"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("course_enrollment")
                .col(integer("user_info_id"))
                .col(integer("course_id"))
                .primary_key(Index::create().col("user_info_id").col("course_id"))
                .foreign_key(&mut fk("course_enrollment", "user_info_id", "user_info"))
                .foreign_key(&mut fk("course_enrollment", "course_id", "course"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_course_enrollment_course")
                .table("course_enrollment")
                .col("course_id")
                .col("user_info_id")
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("visit_record")
                .col(pk_auto("id"))
                .col(string("contact"))
                .col(text_null("detail"))
                .col(date_null("visit_time"))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_visit_record_contact")
                .table("visit_record")
                .col("contact")
                .col("id")
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "visit_record",
            "course_enrollment",
            "course",
            "api_token",
            "user_info",
            "student",
            "teacher",
            "staff",
            "role_permission",
            "role",
            "setting",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
