//! Integration tests: one binary, the real router, a fresh database per test.

mod auth;
mod common;
mod graphql;
mod market;
mod merchants;
mod ops;
mod orders;
mod payers;
mod reports;
mod storage;
