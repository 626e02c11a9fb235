//! GraphQL objects of paid reports.

use async_graphql::{Context, InputObject, SimpleObject};
use entity::{report, report_whitelist};

use crate::{
    graphql::{loader::Cached, money::Money, state},
    page_type,
    reports::loaders::SubscribeCountLoader,
    row_object,
};

/// Report states.
pub const REPORT_STATUS: &[(i16, &str)] = &[(0, "待上架"), (1, "上架"), (2, "下架")];

/// `YYYY-MM-DD HH:MM:SS`, as the paid-report APIs print times.
pub fn datetime_text(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A storage key as a URL on `domain` (a key that already is a URL stays as it is).
pub fn public_url(domain: &str, key: &str) -> String {
    if key.starts_with("http://") || key.starts_with("https://") {
        return key.to_owned();
    }
    format!(
        "{}/{}",
        domain.trim_end_matches('/'),
        key.trim_start_matches('/')
    )
}

/// The attachment of a report.
#[derive(SimpleObject)]
pub struct ReportFile {
    pub file_name: String,
    /// Storage key.
    pub src: String,
    pub format: String,
    /// Bytes.
    pub size: i64,
}

row_object! {
    /// A paid report.
    pub struct Report(report::Model) {
        id: i32,
        title: &str,
        /// Storage key of the cover.
        cover: &str,
        /// The cover on the public domain.
        async fn cover_url(&self, ctx: &Context<'_>) -> String {
            public_url(&state(ctx).config.public_domain, &self.0.cover)
        }
        /// Category (reserved).
        type_id: Option<i32>,
        intro: &str,
        directory: &str,
        async fn file(&self) -> ReportFile {
            ReportFile {
                file_name: self.0.file_name.clone(),
                src: self.0.file_src.clone(),
                format: self.0.file_format.clone(),
                size: self.0.file_size,
            }
        }
        /// The file on the public domain.
        async fn file_address(&self, ctx: &Context<'_>) -> String {
            public_url(&state(ctx).config.public_domain, &self.0.file_src)
        }
        async fn price(&self) -> Money {
            Money(self.0.price_cents)
        }
        /// Reads a whitelist entry gets by default.
        read_count: i32,
        /// 0 pending, 1 on sale, 2 off sale.
        status: i16,
        status_display: label(REPORT_STATUS, status),
        /// When it goes (or went) on sale, `YYYY-MM-DD HH:MM:SS`.
        async fn publish_time(&self) -> Option<String> {
            self.0.publish_time.map(datetime_text)
        }
        /// Purchase notes.
        short_intro: &str,
        /// Subscriptions: the report's completed orders.
        async fn subscribe_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
            let loader = ctx.data::<Cached<SubscribeCountLoader>>()?;
            Ok(loader.load_one(self.0.id).await?.unwrap_or(0))
        }
        async fn created_at(&self) -> String {
            datetime_text(self.0.created_at)
        }
    }
}

row_object! {
    /// One mobile allowed to read a report.
    pub struct WhitelistEntry(report_whitelist::Model) {
        id: i32,
        report_id: i32,
        /// Nickname.
        given_user: &str,
        /// Position.
        given_position: &str,
        /// Company.
        given_company: &str,
        mobile: &str,
        /// Reads granted.
        read_count: i32,
        /// Reads left.
        residue_count: i32,
        /// 0 enabled, 1 disabled.
        state: i16,
        /// Who changed it last.
        last_modify_author: &str,
        async fn updated_at(&self) -> String {
            datetime_text(self.0.updated_at)
        }
    }
}

page_type!(ReportPage, Report, "A page of reports.");
page_type!(
    WhitelistPage,
    WhitelistEntry,
    "A page of whitelist entries."
);

crate::graphql::filter_input! {
    /// Filters of the report list.
    #[derive(InputObject, Default, Debug)]
    pub struct ReportFilter {
        /// Substring of the title.
        title: text,
        type_id: Option<i32>,
        /// Published on or after this day, `YYYY-MM-DD`.
        start_date: text,
        /// Published on or before this day, `YYYY-MM-DD`.
        end_date: text,
        status: Option<i32>,
    }
}

/// A report's attachment.
#[derive(InputObject, Default, Debug)]
pub struct ReportFileInput {
    pub file_name: Option<String>,
    pub src: Option<String>,
    pub format: Option<String>,
    pub size: Option<i64>,
}

/// A whitelist entry given with a new report, or added alone.
#[derive(InputObject, Default, Debug, Clone)]
pub struct WhitelistEntryInput {
    pub given_user: Option<String>,
    pub given_position: Option<String>,
    pub given_company: Option<String>,
    /// Required.
    pub mobile: Option<String>,
    /// Required: reads granted.
    pub read_count: Option<i32>,
    /// 0 enabled (default), 1 disabled.
    pub state: Option<i32>,
}

/// A new report. Required fields are checked by the server, with messages naming them.
#[derive(InputObject, Default, Debug)]
pub struct CreateReportInput {
    pub title: Option<String>,
    /// Storage key of the cover.
    pub cover: Option<String>,
    pub type_id: Option<i32>,
    pub intro: Option<String>,
    pub directory: Option<String>,
    pub file: Option<ReportFileInput>,
    pub price: Option<Money>,
    pub read_count: Option<i32>,
    /// 0 pending, 1 on sale, 2 off sale.
    pub status: Option<i32>,
    /// `YYYY-MM-DD HH:MM:SS`: a scheduled sale; absent with status 1, now.
    pub publish_time: Option<String>,
    pub short_intro: Option<String>,
    /// Entries to create with the report, in the same transaction.
    pub white_list: Option<Vec<WhitelistEntryInput>>,
}

/// A partial change of a report: absent fields stay as they are.
#[derive(InputObject, Default, Debug)]
pub struct UpdateReportInput {
    pub title: Option<String>,
    pub cover: Option<String>,
    pub intro: Option<String>,
    pub directory: Option<String>,
    pub price: Option<Money>,
    pub read_count: Option<i32>,
    /// 1 on sale, 2 off sale.
    pub status: Option<i32>,
    pub publish_time: Option<String>,
    pub short_intro: Option<String>,
}

/// A partial change of a whitelist entry: absent fields stay as they are.
#[derive(InputObject, Default, Debug)]
pub struct UpdateWhitelistEntryInput {
    pub given_user: Option<String>,
    pub given_position: Option<String>,
    pub given_company: Option<String>,
    pub residue_count: Option<i32>,
    /// 0 enabled, 1 disabled.
    pub state: Option<i32>,
}

/// A row of an uploaded sheet that failed, and why.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportError {
    /// The sheet's row number (the header is row 1).
    pub row: i32,
    pub reason: String,
}

/// What an import did.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportResult {
    /// Data rows in the file.
    pub total: i32,
    /// Rows added.
    pub success: i32,
    /// Rows whose mobile was already on the whitelist or earlier in the file.
    pub repeat: i32,
    /// Rows that failed validation.
    pub error: i32,
    pub errors: Vec<ImportError>,
}

/// A whitelist row read from a sheet, not saved.
#[derive(SimpleObject, Clone, Debug)]
pub struct SheetRow {
    pub given_user: String,
    pub given_position: String,
    pub given_company: String,
    pub mobile: String,
    pub read_count: i32,
}
