//! Dataloaders of an order's nested objects.

crate::graphql::loader::by_id_loaders! {
    /// Customers by id.
    CustomerLoader = customer by Id;
    /// The item of an order, by order id.
    OrderItemLoader = order_item by OrderId;
    /// The usage of an order, by order id.
    UsageLoader = order_usage by OrderId;
    /// The invoice of an order, by order id.
    InvoiceLoader = invoice by OrderId;
}
