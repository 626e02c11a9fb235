//! GraphQL fields of customers and orders. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt};
use entity::payment_order;

use super::{
    loaders::{CustomerLoader, InvoiceLoader, OrderItemLoader, UsageLoader},
    service,
    types::{
        Customer, CustomerFilter, CustomerPage, Order, OrderFilter, OrderPage, OrderStat,
        ReportCustomerPage, StatsGroup,
    },
};
use crate::{
    auth::Permission,
    graphql::{loader::Cached, page::PageArgs, state},
};

fn page_args(
    page: Option<i32>,
    size: Option<i32>,
    default: i32,
) -> async_graphql::Result<PageArgs> {
    PageArgs::new(page, Some(size.unwrap_or(default)), 100).extend()
}

/// Loads what the query selects of a page of orders, one statement per kind.
async fn prefetch(ctx: &Context<'_>, rows: &[payment_order::Model]) -> async_graphql::Result<()> {
    let items = ctx.look_ahead().field("items");
    let ids = || rows.iter().map(|o| o.id);
    if items.field("orderItem").exists() {
        ctx.data::<Cached<OrderItemLoader>>()?
            .load_many(ids())
            .await?;
    }
    if items.field("customer").exists() {
        ctx.data::<Cached<CustomerLoader>>()?
            .load_many(rows.iter().map(|o| o.customer_id))
            .await?;
    }
    if items.field("usage").exists() {
        ctx.data::<Cached<UsageLoader>>()?.load_many(ids()).await?;
    }
    if items.field("invoice").exists() {
        ctx.data::<Cached<InvoiceLoader>>()?
            .load_many(ids())
            .await?;
    }
    Ok(())
}

async fn order_page(
    ctx: &Context<'_>,
    args: PageArgs,
    (total, rows): (u64, Vec<payment_order::Model>),
) -> async_graphql::Result<OrderPage> {
    prefetch(ctx, &rows).await?;
    Ok(OrderPage {
        total_count: total,
        page: args.page,
        page_size: args.page_size,
        items: rows.into_iter().map(Order).collect(),
    })
}

/// Customer and order queries.
#[derive(Default)]
pub struct OrdersQuery;

#[Object]
impl OrdersQuery {
    /// Customers with payments (or whitelist entries) in a period (legacy: `GET /api/customer`).
    #[graphql(guard = "Permission::PaymentCustomerList")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        filter: CustomerFilter,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<CustomerPage> {
        let args = page_args(page, page_size, 100)?;
        let (total, rows) =
            service::list_customers(&state(ctx).db, &state(ctx).counts, &filter, args)
                .await
                .extend()?;
        Ok(CustomerPage {
            total_count: total,
            page: args.page,
            page_size: args.page_size,
            items: rows,
        })
    }

    /// A customer with its totals (legacy: `GET /api/customer/{id}`).
    #[graphql(guard = "Permission::PaymentCustomerTotal")]
    async fn customer(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<Customer> {
        service::customer_totals(&state(ctx).db, id).await.extend()
    }

    /// A customer's orders (legacy: `GET /api/customer/{id}/order`).
    #[graphql(guard = "Permission::PaymentCustomerInfo")]
    async fn customer_orders(
        &self,
        ctx: &Context<'_>,
        customer_id: i32,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<OrderPage> {
        let args = page_args(page, page_size, 10)?;
        let found = service::customer_orders(&state(ctx).db, &state(ctx).counts, customer_id, args)
            .await
            .extend()?;
        order_page(ctx, args, found).await
    }

    /// Orders checked out in a period (legacy: `GET /api/order`).
    #[graphql(guard = "Permission::PaymentOrderList")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        filter: OrderFilter,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<OrderPage> {
        let args = page_args(page, page_size, 10)?;
        let found = service::list_orders(&state(ctx).db, &state(ctx).counts, &filter, args)
            .await
            .extend()?;
        order_page(ctx, args, found).await
    }

    /// One order with its invoice (legacy: `GET /api/order/{number}`).
    #[graphql(guard = "Permission::PaymentOrderInfo")]
    async fn order(&self, ctx: &Context<'_>, number: String) -> async_graphql::Result<Order> {
        service::order(&state(ctx).db, &number)
            .await
            .map(Order)
            .extend()
    }

    /// A report's users with reads used and left (legacy: `GET /api/report/{id}/customer`).
    #[graphql(guard = "Permission::GetReportCustomer")]
    async fn report_customers(
        &self,
        ctx: &Context<'_>,
        report_id: i32,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ReportCustomerPage> {
        let args = page_args(page, page_size, 20)?;
        let (total, rows) = service::report_customers(&state(ctx).db, report_id, args)
            .await
            .extend()?;
        Ok(ReportCustomerPage {
            total_count: total,
            page: args.page,
            page_size: args.page_size,
            items: rows,
        })
    }

    /// Completed orders paid between two days (China time), counted with their revenue per
    /// day, channel, source or report: the dashboard the old API never had.
    #[graphql(guard = "Permission::OrderStats")]
    async fn order_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "First day, `YYYY-MM-DD`.")] from: String,
        #[graphql(desc = "Last day, `YYYY-MM-DD`.")] to: String,
        group_by: StatsGroup,
    ) -> async_graphql::Result<Vec<OrderStat>> {
        service::order_stats(&state(ctx).db, &from, &to, group_by)
            .await
            .extend()
    }
}
