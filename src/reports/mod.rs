//! Paid reports (`paid-reports.txt`, the report half): reports, their whitelists with Excel
//! import and export, and the storage signing around report files. `service` holds the rules,
//! `schema` the GraphQL fields, `types` the GraphQL objects, `loaders` the dataloaders.

pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;
