//! GraphQL fields of customers and orders. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt};
use entity::{customer, invoice, order_item, order_usage, payment_order};

use super::{
    loaders::{CustomerLoader, InvoiceLoader, OrderItemLoader, UsageLoader},
    service::{self, OrderScope},
    types::{
        Customer, CustomerFilter, CustomerPage, Order, OrderFilter, OrderPage, OrderStat,
        ReportCustomerPage, StatsGroup,
    },
};
use crate::{
    auth::Permission,
    graphql::{
        joins::{feed, Joins},
        loader::Cached,
        page::PageArgs,
        row::{self, Inline},
        state,
    },
};

fn page_args(
    page: Option<i32>,
    size: Option<i32>,
    default: i32,
) -> async_graphql::Result<PageArgs> {
    PageArgs::new(page, Some(size.unwrap_or(default)), 100).extend()
}

/// The columns and to-one objects the query selects of a page of orders, to be read with the
/// page, and whether it selects the total. An invoice the caller may not see is not read: its field
/// answers `FORBIDDEN`.
fn order_joins(ctx: &Context<'_>) -> Joins<payment_order::Entity> {
    use payment_order::Column as O;
    let selection = ctx.look_ahead();
    let items = selection.field("items");
    let mut joins = Joins::counting_if(selection.field("totalCount").exists());
    joins.only(row::columns::<payment_order::Model>(Order::READS, &items));
    if items.field("orderItem").exists() {
        joins.add::<order_item::Entity>(ITEM, O::Id, order_item::Column::OrderId);
    }
    if items.field("customer").exists() {
        joins.add::<customer::Entity>(CUSTOMER, O::CustomerId, customer::Column::Id);
    }
    if items.field("usage").exists() {
        joins.add::<order_usage::Entity>(USAGE, O::Id, order_usage::Column::OrderId);
    }
    if items.field("invoice").exists() && crate::auth::may_see(ctx, "Invoice").is_ok() {
        joins.add::<invoice::Entity>(INVOICE, O::Id, invoice::Column::OrderId);
    }
    joins
}

/// The names an order page joins its objects under.
const ITEM: &str = "item__";
const CUSTOMER: &str = "customer__";
const USAGE: &str = "usage__";
const INVOICE: &str = "invoice__";

/// A page of the orders of `scope`, 10 rows by default, read with the objects the query selects
/// (`order_joins`), which then feed the loaders.
async fn order_page(
    ctx: &Context<'_>,
    scope: OrderScope<'_>,
    page: Option<i32>,
    page_size: Option<i32>,
) -> async_graphql::Result<OrderPage> {
    let args = page_args(page, page_size, 10)?;
    let st = state(ctx);
    let joins = order_joins(ctx);
    let (total, rows) = service::orders(&st.db, &st.counts, scope, args, &joins)
        .await
        .extend()?;
    let id = |o: &payment_order::Model| Some(o.id);
    let page = (&joins, rows.as_slice());
    feed(ctx.data::<Cached<OrderItemLoader>>()?, page, ITEM, id)
        .await
        .extend()?;
    feed(ctx.data::<Cached<CustomerLoader>>()?, page, CUSTOMER, |o| {
        Some(o.customer_id)
    })
    .await
    .extend()?;
    feed(ctx.data::<Cached<UsageLoader>>()?, page, USAGE, id)
        .await
        .extend()?;
    feed(ctx.data::<Cached<InvoiceLoader>>()?, page, INVOICE, id)
        .await
        .extend()?;
    Ok(OrderPage::new(
        args,
        total,
        rows.into_iter().map(|r| Inline(Order(r.model))),
    ))
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
        Ok(CustomerPage::new(args, total, rows))
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
        order_page(ctx, OrderScope::Customer(customer_id), page, page_size).await
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
        order_page(ctx, OrderScope::Filter(&filter), page, page_size).await
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
        Ok(ReportCustomerPage::new(args, total, rows))
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
