//! Dataloaders of merchant management's nested objects.

use entity::{
    address_label, area_level1, area_level2, district, employee, merchant_account, salemenu,
    shop_salemenu, station,
};
use sea_orm::DatabaseConnection;

use crate::graphql::loader::{cached, ByIdLoader, GroupLoader};

/// Merchant accounts by id.
pub type AccountLoader = ByIdLoader<merchant_account::Entity>;
/// Cities by district code.
pub type DistrictLoader = ByIdLoader<district::Entity, String>;
/// First-level areas by id.
pub type AreaLevel1Loader = ByIdLoader<area_level1::Entity, i64>;
/// Second-level areas by id.
pub type AreaLevel2Loader = ByIdLoader<area_level2::Entity, i64>;
/// Employees (account and sales managers) by id.
pub type EmployeeLoader = ByIdLoader<employee::Entity>;
/// Merchant labels by id.
pub type LabelLoader = ByIdLoader<address_label::Entity>;
/// Quote sheets by id.
pub type QuoteSheetLoader = ByIdLoader<salemenu::Entity, String>;
/// Stations by id.
pub type StationLoader = ByIdLoader<station::Entity, String>;
/// A shop's quote-sheet bindings, by shop id.
pub type BindingsLoader = GroupLoader<shop_salemenu::Entity>;

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(cached(AccountLoader::new(db, merchant_account::Column::Id)))
        .data(cached(DistrictLoader::new(db, district::Column::Code)))
        .data(cached(AreaLevel1Loader::new(db, area_level1::Column::Id)))
        .data(cached(AreaLevel2Loader::new(db, area_level2::Column::Id)))
        .data(cached(EmployeeLoader::new(db, employee::Column::Id)))
        .data(cached(LabelLoader::new(db, address_label::Column::Id)))
        .data(cached(QuoteSheetLoader::new(db, salemenu::Column::Id)))
        .data(cached(StationLoader::new(db, station::Column::Id)))
        .data(cached(BindingsLoader::new(
            db,
            shop_salemenu::Column::ShopId,
            shop_salemenu::Column::Id,
        )))
}
