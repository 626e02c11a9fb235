//! Dataloaders of an order's nested objects.

use entity::{customer, invoice, order_item, order_usage};
use sea_orm::DatabaseConnection;

use crate::graphql::loader::{cached, ByIdLoader};

/// Customers by id.
pub type CustomerLoader = ByIdLoader<customer::Entity>;
/// The item of an order, by order id.
pub type OrderItemLoader = ByIdLoader<order_item::Entity>;
/// The usage of an order, by order id.
pub type UsageLoader = ByIdLoader<order_usage::Entity>;
/// The invoice of an order, by order id.
pub type InvoiceLoader = ByIdLoader<invoice::Entity>;

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(cached(CustomerLoader::new(db, customer::Column::Id)))
        .data(cached(OrderItemLoader::new(
            db,
            order_item::Column::OrderId,
        )))
        .data(cached(UsageLoader::new(db, order_usage::Column::OrderId)))
        .data(cached(InvoiceLoader::new(db, invoice::Column::OrderId)))
}
