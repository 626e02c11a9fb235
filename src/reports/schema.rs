//! GraphQL fields of paid reports. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt, SimpleObject, Upload};

use super::{
    service,
    types::{
        CreateReportInput, ImportError, ImportResult, Report, ReportFilter, ReportPage, SheetRow,
        UpdateReportInput, UpdateWhitelistEntryInput, WhitelistEntry, WhitelistEntryInput,
        WhitelistPage,
    },
};
use crate::{
    auth::{caller, Permission, StaffIdentity},
    error::AppError,
    graphql::{page::PageArgs, state},
    state::{SheetJob, SheetJobPermit},
    xlsx,
};

/// The paid-report lists page 20 rows by default (Laravel's `limit`), up to 100.
const DEFAULT_LIMIT: i32 = 20;

fn page_args(page: Option<i32>, limit: Option<i32>) -> async_graphql::Result<PageArgs> {
    PageArgs::new(page, Some(limit.unwrap_or(DEFAULT_LIMIT)), 100).extend()
}

/// Who a change is recorded as: the staff account's nickname, else its username.
fn author<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a StaffIdentity> {
    match &caller(ctx).0 {
        Some(crate::auth::Principal::Staff(s)) => Ok(s),
        _ => Err(AppError::Forbidden(crate::auth::NOT_PERMITTED.into())).extend(),
    }
}

fn author_name(staff: &StaffIdentity) -> &str {
    if staff.nickname.is_empty() {
        &staff.username
    } else {
        &staff.nickname
    }
}

/// The first sheet of an uploaded workbook, read under a parse permit (`BUSY` when every
/// place is taken). The permit is handed back so the caller keeps it while it works on the
/// cells: they are the memory the limit is about.
async fn read_upload(
    ctx: &Context<'_>,
    file: Upload,
) -> async_graphql::Result<(Vec<Vec<String>>, SheetJobPermit)> {
    let permit = state(ctx).sheet_jobs.start(SheetJob::Parse).extend()?;
    let value = file.value(ctx)?;
    let bytes = value.content.to_vec();
    xlsx::read_first_sheet(bytes, permit).await.extend()
}

/// A sheet read without saving: its valid rows and its failing ones.
#[derive(SimpleObject)]
pub struct SheetConversion {
    pub rows: Vec<SheetRow>,
    pub errors: Vec<ImportError>,
}

/// Report queries.
#[derive(Default)]
pub struct ReportsQuery;

#[Object]
impl ReportsQuery {
    /// Reports, newest first (legacy: `GET /api/report`).
    #[graphql(guard = "Permission::PaymentReportList")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReportFilter>,
        page: Option<i32>,
        #[graphql(desc = "Rows per page (default 20, capped at 100).")] page_size: Option<i32>,
    ) -> async_graphql::Result<ReportPage> {
        let args = page_args(page, page_size)?;
        let filter = filter.unwrap_or_default();
        let (total, rows) =
            service::list_reports(&state(ctx).db, &state(ctx).counts, &filter, args)
                .await
                .extend()?;
        Ok(ReportPage::new(args, total, rows.into_iter().map(Report)))
    }

    /// One report (legacy: `GET /api/report/{id}`).
    #[graphql(guard = "Permission::PaymentReportInfo")]
    async fn report(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<Report> {
        service::report(&state(ctx).db, id)
            .await
            .map(Report)
            .extend()
    }

    /// A report's whitelist (legacy: `GET /api/report/{id}/white`).
    #[graphql(guard = "Permission::ReportWhiteList")]
    async fn whitelist(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        #[graphql(
            desc = "Substring of mobile, nickname, company or last modifier.",
            validator(chars_max_length = 200)
        )]
        search: Option<String>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<WhitelistPage> {
        let args = page_args(page, page_size)?;
        let (total, rows) = service::list_whitelist(
            &state(ctx).db,
            &state(ctx).counts,
            report_id,
            search.as_deref(),
            args,
        )
        .await
        .extend()?;
        Ok(WhitelistPage::new(
            args,
            total,
            rows.into_iter().map(WhitelistEntry),
        ))
    }

    /// One whitelist entry (legacy: `GET /api/report/{id}/white/{white_id}`).
    #[graphql(guard = "Permission::ReportWhiteInfo")]
    async fn whitelist_entry(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        id: i32,
    ) -> async_graphql::Result<WhitelistEntry> {
        service::whitelist_entry(&state(ctx).db, report_id, id)
            .await
            .map(WhitelistEntry)
            .extend()
    }

    /// Where to download a report's whitelist as a spreadsheet: the legacy export URL, fetched
    /// with the same token (legacy: `GET /api/report/{id}/excel`).
    #[graphql(guard = "Permission::ReportWhiteExport")]
    async fn export_whitelist(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        ids: Option<Vec<i32>>,
    ) -> async_graphql::Result<String> {
        if let Some(ids) = &ids {
            service::check_export_ids("ids", ids).extend()?;
        }
        service::report(&state(ctx).db, report_id).await.extend()?;
        let mut url = format!("/api/report/{report_id}/excel");
        if let Some(ids) = ids.filter(|i| !i.is_empty()) {
            let list: Vec<String> = ids.iter().map(i32::to_string).collect();
            url.push_str(&format!("?id={}", list.join(",")));
        }
        Ok(url)
    }

    /// A report's whitelist entries (or the given ones, at most 10,000 ids) by id, `first`
    /// (default 1,000, at most 5,000) after the entry `after`: pages of a spreadsheet export
    /// (legacy: `GET /api/report/{id}/excel`).
    #[graphql(guard = "Permission::ReportWhiteExport")]
    async fn whitelist_rows(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        ids: Option<Vec<i32>>,
        after: Option<i32>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<WhitelistEntry>> {
        let first = match first {
            None => EXPORT_PAGE,
            Some(n) if (1..=MAX_EXPORT_PAGE as i32).contains(&n) => n as u64,
            Some(_) => {
                return Err(AppError::field("first", "first 必须在 1 到 5000 之间")).extend()
            }
        };
        let rows = service::whitelist_for_export(&state(ctx).db, report_id, ids, after, first)
            .await
            .extend()?;
        Ok(rows.into_iter().map(WhitelistEntry).collect())
    }

    /// The header row of the whitelist template (legacy: `GET /api/white/example`).
    #[graphql(guard = "Permission::WhiteListExample")]
    async fn whitelist_template(&self) -> Vec<&'static str> {
        service::TEMPLATE_HEADERS.to_vec()
    }

    /// A Qiniu upload token for the public (`default`) or `private` bucket, signed locally
    /// (legacy: `GET /api/qiniu/token`).
    #[graphql(guard = "Permission::GetQiniuToken")]
    async fn upload_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "type", default_with = "String::from(\"default\")")] kind: String,
    ) -> async_graphql::Result<String> {
        service::upload_token(&state(ctx).config, &kind).extend()
    }

    /// A signed, expiring URL of a report file in the private bucket
    /// (legacy: `GET /api/report/downloadurl`).
    #[graphql(guard = "Permission::GetReportDownloadurl")]
    async fn download_url(
        &self,
        ctx: &Context<'_>,
        report_name: String,
    ) -> async_graphql::Result<String> {
        service::download_url(&state(ctx).config, &report_name).extend()
    }
}

/// Whitelist rows per export page, unless asked otherwise.
const EXPORT_PAGE: u64 = 1_000;
/// The most an export page may ask.
const MAX_EXPORT_PAGE: u64 = 5_000;

/// Report mutations.
#[derive(Default)]
pub struct ReportsMutation;

#[Object]
impl ReportsMutation {
    /// Creates a report with its whitelist (legacy: `POST /api/report`).
    #[graphql(guard = "Permission::PaymentReportAdd")]
    async fn create_report(
        &self,
        ctx: &Context<'_>,
        input: CreateReportInput,
    ) -> async_graphql::Result<Report> {
        let who = author_name(author(ctx)?).to_owned();
        service::create_report(&state(ctx).db, caller(ctx), input, &who)
            .await
            .map(Report)
            .extend()
    }

    /// Changes a report (legacy: `PUT /api/report/{id}`).
    #[graphql(guard = "Permission::PaymentReportModify")]
    async fn update_report(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateReportInput,
    ) -> async_graphql::Result<Report> {
        service::update_report(&state(ctx).db, caller(ctx), id, input)
            .await
            .map(Report)
            .extend()
    }

    /// Deletes a report (legacy: `DELETE /api/report/{id}`).
    #[graphql(guard = "Permission::PaymentReportDelete")]
    async fn delete_report(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<Report> {
        service::delete_report(&state(ctx).db, caller(ctx), id)
            .await
            .map(Report)
            .extend()
    }

    /// Adds a mobile to a report's whitelist (legacy: `POST /api/report/{id}/white`).
    #[graphql(guard = "Permission::ReportWhiteAdd")]
    async fn add_whitelist_entry(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        input: WhitelistEntryInput,
    ) -> async_graphql::Result<WhitelistEntry> {
        let who = author_name(author(ctx)?).to_owned();
        service::add_whitelist_entry(&state(ctx).db, caller(ctx), report_id, input, &who)
            .await
            .map(WhitelistEntry)
            .extend()
    }

    /// Changes a whitelist entry, enabling or disabling it with `state`
    /// (legacy: `PUT /api/report/{id}/white/{white_id}`).
    #[graphql(guard = "Permission::ReportWhiteEdit")]
    async fn update_whitelist_entry(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        id: i32,
        input: UpdateWhitelistEntryInput,
    ) -> async_graphql::Result<WhitelistEntry> {
        let who = author_name(author(ctx)?).to_owned();
        service::update_whitelist_entry(&state(ctx).db, caller(ctx), report_id, id, input, &who)
            .await
            .map(WhitelistEntry)
            .extend()
    }

    /// Imports an `.xlsx` into a report's whitelist (GraphQL multipart request)
    /// (legacy: `POST /api/report/{id}/excel`).
    #[graphql(guard = "Permission::ReportWhiteImport")]
    async fn import_whitelist(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        file: Upload,
    ) -> async_graphql::Result<ImportResult> {
        let who = author_name(author(ctx)?).to_owned();
        service::report(&state(ctx).db, report_id).await.extend()?;
        let (cells, _permit) = read_upload(ctx, file).await?;
        service::import_whitelist(&state(ctx).db, caller(ctx), report_id, cells, &who)
            .await
            .extend()
    }

    /// Reads an `.xlsx` into whitelist rows without saving (legacy: `POST /api/white/example`).
    #[graphql(guard = "Permission::WhiteExportConvert")]
    async fn convert_whitelist_sheet(
        &self,
        ctx: &Context<'_>,
        file: Upload,
    ) -> async_graphql::Result<SheetConversion> {
        let (cells, _permit) = read_upload(ctx, file).await?;
        let mut out = SheetConversion {
            rows: Vec::new(),
            errors: Vec::new(),
        };
        for row in service::sheet_rows(&cells).extend()? {
            match row {
                Ok(r) => out.rows.push(r),
                Err(e) => out.errors.push(e),
            }
        }
        Ok(out)
    }

    /// Copies an object from the public bucket to the private one
    /// (legacy: `GET /api/qiniu/copyfile`).
    #[graphql(guard = "Permission::GetQiniuToken")]
    async fn copy_file(&self, ctx: &Context<'_>, key: String) -> async_graphql::Result<String> {
        service::copy_file(state(ctx), caller(ctx).into(), &key)
            .await
            .extend()?;
        Ok("File copied successfully".into())
    }
}
