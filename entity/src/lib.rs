//! SeaORM entities of opsgraph, one module per table. They are storage types only: the GraphQL
//! types in the main crate are built from them, never exposed as they are.

pub mod address_label;
pub mod api_key;
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
pub mod login_throttle;
pub mod merchant_account;
pub mod order_item;
pub mod order_usage;
pub mod payment_order;
pub mod persisted_query;
pub mod prop_category;
pub mod report;
pub mod report_whitelist;
pub mod revoked_token;
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

/// A model read from a row by position: its columns are consecutive in the row, from `start`,
/// in the entity's column order. Reading by name costs, on every column of every row, a hashed
/// lookup of the name and, for an object joined under a prefix, writing the prefixed name
/// first; a page's rows are read by position instead (the main crate's `graphql::joins`).
pub trait ReadAt: Sized {
    /// Its number of columns.
    const WIDTH: usize;

    /// The model in the row's columns from `start`; `TryGetError::Null` when a column that
    /// cannot be NULL is (a left join that matched nothing).
    fn read_at(row: &sea_orm::QueryResult, start: usize) -> Result<Self, sea_orm::TryGetError>;
}

/// Declares an entity's `Model` as written (derives, attributes, docs) and reads it by position
/// ([`ReadAt`]): its fields in declaration order, which is the order of the entity's columns.
macro_rules! model_read_at {
    (
        $(#[$meta:meta])*
        pub struct Model { $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        pub struct Model { $($(#[$field_meta])* pub $field: $ty),* }

        impl $crate::ReadAt for Model {
            const WIDTH: usize = [$(stringify!($field)),*].len();

            fn read_at(
                row: &sea_orm::QueryResult,
                start: usize,
            ) -> Result<Self, sea_orm::TryGetError> {
                let mut at = start;
                Ok(Model {
                    $($field: {
                        at += 1;
                        row.try_get_by_index_nullable(at - 1)?
                    }),*
                })
            }
        }
    };
}
pub(crate) use model_read_at;

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, Iterable};

    use super::ReadAt;

    fn width<E: EntityTrait>() -> usize
    where
        E::Model: ReadAt,
    {
        assert_eq!(E::Model::WIDTH, E::Column::iter().count());
        E::Model::WIDTH
    }

    /// A model read by position has one field per column: no field is left out of the columns.
    #[test]
    fn models_read_by_position_have_a_field_per_column() {
        assert_eq!(width::<super::user_info::Entity>(), 27);
        width::<super::teacher::Entity>();
        width::<super::student::Entity>();
        width::<super::payment_order::Entity>();
        width::<super::order_item::Entity>();
        width::<super::customer::Entity>();
        width::<super::order_usage::Entity>();
        width::<super::invoice::Entity>();
    }
}
