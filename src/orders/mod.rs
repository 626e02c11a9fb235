//! Paid-report customers and orders (`paid-reports.txt`, the customer and order half): orders
//! with their item, usage and invoice, customers with their payment totals, the report's users,
//! and order statistics for the admin dashboard. `service` holds the rules, `schema` the
//! GraphQL fields, `types` the GraphQL objects, `loaders` the dataloaders.

pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;
