//! Administering accounts without SQL: staff accounts, roles and their permission codes, and
//! API keys, from GraphQL (guarded by `STAFF_MANAGE`, `ROLE_MANAGE`, `API_KEY_MANAGE`) and from
//! the CLI (`opsgraph staff|role|key`), through one service that holds the rules:
//!
//! - nobody grants a code they do not hold: a role's codes, a role given to an account, and a
//!   key for an account all need the operator to hold every code of the role concerned;
//! - nobody disables their own account, and the last active superuser cannot be disabled or
//!   moved to another role;
//! - disabling an account or resetting its password ends every session of it at once;
//! - every change is in the audit log, without a password, hash or key.
//!
//! Authentication itself (logging in, resolving credentials, ending one's own sessions) lives in
//! [`crate::auth`].

pub mod cli;
pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;
