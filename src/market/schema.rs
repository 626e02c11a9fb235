//! GraphQL fields of the market. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt};
use entity::{exchange_order, exchange_product, user_product};

use super::{
    loaders::{CategoryLoader, MemberLoader, ProductLoader},
    service,
    types::{
        ExchangeOrder, ExchangeOrderPage, ExchangeProduct, ExchangeProductPage, Member,
        ProductFilter, PurchaseResult, UserProduct, UserProductFilter, UserProductPage,
    },
};
use crate::{
    auth::{caller, MemberGuard, Permission},
    graphql::{
        loader::Cached,
        page::{PageArgs, MAX_PAGE_SIZE},
        state,
    },
};

fn member_id(ctx: &Context<'_>) -> async_graphql::Result<i32> {
    caller(ctx).member().map(|m| m.user_info_id).extend()
}

/// Loads the categories of a page of products at once, when the query selects them.
async fn prefetch_categories(
    ctx: &Context<'_>,
    selected: bool,
    products: &[exchange_product::Model],
) -> async_graphql::Result<()> {
    if selected {
        let ids = products.iter().filter_map(|p| p.category_id);
        ctx.data::<Cached<CategoryLoader>>()?.load_many(ids).await?;
    }
    Ok(())
}

/// Loads what a page of orders or props nests (owners, products, their categories) at once.
async fn prefetch_nested(
    ctx: &Context<'_>,
    owner_ids: impl Iterator<Item = i32>,
    product_ids: impl Iterator<Item = i32>,
) -> async_graphql::Result<()> {
    let items = ctx.look_ahead().field("items");
    if items.field("owner").exists() {
        ctx.data::<Cached<MemberLoader>>()?
            .load_many(owner_ids)
            .await?;
    }
    let product = items.field("product");
    if product.exists() {
        let products = ctx
            .data::<Cached<ProductLoader>>()?
            .load_many(product_ids)
            .await?;
        let products: Vec<_> = products.into_values().collect();
        prefetch_categories(ctx, product.field("categoryDetail").exists(), &products).await?;
    }
    Ok(())
}

async fn order_page(
    ctx: &Context<'_>,
    args: PageArgs,
    (total, rows): (u64, Vec<exchange_order::Model>),
) -> async_graphql::Result<ExchangeOrderPage> {
    prefetch_nested(
        ctx,
        rows.iter().map(|o| o.owner_id),
        rows.iter().map(|o| o.product_id),
    )
    .await?;
    Ok(ExchangeOrderPage::new(
        args,
        total,
        rows.into_iter().map(ExchangeOrder),
    ))
}

fn page_args(page: Option<i32>, page_size: Option<i32>) -> async_graphql::Result<PageArgs> {
    PageArgs::new(page, page_size, MAX_PAGE_SIZE).extend()
}

/// A page of products matching `filter`; `all` includes those off sale.
async fn products(
    ctx: &Context<'_>,
    filter: Option<ProductFilter>,
    all: bool,
    page: Option<i32>,
    page_size: Option<i32>,
) -> async_graphql::Result<ExchangeProductPage> {
    let args = page_args(page, page_size)?;
    let filter = filter.unwrap_or_default();
    let st = state(ctx);
    let (total, rows) = service::list_products(&st.db, &st.counts, &filter, all, args)
        .await
        .extend()?;
    let selected = ctx
        .look_ahead()
        .field("items")
        .field("categoryDetail")
        .exists();
    prefetch_categories(ctx, selected, &rows).await?;
    let items = rows.into_iter().map(ExchangeProduct);
    Ok(ExchangeProductPage::new(args, total, items))
}

/// Market queries.
#[derive(Default)]
pub struct MarketQuery;

#[Object]
impl MarketQuery {
    /// Products on sale, newest first; public
    /// (legacy: `GET /market/exchange_products/`).
    async fn exchange_products(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilter>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ExchangeProductPage> {
        products(ctx, filter, false, page, page_size).await
    }

    /// One product; public (legacy: `GET /market/exchange_products/{pk}/`). A product taken off
    /// sale is found only by staff with `MARKET_PRODUCT_LIST`.
    async fn exchange_product(
        &self,
        ctx: &Context<'_>,
        id: i32,
    ) -> async_graphql::Result<ExchangeProduct> {
        let all = crate::auth::caller(ctx)
            .require(Permission::MarketProductList)
            .is_ok();
        service::product(&state(ctx).db, id, all)
            .await
            .map(ExchangeProduct)
            .extend()
    }

    /// The caller's exchange orders, newest first
    /// (legacy: `GET /market/exchange_product_order/`).
    #[graphql(guard = "MemberGuard")]
    async fn exchange_orders(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ExchangeOrderPage> {
        let args = page_args(page, page_size)?;
        let found = service::list_orders(&state(ctx).db, &state(ctx).counts, member_id(ctx)?, args)
            .await
            .extend()?;
        order_page(ctx, args, found).await
    }

    /// One of the caller's orders
    /// (legacy: `GET /market/exchange_product_order/{order_number}/`).
    #[graphql(guard = "MemberGuard")]
    async fn exchange_order(
        &self,
        ctx: &Context<'_>,
        order_number: String,
    ) -> async_graphql::Result<ExchangeOrder> {
        service::order(&state(ctx).db, member_id(ctx)?, &order_number)
            .await
            .map(ExchangeOrder)
            .extend()
    }

    /// The caller's products (props), newest first
    /// (legacy: `GET /market/user_products/`).
    #[graphql(guard = "MemberGuard")]
    async fn my_products(
        &self,
        ctx: &Context<'_>,
        filter: Option<UserProductFilter>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<UserProductPage> {
        let args = page_args(page, page_size)?;
        let filter = filter.unwrap_or_default();
        let (total, rows) = service::list_user_products(
            &state(ctx).db,
            &state(ctx).counts,
            member_id(ctx)?,
            &filter,
            args,
        )
        .await
        .extend()?;
        prefetch_nested(ctx, std::iter::empty(), rows.iter().map(|p| p.product_id)).await?;
        Ok(UserProductPage::new(
            args,
            total,
            rows.into_iter().map(UserProduct),
        ))
    }

    /// The calling member with its props in use (legacy: `GET /userinfo/`); members only.
    /// `me` answers any caller, staff too.
    #[graphql(guard = "MemberGuard")]
    async fn current_member(&self, ctx: &Context<'_>) -> async_graphql::Result<Member> {
        let (info, props) = service::member(&state(ctx).db, member_id(ctx)?)
            .await
            .extend()?;
        Ok(Member { info, props })
    }

    /// Every product, on sale or not, with stock and sales; for staff.
    #[graphql(guard = "Permission::MarketProductList")]
    async fn market_products(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilter>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ExchangeProductPage> {
        products(ctx, filter, true, page, page_size).await
    }

    /// The exchange orders of one member, by its owner (login name); for staff.
    #[graphql(guard = "Permission::MarketOrderList")]
    async fn member_exchange_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(chars_max_length = 200))] owner: String,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ExchangeOrderPage> {
        let args = page_args(page, page_size)?;
        let found = service::list_orders_of_owner(&state(ctx).db, &state(ctx).counts, &owner, args)
            .await
            .extend()?;
        order_page(ctx, args, found).await
    }
}

/// Market mutations.
#[derive(Default)]
pub struct MarketMutation;

fn prop(row: user_product::Model) -> UserProduct {
    UserProduct(row)
}

#[Object]
impl MarketMutation {
    /// Exchanges the caller's diamonds for a product: all or nothing
    /// (legacy: `GET|POST /market/exchange_products/purchase/{pk}/`).
    #[graphql(guard = "MemberGuard")]
    async fn purchase_product(
        &self,
        ctx: &Context<'_>,
        product_id: i32,
    ) -> async_graphql::Result<PurchaseResult> {
        let order = service::purchase(&state(ctx).db, caller(ctx), member_id(ctx)?, product_id)
            .await
            .extend()?;
        Ok(PurchaseResult {
            message: service::PURCHASED.into(),
            order: ExchangeOrder(order),
        })
    }

    /// Puts one of the caller's props in use, un-using its others of the same action
    /// (legacy: `PUT /program_face2face/market/use_product/{pk}/`).
    #[graphql(guard = "MemberGuard")]
    async fn use_product(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<UserProduct> {
        service::set_prop_in_use(&state(ctx).db, caller(ctx), member_id(ctx)?, id, true)
            .await
            .map(prop)
            .extend()
    }

    /// Takes one of the caller's props out of use
    /// (legacy: `PUT /program_face2face/market/unuse_product/{pk}/`).
    #[graphql(guard = "MemberGuard")]
    async fn unuse_product(
        &self,
        ctx: &Context<'_>,
        id: i32,
    ) -> async_graphql::Result<UserProduct> {
        service::set_prop_in_use(&state(ctx).db, caller(ctx), member_id(ctx)?, id, false)
            .await
            .map(prop)
            .extend()
    }
}
