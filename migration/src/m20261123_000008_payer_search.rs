//! Substring search of paid users (`payer_list?kw=`) without reading every row: trigram indexes
//! serve `LIKE '%kw%'`. PostgreSQL: pg_trgm GIN indexes on the lowered columns the keyword
//! matches. SQLite: an FTS5 table with the trigram tokenizer holding those columns (the
//! student's WeChat nickname too), kept in step by triggers. Keywords shorter than three
//! characters have no trigram and are still matched by scanning.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns the keyword matches, lowered as the search lowers them.
const PG_INDEXES: &[(&str, &str, &str)] = &[
    ("ix_user_info_owner_trgm", "user_info", "owner"),
    ("ix_user_info_name_trgm", "user_info", "name"),
    ("ix_user_info_realname_trgm", "user_info", "realname"),
    (
        "ix_user_info_bind_account_trgm",
        "user_info",
        "bind_account",
    ),
    ("ix_student_nickname_trgm", "student", "nickname"),
];

/// The search table's row of user `u` (an alias in the statements below).
const SQLITE_ROW: &str = "SELECT u.id, u.owner, u.name, COALESCE(u.realname, ''), u.bind_account, \
     COALESCE((SELECT s.nickname FROM student s WHERE s.id = u.student_id), '') \
     FROM user_info u";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The nickname is matched through the join from the user to its student.
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS ix_user_info_student ON user_info (student_id)",
        )
        .await?;
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                // A trusted extension since PostgreSQL 13: the database's owner may create it.
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
                for (name, table, column) in PG_INDEXES {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lower({column}) gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            _ => {
                for sql in [
                    "CREATE VIRTUAL TABLE payer_search USING fts5(owner, name, realname, \
                     bind_account, nickname, tokenize = 'trigram')",
                    &format!(
                        "INSERT INTO payer_search (rowid, owner, name, realname, bind_account, nickname) {SQLITE_ROW}"
                    ),
                    &format!(
                        "CREATE TRIGGER payer_search_insert AFTER INSERT ON user_info BEGIN \
                         INSERT INTO payer_search (rowid, owner, name, realname, bind_account, nickname) \
                         {SQLITE_ROW} WHERE u.id = new.id; END"
                    ),
                    &format!(
                        "CREATE TRIGGER payer_search_update AFTER UPDATE OF owner, name, realname, \
                         bind_account, student_id ON user_info BEGIN \
                         DELETE FROM payer_search WHERE rowid = old.id; \
                         INSERT INTO payer_search (rowid, owner, name, realname, bind_account, nickname) \
                         {SQLITE_ROW} WHERE u.id = new.id; END"
                    ),
                    "CREATE TRIGGER payer_search_delete AFTER DELETE ON user_info BEGIN \
                     DELETE FROM payer_search WHERE rowid = old.id; END",
                    "CREATE TRIGGER payer_search_nickname AFTER UPDATE OF nickname ON student BEGIN \
                     UPDATE payer_search SET nickname = COALESCE(new.nickname, '') \
                     WHERE rowid IN (SELECT id FROM user_info WHERE student_id = new.id); END",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_user_info_student")
            .await?;
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                for (name, _, _) in PG_INDEXES {
                    db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                        .await?;
                }
            }
            _ => {
                for trigger in [
                    "payer_search_insert",
                    "payer_search_update",
                    "payer_search_delete",
                    "payer_search_nickname",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                        .await?;
                }
                db.execute_unprepared("DROP TABLE IF EXISTS payer_search")
                    .await?;
            }
        }
        Ok(())
    }
}
