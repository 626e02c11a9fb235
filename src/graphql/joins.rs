//! Warming loaders from a page's own statement: the to-one objects a page selects (a payer's
//! teacher and student, an order's customer, …) are LEFT JOINed to its rows, so the page costs
//! one statement instead of one per nested type. Nested resolvers still ask their loaders, which
//! answer from what was fed: an object resolves the same way wherever it appears, and a page that
//! does not select an object does not join it.

use std::marker::PhantomData;

use sea_orm::{
    sea_query::{Alias, Expr},
    EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType, QueryResult, QuerySelect,
    RelationDef, Select, TryGetError,
};

use entity::ReadAt;

use super::loader::{ByIdLoader, Cached, Key};

/// What a page of `E` reads beside its rows: the to-one objects it selects, and whether it
/// selects the total (a page that does not costs no count).
pub struct Joins<E: EntityTrait> {
    joins: Vec<Join>,
    uncounted: bool,
    _entity: PhantomData<E>,
}

/// One joined object: its name (the table alias and its columns' prefix, e.g. `teacher__`: two
/// underscores keep it apart from every column name), how it joins, its columns as they are
/// selected, and the position of the first in the row (after the page's own and earlier joins').
struct Join {
    name: &'static str,
    relation: RelationDef,
    columns: Vec<(Expr, String)>,
    start: usize,
}

impl<E: EntityTrait> Default for Joins<E> {
    fn default() -> Self {
        Joins {
            joins: Vec::new(),
            uncounted: false,
            _entity: PhantomData,
        }
    }
}

impl<E: EntityTrait> Joins<E> {
    /// Nothing joined yet, and the total counted only when the page selects it (`totalCount`);
    /// uncounted, it is answered as 0.
    pub fn counting_if(total_selected: bool) -> Self {
        Joins {
            uncounted: !total_selected,
            ..Joins::default()
        }
    }

    /// Whether the page's total is to be counted.
    pub fn counts_total(&self) -> bool {
        !self.uncounted
    }

    /// Joins the `R` whose `to` column equals the row's `from` column, as `name`.
    pub fn add<R: EntityTrait>(&mut self, name: &'static str, from: E::Column, to: R::Column) {
        let relation = E::belongs_to(R::default()).from(from).to(to).into();
        let start =
            E::Column::iter().count() + self.joins.iter().map(|j| j.columns.len()).sum::<usize>();
        let columns = R::Column::iter()
            .map(|c| {
                let expr = Expr::col((Alias::new(name), Alias::new(c.as_str())));
                (expr, format!("{name}{}", c.as_str()))
            })
            .collect();
        self.joins.push(Join {
            name,
            relation,
            columns,
            start,
        });
    }

    /// `query` with the joins and their columns.
    pub fn apply(&self, mut query: Select<E>) -> Select<E> {
        for join in &self.joins {
            query = query.join_as(
                JoinType::LeftJoin,
                join.relation.clone(),
                Alias::new(join.name),
            );
            for (expr, alias) in &join.columns {
                query = query.expr_as(expr.clone(), alias.clone());
            }
        }
        query
    }

    /// Whether `row` has the page's columns, then each join's, where rows are read from
    /// ([`Joined::read_at`]): checked on a page's first row in debug builds (the tests').
    pub fn in_place(&self, row: &QueryResult) -> bool {
        let names = row.column_names();
        let wanted = E::Column::iter().map(|c| c.as_str().to_owned()).chain(
            self.joins
                .iter()
                .flat_map(|j| j.columns.iter().map(|c| c.1.clone())),
        );
        wanted
            .enumerate()
            .all(|(i, name)| names.get(i) == Some(&name))
    }
}

/// A row of a page with the objects joined to it.
pub struct Joined<M> {
    pub model: M,
    row: QueryResult,
}

impl<M> Joined<M> {
    /// The row's model (its columns read by name) and what was joined to it.
    pub fn read(row: QueryResult) -> Result<Self, sea_orm::DbErr>
    where
        M: FromQueryResult,
    {
        Ok(Joined {
            model: M::from_query_result(&row, "")?,
            row,
        })
    }

    /// The row's model (its columns first, read by position) and what was joined to it.
    pub fn read_at(row: QueryResult) -> Result<Self, sea_orm::DbErr>
    where
        M: ReadAt,
    {
        Ok(Joined {
            model: M::read_at(&row, 0)?,
            row,
        })
    }

    /// The `R` joined from column `start`, or `None` when the join matched nothing (all its
    /// columns are NULL). A column that does not decode is an error, never a missing object.
    fn object<R: EntityTrait>(&self, start: usize) -> Result<Option<R::Model>, sea_orm::DbErr>
    where
        R::Model: ReadAt,
    {
        match R::Model::read_at(&self.row, start) {
            Ok(model) => Ok(Some(model)),
            Err(TryGetError::Null(_)) => Ok(None),
            Err(TryGetError::DbErr(e)) => Err(e),
        }
    }
}

/// Feeds `loader` with the `R`s joined as `name` to `rows`, where `link` reads a row's key of
/// its `R` (the joined column's value). A row whose join matched nothing notes its key as
/// absent, so asking for it costs no statement either. An object the page did not join feeds
/// nothing: its missing columns say nothing of whether it exists, and another field of the
/// same request may ask for it.
pub async fn feed<E, R, K>(
    loader: &Cached<ByIdLoader<R, K>>,
    (joins, rows): (&Joins<E>, &[Joined<E::Model>]),
    name: &str,
    link: impl Fn(&E::Model) -> Option<K>,
) -> crate::error::AppResult<()>
where
    E: EntityTrait,
    R: EntityTrait + Send + Sync + 'static,
    R::Model: ReadAt + Clone + Send + Sync + 'static,
    R::Column: Send + Sync + 'static,
    K: Key,
{
    let Some(join) = joins.joins.iter().find(|join| join.name == name) else {
        return Ok(());
    };
    let mut found = Vec::new();
    let mut absent = Vec::new();
    for row in rows {
        let Some(key) = link(&row.model) else {
            continue;
        };
        match row.object::<R>(join.start)? {
            Some(object) => found.push((key, object)),
            None => absent.push(key),
        }
    }
    loader.loader().note_absent(absent);
    loader.feed_many(found).await;
    Ok(())
}
