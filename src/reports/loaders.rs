//! Dataloaders of reports' computed fields.

use std::collections::HashMap;

use async_graphql::{dataloader::Loader, ErrorExtensions};
use entity::{order_item, payment_order};
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use crate::{db::column_where, error::AppError, graphql::loader::cached};

/// Completed orders per report id: a report's `subscribeCount`.
pub struct SubscribeCountLoader(pub DatabaseConnection);

impl Loader<i32> for SubscribeCountLoader {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, i64>, Self::Error> {
        let completed = column_where(
            payment_order::Column::Id,
            payment_order::Column::State.eq(3),
        );
        let rows: Vec<(i32, i64)> = order_item::Entity::find()
            .select_only()
            .column(order_item::Column::ReportId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(order_item::Column::ReportId.is_in(keys.iter().copied()))
            .filter(order_item::Column::OrderId.in_subquery(completed))
            .group_by(order_item::Column::ReportId)
            .into_tuple()
            .all(&self.0)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        let mut out: HashMap<i32, i64> = keys.iter().map(|k| (*k, 0)).collect();
        out.extend(rows);
        Ok(out)
    }
}

/// Adds this domain's loaders to one request.
pub fn attach(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request.data(cached(SubscribeCountLoader(db.clone())))
}
