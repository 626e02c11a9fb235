//! The kids-coding diamond market (`kids-coding-market.txt`): products, purchases that never
//! overspend, exchange orders, and the props members use. `service` holds the rules, `schema`
//! the GraphQL fields, `types` the GraphQL objects, `loaders` the dataloaders.

pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;
