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

crate::graphql::filter_input! {
    /// Which records to list; every given condition must hold.
    #[derive(InputObject, Default)]
    pub struct AuditFilter {
        /// `staff`, `member` or `anonymous`.
        actor_kind: text,
        actor_id: Option<i32>,
        /// The mutation, e.g. `purchaseProduct`.
        action: text,
        /// The table, e.g. `user_info`.
        entity: text,
        record_id: text,
        /// From this China time on (`2022-06-16` or `2022-06-16T08:00:00`).
        from: text,
        /// Before this China time.
        until: text,
    }
}
