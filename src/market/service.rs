//! Rules of the market, shared by GraphQL and the legacy REST URLs.

use entity::{exchange_order, exchange_product, prop_category, user_info, user_product};
use rand::RngExt;
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::types::{ProductFilter, UserProductFilter, VIRTUAL};
use crate::{
    audit::service as audit,
    auth::Auth,
    db::{self, column_where, contains_pattern, lower_like, CountCache, PastTheEnd},
    error::{AppError, AppResult, ErrorCode},
    graphql::page::PageArgs,
};

/// The purchase's success message.
pub const PURCHASED: &str = "兑换成功";
/// Not enough diamonds.
pub const INSUFFICIENT: &str = "钻石不足";

/// A 0-or-1 choice filter (`productType`, `status`) named `field`, as DRF's choice field checks it.
fn zero_or_one(field: &str, value: Option<i32>) -> AppResult<Option<i16>> {
    match value {
        None => Ok(None),
        Some(v @ (0 | 1)) => Ok(Some(v as i16)),
        Some(v) => Err(AppError::field(
            field,
            format!("Select a valid choice. {v} is not one of the available choices."),
        )),
    }
}

async fn page_of<E, M>(
    db: &DatabaseConnection,
    counts: &CountCache,
    query: sea_orm::Select<E>,
    order_by: E::Column,
    page: PageArgs,
) -> AppResult<(u64, Vec<M>)>
where
    E: EntityTrait<Model = M>,
    M: sea_orm::FromQueryResult + Send + Sync,
{
    let order = [(order_by, Order::Desc)];
    counts
        .page(db, query, &order, page, PastTheEnd::NotFound)
        .await
}

/// Products on sale, newest first (public). `all` includes those off sale (staff).
pub async fn list_products(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &ProductFilter,
    all: bool,
    page: PageArgs,
) -> AppResult<(u64, Vec<exchange_product::Model>)> {
    use exchange_product::Column as C;
    let mut query = exchange_product::Entity::find();
    if !all {
        query = query.filter(C::OnSale.eq(true));
    }
    if let Some(t) = zero_or_one("productType", filter.product_type)? {
        query = query.filter(C::ProductType.eq(t));
    }
    if let Some(name) = crate::text::non_blank(&filter.name) {
        let pattern = contains_pattern(name);
        query = query.filter(lower_like(
            Expr::col((exchange_product::Entity, C::Name)),
            &pattern,
        ));
    }
    page_of(db, counts, query, C::Id, page).await
}

/// One product (public). A product taken off sale is not found, but by staff who may list every product (`all`).
pub async fn product(
    db: &DatabaseConnection,
    id: i32,
    all: bool,
) -> AppResult<exchange_product::Model> {
    exchange_product::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| all || p.on_sale)
        .ok_or_else(|| AppError::NotFound("Not found.".into()))
}

/// Orders of one member, newest first.
pub async fn list_orders(
    db: &DatabaseConnection,
    counts: &CountCache,
    owner_id: i32,
    page: PageArgs,
) -> AppResult<(u64, Vec<exchange_order::Model>)> {
    let query = exchange_order::Entity::find().filter(exchange_order::Column::OwnerId.eq(owner_id));
    page_of(db, counts, query, exchange_order::Column::Id, page).await
}

/// Orders of the member whose owner (login name) is `owner` (staff).
pub async fn list_orders_of_owner(
    db: &DatabaseConnection,
    counts: &CountCache,
    owner: &str,
    page: PageArgs,
) -> AppResult<(u64, Vec<exchange_order::Model>)> {
    let member = user_info::Entity::find()
        .filter(user_info::Column::Owner.eq(owner.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Not found.".into()))?;
    list_orders(db, counts, member.id, page).await
}

/// One order, if it is `owner_id`'s: another member's order is as missing as an unknown one.
pub async fn order(
    db: &DatabaseConnection,
    owner_id: i32,
    order_number: &str,
) -> AppResult<exchange_order::Model> {
    if order_number.is_empty() || !order_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound("Not found.".into()));
    }
    exchange_order::Entity::find()
        .filter(exchange_order::Column::OrderNumber.eq(order_number))
        .filter(exchange_order::Column::OwnerId.eq(owner_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Not found.".into()))
}

/// A member's products, newest first.
pub async fn list_user_products(
    db: &DatabaseConnection,
    counts: &CountCache,
    owner_id: i32,
    filter: &UserProductFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<user_product::Model>)> {
    use user_product::Column as C;
    let mut query = user_product::Entity::find().filter(C::OwnerId.eq(owner_id));
    if let Some(t) = zero_or_one("productType", filter.product_type)? {
        let of_type = column_where(
            exchange_product::Column::Id,
            exchange_product::Column::ProductType.eq(t),
        );
        query = query.filter(C::ProductId.in_subquery(of_type));
    }
    if let Some(s) = zero_or_one("status", filter.status)? {
        query = query.filter(C::Status.eq(s));
    }
    page_of(db, counts, query, C::Id, page).await
}

/// The member and the props it has in use.
pub async fn member(
    db: &DatabaseConnection,
    id: i32,
) -> AppResult<(user_info::Model, Vec<user_product::Model>)> {
    let info = user_info::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Not found.".into()))?;
    let props = user_product::Entity::find()
        .filter(user_product::Column::OwnerId.eq(id))
        .filter(user_product::Column::Status.eq(1))
        .order_by_asc(user_product::Column::Id)
        .all(db)
        .await?;
    Ok((info, props))
}

/// A new order number: 13 digits of Unix milliseconds and 13 random digits (26 in all).
fn order_number() -> String {
    let millis = chrono::Utc::now()
        .timestamp_millis()
        .rem_euclid(10_i64.pow(13));
    let random: u64 = rand::rng().random_range(0..10_u64.pow(13));
    format!("{millis:013}{random:013}")
}

/// Exchanges `member_id`'s diamonds for one unit of `product_id`, as one transaction: the
/// debit is a conditional update (`diamonds >= price`), then the order, the prop of a virtual
/// product, and the product's counters (conditional on it still being on sale at that price
/// with stock left). Any failure changes nothing.
pub async fn purchase(
    db: &DatabaseConnection,
    who: &Auth,
    member_id: i32,
    product_id: i32,
) -> AppResult<exchange_order::Model> {
    // A clash of random order numbers is astronomically rare; retry it rather than fail.
    let mut attempt = 0;
    loop {
        match try_purchase(db, who, member_id, product_id).await {
            Err(AppError::Conflict(_)) if attempt < 3 => attempt += 1,
            other => return other,
        }
    }
}

async fn try_purchase(
    db: &DatabaseConnection,
    who: &Auth,
    member_id: i32,
    product_id: i32,
) -> AppResult<exchange_order::Model> {
    audit::write(db, who, "purchaseProduct", async |txn, log| {
        let product = exchange_product::Entity::find_by_id(product_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::NotFound("商品不存在".into()))?;
        if !product.on_sale {
            return Err(unavailable("商品已下架"));
        }
        if product.stock == Some(0) {
            return Err(unavailable("商品已售罄"));
        }
        let price = product.diamond;
        let debit = user_info::Entity::update_many()
            .col_expr(
                user_info::Column::Diamonds,
                Expr::col(user_info::Column::Diamonds).sub(price),
            )
            .filter(user_info::Column::Id.eq(member_id))
            .filter(user_info::Column::Diamonds.gte(price))
            .exec(txn)
            .await?;
        if debit.rows_affected == 0 {
            return Err(AppError::rule(
                ErrorCode::InsufficientDiamonds,
                INSUFFICIENT,
            ));
        }
        let now = db::now();
        let order = exchange_order::ActiveModel {
            order_number: Set(order_number()),
            owner_id: Set(member_id),
            product_id: Set(product_id),
            diamond: Set(price),
            status: Set(1),
            create_time: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|e| db::conflict_on_unique(e, "order number taken"))?;
        if product.product_type == VIRTUAL {
            user_product::ActiveModel {
                owner_id: Set(member_id),
                product_id: Set(product_id),
                status: Set(0),
                create_time: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        use exchange_product::Column as P;
        let counted = exchange_product::Entity::update_many()
            .col_expr(P::Bought, Expr::col(P::Bought).add(1))
            .col_expr(P::Stock, Expr::col(P::Stock).sub(1))
            .filter(P::Id.eq(product_id))
            .filter(P::OnSale.eq(true))
            .filter(P::Diamond.eq(price))
            .filter(Condition::any().add(P::Stock.is_null()).add(P::Stock.gt(0)))
            .exec(txn)
            .await?;
        if counted.rows_affected == 0 {
            return Err(unavailable("商品已下架或已售罄"));
        }
        log.created("exchange_order", order.order_number.clone(), order)
            .await
    })
    .await
}

fn unavailable(message: &str) -> AppError {
    AppError::rule(ErrorCode::ProductUnavailable, message)
}

/// Puts one of `member_id`'s props in use (un-using the member's other props of the same
/// action: one avatar, one background) or out of use. Another member's prop is not found.
pub async fn set_prop_in_use(
    db: &DatabaseConnection,
    who: &Auth,
    member_id: i32,
    prop_id: i32,
    in_use: bool,
) -> AppResult<user_product::Model> {
    let action = if in_use { "useProduct" } else { "unuseProduct" };
    audit::write(db, who, action, async |txn, log| {
        // Serialize one member's prop changes: two concurrent "use" calls must not leave two
        // avatars in use. (SQLite's IMMEDIATE transaction already serializes; this locks on
        // PostgreSQL.)
        user_info::Entity::find_by_id(member_id)
            .lock_exclusive()
            .one(txn)
            .await?;
        let prop = user_product::Entity::find_by_id(prop_id)
            .filter(user_product::Column::OwnerId.eq(member_id))
            .one(txn)
            .await?
            .ok_or_else(|| AppError::NotFound("Not found.".into()))?;
        if in_use {
            let category = exchange_product::Entity::find_by_id(prop.product_id)
                .one(txn)
                .await?
                .and_then(|p| p.category_id);
            let action_of = match category {
                Some(category) => prop_category::Entity::find_by_id(category)
                    .one(txn)
                    .await?
                    .map(|c| c.action),
                None => None,
            };
            if let Some(kind) = action_of {
                let categories = column_where(
                    prop_category::Column::Id,
                    prop_category::Column::Action.eq(kind),
                );
                let same_action = column_where(
                    exchange_product::Column::Id,
                    exchange_product::Column::CategoryId.in_subquery(categories),
                );
                let released = user_product::Entity::find()
                    .filter(user_product::Column::OwnerId.eq(member_id))
                    .filter(user_product::Column::Status.eq(1))
                    .filter(user_product::Column::Id.ne(prop_id))
                    .filter(user_product::Column::ProductId.in_subquery(same_action))
                    .all(txn)
                    .await?;
                for other in released {
                    let mut row: user_product::ActiveModel = other.clone().into();
                    row.status = Set(0);
                    let after = row.update(txn).await?;
                    log.updated("user_product", after.id, &other, &after)
                        .await?;
                }
            }
        }
        let before = prop.clone();
        let mut row: user_product::ActiveModel = prop.into();
        row.status = Set(i16::from(in_use));
        let updated = row.update(txn).await?;
        log.updated("user_product", updated.id, &before, &updated)
            .await?;
        Ok(updated)
    })
    .await
}
