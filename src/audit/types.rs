//! GraphQL objects of the audit log.

use async_graphql::{InputObject, Json};
use entity::audit_log;

use crate::{page_type, row_object};

row_object! {
    /// One recorded change.
    pub struct AuditEntry(audit_log::Model) {
        id: i64,
        /// When, China time (`2022-06-22T08:00:00`).
        at: iso_datetime,
        /// `staff`, `member` or `anonymous`.
        actor_kind: &str,
        /// The staff account id or the member's user-info id.
        actor_id: Option<i32>,
        /// Username (staff) or owner (member).
        actor_name: &str,
        /// The mutation, e.g. `updatePayer`.
        action: &str,
        /// The table of the record.
        entity: &str,
        record_id: &str,
        /// The changed fields: `{"field": {"before": …, "after": …}}`.
        async fn changes(&self) -> Json<serde_json::Value> {
            Json(serde_json::from_str(&self.0.changes).unwrap_or_default())
        }
        /// The `x-request-id` of the request that made the change.
        request_id: Option<&str>,
    }
}

page_type!(
    AuditPage,
    AuditEntry,
    "A page of the audit log, newest first."
);

/// Which records to list; every given condition must hold.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// `staff`, `member` or `anonymous`.
    #[graphql(validator(chars_max_length = 200))]
    pub actor_kind: Option<String>,
    pub actor_id: Option<i32>,
    /// The mutation, e.g. `purchaseProduct`.
    #[graphql(validator(chars_max_length = 200))]
    pub action: Option<String>,
    /// The table, e.g. `user_info`.
    #[graphql(validator(chars_max_length = 200))]
    pub entity: Option<String>,
    #[graphql(validator(chars_max_length = 200))]
    pub record_id: Option<String>,
    /// From this China time on (`2022-06-16` or `2022-06-16T08:00:00`).
    #[graphql(validator(chars_max_length = 200))]
    pub from: Option<String>,
    /// Before this China time.
    #[graphql(validator(chars_max_length = 200))]
    pub until: Option<String>,
}
