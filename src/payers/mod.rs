//! The kids-coding CRM (`kids-coding-payers.txt`): paid users with their follow-up state, and
//! visit records. `service` holds the rules, `schema` the GraphQL fields, `types` the GraphQL
//! objects, `loaders` the dataloaders of nested objects.

pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;
