//! GraphQL objects of the audit log.

use async_graphql::{InputObject, Json, Object};
use entity::audit_log;

use crate::page_type;

/// One recorded change.
pub struct AuditEntry(pub audit_log::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> i64 {
        self.0.id
    }
    /// When, China time (`2022-06-22T08:00:00`).
    async fn at(&self) -> String {
        crate::db::iso_datetime(self.0.at)
    }
    /// `staff`, `member` or `anonymous`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    /// The staff account id or the member's user-info id.
    async fn actor_id(&self) -> Option<i32> {
        self.0.actor_id
    }
    /// Username (staff) or owner (member).
    async fn actor_name(&self) -> &str {
        &self.0.actor_name
    }
    /// The mutation, e.g. `updatePayer`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The table of the record.
    async fn entity(&self) -> &str {
        &self.0.entity
    }
    async fn record_id(&self) -> &str {
        &self.0.record_id
    }
    /// The changed fields: `{"field": {"before": …, "after": …}}`.
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.changes).unwrap_or_default())
    }
    /// The `x-request-id` of the request that made the change.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
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
