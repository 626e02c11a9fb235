//! Quote sheets bound to a shop, each delivered by a station.

use super::*;

/// A concurrent bind of the same sheet loses on the unique index.
const ALREADY_BOUND: &str = "报价单已绑定到该店铺";

/// The station that delivers `quote_sheet` to `district`: one serving the city, else any
/// station carrying the sheet.
pub(super) async fn station_for(
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

/// Checks that quote sheet `id`, given in `field`, exists.
pub(super) async fn check_quote_sheet(
    db: &impl ConnectionTrait,
    field: &str,
    id: &str,
) -> AppResult<()> {
    match salemenu::Entity::find_by_id(id.to_owned()).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field(field, format!("报价单 {id} 不存在"))),
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
    check_quote_sheet(db, "quoteSheetId", quote_sheet).await?;
    let station = match station.map(str::trim).filter(|s| !s.is_empty()) {
        // The station must exist and carry the sheet.
        Some(id) => {
            let carries =
                station_salemenu::Entity::find_by_id((id.to_owned(), quote_sheet.to_owned()))
                    .one(db)
                    .await?;
            if carries.is_none() {
                return Err(AppError::field(
                    "serviceStationId",
                    format!("站点 {id} 不存在或不配送报价单 {quote_sheet}"),
                ));
            }
            Some(id.to_owned())
        }
        None => station_for(db, quote_sheet, &shop.district_code).await?,
    };
    audit::write(db, who, "bindQuoteSheet", async |txn, log| {
        let (before, after) = match record_id {
            Some(id) => {
                let before = shop_salemenu::Entity::find_by_id(id)
                    .filter(shop_salemenu::Column::ShopId.eq(shop.id))
                    .one(txn)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("报价单绑定 {id} 不存在")))?;
                let mut binding: shop_salemenu::ActiveModel = before.clone().into();
                binding.salemenu_id = Set(quote_sheet.to_owned());
                binding.service_station_id = Set(station);
                let after = binding
                    .update(txn)
                    .await
                    .map_err(|e| crate::db::conflict_on_unique(e, ALREADY_BOUND))?;
                (Some(before), after)
            }
            None => {
                let after = shop_salemenu::ActiveModel {
                    shop_id: Set(shop.id),
                    salemenu_id: Set(quote_sheet.to_owned()),
                    service_station_id: Set(station),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .map_err(|e| crate::db::conflict_on_unique(e, ALREADY_BOUND))?;
                (None, after)
            }
        };
        let recorded = log
            .change("shop_salemenu", after.id, before.as_ref(), Some(&after))
            .await?;
        if !recorded {
            who.may_read_unchanged("shop")?;
        }
        Ok(shop)
    })
    .await
}

/// Removes binding `record_id` from a shop (the legacy `status: deleteSSM` form).
pub async fn unbind_quote_sheet(
    db: &DatabaseConnection,
    who: &Auth,
    sid: &str,
    record_id: i32,
) -> AppResult<shop::Model> {
    let shop = shop(db, sid).await?;
    audit::write(db, who, "unbindQuoteSheet", async |txn, log| {
        let missing = || AppError::NotFound(format!("报价单绑定 {record_id} 不存在"));
        let binding = shop_salemenu::Entity::find_by_id(record_id)
            .filter(shop_salemenu::Column::ShopId.eq(shop.id))
            .one(txn)
            .await?
            .ok_or_else(missing)?;
        let removed = shop_salemenu::Entity::delete_by_id(record_id)
            .exec(txn)
            .await?;
        if removed.rows_affected == 0 {
            return Err(missing());
        }
        log.deleted("shop_salemenu", record_id, &binding).await?;
        Ok(shop)
    })
    .await
}
