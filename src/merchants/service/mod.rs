//! Rules of merchant management, shared by GraphQL and the legacy REST URLs: the index and the
//! search here; the checks of submitted values in `checks`, shop edits in `edit`, quote-sheet
//! bindings in `quote_sheets`, new shops in `create`.

use std::collections::HashMap;

use async_graphql::MaybeUndefined;
use chrono::NaiveDate;
use entity::{
    address_label, area_level1, area_level2, district, employee, merchant_account, salemenu, shop,
    shop_salemenu, station, station_city, station_salemenu,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, Order, QueryFilter, QueryOrder, Set,
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
    audit::service as audit,
    auth::{password, Auth},
    db::{self, column_where, contains_pattern, lower_like, CountCache, PastTheEnd},
    error::{AppError, AppResult, FieldName as Name},
    graphql::page::PageArgs,
};

mod checks;
mod create;
mod edit;
mod quote_sheets;

use checks::*;
pub use create::create_shop;
pub use edit::update_shop;
use quote_sheets::*;
pub use quote_sheets::{bind_quote_sheet, unbind_quote_sheet};

/// Quote sheets one shop may be bound to.
const MAX_QUOTE_SHEETS: usize = 50;

/// Finance status of a deleted shop: never listed.
const DELETED: i16 = -99;

/// Every row of `E`, ordered by `column`.
async fn all_by<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
) -> AppResult<Vec<E::Model>> {
    Ok(E::find().order_by_asc(column).all(db).await?)
}

/// The index of the merchant pages: every city with its areas and streets, stations, managers,
/// quote sheets and labels. A fixed number of statements, whatever the sizes.
pub async fn index(db: &DatabaseConnection) -> AppResult<MerchantIndex> {
    let cities = all_by::<district::Entity>(db, district::Column::Code).await?;
    let level1 = all_by::<area_level1::Entity>(db, area_level1::Column::Id).await?;
    let level2 = all_by::<area_level2::Entity>(db, area_level2::Column::Id).await?;
    let stations = all_by::<station::Entity>(db, station::Column::Id).await?;
    let station_cities =
        all_by::<station_city::Entity>(db, station_city::Column::DistrictCode).await?;
    let employees = all_by::<employee::Entity>(db, employee::Column::Id).await?;
    let sheets = all_by::<salemenu::Entity>(db, salemenu::Column::Id).await?;
    let station_sheets = station_salemenu::Entity::find()
        .order_by_asc(station_salemenu::Column::StationId)
        .order_by_asc(station_salemenu::Column::SalemenuId)
        .all(db)
        .await?;
    let labels = all_by::<address_label::Entity>(db, address_label::Column::Id).await?;

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
    column_where(shop_salemenu::Column::ShopId, column.eq(value))
}

/// The search's condition (shared by the page and its count).
fn search_condition(f: &MerchantFilter) -> Condition {
    use shop::Column as C;
    let mut cond = Condition::all()
        .add(C::FinanceStatus.ne(DELETED))
        .add_option(f.area_level1.map(|v| C::AreaLevel1Id.eq(v)))
        .add_option(f.area_level2.map(|v| C::AreaLevel2Id.eq(v)))
        .add_option(f.check_out.map(|v| C::CheckOut.eq(v)))
        .add_option(
            f.city
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| C::DistrictCode.eq(v)),
        )
        .add_option(f.create_employee.map(|v| C::CreateEmployeeId.eq(v)))
        .add_option(f.sale_employee.map(|v| C::SaleEmployeeId.eq(v)))
        .add_option(f.pay_method.map(|v| C::PayMethod.eq(v)))
        .add_option(f.settle_way.map(|v| C::SettleWay.eq(v)));
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
        let accounts = column_where(
            merchant_account::Column::Id,
            merchant_account::Column::CustomerType.eq(v),
        );
        cond = cond.add(C::AccountId.in_subquery(accounts));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
        let col = |c: shop::Column| lower_like(Expr::col((shop::Entity, c)), &pattern);
        let acol = |c: merchant_account::Column| {
            lower_like(Expr::col((merchant_account::Entity, c)), &pattern)
        };
        let accounts = column_where(
            merchant_account::Column::Id,
            Condition::any()
                .add(acol(merchant_account::Column::CompanyName))
                .add(acol(merchant_account::Column::Username))
                .add(acol(merchant_account::Column::Telephone)),
        );
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
    let order = [(shop::Column::Id, Order::Desc)];
    counts
        .page(db, query, &order, page, PastTheEnd::Empty)
        .await
}

/// The shop named by a `SID` (or its number).
pub async fn shop(db: &impl ConnectionTrait, sid: &str) -> AppResult<shop::Model> {
    let id = parse_prefixed(sid, 'S').ok_or_else(|| AppError::field("sid", "店铺id格式错误"))?;
    shop::Entity::find_by_id(id)
        .filter(shop::Column::FinanceStatus.ne(DELETED))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("店铺不存在".into()))
}
