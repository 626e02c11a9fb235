//! Dataloaders of the market's nested objects.

use entity::{exchange_product, prop_category, user_info};
use sea_orm::DatabaseConnection;

use crate::graphql::loader::{cached, ByIdLoader};

/// Products by id (inside orders and props).
pub type ProductLoader = ByIdLoader<exchange_product::Entity>;
/// Prop categories by id (`category_detail`).
pub type CategoryLoader = ByIdLoader<prop_category::Entity>;
/// Members by id (an order's `owner`).
pub type MemberLoader = ByIdLoader<user_info::Entity>;

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(cached(ProductLoader::new(db, exchange_product::Column::Id)))
        .data(cached(CategoryLoader::new(db, prop_category::Column::Id)))
        .data(cached(MemberLoader::new(db, user_info::Column::Id)))
}
