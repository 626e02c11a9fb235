//! Integration tests: one binary, the real router, a fresh database per test.

mod accounts;
mod audit;
mod auth;
mod big_whitelists;
mod common;
mod documented;
mod fuzz;
mod graphql;
mod instances;
mod limits;
mod market;
mod memory;
mod merchants;
mod observability;
mod ops;
mod orders;
mod payers;
mod reports;
mod resilience;
mod security;
mod sessions;
mod shared;
mod sheets;
mod storage;
mod walk;
mod web;
