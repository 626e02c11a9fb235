//! Rules of customers and orders, shared by GraphQL and the legacy REST URLs. Days in filters
//! are China days (UTC+8), the legacy system's; times are Unix seconds.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeZone};
use entity::{customer, order_item, order_usage, payment_order, report_whitelist};
use sea_orm::{
    sea_query::{Expr, LikeExpr},
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order as SortOrder, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::types::{
    Customer, CustomerFilter, CustomerKind, OrderFilter, OrderStat, ReportCustomer, StatsGroup,
};
use crate::{
    db::CountCache,
    error::{AppError, AppResult},
    graphql::page::PageArgs,
};

use crate::db::china;

/// Unix seconds of a stored (naive China) time.
fn unix(t: chrono::NaiveDateTime) -> i64 {
    china()
        .from_local_datetime(&t)
        .single()
        .map(|t| t.timestamp())
        .unwrap_or_default()
}

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

/// `[start, end]` as Unix seconds `[from, until)`: `start` required, `end` today by default.
fn period(start: Option<&str>, end: Option<&str>) -> AppResult<(i64, i64)> {
    let parse = |field: &str, text: &str| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field(field, format!("{field} 格式应为 YYYY-MM-DD")))
    };
    let start = match start.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse("start_date", s)?,
        None => return Err(AppError::field("start_date", "start_date 不能为空")),
    };
    let end = match end.map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => parse("end_date", e)?,
        None => chrono::Utc::now().with_timezone(&china()).date_naive(),
    };
    if end < start {
        return Err(AppError::field("end_date", "end_date 不能早于 start_date"));
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

fn order_condition(filter: &OrderFilter, (from, until): (i64, i64)) -> AppResult<Condition> {
    // Scoped: ExprTrait's `max` would shadow `Ord::max` elsewhere in this file.
    use payment_order::Column as C;
    use sea_orm::sea_query::ExprTrait;
    let mut cond = Condition::all()
        .add(C::CheckoutAt.gte(from))
        .add(C::CheckoutAt.lt(until));
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
                "usage_expend_status",
                format!("usage_expend_status 的值 {s} 无效"),
            ))
        }
    };
    if let Some(e) = expend {
        let ids = order_usage::Entity::find()
            .select_only()
            .column(order_usage::Column::OrderId)
            .filter(order_usage::Column::ExpendStatus.eq(e))
            .into_query();
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

async fn order_page(
    db: &DatabaseConnection,
    counts: &CountCache,
    cond: Condition,
    page: PageArgs,
) -> AppResult<(u64, Vec<payment_order::Model>)> {
    let query = payment_order::Entity::find().filter(cond);
    let total = counts.count(db, &query).await?;
    let rows = query
        .order_by_desc(payment_order::Column::CheckoutAt)
        .order_by_asc(payment_order::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(db)
        .await?;
    Ok((total, rows))
}

/// Orders checked out in the filter's period, newest first (ties by id).
pub async fn list_orders(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &OrderFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<payment_order::Model>)> {
    let range = period(filter.start_date.as_deref(), filter.end_date.as_deref())?;
    order_page(db, counts, order_condition(filter, range)?, page).await
}

/// A customer's orders, newest first.
pub async fn customer_orders(
    db: &DatabaseConnection,
    counts: &CountCache,
    customer_id: i32,
    page: PageArgs,
) -> AppResult<(u64, Vec<payment_order::Model>)> {
    customer_row(db, customer_id).await?;
    let cond = Condition::all().add(payment_order::Column::CustomerId.eq(customer_id));
    order_page(db, counts, cond, page).await
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
        (out.payment_count, out.payment_total, out.last_payment_at) = (n, cents, last);
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
    let (from, until) = period(filter.start_date.as_deref(), filter.end_date.as_deref())?;
    let mobile = filter
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    match filter.kind {
        CustomerKind::Orders => {
            let mut query = payment_totals()
                .filter(payment_order::Column::CheckoutAt.gte(from))
                .filter(payment_order::Column::CheckoutAt.lt(until));
            if let Some(m) = mobile {
                let ids = customer::Entity::find()
                    .select_only()
                    .column(customer::Column::Id)
                    .filter(customer::Column::Mobile.eq(m))
                    .into_query();
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
            let people: HashMap<i32, customer::Model> = customer::Entity::find()
                .filter(customer::Column::Id.is_in(rows.iter().map(|r| r.0)))
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
            let out = rows
                .into_iter()
                .filter_map(|(id, n, cents, last)| {
                    let mut c = Customer::of(people.get(&id)?.clone());
                    (c.payment_count, c.payment_total, c.last_payment_at) = (n, cents, last);
                    Some(c)
                })
                .collect();
            Ok((total, out))
        }
        CustomerKind::Whitelist => {
            let mut query = report_whitelist::Entity::find()
                .filter(report_whitelist::Column::CreatedAt.gte(naive(from)))
                .filter(report_whitelist::Column::CreatedAt.lt(naive(until)));
            if let Some(m) = mobile {
                query = query.filter(report_whitelist::Column::Mobile.eq(m));
            }
            let mut by_mobile: HashMap<String, (i64, i64)> = HashMap::new();
            for entry in query.all(db).await? {
                let at = unix(entry.created_at);
                let slot = by_mobile.entry(entry.mobile).or_insert((0, 0));
                slot.0 += 1;
                slot.1 = slot.1.max(at);
            }
            let people = customer::Entity::find()
                .filter(customer::Column::Mobile.is_in(by_mobile.keys().cloned()))
                .all(db)
                .await?;
            let mut all: Vec<Customer> = people
                .into_iter()
                .filter_map(|c| {
                    let (n, last) = *by_mobile.get(&c.mobile)?;
                    let mut out = Customer::of(c);
                    (out.payment_count, out.last_payment_at) = (n, last);
                    Some(out)
                })
                .collect();
            all.sort_by(|a, b| {
                b.last_payment_at
                    .cmp(&a.last_payment_at)
                    .then(a.id.cmp(&b.id))
            });
            let total = all.len() as u64;
            let rows = all
                .into_iter()
                .skip(page.offset() as usize)
                .take(page.page_size as usize)
                .collect();
            Ok((total, rows))
        }
    }
}

/// The users of a report: buyers (completed orders) and whitelisted customers, with reads
/// used and left, latest first.
pub async fn report_customers(
    db: &DatabaseConnection,
    report_id: i32,
    page: PageArgs,
) -> AppResult<(u64, Vec<ReportCustomer>)> {
    crate::reports::service::report(db, report_id).await?;
    // customer id → (used, left, latest)
    let mut users: HashMap<i32, (i64, i64, i64)> = HashMap::new();
    let bought = order_item::Entity::find()
        .select_only()
        .column(order_item::Column::OrderId)
        .filter(order_item::Column::ReportId.eq(report_id))
        .into_query();
    let orders = payment_order::Entity::find()
        .filter(payment_order::Column::Id.in_subquery(bought))
        .filter(payment_order::Column::State.eq(3))
        .all(db)
        .await?;
    let bought_again = order_item::Entity::find()
        .select_only()
        .column(order_item::Column::OrderId)
        .filter(order_item::Column::ReportId.eq(report_id))
        .into_query();
    let usage: HashMap<i32, order_usage::Model> = order_usage::Entity::find()
        .filter(order_usage::Column::OrderId.in_subquery(bought_again))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.order_id, u))
        .collect();
    for o in &orders {
        let (granted, left) = usage
            .get(&o.id)
            .map(|u| (i64::from(u.quantity_count), i64::from(u.available_count)))
            .unwrap_or((0, 0));
        let slot = users.entry(o.customer_id).or_insert((0, 0, 0));
        slot.0 += (granted - left).max(0);
        slot.1 += left;
        slot.2 = slot.2.max(o.paid_at);
    }
    let entries = report_whitelist::Entity::find()
        .filter(report_whitelist::Column::ReportId.eq(report_id))
        .all(db)
        .await?;
    let by_mobile: HashMap<String, &report_whitelist::Model> =
        entries.iter().map(|e| (e.mobile.clone(), e)).collect();
    let whitelisted = customer::Entity::find()
        .filter(customer::Column::Mobile.is_in(by_mobile.keys().cloned()))
        .all(db)
        .await?;
    for c in &whitelisted {
        if let Some(e) = by_mobile.get(&c.mobile) {
            let slot = users.entry(c.id).or_insert((0, 0, 0));
            slot.0 += i64::from((e.read_count - e.residue_count).max(0));
            slot.1 += i64::from(e.residue_count);
            slot.2 = slot.2.max(unix(e.created_at));
        }
    }
    let people: HashMap<i32, customer::Model> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(users.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut all: Vec<ReportCustomer> = users
        .into_iter()
        .filter_map(|(id, (used, left, last))| {
            let mut customer = Customer::of(people.get(&id)?.clone());
            customer.last_payment_at = last;
            Some(ReportCustomer {
                customer,
                occurred_count: used,
                residue_count: left,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        b.customer
            .last_payment_at
            .cmp(&a.customer.last_payment_at)
            .then(a.customer.id.cmp(&b.customer.id))
    });
    let total = all.len() as u64;
    let rows = all
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.page_size as usize)
        .collect();
    Ok((total, rows))
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
    let (start, until) = period(Some(from), Some(to))?;
    if until - start > MAX_STATS_DAYS * 86_400 {
        return Err(AppError::field(
            "to",
            format!("统计区间最长 {MAX_STATS_DAYS} 天"),
        ));
    }
    let orders = payment_order::Entity::find()
        .filter(payment_order::Column::State.eq(3))
        .filter(payment_order::Column::PaidAt.gte(start))
        .filter(payment_order::Column::PaidAt.lt(until))
        .all(db)
        .await?;
    let reports: HashMap<i32, i32> = if group == StatsGroup::Report {
        order_item::Entity::find()
            .filter(order_item::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.order_id, i.report_id))
            .collect()
    } else {
        HashMap::new()
    };
    let mut groups: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for o in &orders {
        let key = match group {
            StatsGroup::Day => chrono::DateTime::from_timestamp(o.paid_at, 0)
                .map(|t| t.with_timezone(&china()).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            StatsGroup::Channel => o.payment_channel.to_string(),
            StatsGroup::Source => o.payment_source.to_string(),
            StatsGroup::Report => reports.get(&o.id).map(i32::to_string).unwrap_or_default(),
        };
        let slot = groups.entry(key).or_insert((0, 0));
        slot.0 += 1;
        slot.1 += o.total_cents;
    }
    Ok(groups
        .into_iter()
        .map(|(key, (count, revenue))| OrderStat {
            key,
            count,
            revenue,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_china_days() {
        let (from, until) = period(Some("2022-06-16"), Some("2022-06-22")).unwrap();
        assert_eq!(from, 1_655_308_800); // 2022-06-16T00:00:00+08:00
        assert_eq!(until - from, 7 * 86_400);
        assert!(period(None, None).is_err());
        assert!(period(Some("2022-06-22"), Some("2022-06-16")).is_err());
        assert!(period(Some("2022-02-30"), None).is_err());
    }

    #[test]
    fn prefixes_escape_wildcards() {
        assert_eq!(prefix_pattern("42_3%"), "42\\_3\\%%");
    }
}
