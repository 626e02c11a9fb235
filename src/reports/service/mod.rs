//! Rules of paid reports and whitelists, shared by GraphQL and the legacy REST URLs: reports
//! here, whitelists in [`whitelist`], storage signing in [`storage`].

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use entity::{report, report_whitelist};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::types::{
    CreateReportInput, ImportError, ImportResult, ReportFilter, SheetRow, UpdateReportInput,
    UpdateWhitelistEntryInput, WhitelistEntryInput,
};
use crate::{
    audit::service as audit,
    auth::Auth,
    db::{self, contains_pattern, lower_like, CountCache, PastTheEnd},
    error::{AppError, AppResult, FieldName as Name},
    graphql::{money::Money, page::PageArgs},
};
use serde_json::{Map, Value};

mod storage;
mod whitelist;

pub use storage::{copy_file, download_url, upload_token};
pub use whitelist::*;

/// Rows written per INSERT of an import.
const IMPORT_BATCH: usize = 500;

fn required_text(name: Name, value: Option<String>) -> AppResult<String> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => limited(name, v),
        _ => Err(AppError::field(
            name.field,
            format!("{} 不能为空", name.label),
        )),
    }
}

fn limited(name: Name, value: String) -> AppResult<String> {
    if value.chars().count() > 10_000 {
        return Err(AppError::field(name.field, format!("{} 过长", name.label)));
    }
    Ok(value)
}

fn optional_text(name: Name, value: Option<String>) -> AppResult<Option<String>> {
    value
        .map(|v| limited(name, v.trim().to_owned()))
        .transpose()
}

fn count(name: Name, value: i32) -> AppResult<i32> {
    if !(0..=100_000_000).contains(&value) {
        return Err(AppError::field(
            name.field,
            format!("{} 必须是非负整数", name.label),
        ));
    }
    Ok(value)
}

fn price(value: Money) -> AppResult<i64> {
    if value.0 < 0 {
        return Err(AppError::field("price", "price 不能为负数"));
    }
    Ok(value.0)
}

fn parse_time(name: Name, text: &str) -> AppResult<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_err(|_| {
            let message = format!("{} 格式应为 YYYY-MM-DD HH:MM:SS", name.label);
            AppError::field(name.field, message)
        })
}

fn parse_day(name: Name, text: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(name.field, format!("{} 格式应为 YYYY-MM-DD", name.label)))
}

/// `publishTime`, `publish_time` to the legacy clients.
const PUBLISH_TIME: Name = Name::new("publishTime", "publish_time");
/// `readCount`, `read_count` to the legacy clients.
const READ_COUNT: Name = Name::new("readCount", "read_count");
/// `shortIntro`, `short_intro` to the legacy clients.
const SHORT_INTRO: Name = Name::new("shortIntro", "short_intro");

/// A mobile as stored: digits only (a leading `+` allowed), 5 to 20 of them.
pub fn normalize_mobile(text: &str) -> Option<String> {
    let t = text.trim();
    // Spreadsheets hand numbers over as `18434819907.0` or in scientific notation.
    let t = t.strip_suffix(".0").unwrap_or(t);
    let digits = t.strip_prefix('+').unwrap_or(t);
    let ok = (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| t.to_owned())
}

/// When a report is on sale: as given, or now when it goes on sale without a time (the seed:
/// 立即上架为当前时间、定时上架为输入时间、暂不上架可不传此值).
fn publish_time(status: i16, given: Option<&str>) -> AppResult<Option<NaiveDateTime>> {
    match given.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Ok(Some(parse_time(PUBLISH_TIME, text)?)),
        None if status == 1 => Ok(Some(db::now())),
        None => Ok(None),
    }
}

fn status(value: i32, allowed: &[i32]) -> AppResult<i16> {
    if allowed.contains(&value) {
        Ok(value as i16)
    } else {
        Err(AppError::field(
            "status",
            format!("status 的值 {value} 无效"),
        ))
    }
}

/// One page of reports (not deleted), newest first. A page past the end is empty, as Laravel's.
pub async fn list_reports(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &ReportFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<report::Model>)> {
    use report::Column as C;
    let mut cond = Condition::all().add(C::DeletedAt.is_null());
    if let Some(title) = crate::text::non_blank(&filter.title) {
        cond = cond.add(lower_like(
            Expr::col((report::Entity, C::Title)),
            &contains_pattern(title),
        ));
    }
    if let Some(t) = filter.type_id {
        cond = cond.add(C::TypeId.eq(t));
    }
    if let Some(s) = filter.status {
        cond = cond.add(C::Status.eq(status(s, &[0, 1, 2])?));
    }
    if let Some(day) = filter
        .start_date
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        let from =
            parse_day(Name::new("startDate", "start_ctime"), day)?.and_time(chrono::NaiveTime::MIN);
        cond = cond.add(C::PublishTime.gte(from));
    }
    if let Some(day) = filter.end_date.as_deref().filter(|d| !d.trim().is_empty()) {
        // The whole end day counts.
        let until = parse_day(Name::new("endDate", "end_ctime"), day)?
            .succ_opt()
            .unwrap_or(NaiveDate::MAX)
            .and_time(chrono::NaiveTime::MIN);
        cond = cond.add(C::PublishTime.lt(until));
    }
    let query = report::Entity::find().filter(cond);
    counts
        .page(db, query, &[(C::Id, Order::Desc)], page, PastTheEnd::Empty)
        .await
}

/// A report that is not deleted.
pub async fn report(db: &impl ConnectionTrait, id: i32) -> AppResult<report::Model> {
    report::Entity::find_by_id(id)
        .filter(report::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("报告 {id} 不存在")))
}

/// A checked whitelist entry, ready to insert.
struct NewEntry {
    given_user: String,
    given_position: String,
    given_company: String,
    mobile: String,
    read_count: i32,
    state: i16,
}

/// Checks the whitelist entry `name` (its errors name the entry, their messages its field).
fn check_entry(name: Name, e: WhitelistEntryInput) -> AppResult<NewEntry> {
    let Name { field, label } = name;
    let given_position = e.given_position.unwrap_or_default().trim().to_owned();
    // The seed's own curl example puts the phone under given_position and sends no mobile.
    let mobile_text = match e.mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_owned(),
        None if normalize_mobile(&given_position).is_some() => given_position.clone(),
        None => return Err(AppError::field(field, format!("{label}.mobile 不能为空"))),
    };
    let mobile = normalize_mobile(&mobile_text)
        .ok_or_else(|| AppError::field(field, format!("{label}.mobile 格式错误: {mobile_text}")))?;
    let read_count = e
        .read_count
        .ok_or_else(|| AppError::field(field, format!("{label}.read_count 不能为空")))?;
    let read_count_name = (format!("{field}.readCount"), format!("{label}.read_count"));
    Ok(NewEntry {
        given_user: limited(name, e.given_user.unwrap_or_default().trim().to_owned())?,
        given_position: limited(name, given_position)?,
        given_company: limited(name, e.given_company.unwrap_or_default().trim().to_owned())?,
        mobile,
        read_count: count(
            Name::new(&read_count_name.0, &read_count_name.1),
            read_count,
        )?,
        state: match e.state.unwrap_or(0) {
            s @ 0..=1 => s as i16,
            s => {
                return Err(AppError::field(
                    field,
                    format!("{label}.state 的值 {s} 无效"),
                ))
            }
        },
    })
}

fn entry_row(
    report_id: i32,
    e: NewEntry,
    author: &str,
    now: NaiveDateTime,
) -> report_whitelist::ActiveModel {
    report_whitelist::ActiveModel {
        report_id: Set(report_id),
        given_user: Set(e.given_user),
        given_position: Set(e.given_position),
        given_company: Set(e.given_company),
        mobile: Set(e.mobile),
        read_count: Set(e.read_count),
        residue_count: Set(e.read_count),
        state: Set(e.state),
        last_modify_author: Set(author.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Creates a report and its whitelist in one transaction, every value checked first.
pub async fn create_report(
    db: &DatabaseConnection,
    who: &Auth,
    input: CreateReportInput,
    author: &str,
) -> AppResult<report::Model> {
    let title = required_text(Name::alike("title"), input.title)?;
    let cover = required_text(Name::alike("cover"), input.cover)?;
    let intro = required_text(Name::alike("intro"), input.intro)?;
    let directory = required_text(Name::alike("directory"), input.directory)?;
    let file = input
        .file
        .ok_or_else(|| AppError::field("file", "file 不能为空"))?;
    let file_name = required_text(Name::new("file.fileName", "file.file_name"), file.file_name)?;
    let file_src = required_text(Name::alike("file.src"), file.src)?;
    let file_format = required_text(Name::alike("file.format"), file.format)?;
    let file_size = file
        .size
        .ok_or_else(|| AppError::field("file.size", "file.size 不能为空"))?;
    if file_size < 0 {
        return Err(AppError::field("file.size", "file.size 不能为负数"));
    }
    let price_cents = price(
        input
            .price
            .ok_or_else(|| AppError::field("price", "price 不能为空"))?,
    )?;
    let read_count = count(
        READ_COUNT,
        input
            .read_count
            .ok_or_else(|| AppError::field(READ_COUNT.field, "read_count 不能为空"))?,
    )?;
    let report_status = status(
        input
            .status
            .ok_or_else(|| AppError::field("status", "status 不能为空"))?,
        &[0, 1, 2],
    )?;
    let publish = publish_time(report_status, input.publish_time.as_deref())?;
    let short_intro = optional_text(SHORT_INTRO, input.short_intro)?.unwrap_or_default();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (i, e) in input.white_list.unwrap_or_default().into_iter().enumerate() {
        let (field, label) = (format!("whiteList.{i}"), format!("white_list.{i}"));
        let entry = check_entry(Name::new(&field, &label), e)?;
        // A mobile appears once per report: a repeat in the list is skipped, as in an import
        // (the seed's own example body repeats one).
        if seen.insert(entry.mobile.clone()) {
            entries.push(entry);
        }
    }

    let now = db::now();
    audit::write(db, who, "createReport", async |txn, log| {
        let created = report::ActiveModel {
            title: Set(title),
            cover: Set(cover),
            type_id: Set(input.type_id),
            intro: Set(intro),
            directory: Set(directory),
            file_name: Set(file_name),
            file_src: Set(file_src),
            file_format: Set(file_format),
            file_size: Set(file_size),
            price_cents: Set(price_cents),
            read_count: Set(read_count),
            status: Set(report_status),
            publish_time: Set(publish),
            short_intro: Set(short_intro),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let rows: Vec<_> = entries
            .into_iter()
            .map(|e| entry_row(created.id, e, author, now))
            .collect();
        // In batches: one INSERT of thousands of rows would pass the engines' variable limits.
        for batch in rows.chunks(IMPORT_BATCH) {
            report_whitelist::Entity::insert_many(batch.to_vec())
                .exec(txn)
                .await?;
        }
        let created = log.created("report", created.id, created).await?;
        if !rows.is_empty() {
            let details = Map::from_iter([("added".to_owned(), Value::from(rows.len()))]);
            log.details("report_whitelist", created.id, details).await?;
        }
        Ok(created)
    })
    .await
}

/// Applies a partial change to a report.
pub async fn update_report(
    db: &DatabaseConnection,
    who: &Auth,
    id: i32,
    input: UpdateReportInput,
) -> AppResult<report::Model> {
    let current = report(db, id).await?;
    let mut row: report::ActiveModel = current.clone().into();
    if let Some(v) = input.title {
        row.title = Set(required_text(Name::alike("title"), Some(v))?);
    }
    if let Some(v) = input.cover {
        row.cover = Set(required_text(Name::alike("cover"), Some(v))?);
    }
    if let Some(v) = input.intro {
        row.intro = Set(required_text(Name::alike("intro"), Some(v))?);
    }
    if let Some(v) = input.directory {
        row.directory = Set(required_text(Name::alike("directory"), Some(v))?);
    }
    if let Some(v) = input.price {
        row.price_cents = Set(price(v)?);
    }
    if let Some(v) = input.read_count {
        row.read_count = Set(count(READ_COUNT, v)?);
    }
    if let Some(v) = optional_text(SHORT_INTRO, input.short_intro)? {
        row.short_intro = Set(v);
    }
    let new_status = match input.status {
        Some(s) => Some(status(s, &[0, 1, 2])?),
        None => None,
    };
    if let Some(s) = new_status {
        row.status = Set(s);
    }
    match crate::text::non_blank(&input.publish_time) {
        Some(text) => row.publish_time = Set(Some(parse_time(PUBLISH_TIME, text)?)),
        // Going on sale without a time, never published before: now.
        None if new_status == Some(1) && current.publish_time.is_none() => {
            row.publish_time = Set(Some(db::now()))
        }
        None => {}
    }
    if !audit::changes(&row, &current) {
        who.may_read_unchanged("report")?;
        return Ok(current);
    }
    row.updated_at = Set(db::now());
    audit::write(db, who, "updateReport", async |txn, log| {
        let updated = row.update(txn).await?;
        log.updated("report", id, &current, &updated).await?;
        Ok(updated)
    })
    .await
}

/// Deletes a report (kept for the orders that name it; gone from every list).
pub async fn delete_report(
    db: &DatabaseConnection,
    who: &Auth,
    id: i32,
) -> AppResult<report::Model> {
    let current = report(db, id).await?;
    let mut row: report::ActiveModel = current.clone().into();
    row.deleted_at = Set(Some(db::now()));
    audit::write(db, who, "deleteReport", async |txn, log| {
        let deleted = row.update(txn).await?;
        log.updated("report", id, &current, &deleted).await?;
        Ok(deleted)
    })
    .await
}
