//! Rules of the payer CRM, shared by GraphQL and the legacy REST URLs.

use async_graphql::MaybeUndefined;
use chrono::NaiveDate;
use entity::{course_enrollment, student, user_info, visit_record};
use sea_orm::{
    sea_query::{
        Expr, ExprTrait, Query, SelectStatement, SimpleExpr, SubQueryStatement, UnionType,
    },
    ActiveModelTrait, ColumnTrait, Condition, DatabaseBackend, DatabaseConnection, EntityTrait,
    Order, QueryFilter, Set,
};

use super::types::{
    CreateVisitRecordInput, PayerFilter, UpdatePayerInput, DEEP_CONSUME, FOLLOW_UP, SEX,
};
use crate::{
    audit::service as audit,
    auth::Auth,
    db::{column_where, contains_pattern, lower_like, set_given, CountCache, PastTheEnd},
    error::{AppError, AppResult},
    graphql::{
        joins::{Joined, Joins},
        page::PageArgs,
    },
};

/// One page of paid users, newest first, with the to-one objects of `joins`, and how many
/// match in all.
pub async fn list_payers(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &PayerFilter,
    page: PageArgs,
    joins: &Joins<user_info::Entity>,
) -> AppResult<(u64, Vec<Joined<user_info::Model>>)> {
    use user_info::Column as C;
    let mut cond = Condition::all().add(C::IsPay.eq(true));
    if let Some(kw) = crate::text::non_blank(&filter.kw) {
        let backend = db.get_database_backend();
        cond = cond.add(if kw.chars().count() < MIN_INDEXED_KW {
            short_kw(kw)
        } else if backend == DatabaseBackend::Postgres {
            let ids = matching_kw(backend, kw);
            // As an array computed first: as `IN (…)` the planner walks the primary key
            // backwards through a million rows looking for the page's twenty (BENCHMARKS.md, S4).
            let ids = Expr::from(SubQueryStatement::SelectStatement(ids));
            let id = Expr::col((user_info::Entity, C::Id));
            Expr::cust_with_exprs("$1 = ANY(ARRAY $2)", [id, ids])
        } else {
            C::Id.in_subquery(matching_kw(backend, kw))
        });
    }
    if let Some(star) = filter.star {
        cond = cond.add(C::Star.eq(star));
    }
    if let Some(course) = filter.course {
        let enrolled = column_where(
            course_enrollment::Column::UserInfoId,
            course_enrollment::Column::CourseId.eq(course),
        );
        cond = cond.add(C::Id.in_subquery(enrolled));
    }
    if let Some(extent) = crate::text::non_blank(&filter.extent) {
        cond = cond.add(C::LearnExtent.eq(extent));
    }
    let query = user_info::Entity::find().filter(cond);
    counts
        .page_joined(
            db,
            query,
            &[(C::Id, sea_orm::Order::Desc)],
            page,
            crate::db::PastTheEnd::NotFound,
            (joins, crate::graphql::joins::Joined::read_at),
        )
        .await
}

/// The shortest keyword the trigram indexes can serve.
const MIN_INDEXED_KW: usize = 3;

/// A keyword too short for a trigram (a surname, two digits), tested row by row: the phone,
/// name, real name, bound account or student's WeChat nickname contains it (case-insensitively).
/// No index serves it, so the page walks the users newest first and stops at its rows: short
/// keywords match often, and a union of full scans (the indexed path's shape) would read every
/// row for every page (0.9 s a page at scale 10, against 20–30 ms this way; BENCHMARKS.md).
fn short_kw(kw: &str) -> SimpleExpr {
    use user_info::Column as C;
    let pattern = contains_pattern(kw);
    let column = |c: C| Expr::col((user_info::Entity, c));
    // A scalar subquery, looked up by primary key for each row walked: PostgreSQL turns an
    // `EXISTS` here into a hashed set of every matching student, a full scan per page.
    let nickname = Query::select()
        .column((student::Entity, student::Column::Nickname))
        .from(student::Entity)
        .and_where(
            Expr::col((student::Entity, student::Column::Id))
                .equals((user_info::Entity, C::StudentId)),
        )
        .to_owned();
    lower_like(column(C::Owner), &pattern)
        .or(lower_like(column(C::Name), &pattern))
        .or(lower_like(column(C::Realname), &pattern))
        .or(lower_like(column(C::BindAccount), &pattern))
        .or(lower_like(
            Expr::from(SubQueryStatement::SelectStatement(nickname)),
            &pattern,
        ))
}

/// The ids of the users whose phone, name, real name, bound account or student's WeChat
/// nickname contains `kw` (case-insensitively, `kw` of at least [`MIN_INDEXED_KW`]
/// characters), written so that the trigram indexes of migration `payer_search` serve it: on
/// SQLite a match in the FTS5 table, on PostgreSQL a union of one `LIKE` per indexed column
/// (an `OR` across a join would read every row).
fn matching_kw(backend: DatabaseBackend, kw: &str) -> SelectStatement {
    use user_info::Column as C;
    if backend == DatabaseBackend::Sqlite {
        // A phrase of the trigram tokenizer matches substrings, case-folded.
        let phrase = format!("\"{}\"", kw.replace('"', "\"\""));
        return Query::select()
            .expr(Expr::cust("rowid"))
            .from("payer_search")
            .and_where(Expr::cust_with_values("payer_search MATCH ?", [phrase]))
            .to_owned();
    }
    let pattern = contains_pattern(kw);
    let mut ids = Query::select();
    ids.column((user_info::Entity, C::Id))
        .from(user_info::Entity)
        .and_where(lower_like(
            Expr::col((user_info::Entity, C::Owner)),
            &pattern,
        ));
    for column in [C::Name, C::Realname, C::BindAccount] {
        ids.union(
            UnionType::Distinct,
            Query::select()
                .column((user_info::Entity, C::Id))
                .from(user_info::Entity)
                .and_where(lower_like(Expr::col((user_info::Entity, column)), &pattern))
                .to_owned(),
        );
    }
    ids.union(
        UnionType::Distinct,
        Query::select()
            .column((user_info::Entity, C::Id))
            .from(user_info::Entity)
            .inner_join(
                student::Entity,
                Expr::col((student::Entity, student::Column::Id))
                    .equals((user_info::Entity, C::StudentId)),
            )
            .and_where(lower_like(
                Expr::col((student::Entity, student::Column::Nickname)),
                &pattern,
            ))
            .to_owned(),
    );
    ids.to_owned()
}

/// Checks a choice field's value against its list.
fn choice(
    field: &str,
    choices: &[(&str, &str)],
    value: MaybeUndefined<String>,
) -> AppResult<MaybeUndefined<String>> {
    if let MaybeUndefined::Value(v) = &value {
        if !choices.iter().any(|(c, _)| c == v) {
            return Err(AppError::field(
                field,
                format!("\"{v}\" is not a valid choice."),
            ));
        }
    }
    Ok(value)
}

/// The new value of an optional column from a partial-update field: none when absent, `None`
/// (cleared) when null.
fn set_opt<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// A required column cannot be cleared.
fn required<T>(field: &str, value: MaybeUndefined<T>) -> AppResult<Option<T>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(AppError::field(field, "This field may not be null.")),
        MaybeUndefined::Value(v) => Ok(Some(v)),
    }
}

/// Applies a partial update to the paid user named by `username` and returns it.
/// Every value is checked before anything is written; one UPDATE writes them all.
pub async fn update_payer(
    db: &DatabaseConnection,
    who: &Auth,
    input: UpdatePayerInput,
) -> AppResult<user_info::Model> {
    let username = not_blank("username", &input.username)?;
    let star = required("star", input.star)?;
    let age = required("age", input.age)?;
    if let Some(age) = age {
        if !(0..=150).contains(&age) {
            return Err(AppError::field(
                "age",
                "Ensure this value is between 0 and 150.",
            ));
        }
    }
    let sex = choice("sex", SEX, input.sex)?;
    let follow_up = choice("followUp", FOLLOW_UP, input.follow_up)?;
    let deep_consume = choice("deepConsume", DEEP_CONSUME, input.deep_consume)?;
    for (field, value) in [("realname", &input.realname), ("city", &input.city)] {
        if let MaybeUndefined::Value(v) = value {
            if v.chars().count() > 64 {
                return Err(AppError::field(
                    field,
                    "Ensure this field has no more than 64 characters.",
                ));
            }
        }
    }

    audit::write(db, who, "updatePayer", async |txn, log| {
        let existing = user_info::Entity::find()
            .filter(user_info::Column::Owner.eq(&username))
            .filter(user_info::Column::IsPay.eq(true))
            .one(txn)
            .await?
            .ok_or_else(|| AppError::NotFound("Not found.".into()))?;

        let mut row: user_info::ActiveModel = existing.clone().into();
        set_given(&mut row.star, star);
        set_given(&mut row.age, age);
        set_given(&mut row.realname, set_opt(input.realname));
        set_given(&mut row.sex, set_opt(sex));
        set_given(&mut row.city, set_opt(input.city));
        set_given(&mut row.remark, set_opt(input.remark));
        set_given(&mut row.follow_up, set_opt(follow_up));
        set_given(&mut row.deep_consume, set_opt(deep_consume));
        if !audit::changes(&row, &existing) {
            who.may_read_unchanged("user_info")?;
            log.roll_back();
            return Ok(existing);
        }
        let updated = row.update(txn).await?;
        log.updated("user_info", updated.id, &existing, &updated)
            .await?;
        Ok(updated)
    })
    .await
}

/// Visit records of `contact`, newest first.
pub async fn list_visit_records(
    db: &DatabaseConnection,
    counts: &CountCache,
    contact: &str,
    page: PageArgs,
) -> AppResult<(u64, Vec<visit_record::Model>)> {
    let contact = contact.trim();
    if contact.is_empty() {
        return Err(AppError::field("contact", "This field is required."));
    }
    let query = visit_record::Entity::find().filter(visit_record::Column::Contact.eq(contact));
    let order = [(visit_record::Column::Id, Order::Desc)];
    counts
        .page(db, query, &order, page, PastTheEnd::NotFound)
        .await
}

/// Parses `2018-05-05` or `2018-5-5`.
fn parse_day(text: &str) -> Option<NaiveDate> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4
        || !all_digits(y)
        || !all_digits(m)
        || !all_digits(d)
        || m.len() > 2
        || d.len() > 2
    {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `text` trimmed, refused as DRF refuses a blank required field.
fn not_blank(field: &str, text: &str) -> AppResult<String> {
    match text.trim() {
        "" => Err(AppError::field(field, "This field may not be blank.")),
        text => Ok(text.to_owned()),
    }
}

/// Records a visit.
pub async fn create_visit_record(
    db: &DatabaseConnection,
    who: &Auth,
    input: CreateVisitRecordInput,
) -> AppResult<visit_record::Model> {
    let contact = not_blank("contact", &input.contact)?;
    if contact.chars().count() > 64 {
        return Err(AppError::field(
            "contact",
            "Ensure this field has no more than 64 characters.",
        ));
    }
    let visit_time = match input.visit_time.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(parse_day(text).ok_or_else(|| {
            AppError::field(
                "visitTime",
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            )
        })?),
    };
    audit::write(db, who, "createVisitRecord", async |txn, log| {
        let record = visit_record::ActiveModel {
            contact: Set(contact),
            detail: Set(input.detail),
            visit_time: Set(visit_time),
            created_at: Set(crate::db::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        log.created("visit_record", record.id, record).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_with_or_without_padding() {
        let day = NaiveDate::from_ymd_opt(2018, 5, 5);
        assert_eq!(parse_day("2018-5-5"), day);
        assert_eq!(parse_day("2018-05-05"), day);
        assert_eq!(parse_day("2018-13-05"), None);
        assert_eq!(parse_day("18-5-5"), None);
        assert_eq!(parse_day("2018/5/5"), None);
        assert_eq!(parse_day("2018-5-5-1"), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("A_b%"), "%a\\_b\\%%");
    }
}
