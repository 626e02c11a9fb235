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
///
/// A page may select only some of the columns (those its selection reads): the row then holds
/// those, still in column order, and the model's other fields are [`Unread`].
pub trait ReadAt: Sized {
    /// Its number of columns.
    const WIDTH: usize;
    /// Its columns' names, in column order.
    const COLUMNS: &'static [&'static str];

    /// The model in the row's columns from `start`, of which the row holds those of `columns`;
    /// `TryGetError::Null` when a column that cannot be NULL is (a left join that matched
    /// nothing).
    fn read_some(
        row: &sea_orm::QueryResult,
        start: usize,
        columns: Columns,
    ) -> Result<Self, sea_orm::TryGetError>;

    /// The model in all its columns from `start`.
    fn read_at(row: &sea_orm::QueryResult, start: usize) -> Result<Self, sea_orm::TryGetError> {
        Self::read_some(row, start, Columns::ALL)
    }

    /// The set holding the column `name` alone (none for a name that is no column).
    fn column(name: &str) -> Columns {
        Self::COLUMNS
            .iter()
            .position(|c| *c == name)
            .map_or(Columns::NONE, |i| Columns(1 << i))
    }
}

/// What a model's field holds when its column was not selected: a value no row holds (the
/// smallest number, a text that says so, the first representable day), so that a field that
/// reads a column it did not declare answers visibly wrong, in the tests first, instead of a
/// plausible default.
pub trait Unread {
    /// The value of a column not read.
    fn unread() -> Self;
}

/// The text of a text column not read.
pub const UNREAD_TEXT: &str = "\u{fffd}unread column";

impl Unread for String {
    fn unread() -> Self {
        UNREAD_TEXT.to_owned()
    }
}

impl Unread for bool {
    fn unread() -> Self {
        false
    }
}

macro_rules! unread_as_min {
    ($($ty:ty),*) => {
        $(impl Unread for $ty {
            fn unread() -> Self {
                <$ty>::MIN
            }
        })*
    };
}
unread_as_min!(i16, i32, i64, chrono::NaiveDate, chrono::NaiveDateTime);

impl<T: Unread> Unread for Option<T> {
    fn unread() -> Self {
        Some(T::unread())
    }
}

/// Some of a model's columns, by their position in column order (at most 64, which
/// [`model_read_at!`] checks when it declares a model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns(pub u64);

impl Columns {
    /// Every column.
    pub const ALL: Columns = Columns(u64::MAX);
    /// No column.
    pub const NONE: Columns = Columns(0);

    /// Whether the column at `index` is one of them.
    pub fn has(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }

    /// Both sets' columns.
    pub fn with(self, other: Columns) -> Columns {
        Columns(self.0 | other.0)
    }

    /// How many of a model's `width` columns are among them.
    pub fn count(self, width: usize) -> usize {
        (0..width).filter(|i| self.has(*i)).count()
    }
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

        const _: () = assert!(<Model as $crate::ReadAt>::WIDTH <= 64, "a Columns set holds 64");

        impl $crate::ReadAt for Model {
            const WIDTH: usize = Self::COLUMNS.len();
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn read_some(
                row: &sea_orm::QueryResult,
                start: usize,
                columns: $crate::Columns,
            ) -> Result<Self, sea_orm::TryGetError> {
                let mut at = start;
                let mut index = 0;
                Ok(Model {
                    $($field: {
                        index += 1;
                        if columns.has(index - 1) {
                            at += 1;
                            row.try_get_by_index_nullable(at - 1)?
                        } else {
                            $crate::Unread::unread()
                        }
                    }),*
                })
            }
        }
    };
}
pub(crate) use model_read_at;

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    use super::ReadAt;

    fn width<E: EntityTrait>() -> usize
    where
        E::Model: ReadAt,
    {
        let columns: Vec<&str> = E::Column::iter().map(|c| c.as_str()).collect();
        assert_eq!(E::Model::COLUMNS, columns.as_slice());
        E::Model::WIDTH
    }

    /// A model read by position has one field per column, in the columns' order and under their
    /// names: no field is left out of the columns, and a column found by name is where it is.
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
