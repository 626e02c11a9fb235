//! Checks of submitted values: codes among their choices, texts, money, coordinates, days,
//! and the rows a shop names (geography, employees, labels). Each names its field as GraphQL
//! does and labels its message as the merchant pages do ([`Name`]).

use super::*;
use crate::graphql::money::Money;

/// The error of field `name` with a message after its label.
pub(super) fn bad(name: Name, message: impl std::fmt::Display) -> AppError {
    AppError::field(name.field, format!("{} {message}", name.label))
}

pub(super) fn code_in(name: Name, value: i32, choices: &[(i16, &str)]) -> AppResult<i16> {
    choices
        .iter()
        .find(|(c, _)| i32::from(*c) == value)
        .map(|(c, _)| *c)
        .ok_or_else(|| bad(name, format!("的值 {value} 无效")))
}

pub(super) fn flag(name: Name, value: i32) -> AppResult<i16> {
    match value {
        0 | 1 => Ok(value as i16),
        _ => Err(bad(name, "只能是 0 或 1")),
    }
}

/// An optional text, trimmed: at most 200 characters.
pub(super) fn text(name: Name, value: Option<String>) -> AppResult<Option<String>> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if v.chars().count() > 200 => Err(bad(name, "不能超过 200 个字符")),
        other => Ok(other),
    }
}

/// A required text, trimmed: present, not blank, at most 200 characters.
pub(super) fn required_text(name: Name, value: Option<String>) -> AppResult<String> {
    match text(name, value)? {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(bad(name, "不能为空")),
    }
}

pub(super) fn cents(name: Name, amount: Money) -> AppResult<i64> {
    // At most 10^12 yuan.
    if !(0..=100_000_000_000_000).contains(&amount.0) {
        return Err(bad(name, "必须是非负金额"));
    }
    Ok(amount.0)
}

pub(super) fn coordinate(name: Name, value: f64, limit: f64) -> AppResult<f64> {
    if !value.is_finite() || value.abs() > limit {
        return Err(bad(name, format!("超出范围 (±{limit})")));
    }
    Ok(value)
}

pub(super) fn day(name: Name, value: i32) -> AppResult<i32> {
    if !(1..=31).contains(&value) {
        return Err(bad(name, "必须在 1 到 31 之间"));
    }
    Ok(value)
}

/// Checks that the city exists, the area is the city's and the street the area's.
pub(super) async fn check_geography(
    db: &impl ConnectionTrait,
    district_code: &str,
    level1: i64,
    level2: i64,
) -> AppResult<()> {
    if district::Entity::find_by_id(district_code.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "districtCode",
            format!("城市 {district_code} 不存在"),
        ));
    }
    match area_level1::Entity::find_by_id(level1).one(db).await? {
        Some(a) if a.district_code == district_code => {}
        _ => {
            return Err(AppError::field(
                "areaLevel1Id",
                format!("一级地址 {level1} 不属于城市 {district_code}"),
            ))
        }
    }
    match area_level2::Entity::find_by_id(level2).one(db).await? {
        Some(a) if a.level1_id == level1 => Ok(()),
        _ => Err(AppError::field(
            "areaLevel2Id",
            format!("二级地址 {level2} 不属于一级地址 {level1}"),
        )),
    }
}

/// The role an employee is named in.
#[derive(Clone, Copy)]
pub(super) enum Manager {
    /// Opens accounts (开户经理).
    Opening,
    /// Manages sales (销售经理).
    Sales,
}

pub(super) async fn check_employee(
    db: &impl ConnectionTrait,
    field: &str,
    id: i32,
    role: Manager,
) -> AppResult<i32> {
    match employee::Entity::find_by_id(id).one(db).await? {
        Some(e) if matches!(role, Manager::Opening) && !e.opens_accounts => {
            Err(AppError::field(field, format!("员工 {id} 不是开户经理")))
        }
        Some(e) if matches!(role, Manager::Sales) && !e.sells => {
            Err(AppError::field(field, format!("员工 {id} 不是销售经理")))
        }
        Some(_) => Ok(id),
        None => Err(AppError::field(field, format!("员工 {id} 不存在"))),
    }
}

/// `-1` (and `0`, as the add form sends it) means no label.
pub(super) async fn check_label(db: &impl ConnectionTrait, id: i32) -> AppResult<Option<i32>> {
    if id == -1 || id == 0 {
        return Ok(None);
    }
    match address_label::Entity::find_by_id(id).one(db).await? {
        Some(_) => Ok(Some(id)),
        None => Err(AppError::field(
            "addressLabelId",
            format!("商户标签 {id} 不存在"),
        )),
    }
}

pub(super) fn parse_date(name: Name, value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| bad(name, "日期格式应为 YYYY-MM-DD"))
}

/// A partial-update value: absent leaves the column (`None`), null clears it
/// (`Some(None)`), a value is checked (`Some(Some(..))`).
pub(super) fn clearable<T, U>(
    value: MaybeUndefined<T>,
    check: impl FnOnce(T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => check(v).map(|u| Some(Some(u))),
    }
}
