//! The audit log: every mutation, through REST or GraphQL, records who made it, what it did,
//! to which record, the changed fields before and after, and when. Services write through
//! `service::write`, which records inside the transaction of the change itself, so a change and
//! its record commit together or not at all. Admins read it through GraphQL (`auditLog`).
//! `service` holds the recording and the query, `schema` the GraphQL field, `types` the GraphQL
//! objects.

pub mod schema;
pub mod service;
pub mod types;
