//! Rules of customers and orders, shared by GraphQL and the legacy REST URLs. Days in filters
//! are China days (UTC+8), the legacy system's; times are Unix seconds.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeZone};
use entity::{customer, order_usage, payment_order};
use sea_orm::{
    sea_query::{Expr, LikeExpr},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order as SortOrder, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::types::{
    Customer, CustomerFilter, CustomerKind, OrderFilter, OrderStat, ReportCustomer, StatsGroup,
};
use crate::{
    db::{column_where, CountCache},
    error::{AppError, AppResult},
    graphql::{
        joins::{Joined, Joins},
        money::Money,
        page::PageArgs,
    },
};

use crate::db::china;

/// The stored (naive China) time of Unix seconds.
fn naive(t: i64) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|t| t.with_timezone(&china()).naive_local())
        .unwrap_or_default()
}

fn day_start(day: NaiveDate) -> i64 {
    china()
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

/// How errors name a period's two days: each as (GraphQL field, the label its messages use).
type DayNames = [(&'static str, &'static str); 2];

/// A filter's `startDate` and `endDate`, labelled in messages as the legacy parameters.
const FILTER_DAYS: DayNames = [("startDate", "start_date"), ("endDate", "end_date")];

/// `orderStats`' `from` and `to`.
const STATS_DAYS: DayNames = [("from", "from"), ("to", "to")];

/// `[start, end]` as Unix seconds `[from, until)`: `start` required, `end` today by default.
fn period(start: Option<&str>, end: Option<&str>, names: DayNames) -> AppResult<(i64, i64)> {
    let [(start_field, start_label), (end_field, end_label)] = names;
    let parse = |(field, label): (&str, &str), text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field(field, format!("{label} 格式应为 YYYY-MM-DD")))
    };
    let start = match start.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse(names[0], s)?,
        None => {
            return Err(AppError::field(
                start_field,
                format!("{start_label} 不能为空"),
            ))
        }
    };
    let end = match end.map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => parse(names[1], e)?,
        None => chrono::Utc::now().with_timezone(&china()).date_naive(),
    };
    if end < start {
        return Err(AppError::field(
            end_field,
            format!("{end_label} 不能早于 {start_label}"),
        ));
    }
    let until = end.succ_opt().unwrap_or(NaiveDate::MAX);
    Ok((day_start(start), day_start(until)))
}

/// `text%`, with LIKE's wildcards escaped (CONTRACT.md §13: prefix search).
fn prefix_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}%")
}

/// Orders checked out from `from` until `until` (Unix seconds), the bounds in the statement's
/// text ([`crate::db::literal`]).
fn checked_out(from: i64, until: i64) -> Condition {
    // Scoped: ExprTrait's `max` would shadow `Ord::max` elsewhere in this file.
    use sea_orm::sea_query::ExprTrait;
    let checkout = || Expr::col((payment_order::Entity, payment_order::Column::CheckoutAt));
    Condition::all()
        .add(checkout().gte(crate::db::literal(from)))
        .add(checkout().lt(crate::db::literal(until)))
}

fn order_condition(filter: &OrderFilter, (from, until): (i64, i64)) -> AppResult<Condition> {
    // Scoped: ExprTrait's `max` would shadow `Ord::max` elsewhere in this file.
    use payment_order::Column as C;
    use sea_orm::sea_query::ExprTrait;
    let mut cond = checked_out(from, until);
    match filter.state.unwrap_or(0) {
        0 => {}
        s @ 1..=3 => cond = cond.add(C::State.eq(s)),
        s => return Err(AppError::field("state", format!("state 的值 {s} 无效"))),
    }
    let expend = match filter.usage_expend_status.unwrap_or(0) {
        0 => None,
        1 => Some(1),
        2 => Some(0),
        s => {
            return Err(AppError::field(
                "usageExpendStatus",
                format!("usage_expend_status 的值 {s} 无效"),
            ))
        }
    };
    if let Some(e) = expend {
        let ids = column_where(
            order_usage::Column::OrderId,
            order_usage::Column::ExpendStatus.eq(e),
        );
        cond = cond.add(C::Id.in_subquery(ids));
    }
    for (column, value) in [
        (C::Number, &filter.number),
        (C::ThirdTradeNum, &filter.third_trade_num),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            cond = cond.add(
                Expr::col((payment_order::Entity, column))
                    .like(LikeExpr::new(prefix_pattern(v)).escape('\\')),
            );
        }
    }
    Ok(cond)
}

/// A page of orders and their total, with the to-one objects of `joins`.
pub type OrderRows = (u64, Vec<Joined<payment_order::Model>>);

/// Which orders a page lists.
pub enum OrderScope<'a> {
    /// Those checked out in the filter's period that meet its conditions.
    Filter(&'a OrderFilter),
    /// One customer's (not found when there is no such customer).
    Customer(i32),
}

/// A page of the orders of `scope`, newest first (ties by id), with the to-one objects of
/// `joins`.
pub async fn orders(
    db: &DatabaseConnection,
    counts: &CountCache,
    scope: OrderScope<'_>,
    page: PageArgs,
    joins: &Joins<payment_order::Entity>,
) -> AppResult<OrderRows> {
    let cond = match scope {
        OrderScope::Filter(filter) => {
            let range = period(
                filter.start_date.as_deref(),
                filter.end_date.as_deref(),
                FILTER_DAYS,
            )?;
            order_condition(filter, range)?
        }
        OrderScope::Customer(id) => {
            customer_row(db, id).await?;
            Condition::all().add(payment_order::Column::CustomerId.eq(id))
        }
    };
    let query = payment_order::Entity::find().filter(cond);
    counts
        .page_joined(
            db,
            query,
            &[
                (payment_order::Column::CheckoutAt, sea_orm::Order::Desc),
                (payment_order::Column::Id, sea_orm::Order::Asc),
            ],
            page,
            crate::db::PastTheEnd::Empty,
            (joins, crate::graphql::joins::Joined::read_at),
        )
        .await
}

/// One order by number.
pub async fn order(db: &DatabaseConnection, number: &str) -> AppResult<payment_order::Model> {
    payment_order::Entity::find()
        .filter(payment_order::Column::Number.eq(number.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("订单 {number} 不存在")))
}

async fn customer_row(db: &DatabaseConnection, id: i32) -> AppResult<customer::Model> {
    customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("用户 {id} 不存在")))
}

/// Completed orders per customer: (customer, count, cents, latest payment).
fn payment_totals() -> sea_orm::Select<payment_order::Entity> {
    payment_order::Entity::find()
        .select_only()
        .column(payment_order::Column::CustomerId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(total_cents), 0) AS BIGINT)"),
            "cents",
        )
        .column_as(Expr::cust("MAX(paid_at)"), "last")
        .filter(payment_order::Column::State.eq(3))
        .group_by(payment_order::Column::CustomerId)
}

/// A customer with its payments over all time.
pub async fn customer_totals(db: &DatabaseConnection, id: i32) -> AppResult<Customer> {
    let found = customer_row(db, id).await?;
    let totals: Option<(i32, i64, i64, i64)> = payment_totals()
        .filter(payment_order::Column::CustomerId.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    let mut out = Customer::of(found);
    if let Some((_, n, cents, last)) = totals {
        (out.payment_count, out.payment_total, out.last_payment_at) = (n, Money(cents), last);
    }
    Ok(out)
}

/// Customers with payments (or whitelist entries) in the filter's period, latest first.
pub async fn list_customers(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &CustomerFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<Customer>)> {
    let (from, until) = period(
        filter.start_date.as_deref(),
        filter.end_date.as_deref(),
        FILTER_DAYS,
    )?;
    let mobile = crate::text::non_blank(&filter.mobile);
    match filter.kind {
        CustomerKind::Orders => {
            let mut query = payment_totals().filter(checked_out(from, until));
            if let Some(m) = mobile {
                let ids = column_where(customer::Column::Id, customer::Column::Mobile.eq(m));
                query = query.filter(payment_order::Column::CustomerId.in_subquery(ids));
            }
            let total = counts.count(db, &query).await?;
            let rows: Vec<(i32, i64, i64, i64)> = query
                .order_by(Expr::cust("MAX(paid_at)"), SortOrder::Desc)
                .order_by_asc(payment_order::Column::CustomerId)
                .offset(page.offset())
                .limit(page.page_size)
                .into_tuple()
                .all(db)
                .await?;
            let out = with_customers(
                db,
                rows,
                |r| r.0,
                |mut c, (_, n, cents, last)| {
                    (c.payment_count, c.payment_total, c.last_payment_at) = (n, Money(cents), last);
                    c
                },
            )
            .await?;
            Ok((total, out))
        }
        CustomerKind::Whitelist => {
            // Grouped, sorted and paged in SQL: a report may whitelist hundreds of thousands
            // of mobiles, which neither fit a statement's parameters nor belong in memory.
            let backend = db.get_database_backend();
            let created = crate::db::unix_seconds_sql(backend, "w.created_at");
            let mut values: Vec<sea_orm::Value> = vec![naive(from).into(), naive(until).into()];
            let by_mobile = match mobile {
                Some(m) => {
                    values.push(m.to_owned().into());
                    " AND w.mobile = $3"
                }
                None => "",
            };
            // A customer counts the entries of its mobile; "latest" is never before 0 (the
            // legacy fold started there).
            let grouped = format!(
                "SELECT c.id AS customer_id, COUNT(*) AS n, CAST(0 AS BIGINT) AS m,
                        CASE WHEN MAX({created}) > 0 THEN MAX({created}) ELSE 0 END AS last_at
                 FROM report_whitelist w JOIN customer c ON c.mobile = w.mobile
                 WHERE w.created_at >= $1 AND w.created_at < $2{by_mobile}
                 GROUP BY c.id"
            );
            let page = grouped_page(db, &grouped, values, page).await?;
            let out = with_customers(
                db,
                page.rows,
                |r| r.customer_id,
                |mut c, r| {
                    (c.payment_count, c.last_payment_at) = (r.n, r.last_at);
                    c
                },
            )
            .await?;
            Ok((page.total, out))
        }
    }
}

/// One customer's row of a grouped query: its id, a count or sum, a second sum, and its
/// latest time (Unix seconds), which the page is sorted by.
#[derive(Debug, sea_orm::FromQueryResult)]
struct GroupedRow {
    customer_id: i32,
    n: i64,
    m: i64,
    last_at: i64,
}

/// A page of a grouped query and the number of its groups.
struct GroupedPage {
    total: u64,
    rows: Vec<GroupedRow>,
}

/// The page of `grouped` (a `SELECT customer_id, n[, m], last_at … GROUP BY …` taking
/// `values` as `$1…`), latest first, ties by customer id, with the number of groups counted in
/// the same statement (a window over the groups); only a page past the end counts apart.
async fn grouped_page(
    db: &DatabaseConnection,
    grouped: &str,
    values: Vec<sea_orm::Value>,
    page: PageArgs,
) -> AppResult<GroupedPage> {
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
    #[derive(sea_orm::FromQueryResult)]
    struct Counted {
        #[sea_orm(nested)]
        row: GroupedRow,
        total: i64,
    }
    let backend = db.get_database_backend();
    // The window in the text, not bound: its plan is then reused ([`crate::db::with_window`]).
    let sql = format!(
        "SELECT g.*, COUNT(*) OVER () AS total FROM ({grouped}) g
         ORDER BY g.last_at DESC, g.customer_id ASC LIMIT {} OFFSET {}",
        page.page_size,
        page.offset()
    );
    let counted =
        Counted::find_by_statement(Statement::from_sql_and_values(backend, sql, values.clone()))
            .all(db)
            .await?;
    let total = match counted.first() {
        Some(first) => first.total as u64,
        None if page.offset() == 0 => 0,
        None => {
            let sql = format!("SELECT COUNT(*) AS total FROM ({grouped}) g");
            let stmt = Statement::from_sql_and_values(backend, sql, values);
            let row = db.query_one_raw(stmt).await?;
            row.map(|r| r.try_get::<i64>("", "total"))
                .transpose()?
                .unwrap_or(0) as u64
        }
    };
    Ok(GroupedPage {
        total,
        rows: counted.into_iter().map(|c| c.row).collect(),
    })
}

/// Each of a page's `rows` with its customer, made into `T` by `make` (the customers read in
/// one statement); a row whose customer is gone is left out.
async fn with_customers<R, T>(
    db: &DatabaseConnection,
    rows: Vec<R>,
    customer_id: impl Fn(&R) -> i32,
    make: impl Fn(Customer, R) -> T,
) -> AppResult<Vec<T>> {
    let people: HashMap<i32, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(rows.iter().map(&customer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let customer = Customer::of(people.get(&customer_id(&r))?.clone());
            Some(make(customer, r))
        })
        .collect())
}

/// The users of a report: buyers (completed orders) and whitelisted customers, with reads
/// used and left, latest first. Summed, sorted and paged in SQL, whatever the whitelist's size.
pub async fn report_customers(
    db: &DatabaseConnection,
    report_id: i32,
    page: PageArgs,
) -> AppResult<(u64, Vec<ReportCustomer>)> {
    crate::reports::service::report(db, report_id).await?;
    let created = crate::db::unix_seconds_sql(db.get_database_backend(), "w.created_at");
    // Per completed order of the report (whose customer exists): reads used (granted − left,
    // never below 0) and left; per whitelist entry whose mobile is a customer's: the same from
    // its counts. Only the orders are joined to the customers by id: the whitelist's rows
    // already come from a customer, and a second join of 200,000 of them cost a quarter of
    // the statement (PostgreSQL, 200,000 rows: 1.56 s -> 1.15 s).
    // "Latest" is the payment or the whitelisting, never before 0 (the legacy fold's start).
    let grouped = format!(
        "SELECT u.customer_id, SUM(u.used) AS n, SUM(u.unused) AS m,
                CASE WHEN MAX(u.at) > 0 THEN MAX(u.at) ELSE 0 END AS last_at
         FROM (
           SELECT o.customer_id,
                  CASE WHEN COALESCE(g.quantity_count, 0) > COALESCE(g.available_count, 0)
                       THEN COALESCE(g.quantity_count, 0) - COALESCE(g.available_count, 0)
                       ELSE 0 END AS used,
                  COALESCE(g.available_count, 0) AS unused,
                  o.paid_at AS at
           FROM payment_order o
           JOIN order_item i ON i.order_id = o.id
           JOIN customer p ON p.id = o.customer_id
           LEFT JOIN order_usage g ON g.order_id = o.id
           WHERE i.report_id = $1 AND o.state = 3
           UNION ALL
           SELECT c.id,
                  CASE WHEN w.read_count > w.residue_count THEN w.read_count - w.residue_count
                       ELSE 0 END,
                  w.residue_count,
                  {created}
           FROM report_whitelist w JOIN customer c ON c.mobile = w.mobile
           WHERE w.report_id = $1
         ) u
         GROUP BY u.customer_id"
    );
    let page = grouped_page(db, &grouped, vec![report_id.into()], page).await?;
    let out = with_customers(
        db,
        page.rows,
        |r| r.customer_id,
        |mut customer, r| {
            customer.last_payment_at = r.last_at;
            ReportCustomer {
                customer,
                occurred_count: r.n,
                residue_count: r.m,
            }
        },
    )
    .await?;
    Ok((page.total, out))
}

/// The longest period `orderStats` covers.
const MAX_STATS_DAYS: i64 = 400;

/// Completed orders paid in `[from, to]` (China days), counted and summed per group.
pub async fn order_stats(
    db: &DatabaseConnection,
    from: &str,
    to: &str,
    group: StatsGroup,
) -> AppResult<Vec<OrderStat>> {
    let (start, until) = period(Some(from), Some(to), STATS_DAYS)?;
    if until - start > MAX_STATS_DAYS * 86_400 {
        return Err(AppError::field(
            "to",
            format!("统计区间最长 {MAX_STATS_DAYS} 天"),
        ));
    }
    // Counted and summed per group in SQL: a period's orders may be millions, and their ids
    // no list of parameters holds. Keys are numbers (a China day's number since 1970, a
    // channel, a source, a report id; none for an order without a report) and become the
    // answer's text keys here, sorted as text.
    let day = format!("(o.paid_at + {})", china().local_minus_utc());
    let key = match group {
        // Floored division, whatever the sign.
        StatsGroup::Day => format!("({day} - ((({day}) % 86400) + 86400) % 86400) / 86400"),
        StatsGroup::Channel => "o.payment_channel".to_owned(),
        StatsGroup::Source => "o.payment_source".to_owned(),
        StatsGroup::Report => "i.report_id".to_owned(),
    };
    let join = match group {
        StatsGroup::Report => "LEFT JOIN order_item i ON i.order_id = o.id",
        _ => "",
    };
    let sql = format!(
        "SELECT CAST({key} AS BIGINT) AS k, COUNT(*) AS n,
                CAST(COALESCE(SUM(o.total_cents), 0) AS BIGINT) AS revenue
         FROM payment_order o {join}
         WHERE o.state = 3 AND o.paid_at >= $1 AND o.paid_at < $2
         GROUP BY CAST({key} AS BIGINT)"
    );
    #[derive(sea_orm::FromQueryResult)]
    struct Group {
        k: Option<i64>,
        n: i64,
        revenue: i64,
    }
    use sea_orm::FromQueryResult;
    let stmt = sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [start.into(), until.into()],
    );
    let mut groups: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for g in Group::find_by_statement(stmt).all(db).await? {
        let key = match (group, g.k) {
            (StatsGroup::Day, Some(day)) => chrono::DateTime::from_timestamp(day * 86_400, 0)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            (_, Some(k)) => k.to_string(),
            (_, None) => String::new(),
        };
        let slot = groups.entry(key).or_insert((0, 0));
        slot.0 += g.n;
        slot.1 += g.revenue;
    }
    Ok(groups
        .into_iter()
        .map(|(key, (count, revenue))| OrderStat {
            key,
            count,
            revenue: Money(revenue),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_china_days() {
        let (from, until) = period(Some("2022-06-16"), Some("2022-06-22"), FILTER_DAYS).unwrap();
        assert_eq!(from, 1_655_308_800); // 2022-06-16T00:00:00+08:00
        assert_eq!(until - from, 7 * 86_400);
        assert!(period(None, None, FILTER_DAYS).is_err());
        assert!(period(Some("2022-06-22"), Some("2022-06-16"), FILTER_DAYS).is_err());
        assert!(period(Some("2022-02-30"), None, FILTER_DAYS).is_err());
    }

    #[test]
    fn prefixes_escape_wildcards() {
        assert_eq!(prefix_pattern("42_3%"), "42\\_3\\%%");
    }
}
