//! SeaORM entities of opsgraph, one module per table. They are storage types only: the GraphQL
//! types in the main crate are built from them, never exposed as they are.

pub mod api_token;
pub mod course;
pub mod course_enrollment;
pub mod exchange_order;
pub mod exchange_product;
pub mod prop_category;
pub mod role;
pub mod role_permission;
pub mod setting;
pub mod staff;
pub mod student;
pub mod teacher;
pub mod user_info;
pub mod user_product;
pub mod visit_record;
