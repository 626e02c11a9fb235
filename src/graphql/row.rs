//! `row_object!`: a GraphQL object over one table row, whose plain fields are its columns.

/// Declares `$name(pub $model)` and its `#[Object]` impl. The body lists the fields in schema
/// order: `column: Type,` answers the row's column of that name (`&str` and `Option<&str>`
/// borrow it, any other type copies it), and a resolver written out (`async fn ...`) answers
/// what is computed or renamed. Two computed kinds are common enough to be written short:
/// `name: label(CHOICES, column),` answers the label of a code column ([`label`]), and
/// `column: iso_datetime,` a time column as ISO text ([`crate::db::iso_datetime`]). Doc
/// comments on any of them are the fields' descriptions.
///
/// `pub struct Name(Model) serial { … }` resolves the row's fields one after another instead of
/// concurrently: a column is ready at once, and concurrently each field costs a task in a
/// `FuturesUnordered` (an allocation and atomic wake-ups) on every row of a page. Only for a
/// type with no loader fields, or whose every list feeds its loaders from the page's own
/// statement (`graphql::joins::feed`): one after another, a row's loader field that needs a
/// statement would wait for it before the next field asks its loader, and the page's batch of
/// that next loader would split, its statements then depending on the data.
///
/// ```ignore
/// row_object! {
///     /// A teacher.
///     pub struct Teacher(teacher::Model) {
///         id: i32,
///         /// Login name.
///         owner: &str,
///     }
/// }
/// ```
#[macro_export]
macro_rules! row_object {
    (
        $(#[$attr:meta])*
        pub struct $name:ident($model:ty) serial { $($body:tt)* }
    ) => {
        $(#[$attr])*
        pub struct $name(pub $model);

        $crate::row_object!(@fields $name (serial) [] $($body)*);
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident($model:ty) { $($body:tt)* }
    ) => {
        $(#[$attr])*
        pub struct $name(pub $model);

        $crate::row_object!(@fields $name () [] $($body)*);
    };
    (@fields $name:ident (serial) [$($out:tt)*]) => {
        #[async_graphql::Object(serial)]
        impl $name {
            $($out)*
        }
    };
    (@fields $name:ident () [$($out:tt)*]) => {
        #[async_graphql::Object]
        impl $name {
            $($out)*
        }
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* async fn $f:ident $args:tt -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f $args -> $ret $body
        ] $($rest)*);
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* $f:ident: label($choices:expr, $column:ident), $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&'static str> {
                $crate::graphql::row::label($choices, self.0.$column)
            }
        ] $($rest)*);
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* $f:ident: iso_datetime, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f(&self) -> String {
                $crate::db::iso_datetime(self.0.$f)
            }
        ] $($rest)*);
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* $f:ident: &str, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f(&self) -> &str { &self.0.$f }
        ] $($rest)*);
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* $f:ident: Option<&str>, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&str> { self.0.$f.as_deref() }
        ] $($rest)*);
    };
    (@fields $name:ident ($($mode:tt)*) [$($out:tt)*]
        $(#[$m:meta])* $f:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name ($($mode)*) [
            $($out)* $(#[$m])* async fn $f(&self) -> $ty { self.0.$f }
        ] $($rest)*);
    };
}

/// The label `choices` give `code` (none for a code they do not list).
pub fn label<K: PartialEq>(choices: &[(K, &'static str)], code: K) -> Option<&'static str> {
    choices.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}
