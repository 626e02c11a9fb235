//! Whitelists: entries one by one, sheets imported and exported.

use super::*;

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
        .page(db, query, &[(C::Id, Order::Asc)], page, PastTheEnd::Empty)
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

fn taken_message(mobile: &str) -> String {
    format!("该手机号已在白名单中: {mobile}")
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
    let entry = check_entry(Name::new("input", "white"), input)?;
    let mobile = entry.mobile.clone();
    let row = entry_row(report_id, entry, author, db::now());
    audit::write(db, who, "addWhitelistEntry", async |txn, log| {
        let added = row
            .insert(txn)
            .await
            .map_err(|e| db::conflict_on_unique(e, &taken_message(&mobile)))?;
        log.created("report_whitelist", added.id, added).await
    })
    .await
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
    if let Some(v) = optional_text(Name::new("givenUser", "given_user"), input.given_user)? {
        row.given_user = Set(v);
    }
    if let Some(v) = optional_text(
        Name::new("givenPosition", "given_position"),
        input.given_position,
    )? {
        row.given_position = Set(v);
    }
    if let Some(v) = optional_text(
        Name::new("givenCompany", "given_company"),
        input.given_company,
    )? {
        row.given_company = Set(v);
    }
    if let Some(v) = input.residue_count {
        row.residue_count = Set(count(Name::new("residueCount", "residue_count"), v)?);
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
    audit::write(db, who, "updateWhitelistEntry", async |txn, log| {
        let updated = row.update(txn).await?;
        log.updated("report_whitelist", id, &current, &updated)
            .await?;
        Ok(updated)
    })
    .await
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
            "表头缺少必需的列: 电话, 阅读次数 (格式同示例表)",
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
    audit::write(db, who, "importWhitelist", async |txn, log| {
        let existing: HashSet<String> = report_whitelist::Entity::find()
            .select_only()
            .column(report_whitelist::Column::Mobile)
            .filter(report_whitelist::Column::ReportId.eq(report_id))
            .into_tuple::<String>()
            .all(txn)
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
            // A concurrent import may have added some mobiles since the read: they count as
            // repeats.
            let inserted = report_whitelist::Entity::insert_many(models)
                .on_conflict_do_nothing_on([
                    report_whitelist::Column::ReportId,
                    report_whitelist::Column::Mobile,
                ])
                .exec_without_returning(txn)
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
        log.details("report_whitelist", report_id, details).await?;
        Ok(result)
    })
    .await
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
