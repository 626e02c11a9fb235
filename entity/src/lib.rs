//! SeaORM entities of opsgraph, one module per table. They are storage types only: the GraphQL
//! types in the main crate are built from them, never exposed as they are.

pub mod address_label;
pub mod api_token;
pub mod area_level1;
pub mod area_level2;
pub mod audit_log;
pub mod course;
pub mod course_enrollment;
pub mod customer;
pub mod district;
pub mod employee;
pub mod exchange_order;
pub mod exchange_product;
pub mod invoice;
pub mod merchant_account;
pub mod order_item;
pub mod order_usage;
pub mod payment_order;
pub mod prop_category;
pub mod report;
pub mod report_whitelist;
pub mod role;
pub mod role_permission;
pub mod salemenu;
pub mod setting;
pub mod shop;
pub mod shop_salemenu;
pub mod staff;
pub mod station;
pub mod station_city;
pub mod station_salemenu;
pub mod student;
pub mod teacher;
pub mod user_info;
pub mod user_product;
pub mod visit_record;
