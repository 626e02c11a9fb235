//! GraphQL objects of customers and orders.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use entity::{customer, invoice, order_item, order_usage, payment_order};

use super::loaders::{CustomerLoader, InvoiceLoader, OrderItemLoader, UsageLoader};
use crate::{
    graphql::{loader::load, money::Money, row::Inline, state},
    page_type,
    reports::types::public_url,
    row_object,
};

/// Order states (`0` in a filter means all).
pub const ORDER_STATE: &[(i16, &str)] = &[(1, "待付款"), (2, "已取消"), (3, "已完成")];

/// A customer with what it paid in a period (or in all).
#[derive(SimpleObject, Clone, Debug)]
pub struct Customer {
    pub id: i32,
    pub nick_name: String,
    pub avatar: String,
    pub mobile: String,
    /// Completed orders (whitelist entries for whitelist users).
    pub payment_count: i64,
    /// Paid in all.
    pub payment_total: Money,
    /// Unix seconds of the latest payment (or whitelisting).
    pub last_payment_at: i64,
    pub last_login_at: i64,
    pub last_review_at: i64,
    pub regist_at: i64,
}

impl Customer {
    /// A customer with no payments yet.
    pub fn of(c: customer::Model) -> Self {
        Customer {
            id: c.id,
            nick_name: c.nick_name,
            avatar: c.avatar,
            mobile: c.mobile,
            payment_count: 0,
            payment_total: Money(0),
            last_payment_at: 0,
            last_login_at: c.last_login_at,
            last_review_at: c.last_review_at,
            regist_at: c.regist_at,
        }
    }
}

/// A user of one report: a buyer or a whitelisted mobile, with reads used and left.
#[derive(SimpleObject, Clone, Debug)]
pub struct ReportCustomer {
    pub customer: Customer,
    /// Reads used.
    pub occurred_count: i64,
    /// Reads left.
    pub residue_count: i64,
}

/// Who placed an order.
#[derive(SimpleObject)]
pub struct CustomerInfo {
    pub id: i32,
    pub nick_name: String,
    pub avatar: String,
    pub mobile: String,
}

/// How an order was paid.
#[derive(SimpleObject)]
pub struct TradeInfo {
    /// The payment provider's transaction number (may be empty).
    pub third_trade_num: String,
    /// The payer's id at the provider (may be empty).
    pub third_trade_identity: String,
    /// 1 pc, 2 h5, 3 wx_h5, 4 ios, 5 android (CONTRACT.md §12).
    pub payment_source: i16,
    /// 0 unpaid, 1 free, 2 wechat, 3 alipay.
    pub payment_channel: i16,
}

/// What an order bought: the report, as it was then.
pub struct OrderItem(pub order_item::Model);

#[Object]
impl OrderItem {
    /// The report id.
    async fn id(&self) -> i32 {
        self.0.report_id
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn cover(&self, ctx: &Context<'_>) -> String {
        public_url(&state(ctx).config.public_domain, &self.0.cover)
    }
    async fn price(&self) -> Money {
        Money(self.0.price_cents)
    }
}

row_object! {
    /// Reads an order grants and has left.
    pub struct Usage(order_usage::Model) serial {
        quantity_count: i32,
        available_count: i32,
        /// 1 once every read is used.
        expend_status: i16,
    }
}

row_object! {
    /// An order's invoice.
    pub struct Invoice(invoice::Model) serial {
        state: i16,
        /// Unix seconds.
        create_time: i64,
        /// 1 for a VAT invoice.
        is_vat: i16,
        invoice_title: &str,
        async fn invoice_amount(&self) -> Money {
            Money(self.0.invoice_amount_cents)
        }
        invoice_tax_num: &str,
        vat_name: &str,
        vat_mail_address: &str,
        vat_company_name: &str,
        vat_company_address: &str,
        vat_company_mobile: &str,
        vat_telphone: &str,
        vat_bank_name: &str,
        /// The bank account (the legacy key is `vat_bank_accoun`).
        vat_bank_account: &str,
        /// 1 personal, 2 company.
        invoice_option: i16,
    }
}

row_object! {
    // Serial: every list of orders (`order_page`) feeds the item, customer, usage and invoice
    // loaders.
    /// A paid-report order.
    pub struct Order(payment_order::Model) serial {
        id: i32,
        number: &str,
        title: &str,
        reads(total_cents) async fn total(&self) -> Money {
            Money(self.0.total_cents)
        }
        size: i32,
        /// 1 pending, 2 cancelled, 3 completed.
        state: i16,
        state_display: label(ORDER_STATE, state),
        /// Unix seconds of checkout.
        checkout_at: i64,
        expire_at: i64,
        paid_at: i64,
        fulfilled_at: i64,
        reads(third_trade_num, third_trade_identity, payment_source, payment_channel) async fn trade_info(&self) -> Inline<TradeInfo> {
            Inline(TradeInfo {
                third_trade_num: self.0.third_trade_num.clone(),
                third_trade_identity: self.0.third_trade_identity.clone(),
                payment_source: self.0.payment_source,
                payment_channel: self.0.payment_channel,
            })
        }
        reads(id) async fn order_item(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<OrderItem>>> {
            Ok(load::<OrderItemLoader, _>(ctx, self.0.id).await?.map(|i| Inline(OrderItem(i))))
        }
        reads(customer_id) async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<CustomerInfo>>> {
            let found = load::<CustomerLoader, _>(ctx, self.0.customer_id).await?;
            Ok(found.map(|c| Inline(CustomerInfo {
                id: c.id,
                nick_name: c.nick_name,
                avatar: c.avatar,
                mobile: c.mobile,
            })))
        }
        reads(id) async fn usage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<Usage>>> {
            Ok(load::<UsageLoader, _>(ctx, self.0.id).await?.map(|u| Inline(Usage(u))))
        }
        /// Null when the order has no invoice. Needs `Payment_Order_Info`, wherever the order is
        /// reached from.
        reads(id) async fn invoice(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Inline<Invoice>>> {
            if !crate::auth::permits(ctx, "Invoice") {
                return Ok(None);
            }
            Ok(load::<InvoiceLoader, _>(ctx, self.0.id).await?.map(|i| Inline(Invoice(i))))
        }
    }
}

page_type!(OrderPage, Inline<Order>, "A page of orders.");
page_type!(CustomerPage, Customer, "A page of customers.");
page_type!(
    ReportCustomerPage,
    ReportCustomer,
    "A page of a report's users."
);

/// Which customers a customer list shows.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CustomerKind {
    /// Customers with completed orders in the period (legacy `type=1`).
    #[default]
    Orders,
    /// Customers whitelisted in the period (legacy `type=2`).
    Whitelist,
}

crate::graphql::filter_input! {
    /// Filters of the customer list.
    #[derive(InputObject, Default, Debug)]
    pub struct CustomerFilter {
        #[graphql(default)]
        kind: CustomerKind,
        /// Required: first day, `YYYY-MM-DD`.
        start_date: text,
        /// Last day (default today).
        end_date: text,
        /// Exact mobile.
        mobile: text,
    }
}

crate::graphql::filter_input! {
    /// Filters of the order list.
    #[derive(InputObject, Default, Debug)]
    pub struct OrderFilter {
        /// Required: first checkout day, `YYYY-MM-DD`.
        start_date: text,
        /// Last checkout day (default today).
        end_date: text,
        /// 0 (or none) all, 1 pending, 2 cancelled, 3 completed.
        state: Option<i32>,
        /// 0 (or none) all, 1 every read used, 2 reads left.
        usage_expend_status: Option<i32>,
        /// Order numbers starting with this.
        number: text,
        /// Provider transaction numbers starting with this.
        third_trade_num: text,
    }
}

/// How `orderStats` groups.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsGroup {
    /// By day of payment (China time).
    Day,
    /// By payment channel.
    Channel,
    /// By payment source.
    Source,
    /// By report bought.
    Report,
}

/// Completed orders of one group.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct OrderStat {
    /// The day (`YYYY-MM-DD`), channel, source or report id.
    pub key: String,
    pub count: i64,
    pub revenue: Money,
}
