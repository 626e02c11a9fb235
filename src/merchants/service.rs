//! Rules of merchant management, shared by GraphQL and the legacy REST URLs.

use std::collections::HashMap;

use async_graphql::MaybeUndefined;
use chrono::NaiveDate;
use entity::{
    address_label, area_level1, area_level2, district, employee, merchant_account, salemenu, shop,
    shop_salemenu, station, station_city, station_salemenu,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, SqlErr,
};

use super::{
    parse_prefixed,
    types::{
        AddressLabel, Area, CityAreas, CreateShopInput, Employee, MerchantFilter, MerchantIndex,
        QuoteSheet, Station, StationQuoteSheet, StationRef, Street, UpdateShopInput, CUSTOMER_TYPE,
        PAY_METHOD, SETTLE_WAY,
    },
};
use crate::{
    audit::service::{self as audit, Change},
    auth::{password, Auth},
    db::{self, contains_pattern, lower_like, CountCache},
    error::{AppError, AppResult},
    graphql::page::PageArgs,
};

/// Quote sheets one shop may be bound to.
const MAX_QUOTE_SHEETS: usize = 50;

/// Finance status of a deleted shop: never listed.
const DELETED: i16 = -99;

/// The index of the merchant pages: every city with its areas and streets, stations, managers,
/// quote sheets and labels. A fixed number of statements, whatever the sizes.
pub async fn index(db: &DatabaseConnection) -> AppResult<MerchantIndex> {
    let cities = district::Entity::find()
        .order_by_asc(district::Column::Code)
        .all(db)
        .await?;
    let level1 = area_level1::Entity::find()
        .order_by_asc(area_level1::Column::Id)
        .all(db)
        .await?;
    let level2 = area_level2::Entity::find()
        .order_by_asc(area_level2::Column::Id)
        .all(db)
        .await?;
    let stations = station::Entity::find()
        .order_by_asc(station::Column::Id)
        .all(db)
        .await?;
    let station_cities = station_city::Entity::find()
        .order_by_asc(station_city::Column::DistrictCode)
        .all(db)
        .await?;
    let employees = employee::Entity::find()
        .order_by_asc(employee::Column::Id)
        .all(db)
        .await?;
    let sheets = salemenu::Entity::find()
        .order_by_asc(salemenu::Column::Id)
        .all(db)
        .await?;
    let station_sheets = station_salemenu::Entity::find()
        .order_by_asc(station_salemenu::Column::StationId)
        .order_by_asc(station_salemenu::Column::SalemenuId)
        .all(db)
        .await?;
    let labels = address_label::Entity::find()
        .order_by_asc(address_label::Column::Id)
        .all(db)
        .await?;

    let mut streets: HashMap<i64, Vec<Street>> = HashMap::new();
    for s in level2 {
        streets.entry(s.level1_id).or_default().push(s.into());
    }
    let mut areas: HashMap<String, Vec<Area>> = HashMap::new();
    for a in level1 {
        areas
            .entry(a.district_code.clone())
            .or_default()
            .push(Area {
                streets: streets.remove(&a.id).unwrap_or_default(),
                id: a.id,
                name: a.name,
                district_code: a.district_code,
            });
    }
    let mut served: HashMap<String, Vec<String>> = HashMap::new();
    for sc in station_cities {
        served
            .entry(sc.station_id)
            .or_default()
            .push(sc.district_code);
    }
    let station_names: HashMap<String, String> = stations
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let sheet_names: HashMap<String, String> = sheets
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    Ok(MerchantIndex {
        cities: cities
            .into_iter()
            .map(|c| CityAreas {
                areas: areas.remove(&c.code).unwrap_or_default(),
                code: c.code,
                name: c.name,
            })
            .collect(),
        stations: stations
            .into_iter()
            .map(|s| Station {
                distribute_city_ids: served.remove(&s.id).unwrap_or_default(),
                id: s.id,
                name: s.name,
                district_code: s.district_code,
                key_url: s.key_url,
            })
            .collect(),
        create_employees: employees
            .iter()
            .filter(|e| e.opens_accounts)
            .cloned()
            .map(Employee::from)
            .collect(),
        sale_employees: employees
            .into_iter()
            .filter(|e| e.sells)
            .map(Employee::from)
            .collect(),
        quote_sheets: sheets.into_iter().map(QuoteSheet::from).collect(),
        station_quote_sheets: station_sheets
            .into_iter()
            .map(|ss| StationQuoteSheet {
                station: StationRef {
                    name: station_names
                        .get(&ss.station_id)
                        .cloned()
                        .unwrap_or_default(),
                    id: ss.station_id,
                },
                quote_sheet: QuoteSheet {
                    name: sheet_names
                        .get(&ss.salemenu_id)
                        .cloned()
                        .unwrap_or_default(),
                    id: ss.salemenu_id,
                },
            })
            .collect(),
        address_labels: labels.into_iter().map(AddressLabel::from).collect(),
    })
}

fn shops_with_binding(
    column: shop_salemenu::Column,
    value: String,
) -> sea_orm::sea_query::SelectStatement {
    shop_salemenu::Entity::find()
        .select_only()
        .column(shop_salemenu::Column::ShopId)
        .filter(column.eq(value))
        .into_query()
}

/// The search's condition (shared by the page and its count).
fn search_condition(f: &MerchantFilter) -> Condition {
    use shop::Column as C;
    let mut cond = Condition::all().add(C::FinanceStatus.ne(DELETED));
    if let Some(v) = f.area_level1 {
        cond = cond.add(C::AreaLevel1Id.eq(v));
    }
    if let Some(v) = f.area_level2 {
        cond = cond.add(C::AreaLevel2Id.eq(v));
    }
    if let Some(v) = f.check_out {
        cond = cond.add(C::CheckOut.eq(v));
    }
    if let Some(v) = f.city.as_deref().filter(|v| !v.is_empty()) {
        cond = cond.add(C::DistrictCode.eq(v));
    }
    if let Some(v) = f.create_employee {
        cond = cond.add(C::CreateEmployeeId.eq(v));
    }
    if let Some(v) = f.sale_employee {
        cond = cond.add(C::SaleEmployeeId.eq(v));
    }
    if let Some(v) = f.pay_method {
        cond = cond.add(C::PayMethod.eq(v));
    }
    if let Some(v) = f.settle_way {
        cond = cond.add(C::SettleWay.eq(v));
    }
    if let Some(v) = f.station.clone().filter(|v| !v.is_empty()) {
        cond = cond.add(C::Id.in_subquery(shops_with_binding(
            shop_salemenu::Column::ServiceStationId,
            v,
        )));
    }
    if let Some(v) = f.quote_sheet.clone().filter(|v| !v.is_empty()) {
        cond =
            cond.add(C::Id.in_subquery(shops_with_binding(shop_salemenu::Column::SalemenuId, v)));
    }
    match f.address_label {
        Some(-1) => cond = cond.add(C::AddressLabelId.is_null()),
        Some(v) => cond = cond.add(C::AddressLabelId.eq(v)),
        None => {}
    }
    if let Some(v) = f.customer_type {
        let accounts = merchant_account::Entity::find()
            .select_only()
            .column(merchant_account::Column::Id)
            .filter(merchant_account::Column::CustomerType.eq(v))
            .into_query();
        cond = cond.add(C::AccountId.in_subquery(accounts));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
        let col = |c: shop::Column| lower_like(Expr::col((shop::Entity, c)), &pattern);
        let acol = |c: merchant_account::Column| {
            lower_like(Expr::col((merchant_account::Entity, c)), &pattern)
        };
        let accounts = merchant_account::Entity::find()
            .select_only()
            .column(merchant_account::Column::Id)
            .filter(
                Condition::any()
                    .add(acol(merchant_account::Column::CompanyName))
                    .add(acol(merchant_account::Column::Username))
                    .add(acol(merchant_account::Column::Telephone)),
            )
            .into_query();
        cond = cond.add(
            Condition::any()
                .add(col(C::Name))
                .add(col(C::ReceiverName))
                .add(col(C::ReceiverTelephone))
                .add(col(C::PayerName))
                .add(col(C::PayerTelephone))
                .add(C::AccountId.in_subquery(accounts)),
        );
    }
    cond
}

/// One page of merchants matching `filter`, newest first, and how many match in all. A page
/// past the end is empty (the merchant pages ask for it after deletions), not an error.
pub async fn search(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &MerchantFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<shop::Model>)> {
    let query = shop::Entity::find().filter(search_condition(filter));
    counts
        .page(
            db,
            query,
            &[(shop::Column::Id, sea_orm::Order::Desc)],
            page,
            crate::db::PastTheEnd::Empty,
        )
        .await
}

/// The shop named by a `SID` (or its number).
pub async fn shop(db: &impl ConnectionTrait, sid: &str) -> AppResult<shop::Model> {
    let id = parse_prefixed(sid, 'S').ok_or_else(|| AppError::field("id", "店铺id格式错误"))?;
    shop::Entity::find_by_id(id)
        .filter(shop::Column::FinanceStatus.ne(DELETED))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("店铺不存在".into()))
}

fn code_in(field: &str, value: i32, choices: &[(i16, &str)]) -> AppResult<i16> {
    choices
        .iter()
        .find(|(c, _)| i32::from(*c) == value)
        .map(|(c, _)| *c)
        .ok_or_else(|| AppError::field(field, format!("{field} 的值 {value} 无效")))
}

fn flag(field: &str, value: i32) -> AppResult<i16> {
    match value {
        0 | 1 => Ok(value as i16),
        _ => Err(AppError::field(field, format!("{field} 只能是 0 或 1"))),
    }
}

fn text(field: &str, value: Option<String>, required: bool) -> AppResult<Option<String>> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if v.is_empty() && required => {
            Err(AppError::field(field, format!("{field} 不能为空")))
        }
        None if required => Err(AppError::field(field, format!("{field} 不能为空"))),
        Some(v) if v.chars().count() > 200 => Err(AppError::field(
            field,
            format!("{field} 不能超过 200 个字符"),
        )),
        other => Ok(other),
    }
}

fn cents(field: &str, yuan: f64) -> AppResult<i64> {
    if !yuan.is_finite() || !(0.0..=1e12).contains(&yuan) {
        return Err(AppError::field(field, format!("{field} 必须是非负金额")));
    }
    Ok((yuan * 100.0).round() as i64)
}

fn coordinate(field: &str, value: f64, limit: f64) -> AppResult<f64> {
    if !value.is_finite() || value.abs() > limit {
        return Err(AppError::field(
            field,
            format!("{field} 超出范围 (±{limit})"),
        ));
    }
    Ok(value)
}

fn day(field: &str, value: i32) -> AppResult<i32> {
    if !(1..=31).contains(&value) {
        return Err(AppError::field(
            field,
            format!("{field} 必须在 1 到 31 之间"),
        ));
    }
    Ok(value)
}

/// Checks that the city exists, the area is the city's and the street the area's.
async fn check_geography(
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
            "district_code",
            format!("城市 {district_code} 不存在"),
        ));
    }
    match area_level1::Entity::find_by_id(level1).one(db).await? {
        Some(a) if a.district_code == district_code => {}
        _ => {
            return Err(AppError::field(
                "area_level1",
                format!("一级地址 {level1} 不属于城市 {district_code}"),
            ))
        }
    }
    match area_level2::Entity::find_by_id(level2).one(db).await? {
        Some(a) if a.level1_id == level1 => Ok(()),
        _ => Err(AppError::field(
            "area_level2",
            format!("二级地址 {level2} 不属于一级地址 {level1}"),
        )),
    }
}

/// The role an employee is named in.
#[derive(Clone, Copy)]
enum Manager {
    /// Opens accounts (开户经理).
    Opening,
    /// Manages sales (销售经理).
    Sales,
}

async fn check_employee(
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
async fn check_label(db: &impl ConnectionTrait, id: i32) -> AppResult<Option<i32>> {
    if id == -1 || id == 0 {
        return Ok(None);
    }
    match address_label::Entity::find_by_id(id).one(db).await? {
        Some(_) => Ok(Some(id)),
        None => Err(AppError::field(
            "address_label_id",
            format!("商户标签 {id} 不存在"),
        )),
    }
}

fn parse_date(field: &str, value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, format!("{field} 日期格式应为 YYYY-MM-DD")))
}

/// A partial-update value: absent leaves the column (`None`), null clears it
/// (`Some(None)`), a value is checked (`Some(Some(..))`).
fn clearable<T, U>(
    value: MaybeUndefined<T>,
    check: impl FnOnce(T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => check(v).map(|u| Some(Some(u))),
    }
}

/// Applies a partial edit to a shop and its account, every value checked first; one
/// transaction writes both rows.
pub async fn update_shop(
    db: &DatabaseConnection,
    who: &Auth,
    input: UpdateShopInput,
) -> AppResult<shop::Model> {
    let current = shop(db, &input.sid).await?;
    let mut row: shop::ActiveModel = current.clone().into();

    if let Some(v) = input.settle_way {
        row.settle_way = Set(code_in("settle_way", v, SETTLE_WAY)?);
    }
    if let Some(v) = input.pay_method {
        row.pay_method = Set(code_in("pay_method", v, PAY_METHOD)?);
    }
    if let Some(v) = input.check_out {
        row.check_out = Set(flag("check_out", v)?);
    }
    if let Some(v) = input.finance_status {
        row.finance_status = Set(flag("freezeState", v)?);
    }
    if let Some(v) = input.whitelist {
        row.whitelist = Set(flag("white", v)?);
    }
    if let Some(v) = input.is_credit {
        row.is_credit = Set(flag("is_credit", v)?);
    }
    if let Some(v) = text("shopName", input.shop_name, false)? {
        if v.is_empty() {
            return Err(AppError::field("shopName", "shopName 不能为空"));
        }
        row.name = Set(v);
    }
    for (field, value, target) in [
        ("receiver", input.receiver_name, &mut row.receiver_name),
        (
            "receiverPhone",
            input.receiver_telephone,
            &mut row.receiver_telephone,
        ),
        ("shopAddress", input.address, &mut row.address),
        ("paymentName", input.payer_name, &mut row.payer_name),
        (
            "paymentTelephone",
            input.payer_telephone,
            &mut row.payer_telephone,
        ),
    ] {
        if let Some(v) = text(field, value, false)? {
            if v.is_empty() {
                return Err(AppError::field(field, format!("{field} 不能为空")));
            }
            *target = Set(v);
        }
    }
    if let Some(v) = text("map_address", input.map_address, false)? {
        row.map_address = Set(v);
    }
    if let Some(v) = clearable(input.lat, |v| coordinate("lat", v, 90.0))? {
        row.lat = Set(v);
    }
    if let Some(v) = clearable(input.lng, |v| coordinate("lng", v, 180.0))? {
        row.lng = Set(v);
    }
    if let Some(v) = clearable(input.credit_limit, |v| cents("credit_limit", v))? {
        row.credit_limit_cents = Set(v);
    }
    let effective_date = match input.effective_date {
        MaybeUndefined::Value(v) if v.trim().is_empty() => MaybeUndefined::Null,
        other => other,
    };
    if let Some(v) = clearable(effective_date, |v| parse_date("effective_date", &v))? {
        row.effective_date = Set(v);
    }
    if let Some(v) = clearable(input.begin_day, |v| day("begin_day", v))? {
        row.begin_day = Set(v);
    }
    if let Some(v) = clearable(input.settle_day, |v| day("settle_day", v))? {
        row.settle_day = Set(v);
    }
    if let Some(v) = clearable(input.settle_date_type, |v| match v {
        1 | 2 => Ok(v as i16),
        _ => Err(AppError::field(
            "settle_date_type",
            "settle_date_type 只能是 1 或 2",
        )),
    })? {
        row.settle_date_type = Set(v);
    }
    if let Some(v) = clearable(input.settle_remind, |v| {
        if v == -1 || (1..=7).contains(&v) {
            Ok(v)
        } else {
            Err(AppError::field(
                "settle_remind",
                "settle_remind 只能是 -1 或 1 到 7",
            ))
        }
    })? {
        row.settle_remind = Set(v);
    }
    match input.create_employee_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.create_employee_id = Set(None),
        MaybeUndefined::Value(v) => {
            row.create_employee_id = Set(Some(
                check_employee(db, "creatEmployeeValue", v, Manager::Opening).await?,
            ))
        }
    }
    match input.sale_employee_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.sale_employee_id = Set(None),
        MaybeUndefined::Value(v) => {
            row.sale_employee_id = Set(Some(
                check_employee(db, "saleEmployeeValue", v, Manager::Sales).await?,
            ))
        }
    }
    match input.address_label_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.address_label_id = Set(None),
        MaybeUndefined::Value(v) => row.address_label_id = Set(check_label(db, v).await?),
    }
    // Geography: a changed piece must still fit the others.
    if input.district_code.is_some()
        || input.area_level1_id.is_some()
        || input.area_level2_id.is_some()
    {
        let district = input
            .district_code
            .clone()
            .unwrap_or(current.district_code.clone());
        let l1 = input.area_level1_id.unwrap_or(current.area_level1_id);
        let l2 = input.area_level2_id.unwrap_or(current.area_level2_id);
        check_geography(db, &district, l1, l2).await?;
        row.district_code = Set(district);
        row.area_level1_id = Set(l1);
        row.area_level2_id = Set(l2);
    }
    let company = text("new_cname", input.company_name, false)?;
    let telephone = text("telephone", input.telephone, false)?;

    let txn = db::begin_write(db).await?;
    let mut changed = false;
    if company.is_some() || telephone.is_some() {
        let before = merchant_account::Entity::find_by_id(current.account_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::NotFound("商户账户不存在".into()))?;
        let mut account: merchant_account::ActiveModel = before.clone().into();
        if let Some(v) = company {
            account.company_name = Set(v);
        }
        if let Some(v) = telephone {
            account.telephone = Set(v);
        }
        let after = account.update(&txn).await?;
        let record_id = after.id.to_string();
        let change = Change {
            action: "updateShop",
            entity: "merchant_account",
            record_id,
            before: Some(&before),
            after: Some(&after),
        };
        changed |= audit::record(&txn, who, change).await?;
    }
    let updated = if audit::changes(&row, &current) {
        // The row as this transaction sees it, for the record of what changed.
        let before = shop::Entity::find_by_id(current.id)
            .one(&txn)
            .await?
            .unwrap_or(current);
        let after = row.update(&txn).await?;
        let record_id = super::sid(after.id);
        let change = Change {
            action: "updateShop",
            entity: "shop",
            record_id,
            before: Some(&before),
            after: Some(&after),
        };
        changed |= audit::record(&txn, who, change).await?;
        after
    } else {
        current
    };
    if !changed {
        who.may_read_unchanged("shop")?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// The station that delivers `quote_sheet` to `district`: one serving the city, else any
/// station carrying the sheet.
async fn station_for(
    db: &impl ConnectionTrait,
    quote_sheet: &str,
    district: &str,
) -> AppResult<Option<String>> {
    let carrying: Vec<String> = station_salemenu::Entity::find()
        .filter(station_salemenu::Column::SalemenuId.eq(quote_sheet))
        .order_by_asc(station_salemenu::Column::StationId)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.station_id)
        .collect();
    let serving = station_city::Entity::find()
        .filter(station_city::Column::StationId.is_in(carrying.clone()))
        .filter(station_city::Column::DistrictCode.eq(district))
        .order_by_asc(station_city::Column::StationId)
        .one(db)
        .await?;
    Ok(serving
        .map(|s| s.station_id)
        .or_else(|| carrying.into_iter().next()))
}

async fn check_quote_sheet(db: &impl ConnectionTrait, id: &str) -> AppResult<()> {
    match salemenu::Entity::find_by_id(id.to_owned()).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field(
            "salemenu_id",
            format!("报价单 {id} 不存在"),
        )),
    }
}

/// Binds a quote sheet to a shop (or changes binding `record_id`), delivered by `station`
/// (by default a station that carries the sheet to the shop's city).
pub async fn bind_quote_sheet(
    db: &DatabaseConnection,
    who: &Auth,
    sid: &str,
    record_id: Option<i32>,
    quote_sheet: &str,
    station: Option<&str>,
) -> AppResult<shop::Model> {
    let shop = shop(db, sid).await?;
    let quote_sheet = quote_sheet.trim();
    check_quote_sheet(db, quote_sheet).await?;
    let station = match station.map(str::trim).filter(|s| !s.is_empty()) {
        // The station must exist and carry the sheet.
        Some(id) => {
            let carries =
                station_salemenu::Entity::find_by_id((id.to_owned(), quote_sheet.to_owned()))
                    .one(db)
                    .await?;
            if carries.is_none() {
                return Err(AppError::field(
                    "service_station_id",
                    format!("站点 {id} 不存在或不配送报价单 {quote_sheet}"),
                ));
            }
            Some(id.to_owned())
        }
        None => station_for(db, quote_sheet, &shop.district_code).await?,
    };
    let txn = db::begin_write(db).await?;
    let (before, after) = match record_id {
        Some(id) => {
            let before = shop_salemenu::Entity::find_by_id(id)
                .filter(shop_salemenu::Column::ShopId.eq(shop.id))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("报价单绑定 {id} 不存在")))?;
            let mut binding: shop_salemenu::ActiveModel = before.clone().into();
            binding.salemenu_id = Set(quote_sheet.to_owned());
            binding.service_station_id = Set(station);
            let after = binding.update(&txn).await.map_err(already_bound)?;
            (Some(before), after)
        }
        None => {
            let after = shop_salemenu::ActiveModel {
                shop_id: Set(shop.id),
                salemenu_id: Set(quote_sheet.to_owned()),
                service_station_id: Set(station),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(already_bound)?;
            (None, after)
        }
    };
    let record_id = after.id.to_string();
    let change = Change {
        action: "bindQuoteSheet",
        entity: "shop_salemenu",
        record_id,
        before: before.as_ref(),
        after: Some(&after),
    };
    if !audit::record(&txn, who, change).await? {
        who.may_read_unchanged("shop")?;
    }
    txn.commit().await?;
    Ok(shop)
}

/// Removes binding `record_id` from a shop (the legacy `status: deleteSSM` form).
pub async fn unbind_quote_sheet(
    db: &DatabaseConnection,
    who: &Auth,
    sid: &str,
    record_id: i32,
) -> AppResult<shop::Model> {
    let shop = shop(db, sid).await?;
    let txn = db::begin_write(db).await?;
    let missing = || AppError::NotFound(format!("报价单绑定 {record_id} 不存在"));
    let binding = shop_salemenu::Entity::find_by_id(record_id)
        .filter(shop_salemenu::Column::ShopId.eq(shop.id))
        .one(&txn)
        .await?
        .ok_or_else(missing)?;
    let removed = shop_salemenu::Entity::delete_by_id(record_id)
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(missing());
    }
    let change = Change {
        action: "unbindQuoteSheet",
        entity: "shop_salemenu",
        record_id: record_id.to_string(),
        before: Some(&binding),
        after: None,
    };
    audit::record(&txn, who, change).await?;
    txn.commit().await?;
    Ok(shop)
}

/// A concurrent bind of the same sheet loses on the unique index.
fn already_bound(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("报价单已绑定到该店铺".into())
        }
        _ => err.into(),
    }
}

fn taken(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict("用户名已存在".into()),
        _ => err.into(),
    }
}

/// The account a new shop goes to.
enum Account {
    Existing(i32),
    New { username: String, hash: String },
}

/// Creates a shop, and its account when `kid` is absent, and binds its quote sheets: all in
/// one transaction, every value checked first.
pub async fn create_shop(
    db: &DatabaseConnection,
    who: &Auth,
    input: CreateShopInput,
) -> AppResult<shop::Model> {
    let shop_name = text("restaurant_name", input.shop_name, true)?.unwrap_or_default();
    let receiver = text("receiver_name", input.receiver_name, true)?.unwrap_or_default();
    let receiver_phone =
        text("receiver_telephone", input.receiver_telephone, true)?.unwrap_or_default();
    let address = text("restaurant_address", input.address, true)?.unwrap_or_default();
    let district = text("district_code", input.district_code, true)?.unwrap_or_default();
    let l1 = input
        .area_level1_id
        .ok_or_else(|| AppError::field("area_level1", "area_level1 不能为空"))?;
    let l2 = input
        .area_level2_id
        .ok_or_else(|| AppError::field("area_level2", "area_level2 不能为空"))?;
    check_geography(db, &district, l1, l2).await?;
    let settle_way = code_in("settle_way", input.settle_way.unwrap_or(1), SETTLE_WAY)?;
    let pay_method = code_in("pay_method", input.pay_method.unwrap_or(1), PAY_METHOD)?;
    let customer_type = match input.customer_type.unwrap_or(0) {
        // The seed's own example sends 0: not chosen, a shop.
        0 => 1,
        v => code_in("customer_type", v, CUSTOMER_TYPE)?,
    };
    let finance_status = match input.finance_status.unwrap_or(0) {
        v @ 0..=2 => v as i16,
        v => {
            return Err(AppError::field(
                "finance_status",
                format!("finance_status 的值 {v} 无效"),
            ))
        }
    };
    let whitelist = flag("whitelist", input.whitelist.unwrap_or(0))?;
    let check_out = flag("check_out", input.check_out.unwrap_or(0))?;
    let is_credit = flag("is_credit", input.is_credit.unwrap_or(0))?;
    let settle_date_type = match input.settle_date_type {
        None => None,
        Some(v @ (1 | 2)) => Some(v as i16),
        Some(_) => {
            return Err(AppError::field(
                "settle_date_type",
                "settle_date_type 只能是 1 或 2",
            ))
        }
    };
    let credit_limit = input
        .credit_limit
        .map(|v| cents("credit_limit", v))
        .transpose()?;
    let lat = input.lat.map(|v| coordinate("lat", v, 90.0)).transpose()?;
    let lng = input.lng.map(|v| coordinate("lng", v, 180.0)).transpose()?;
    let create_employee = match input.create_employee_id {
        Some(id) => Some(check_employee(db, "create_employee_id", id, Manager::Opening).await?),
        None => None,
    };
    let sale_employee = match input.sale_employee_id {
        Some(id) => Some(check_employee(db, "sale_employee_id", id, Manager::Sales).await?),
        None => None,
    };
    let label = match input.address_label_id {
        Some(id) if id != 0 => check_label(db, id).await?,
        _ => None,
    };
    let requested = input.quote_sheet_ids.unwrap_or_default();
    if requested.len() > MAX_QUOTE_SHEETS {
        return Err(AppError::field(
            "salemenu_ids",
            format!("一个店铺最多绑定 {MAX_QUOTE_SHEETS} 个报价单"),
        ));
    }
    let mut sheets = Vec::new();
    for id in requested {
        let id = id.trim().to_owned();
        check_quote_sheet(db, &id).await?;
        if !sheets.contains(&id) {
            sheets.push(id);
        }
    }
    let company = text("company_name", input.company_name, false)?.unwrap_or_default();
    let telephone = text("telephone", input.telephone, false)?.unwrap_or_default();

    // The account: an existing one, or a new one whose password is hashed before the
    // transaction takes the write lock.
    let new_account = match input
        .kid
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(kid) => {
            let id =
                parse_prefixed(kid, 'K').ok_or_else(|| AppError::field("kid", "kid 格式错误"))?;
            if merchant_account::Entity::find_by_id(id)
                .one(db)
                .await?
                .is_none()
            {
                return Err(AppError::NotFound(format!("商户账户 {kid} 不存在")));
            }
            Account::Existing(id)
        }
        None => {
            let username = text("username", input.username, true)?.unwrap_or_default();
            let password_text = input.password.unwrap_or_default();
            if password_text.chars().count() < 6 {
                return Err(AppError::field("password", "password 至少 6 位"));
            }
            if merchant_account::Entity::find()
                .filter(merchant_account::Column::Username.eq(&username))
                .one(db)
                .await?
                .is_some()
            {
                return Err(AppError::Conflict("用户名已存在".into()));
            }
            Account::New {
                username,
                hash: password::hash(password_text).await?,
            }
        }
    };

    let now = db::now();
    let txn = db::begin_write(db).await?;
    let account_id = match new_account {
        Account::Existing(id) => id,
        Account::New { username, hash } => {
            let account = merchant_account::ActiveModel {
                username: Set(username),
                password_hash: Set(hash),
                company_name: Set(company),
                telephone: Set(telephone),
                customer_type: Set(customer_type),
                create_time: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(taken)?;
            let record_id = account.id.to_string();
            let change = Change {
                action: "createShop",
                entity: "merchant_account",
                record_id,
                before: None,
                after: Some(&account),
            };
            audit::record(&txn, who, change).await?;
            account.id
        }
    };
    let shop = shop::ActiveModel {
        account_id: Set(account_id),
        name: Set(shop_name),
        receiver_name: Set(receiver),
        receiver_telephone: Set(receiver_phone),
        payer_name: Set(input.payer_name.unwrap_or_default().trim().to_owned()),
        payer_telephone: Set(input.payer_telephone.unwrap_or_default().trim().to_owned()),
        district_code: Set(district.clone()),
        area_level1_id: Set(l1),
        area_level2_id: Set(l2),
        address: Set(address),
        lat: Set(lat),
        lng: Set(lng),
        map_address: Set(input.map_address.unwrap_or_default().trim().to_owned()),
        settle_way: Set(settle_way),
        pay_method: Set(pay_method),
        check_out: Set(check_out),
        finance_status: Set(finance_status),
        whitelist: Set(whitelist),
        keycustomer: Set(0),
        balance_cents: Set(0),
        point: Set(0),
        address_label_id: Set(label),
        create_employee_id: Set(create_employee),
        sale_employee_id: Set(sale_employee),
        is_credit: Set(is_credit),
        credit_limit_cents: Set(credit_limit),
        effective_date: Set(None),
        begin_day: Set(None),
        settle_day: Set(None),
        settle_date_type: Set(settle_date_type),
        settle_remind: Set(None),
        create_time: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let change = Change {
        action: "createShop",
        entity: "shop",
        record_id: super::sid(shop.id),
        before: None,
        after: Some(&shop),
    };
    audit::record(&txn, who, change).await?;
    for sheet in sheets {
        let station = station_for(&txn, &sheet, &district).await?;
        let binding = shop_salemenu::ActiveModel {
            shop_id: Set(shop.id),
            salemenu_id: Set(sheet),
            service_station_id: Set(station),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let change = Change {
            action: "createShop",
            entity: "shop_salemenu",
            record_id: binding.id.to_string(),
            before: None,
            after: Some(&binding),
        };
        audit::record(&txn, who, change).await?;
    }
    txn.commit().await?;
    Ok(shop)
}
