//! Dataloaders of merchant management's nested objects.

use entity::shop_salemenu;
use sea_orm::DatabaseConnection;

use crate::graphql::loader::{cached, GroupLoader};

crate::graphql::loader::by_id_loaders! {
    /// Merchant accounts by id.
    AccountLoader = merchant_account by Id;
    /// Cities by district code.
    DistrictLoader = district by Code as String;
    /// First-level areas by id.
    AreaLevel1Loader = area_level1 by Id as i64;
    /// Second-level areas by id.
    AreaLevel2Loader = area_level2 by Id as i64;
    /// Employees (account and sales managers) by id.
    EmployeeLoader = employee by Id;
    /// Merchant labels by id.
    LabelLoader = address_label by Id;
    /// Quote sheets by id.
    QuoteSheetLoader = salemenu by Id as String;
    /// Stations by id.
    StationLoader = station by Id as String;
    => attach_bindings;
}

/// A shop's quote-sheet bindings, by shop id.
pub type BindingsLoader = GroupLoader<shop_salemenu::Entity>;

/// Adds the bindings loader to one request.
fn attach_bindings(
    request: async_graphql::Request,
    db: &DatabaseConnection,
) -> async_graphql::Request {
    request.data(cached(BindingsLoader::new(
        db,
        shop_salemenu::Column::ShopId,
        shop_salemenu::Column::Id,
    )))
}
