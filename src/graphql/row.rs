//! `row_object!`: a GraphQL object over one table row, whose plain fields are its columns.

use std::borrow::Cow;

use async_graphql::{
    indexmap::{map::Entry, IndexMap},
    parser::types::{Field, Selection, SelectionSet},
    registry::Registry,
    ContainerType, ContextSelectionSet, Lookahead, Name, OutputType, Positioned, ServerError,
    ServerResult, Value,
};
use entity::{Columns, ReadAt};

/// Declares `$name(pub $model)` and its `#[Object]` impl. The body lists the fields in schema
/// order: `column: Type,` answers the row's column of that name (`&str` and `Option<&str>`
/// borrow it, any other type copies it), and a resolver written out (`async fn ...`) answers
/// what is computed or renamed. Two computed kinds are common enough to be written short:
/// `name: label(CHOICES, column),` answers the label of a code column ([`label`]), and
/// `column: iso_datetime,` a time column as ISO text ([`crate::db::iso_datetime`]). Doc
/// comments on any of them are the fields' descriptions.
///
/// Each field says which columns it reads, in `Name::READS`, so that a page of rows selects
/// only those its selection reads ([`columns`], `graphql::joins::Joins::only`): a column field
/// reads its column, and a resolver written out reads any, unless it is prefixed with
/// `reads(column, …)` (checked to be the model's columns, not that the body reads no other: a
/// test of the page compares each field alone with the same field among all).
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

        $crate::row_object!(@fields $name [$model] (serial) [] [] $($body)*);
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident($model:ty) { $($body:tt)* }
    ) => {
        $(#[$attr])*
        pub struct $name(pub $model);

        $crate::row_object!(@fields $name [$model] () [] [] $($body)*);
    };
    (@fields $name:ident [$model:ty] (serial) [$($out:tt)*] [$($reads:tt)*]) => {
        #[async_graphql::Object(serial)]
        impl $name {
            $($out)*
        }

        $crate::row_object!(@reads $name [$($reads)*]);
    };
    (@fields $name:ident [$model:ty] () [$($out:tt)*] [$($reads:tt)*]) => {
        #[async_graphql::Object]
        impl $name {
            $($out)*
        }

        $crate::row_object!(@reads $name [$($reads)*]);
    };
    (@reads $name:ident [$($reads:tt)*]) => {

        impl $name {
            /// The columns each field reads, by the field's Rust name: `None` for a resolver
            /// that does not say (it may read any).
            pub const READS: $crate::graphql::row::Reads = &[$($reads)*];
        }
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* reads($($column:ident),*) async fn $f:ident $args:tt -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        // The columns named are the model's.
        const _: fn(&$model) = |model| { $(let _ = &model.$column;)* };
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f $args -> $ret $body
        ] [$($reads)* (stringify!($f), Some(&[$(stringify!($column)),*])),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* async fn $f:ident $args:tt -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f $args -> $ret $body
        ] [$($reads)* (stringify!($f), None),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* $f:ident: label($choices:expr, $column:ident), $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&'static str> {
                $crate::graphql::row::label($choices, self.0.$column)
            }
        ] [$($reads)* (stringify!($f), Some(&[stringify!($column)])),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* $f:ident: iso_datetime, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f(&self) -> String {
                $crate::db::iso_datetime(self.0.$f)
            }
        ] [$($reads)* (stringify!($f), Some(&[stringify!($f)])),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* $f:ident: &str, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f(&self) -> &str { &self.0.$f }
        ] [$($reads)* (stringify!($f), Some(&[stringify!($f)])),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* $f:ident: Option<&str>, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f(&self) -> Option<&str> { self.0.$f.as_deref() }
        ] [$($reads)* (stringify!($f), Some(&[stringify!($f)])),] $($rest)*);
    };
    (@fields $name:ident [$model:ty] $mode:tt [$($out:tt)*] [$($reads:tt)*]
        $(#[$m:meta])* $f:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::row_object!(@fields $name [$model] $mode [
            $($out)* $(#[$m])* async fn $f(&self) -> $ty { self.0.$f }
        ] [$($reads)* (stringify!($f), Some(&[stringify!($f)])),] $($rest)*);
    };
}

/// What each field of a [`row_object!`] reads of its row: the field's Rust name, and the
/// columns it reads (`None`: any).
pub type Reads = &'static [(&'static str, Option<&'static [&'static str]>)];

/// The columns of `M` that the fields selected under `parent` read (of a `row_object!` whose
/// fields read `reads`): the columns a page of them selects. Every column when a selected field
/// does not say what it reads.
pub fn columns<M: ReadAt>(reads: Reads, parent: &Lookahead<'_>) -> Columns {
    let mut columns = Columns::NONE;
    for field in parent.selection_fields() {
        for selected in field.selection_set() {
            let name = selected.name();
            if name == "__typename" {
                continue;
            }
            match reads.iter().find(|(rust, _)| graphql_name_is(name, rust)) {
                Some((_, Some(read))) => {
                    for column in *read {
                        columns = columns.with(M::column(column));
                    }
                }
                _ => return Columns::ALL,
            }
        }
    }
    columns
}

/// Whether `graphql` is the name async-graphql gives the field `rust` (in camelCase:
/// `lesson_total` is `lessonTotal`).
fn graphql_name_is(graphql: &str, rust: &str) -> bool {
    let mut graphql = graphql.bytes();
    let mut upper = false;
    for b in rust.bytes() {
        if b == b'_' {
            upper = true;
            continue;
        }
        let want = if upper { b.to_ascii_uppercase() } else { b };
        upper = false;
        if graphql.next() != Some(want) {
            return false;
        }
    }
    graphql.next().is_none()
}

/// The label `choices` give `code` (none for a code they do not list).
pub fn label<K: PartialEq>(choices: &[(K, &'static str)], code: K) -> Option<&'static str> {
    choices.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// An object whose fields are resolved in place, one after another, into one map sized for
/// them: the same answer and errors as async-graphql's own resolution of the object, without
/// what that costs on every field of every row (a boxed future per field, and for an object
/// that is not serial a task in a `FuturesUnordered`; hashing each name twice; a map grown
/// field by field). For the rows of the largest pages (`payers`, `orders`) and the objects
/// nested in them; the schema sees `T` itself.
///
/// Fields keep their resolvers (`T::resolve_field`): a guard, a loader or an error works as
/// it does anywhere else. Only for an object whose fields need not wait for one another, as
/// for a serial [`row_object!`]: its fields answer at once (columns, values computed from
/// them) or from loaders its page fed. Were the schema to declare directives of its own, its
/// objects would be resolved by async-graphql as usual (none is declared; `@skip` and
/// `@include` are gone before execution). The schema registers no extension ([`super::builder`]):
/// these fields would not pass through an extension's `resolve` hook.
pub struct Inline<T>(pub T);

impl<T: ContainerType + OutputType> OutputType for Inline<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // A field's directive does something only if the schema declares it (`@skip` and
        // `@include` are gone before execution); ours declares none.
        if !ctx.schema_env.custom_directives.is_empty() {
            return OutputType::resolve(&self.0, ctx, field).await;
        }
        let mut fields = IndexMap::with_capacity(width(ctx, &ctx.item.node));
        self.resolve_set(ctx, &ctx.item.node, &mut fields).await;
        Ok(if fields.is_empty() {
            Value::Null
        } else {
            Value::Object(fields)
        })
    }
}

impl<T: ContainerType + OutputType> Inline<T> {
    /// Resolves the fields of `set` (and of the fragments in it that apply to `T`) into
    /// `fields`, as async-graphql's `resolve_container_serial` does; a field's error is the
    /// request's, and the field is left out.
    async fn resolve_set<'a>(
        &'a self,
        ctx: &ContextSelectionSet<'a>,
        set: &'a SelectionSet,
        fields: &mut IndexMap<Name, Value>,
    ) {
        for selection in &set.items {
            let (on, inner) = match &selection.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.clone();
                    if field.node.name.node == "__typename" {
                        let name = self.0.introspection_type_name().into_owned();
                        insert(fields, key, Value::String(name));
                        continue;
                    }
                    match self.0.resolve_field(&ctx.with_field(field)).await {
                        Ok(value) => insert(fields, key, value.unwrap_or_default()),
                        Err(error) => ctx.add_error(error),
                    }
                    continue;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = ctx.query_env.fragments.get(name) else {
                        let message = format!(r#"Unknown fragment "{name}"."#);
                        ctx.add_error(ServerError::new(message, Some(spread.pos)));
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    (Some(on), &fragment.node.selection_set)
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment.node.type_condition.as_ref();
                    (
                        on.map(|c| c.node.on.node.as_str()),
                        &fragment.node.selection_set,
                    )
                }
            };
            if self.applies(ctx, on) {
                let inner_ctx = ctx.with_selection_set(inner);
                Box::pin(self.resolve_set(&inner_ctx, &inner.node, fields)).await;
            }
        }
    }

    /// Whether a fragment on `on` (none: on the enclosing type) applies to this object.
    fn applies(&self, ctx: &ContextSelectionSet<'_>, on: Option<&str>) -> bool {
        let Some(on) = on else {
            return true;
        };
        let name = self.0.introspection_type_name();
        name == on
            || T::type_name() == on
            || ctx
                .schema_env
                .registry
                .implements
                .get(&*name)
                .is_some_and(|interfaces| interfaces.contains(on))
    }
}

/// How many fields `set` selects, its fragments' fields included: the capacity of the map its
/// object is answered in (a bound: a fragment on another type or a merged key takes none). A
/// REST document's rows are one fragment spread, which the map would otherwise start from and
/// grow out of, rehashing, row after row. Fragment cycles never reach execution (validation
/// rejects them in either mode, [`super::Schemas`]).
fn width(ctx: &ContextSelectionSet<'_>, set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(_) => 1,
            Selection::FragmentSpread(spread) => ctx
                .query_env
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| width(ctx, &f.node.selection_set.node)),
            Selection::InlineFragment(f) => width(ctx, &f.node.selection_set.node),
        })
        .sum()
}

/// Adds a field's value under its response key; a key selected twice merges its objects, as
/// async-graphql does (`{ a { x } a { y } }` answers `a` once, with both).
fn insert(fields: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match fields.entry(key) {
        Entry::Vacant(slot) => {
            slot.insert(value);
        }
        Entry::Occupied(mut slot) => merge(slot.get_mut(), value),
    }
}

/// Merges `value` into `target`, both answers of the same key.
fn merge(target: &mut Value, value: Value) {
    match (target, value) {
        (Value::Object(target), Value::Object(value)) => {
            for (key, value) in value {
                insert(target, key, value);
            }
        }
        (Value::List(target), Value::List(value)) => {
            for (target, value) in target.iter_mut().zip(value) {
                if let (Value::Object(_), Value::Object(_)) = (&*target, &value) {
                    merge(target, value);
                }
            }
        }
        _ => {}
    }
}
