//! opsgraph: one GraphQL backend for four legacy admin APIs, with a REST compatibility layer
//! that keeps every legacy client working.
//!
//! Layout: a folder per domain (`payers`, …) with the same files (`service` rules, `schema`
//! GraphQL fields, `types`, `loaders`); `rest/` holds the legacy URL families, which only decode,
//! run a GraphQL operation and wrap; `auth/` the one auth model; `graphql/` the merged schema.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphiql;
pub mod graphql;
pub mod market;
pub mod merchants;
pub mod migrate;
pub mod ops;
pub mod orders;
pub mod payers;
pub mod process;
pub mod reports;
pub mod rest;
pub mod shared;
pub mod state;
pub mod storage;
pub mod text;
pub mod web;
pub mod xlsx;
