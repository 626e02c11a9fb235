//! `row_object!`: a GraphQL object over one table row, whose plain fields are its columns.

/// Declares `$name(pub $model)` and its `#[Object]` impl. The body lists the fields in schema
/// order: `column: Type,` answers the row's column of that name (`&str` and `Option<&str>`
/// borrow it, any other type copies it), and a resolver written out (`async fn ...`) answers
/// what is computed or renamed. Two computed kinds are common enough to be written short:
/// `name: label(CHOICES, column),` answers the label of a code column ([`label`]), and
/// `column: iso_datetime,` a time column as ISO text ([`crate::db::iso_datetime`]). Doc
/// comments on any of them are the fields' descriptions.
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
        pub struct $name:ident($model:ty) { $($body:tt)* }
    ) => {
        $(#[$attr])*
        pub struct $name(pub $model);

        $crate::row_object!(@fields $name [] $($body)*);
    };
    (@fields $name:ident [$($out:tt)*]) => {
        // Serial: a row's fields are its columns, ready at once, so running them one after
        // another costs no wait, and spares each field a task in a `FuturesUnordered` (an
        // allocation and atomic wake-ups per field, on every row of a page). Rows of a list
        // still resolve together, so a loader still batches one field across a page.
        #[async_graphql::Object(serial)]
        impl $name {
            $($out)*
        }
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* async fn $f:ident $args:tt -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f $args -> $ret $body
        ] $($rest)*);
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* $f:ident: label($choices:expr, $column:ident), $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&'static str> {
                $crate::graphql::row::label($choices, self.0.$column)
            }
        ] $($rest)*);
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* $f:ident: iso_datetime, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f(&self) -> String {
                $crate::db::iso_datetime(self.0.$f)
            }
        ] $($rest)*);
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* $f:ident: &str, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f(&self) -> &str { &self.0.$f }
        ] $($rest)*);
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* $f:ident: Option<&str>, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&str> { self.0.$f.as_deref() }
        ] $($rest)*);
    };
    (@fields $name:ident [$($out:tt)*]
        $(#[$m:meta])* $f:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [
            $($out)* $(#[$m])* async fn $f(&self) -> $ty { self.0.$f }
        ] $($rest)*);
    };
}

/// The label `choices` give `code` (none for a code they do not list).
pub fn label<K: PartialEq>(choices: &[(K, &'static str)], code: K) -> Option<&'static str> {
    choices.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}
