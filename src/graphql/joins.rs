//! Warming loaders from a page's own statement: the to-one objects a page selects (a payer's
//! teacher and student, an order's customer, …) are LEFT JOINed to its rows, so the page costs
//! one statement instead of one per nested type. Nested resolvers still ask their loaders, which
//! answer from what was fed: an object resolves the same way wherever it appears, and a page that
//! does not select an object does not join it.
//!
//! A page may also select only the columns of its own rows that its selection reads
//! ([`Joins::only`]): the rows are the page's alone (no loader is fed them), so a column no
//! selected field reads need not cross the wire nor be decoded. The joined objects keep every
//! column: they feed loaders that any field of the request may ask.

use std::marker::PhantomData;

use sea_orm::{
    sea_query::{Alias, Expr},
    EntityTrait, FromQueryResult, IdenStatic, Iterable, JoinType, QueryResult, QuerySelect,
    RelationDef, Select, TryGetError,
};

use entity::{Columns, ReadAt};

use super::loader::{ByIdLoader, Cached, Key};

/// What a page of `E` reads: which of its own columns, the to-one objects it selects, and
/// whether it selects the total (a page that does not costs no count).
pub struct Joins<E: EntityTrait> {
    own: Columns,
    joins: Vec<Join>,
    uncounted: bool,
    _entity: PhantomData<E>,
}

/// One joined object: its name (the table alias and its columns' prefix, e.g. `teacher__`: two
/// underscores keep it apart from every column name), how it joins, and its columns as they are
/// selected.
struct Join {
    name: &'static str,
    relation: RelationDef,
    columns: Vec<(Expr, String)>,
}

impl<E: EntityTrait> Default for Joins<E> {
    fn default() -> Self {
        Joins {
            own: Columns::ALL,
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

    /// Selects only `columns` of the page's own (every column by default). The first column,
    /// the primary key, is always selected: a statement selects something.
    pub fn only(&mut self, columns: Columns) {
        self.own = columns.with(Columns(1));
    }

    /// The page's own columns, as they are selected.
    fn own_columns(&self) -> impl Iterator<Item = E::Column> + '_ {
        E::Column::iter()
            .enumerate()
            .filter(|(i, _)| self.own.has(*i))
            .map(|(_, c)| c)
    }

    /// Where the columns of the `index`th join start in a row: after the page's own columns and
    /// the earlier joins'.
    fn start(&self, index: usize) -> usize {
        let own = self.own.count(E::Column::iter().count());
        own + self.joins[..index]
            .iter()
            .map(|j| j.columns.len())
            .sum::<usize>()
    }

    /// Joins the `R` whose `to` column equals the row's `from` column, as `name`.
    pub fn add<R: EntityTrait>(&mut self, name: &'static str, from: E::Column, to: R::Column) {
        let relation = E::belongs_to(R::default()).from(from).to(to).into();
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
        });
    }

    /// `query` with the page's own columns, the joins and their columns.
    pub fn apply(&self, mut query: Select<E>) -> Select<E> {
        if self.own != Columns::ALL {
            query = query.select_only().columns(self.own_columns());
        }
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
        let wanted = self.own_columns().map(|c| c.as_str().to_owned()).chain(
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
    /// The row's model (its columns read by name) and what was joined to it, for a page that
    /// selects every column of its own.
    pub fn read<E>(_: &Joins<E>, row: QueryResult) -> Result<Self, sea_orm::DbErr>
    where
        E: EntityTrait<Model = M>,
        M: FromQueryResult,
    {
        Ok(Joined {
            model: M::from_query_result(&row, "")?,
            row,
        })
    }

    /// The row's model (the columns `joins` selects of it, first, read by position) and what
    /// was joined to it.
    pub fn read_at<E>(joins: &Joins<E>, row: QueryResult) -> Result<Self, sea_orm::DbErr>
    where
        E: EntityTrait<Model = M>,
        M: ReadAt,
    {
        Ok(Joined {
            model: M::read_some(&row, 0, joins.own)?,
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
    let Some(index) = joins.joins.iter().position(|join| join.name == name) else {
        return Ok(());
    };
    let start = joins.start(index);
    let mut found = Vec::new();
    let mut absent = Vec::new();
    for row in rows {
        let Some(key) = link(&row.model) else {
            continue;
        };
        match row.object::<R>(start)? {
            Some(object) => found.push((key, object)),
            None => absent.push(key),
        }
    }
    loader.loader().note_absent(absent);
    loader.feed_many(found).await;
    Ok(())
}
