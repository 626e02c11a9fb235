//! GraphQL of the audit log.

use async_graphql::{Context, Object, ResultExt};

use super::{
    service,
    types::{AuditEntry, AuditFilter, AuditPage},
};
use crate::{
    auth::Permission,
    error::AppError,
    graphql::{
        page::{PageArgs, MAX_PAGE_SIZE},
        state,
    },
};

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

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
            let filter = filter.unwrap_or_default();
            let period = service::period(&filter)?;
            let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE)?;
            let st = state(ctx);
            let (total, rows) = service::list(&st.db, &st.counts, filter, period, args).await?;
            Ok::<_, AppError>(AuditPage::new(
                args,
                total,
                rows.into_iter().map(AuditEntry),
            ))
        };
        run.await.extend()
    }
}
