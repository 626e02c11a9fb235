//! GraphQL of the audit log.

use async_graphql::{Context, Object, ResultExt};

use super::{
    service::{self, Filter},
    types::{AuditEntry, AuditFilter, AuditPage},
};
use crate::{
    auth::Permission,
    error::{AppError, AppResult},
    graphql::{
        page::{PageArgs, MAX_PAGE_SIZE},
        state,
    },
};

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

/// A time bound: a day means its midnight.
fn bound(field: &str, text: Option<String>) -> AppResult<Option<chrono::NaiveDateTime>> {
    let Some(text) = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S") {
        return Ok(Some(t));
    }
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(|d| Some(d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| AppError::field(field, "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS."))
}

#[Object]
impl AuditQuery {
    /// Recorded changes, newest first (needs `AUDIT_LOG_LIST`).
    #[graphql(guard = "Permission::AuditLogList")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<AuditPage> {
        let run = async {
            let f = filter.unwrap_or_default();
            let filter = Filter {
                actor_kind: f.actor_kind,
                actor_id: f.actor_id,
                action: f.action,
                entity: f.entity,
                record_id: f.record_id,
                from: bound("from", f.from)?,
                until: bound("until", f.until)?,
            };
            let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE)?;
            let (total, rows) =
                service::list(&state(ctx).db, &state(ctx).counts, filter, args).await?;
            Ok::<_, AppError>(AuditPage::new(
                args,
                total,
                rows.into_iter().map(AuditEntry),
            ))
        };
        run.await.extend()
    }
}
