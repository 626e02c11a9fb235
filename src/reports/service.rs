//! Rules of paid reports and whitelists, shared by GraphQL and the legacy REST URLs.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use entity::{report, report_whitelist};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::types::{
    CreateReportInput, ImportError, ImportResult, ReportFilter, SheetRow, UpdateReportInput,
    UpdateWhitelistEntryInput, WhitelistEntryInput,
};
use crate::{
    audit::service::{self as audit, Change},
    auth::Auth,
    db::{self, contains_pattern, lower_like, CountCache},
    error::{AppError, AppResult},
    graphql::{money::Money, page::PageArgs},
};
use serde_json::{Map, Value};

/// Rows written per INSERT of an import.
const IMPORT_BATCH: usize = 500;

fn required_text(field: &str, value: Option<String>) -> AppResult<String> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => limited(field, v),
        _ => Err(AppError::field(field, format!("{field} 不能为空"))),
    }
}

fn limited(field: &str, value: String) -> AppResult<String> {
    if value.chars().count() > 10_000 {
        return Err(AppError::field(field, format!("{field} 过长")));
    }
    Ok(value)
}

fn optional_text(field: &str, value: Option<String>) -> AppResult<Option<String>> {
    value
        .map(|v| limited(field, v.trim().to_owned()))
        .transpose()
}

fn count(field: &str, value: i32) -> AppResult<i32> {
    if !(0..=100_000_000).contains(&value) {
        return Err(AppError::field(field, format!("{field} 必须是非负整数")));
    }
    Ok(value)
}

fn price(value: Money) -> AppResult<i64> {
    if value.0 < 0 {
        return Err(AppError::field("price", "price 不能为负数"));
    }
    Ok(value.0)
}

fn parse_time(field: &str, text: &str) -> AppResult<NaiveDateTime> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_err(|_| AppError::field(field, format!("{field} 格式应为 YYYY-MM-DD HH:MM:SS")))
}

fn parse_day(field: &str, text: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, format!("{field} 格式应为 YYYY-MM-DD")))
}

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
        Some(text) => Ok(Some(parse_time("publish_time", text)?)),
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
    if let Some(title) = filter
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
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
        let from = parse_day("start_ctime", day)?.and_time(chrono::NaiveTime::MIN);
        cond = cond.add(C::PublishTime.gte(from));
    }
    if let Some(day) = filter.end_date.as_deref().filter(|d| !d.trim().is_empty()) {
        // The whole end day counts.
        let until = parse_day("end_ctime", day)?
            .succ_opt()
            .unwrap_or(NaiveDate::MAX)
            .and_time(chrono::NaiveTime::MIN);
        cond = cond.add(C::PublishTime.lt(until));
    }
    let query = report::Entity::find().filter(cond);
    counts
        .page(
            db,
            query,
            &[(C::Id, sea_orm::Order::Desc)],
            page,
            crate::db::PastTheEnd::Empty,
        )
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

fn check_entry(field: &str, e: WhitelistEntryInput) -> AppResult<NewEntry> {
    let given_position = e.given_position.unwrap_or_default().trim().to_owned();
    // The seed's own curl example puts the phone under given_position and sends no mobile.
    let mobile_text = match e.mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_owned(),
        None if normalize_mobile(&given_position).is_some() => given_position.clone(),
        None => return Err(AppError::field(field, format!("{field}.mobile 不能为空"))),
    };
    let mobile = normalize_mobile(&mobile_text)
        .ok_or_else(|| AppError::field(field, format!("{field}.mobile 格式错误: {mobile_text}")))?;
    let read_count = e
        .read_count
        .ok_or_else(|| AppError::field(field, format!("{field}.read_count 不能为空")))?;
    Ok(NewEntry {
        given_user: limited(field, e.given_user.unwrap_or_default().trim().to_owned())?,
        given_position: limited(field, given_position)?,
        given_company: limited(field, e.given_company.unwrap_or_default().trim().to_owned())?,
        mobile,
        read_count: count(&format!("{field}.read_count"), read_count)?,
        state: match e.state.unwrap_or(0) {
            s @ 0..=1 => s as i16,
            s => {
                return Err(AppError::field(
                    field,
                    format!("{field}.state 的值 {s} 无效"),
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
    let title = required_text("title", input.title)?;
    let cover = required_text("cover", input.cover)?;
    let intro = required_text("intro", input.intro)?;
    let directory = required_text("directory", input.directory)?;
    let file = input
        .file
        .ok_or_else(|| AppError::field("file", "file 不能为空"))?;
    let file_name = required_text("file.file_name", file.file_name)?;
    let file_src = required_text("file.src", file.src)?;
    let file_format = required_text("file.format", file.format)?;
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
        "read_count",
        input
            .read_count
            .ok_or_else(|| AppError::field("read_count", "read_count 不能为空"))?,
    )?;
    let report_status = status(
        input
            .status
            .ok_or_else(|| AppError::field("status", "status 不能为空"))?,
        &[0, 1, 2],
    )?;
    let publish = publish_time(report_status, input.publish_time.as_deref())?;
    let short_intro = optional_text("short_intro", input.short_intro)?.unwrap_or_default();
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (i, e) in input.white_list.unwrap_or_default().into_iter().enumerate() {
        let entry = check_entry(&format!("white_list.{i}"), e)?;
        // A mobile appears once per report: a repeat in the list is skipped, as in an import
        // (the seed's own example body repeats one).
        if seen.insert(entry.mobile.clone()) {
            entries.push(entry);
        }
    }

    let now = db::now();
    let txn = db::begin_write(db).await?;
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
    .insert(&txn)
    .await?;
    let rows: Vec<_> = entries
        .into_iter()
        .map(|e| entry_row(created.id, e, author, now))
        .collect();
    let entries = rows.len();
    // In batches: one INSERT of thousands of rows would pass the engines' variable limits.
    for batch in rows.chunks(IMPORT_BATCH) {
        report_whitelist::Entity::insert_many(batch.to_vec())
            .exec(&txn)
            .await?;
    }
    let record_id = created.id.to_string();
    let change = Change {
        action: "createReport",
        entity: "report",
        record_id: record_id.clone(),
        before: None,
        after: Some(&created),
    };
    audit::record(&txn, who, change).await?;
    if entries > 0 {
        let details = Map::from_iter([("added".to_owned(), Value::from(entries))]);
        audit::record_raw(
            &txn,
            who.into(),
            "createReport",
            "report_whitelist",
            record_id,
            details,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(created)
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
        row.title = Set(required_text("title", Some(v))?);
    }
    if let Some(v) = input.cover {
        row.cover = Set(required_text("cover", Some(v))?);
    }
    if let Some(v) = input.intro {
        row.intro = Set(required_text("intro", Some(v))?);
    }
    if let Some(v) = input.directory {
        row.directory = Set(required_text("directory", Some(v))?);
    }
    if let Some(v) = input.price {
        row.price_cents = Set(price(v)?);
    }
    if let Some(v) = input.read_count {
        row.read_count = Set(count("read_count", v)?);
    }
    if let Some(v) = optional_text("short_intro", input.short_intro)? {
        row.short_intro = Set(v);
    }
    let new_status = match input.status {
        Some(s) => Some(status(s, &[0, 1, 2])?),
        None => None,
    };
    if let Some(s) = new_status {
        row.status = Set(s);
    }
    match input
        .publish_time
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(text) => row.publish_time = Set(Some(parse_time("publish_time", text)?)),
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
    let txn = db::begin_write(db).await?;
    let updated = row.update(&txn).await?;
    let change = Change {
        action: "updateReport",
        entity: "report",
        record_id: id.to_string(),
        before: Some(&current),
        after: Some(&updated),
    };
    audit::record(&txn, who, change).await?;
    txn.commit().await?;
    Ok(updated)
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
    let txn = db::begin_write(db).await?;
    let deleted = row.update(&txn).await?;
    let change = Change {
        action: "deleteReport",
        entity: "report",
        record_id: id.to_string(),
        before: Some(&current),
        after: Some(&deleted),
    };
    audit::record(&txn, who, change).await?;
    txn.commit().await?;
    Ok(deleted)
}

/// One page of a report's whitelist, oldest first; `search` matches mobile, nickname, company
/// or last modifier (any of them).
pub async fn list_whitelist(
    db: &DatabaseConnection,
    counts: &CountCache,
    report_id: i32,
    search: Option<&str>,
    page: PageArgs,
) -> AppResult<(u64, Vec<report_whitelist::Model>)> {
    use report_whitelist::Column as C;
    report(db, report_id).await?;
    let mut cond = Condition::all().add(C::ReportId.eq(report_id));
    if let Some(text) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
        let mut any = Condition::any();
        for c in [
            C::Mobile,
            C::GivenUser,
            C::GivenCompany,
            C::LastModifyAuthor,
        ] {
            any = any.add(lower_like(
                Expr::col((report_whitelist::Entity, c)),
                &pattern,
            ));
        }
        cond = cond.add(any);
    }
    let query = report_whitelist::Entity::find().filter(cond);
    counts
        .page(
            db,
            query,
            &[(C::Id, sea_orm::Order::Asc)],
            page,
            crate::db::PastTheEnd::Empty,
        )
        .await
}

/// A whitelist entry of a report.
pub async fn whitelist_entry(
    db: &impl ConnectionTrait,
    report_id: i32,
    id: i32,
) -> AppResult<report_whitelist::Model> {
    report(db, report_id).await?;
    report_whitelist::Entity::find_by_id(id)
        .filter(report_whitelist::Column::ReportId.eq(report_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("白名单 {id} 不存在")))
}

fn taken(mobile: &str) -> AppError {
    AppError::Conflict(format!("该手机号已在白名单中: {mobile}"))
}

/// Adds one entry; a mobile already on the report's whitelist is a conflict.
pub async fn add_whitelist_entry(
    db: &DatabaseConnection,
    who: &Auth,
    report_id: i32,
    input: WhitelistEntryInput,
    author: &str,
) -> AppResult<report_whitelist::Model> {
    report(db, report_id).await?;
    let entry = check_entry("white", input)?;
    let mobile = entry.mobile.clone();
    let row = entry_row(report_id, entry, author, db::now());
    let txn = db::begin_write(db).await?;
    let added = match row.insert(&txn).await {
        Ok(m) => m,
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(taken(&mobile));
        }
        Err(e) => return Err(e.into()),
    };
    let change = Change {
        action: "addWhitelistEntry",
        entity: "report_whitelist",
        record_id: added.id.to_string(),
        before: None,
        after: Some(&added),
    };
    audit::record(&txn, who, change).await?;
    txn.commit().await?;
    Ok(added)
}

/// Applies a partial change to an entry, recording who made it and when.
pub async fn update_whitelist_entry(
    db: &DatabaseConnection,
    who: &Auth,
    report_id: i32,
    id: i32,
    input: UpdateWhitelistEntryInput,
    author: &str,
) -> AppResult<report_whitelist::Model> {
    let current = whitelist_entry(db, report_id, id).await?;
    let mut row: report_whitelist::ActiveModel = current.clone().into();
    if let Some(v) = optional_text("given_user", input.given_user)? {
        row.given_user = Set(v);
    }
    if let Some(v) = optional_text("given_position", input.given_position)? {
        row.given_position = Set(v);
    }
    if let Some(v) = optional_text("given_company", input.given_company)? {
        row.given_company = Set(v);
    }
    if let Some(v) = input.residue_count {
        row.residue_count = Set(count("residue_count", v)?);
    }
    if let Some(v) = input.state {
        row.state = Set(match v {
            0 | 1 => v as i16,
            _ => return Err(AppError::field("state", format!("state 的值 {v} 无效"))),
        });
    }
    if !audit::changes(&row, &current) {
        who.may_read_unchanged("report_whitelist")?;
        return Ok(current);
    }
    row.last_modify_author = Set(author.to_owned());
    row.updated_at = Set(db::now());
    let txn = db::begin_write(db).await?;
    let updated = row.update(&txn).await?;
    let change = Change {
        action: "updateWhitelistEntry",
        entity: "report_whitelist",
        record_id: id.to_string(),
        before: Some(&current),
        after: Some(&updated),
    };
    audit::record(&txn, who, change).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Header names a whitelist sheet may use, per field.
const HEADERS: &[(&str, &[&str])] = &[
    ("given_user", &["昵称", "姓名", "given_user"]),
    ("given_position", &["职位", "given_position"]),
    ("given_company", &["公司", "企业", "given_company"]),
    ("mobile", &["电话", "手机号", "手机", "mobile"]),
    ("read_count", &["阅读次数", "read_count"]),
];

/// The example sheet's header row.
pub const TEMPLATE_HEADERS: &[&str] = &["昵称", "职位", "公司", "电话", "阅读次数"];

/// Column of each field in a header row; mobile and read_count are required.
fn columns(header: &[String]) -> AppResult<[Option<usize>; 5]> {
    let mut found = [None; 5];
    for (i, (_, names)) in HEADERS.iter().enumerate() {
        found[i] = header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    }
    if found[3].is_none() || found[4].is_none() {
        return Err(AppError::field(
            "file",
            "表头缺少必需的列: 电话, 阅读次数 (示例表见 GET /api/white/example)",
        ));
    }
    Ok(found)
}

/// A sheet's rows as whitelist rows: each valid row, or its row number and why it failed.
pub fn sheet_rows(cells: &[Vec<String>]) -> AppResult<Vec<Result<SheetRow, ImportError>>> {
    let Some((header, data)) = cells.split_first() else {
        return Err(AppError::field("file", "表格为空"));
    };
    let cols = columns(header)?;
    let cell = |row: &[String], i: usize| -> String {
        cols[i]
            .and_then(|c| row.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(data.len());
    for (i, row) in data.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i as i32 + 2;
        let fail = |reason: String| Err(ImportError { row: line, reason });
        let mobile_text = cell(row, 3);
        let Some(mobile) = normalize_mobile(&mobile_text) else {
            out.push(fail(format!("电话格式错误: {mobile_text:?}")));
            continue;
        };
        let read_text = cell(row, 4);
        let read_count = read_text
            .strip_suffix(".0")
            .unwrap_or(&read_text)
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=100_000_000).contains(n));
        let Some(read_count) = read_count else {
            out.push(fail(format!("阅读次数必须是非负整数: {read_text:?}")));
            continue;
        };
        let texts = [cell(row, 0), cell(row, 1), cell(row, 2)];
        if texts.iter().any(|t| t.chars().count() > 200) {
            out.push(fail("昵称、职位或公司过长 (最多 200 字)".into()));
            continue;
        }
        let [given_user, given_position, given_company] = texts;
        out.push(Ok(SheetRow {
            given_user,
            given_position,
            given_company,
            mobile,
            read_count,
        }));
    }
    Ok(out)
}

/// Imports a sheet into a report's whitelist: all its new rows in one transaction, written in
/// batches. Rows whose mobile is already there (or earlier in the file) are repeats, so a second
/// import of the same file adds nothing.
pub async fn import_whitelist(
    db: &DatabaseConnection,
    who: &Auth,
    report_id: i32,
    cells: Vec<Vec<String>>,
    author: &str,
) -> AppResult<ImportResult> {
    report(db, report_id).await?;
    let rows = sheet_rows(&cells)?;
    let mut result = ImportResult {
        total: rows.len() as i32,
        success: 0,
        repeat: 0,
        error: 0,
        errors: Vec::new(),
    };
    let mut fresh = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        match row {
            Err(e) => {
                result.error += 1;
                result.errors.push(e);
            }
            Ok(r) if !seen.insert(r.mobile.clone()) => result.repeat += 1,
            Ok(r) => fresh.push(r),
        }
    }
    let now = db::now();
    let txn = db::begin_write(db).await?;
    let existing: HashSet<String> = report_whitelist::Entity::find()
        .select_only()
        .column(report_whitelist::Column::Mobile)
        .filter(report_whitelist::Column::ReportId.eq(report_id))
        .into_tuple::<String>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let (new, repeated): (Vec<_>, Vec<_>) = fresh
        .into_iter()
        .partition(|r| !existing.contains(&r.mobile));
    result.repeat += repeated.len() as i32;
    for batch in new.chunks(IMPORT_BATCH) {
        let models = batch.iter().cloned().map(|r| {
            entry_row(
                report_id,
                NewEntry {
                    given_user: r.given_user,
                    given_position: r.given_position,
                    given_company: r.given_company,
                    mobile: r.mobile,
                    read_count: r.read_count,
                    state: 0,
                },
                author,
                now,
            )
        });
        // A concurrent import may have added some mobiles since the read: they count as repeats.
        let inserted = report_whitelist::Entity::insert_many(models)
            .on_conflict_do_nothing_on([
                report_whitelist::Column::ReportId,
                report_whitelist::Column::Mobile,
            ])
            .exec_without_returning(&txn)
            .await?;
        let inserted = match inserted {
            sea_orm::TryInsertResult::Inserted(n) => n as i32,
            _ => 0,
        };
        result.success += inserted;
        result.repeat += batch.len() as i32 - inserted;
    }
    let details = Map::from_iter(
        [
            ("total", result.total),
            ("success", result.success),
            ("repeat", result.repeat),
            ("error", result.error),
        ]
        .map(|(k, v)| (k.to_owned(), Value::from(v))),
    );
    audit::record_raw(
        &txn,
        who.into(),
        "importWhitelist",
        "report_whitelist",
        report_id.to_string(),
        details,
    )
    .await?;
    txn.commit().await?;
    Ok(result)
}

/// Entry ids one export may name: each is a bound parameter of its statement, and engines cap
/// those (PostgreSQL at 65,535, SQLite at 32,766). An export of more is an export of all.
pub const MAX_EXPORT_IDS: usize = 10_000;

/// Refuses more than [`MAX_EXPORT_IDS`] ids, naming `field`.
pub fn check_export_ids(field: &str, ids: &[i32]) -> AppResult<()> {
    if ids.len() > MAX_EXPORT_IDS {
        return Err(AppError::field(
            field,
            format!("{field} 最多 {MAX_EXPORT_IDS} 个 (导出全部时不传)"),
        ));
    }
    Ok(())
}

/// Rows of a report's whitelist for export, `first` after id `after`, by id: the given ids (at
/// most [`MAX_EXPORT_IDS`]), or all of them.
pub async fn whitelist_for_export(
    db: &DatabaseConnection,
    report_id: i32,
    ids: Option<Vec<i32>>,
    after: Option<i32>,
    first: u64,
) -> AppResult<Vec<report_whitelist::Model>> {
    if let Some(ids) = &ids {
        check_export_ids("ids", ids)?;
    }
    report(db, report_id).await?;
    let mut query =
        report_whitelist::Entity::find().filter(report_whitelist::Column::ReportId.eq(report_id));
    if let Some(ids) = ids {
        query = query.filter(report_whitelist::Column::Id.is_in(ids));
    }
    // Keyset paging: each page starts where the last ended, by the primary key, so the last
    // page of a large whitelist costs what the first does.
    if let Some(after) = after {
        query = query.filter(report_whitelist::Column::Id.gt(after));
    }
    Ok(query
        .order_by_asc(report_whitelist::Column::Id)
        .limit(first)
        .all(db)
        .await?)
}
