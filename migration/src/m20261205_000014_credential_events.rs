//! Changes to credentials announce themselves: triggers on every table a resolved credential is
//! read from tell the server, whoever made the change (an instance, the CLI, plain SQL), so each
//! instance forgets the credentials it remembered.
//!
//! - PostgreSQL: statement triggers notify the `opsgraph_credentials` channel, one notification
//!   a statement whatever its rows (and identical notifications of one transaction fold into
//!   one); every instance listens (`src/shared.rs`).
//! - SQLite (one instance, but the CLI or the `sqlite3` shell may write beside it): row
//!   triggers move `credential_version.version`, which the server polls.
//!
//! Columns no credential reads leave the cache alone: an API key's `last_used_at` (written once
//! a minute by a busy key), a member's diamonds and follow-up fields.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each table a credential's resolution reads, with the changes that matter to it.
const TRIGGERS: &[(&str, &[&str])] = &[
    ("staff", &["INSERT", "UPDATE", "DELETE"]),
    ("role", &["UPDATE", "DELETE"]),
    ("role_permission", &["INSERT", "UPDATE", "DELETE"]),
    (
        "api_key",
        &["UPDATE OF id, digest, staff_id, user_info_id", "DELETE"],
    ),
    ("revoked_token", &["INSERT", "UPDATE", "DELETE"]),
    ("user_info", &["UPDATE OF id, owner", "DELETE"]),
];

/// SQLite's trigger of `table` on `event`, by the event's first word.
fn sqlite_trigger(table: &str, event: &str) -> String {
    let verb = event.split(' ').next().unwrap_or(event).to_lowercase();
    format!("opsgraph_credentials_{table}_{verb}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION opsgraph_credentials_changed() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                   PERFORM pg_notify('opsgraph_credentials', TG_TABLE_NAME); RETURN NULL; \
                 END $$",
            )
            .await?;
            for (table, events) in TRIGGERS {
                let events = events.join(" OR ");
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER opsgraph_credentials AFTER {events} OR TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION opsgraph_credentials_changed()"
                ))
                .await?;
            }
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE TABLE credential_version \
             (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
        )
        .await?;
        db.execute_unprepared("INSERT INTO credential_version (id, version) VALUES (1, 0)")
            .await?;
        for (table, events) in TRIGGERS {
            for event in *events {
                let name = sqlite_trigger(table, event);
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN \
                     UPDATE credential_version SET version = version + 1; END"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DatabaseBackend::Postgres {
            for (table, _) in TRIGGERS {
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS opsgraph_credentials ON {table}"
                ))
                .await?;
            }
            db.execute_unprepared("DROP FUNCTION IF EXISTS opsgraph_credentials_changed()")
                .await?;
            return Ok(());
        }
        for (table, events) in TRIGGERS {
            for event in *events {
                let name = sqlite_trigger(table, event);
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP TABLE IF EXISTS credential_version")
            .await?;
        Ok(())
    }
}
