//! GraphQL objects of the market, and the labels of its codes.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use entity::{exchange_order, exchange_product, prop_category, user_info, user_product};

use super::loaders::{CategoryLoader, MemberLoader, ProductLoader};
use crate::{error::AppError, graphql::loader::Cached, page_type, row_object};

/// `product_type` codes and labels.
pub const PRODUCT_TYPE: &[(i16, &str)] = &[(0, "实物商品"), (1, "虚拟商品")];
/// Exchange-order states. Only 1 is attested by the seed.
pub const ORDER_STATUS: &[(i16, &str)] = &[(1, "已兑换"), (2, "已发货")];
/// Prop states. The seed labels 1 both `使用` and `已使用`; `已使用` pairs with `未使用`.
pub const PROP_STATUS: &[(i16, &str)] = &[(0, "未使用"), (1, "已使用")];

/// A virtual product type: buying one adds a prop.
pub const VIRTUAL: i16 = 1;

/// What a prop category does (`category_detail`).
#[derive(SimpleObject)]
pub struct PropCategory {
    pub id: i32,
    pub name: String,
    pub desc: String,
    /// Style name the client renders, e.g. `avatar_2`.
    pub style: String,
    /// `avatar` or `background`.
    pub action: String,
}

impl From<prop_category::Model> for PropCategory {
    fn from(m: prop_category::Model) -> Self {
        PropCategory {
            id: m.id,
            name: m.name,
            desc: m.desc,
            style: m.style,
            action: m.action,
        }
    }
}

row_object! {
    /// A product members exchange diamonds for.
    pub struct ExchangeProduct(exchange_product::Model) {
        id: i32,
        name: &str,
        /// Description.
        content: &str,
        image: &str,
        /// Price in diamonds.
        diamond: i64,
        /// Units exchanged so far.
        bought: i64,
        /// 0 physical, 1 virtual (a prop).
        product_type: i16,
        /// Label of `productType`.
        product_type_display: label(PRODUCT_TYPE, product_type),
        /// `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
        create_time: iso_datetime,
        /// Whether it can be bought now.
        on_sale: bool,
        /// Units left; null is unlimited.
        stock: Option<i64>,
        /// The prop category, for virtual products only.
        async fn category_detail(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Option<PropCategory>> {
            let Some(id) = self
                .0
                .category_id
                .filter(|_| self.0.product_type == VIRTUAL)
            else {
                return Ok(None);
            };
            let loader = ctx.data::<Cached<CategoryLoader>>()?;
            Ok(loader.load_one(id).await?.map(PropCategory::from))
        }
    }
}

async fn product(ctx: &Context<'_>, id: i32) -> async_graphql::Result<ExchangeProduct> {
    let loader = ctx.data::<Cached<ProductLoader>>()?;
    loader
        .load_one(id)
        .await?
        .map(ExchangeProduct)
        .ok_or_else(|| AppError::Internal(format!("product {id} missing")).extend())
}

row_object! {
    /// An exchange of diamonds for a product.
    pub struct ExchangeOrder(exchange_order::Model) {
        id: i32,
        /// 26 digits.
        order_number: &str,
        /// The buyer's owner (login name).
        async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            let loader = ctx.data::<Cached<MemberLoader>>()?;
            Ok(loader
                .load_one(self.0.owner_id)
                .await?
                .map(|m| m.owner)
                .unwrap_or_default())
        }
        /// The buyer's user-info id.
        owner_id: i32,
        async fn product(&self, ctx: &Context<'_>) -> async_graphql::Result<ExchangeProduct> {
            product(ctx, self.0.product_id).await
        }
        /// Diamonds paid.
        diamond: i64,
        status: i16,
        /// Label of `status`.
        status_display: label(ORDER_STATUS, status),
        create_time: iso_datetime,
    }
}

row_object! {
    /// A member's product: a prop bought with diamonds.
    pub struct UserProduct(user_product::Model) {
        id: i32,
        /// The owner's user-info id.
        owner_id: i32,
        async fn product(&self, ctx: &Context<'_>) -> async_graphql::Result<ExchangeProduct> {
            product(ctx, self.0.product_id).await
        }
        /// 0 unused, 1 in use.
        status: i16,
        /// Label of `status`.
        status_display: label(PROP_STATUS, status),
        create_time: iso_datetime,
    }
}

/// The calling member, with the props in use.
pub struct Member {
    pub info: user_info::Model,
    pub props: Vec<user_product::Model>,
}

#[Object]
impl Member {
    async fn id(&self) -> i32 {
        self.info.id
    }
    async fn owner(&self) -> &str {
        &self.info.owner
    }
    async fn name(&self) -> &str {
        &self.info.name
    }
    /// Diamond balance.
    async fn diamonds(&self) -> i64 {
        self.info.diamonds
    }
    /// Props in use (one avatar, one background at most).
    async fn props(&self) -> Vec<UserProduct> {
        self.props.iter().cloned().map(UserProduct).collect()
    }
}

/// What a purchase answers.
#[derive(SimpleObject)]
pub struct PurchaseResult {
    /// `兑换成功`.
    pub message: String,
    pub order: ExchangeOrder,
}

page_type!(
    ExchangeProductPage,
    ExchangeProduct,
    "A page of exchange products."
);
page_type!(
    ExchangeOrderPage,
    ExchangeOrder,
    "A page of exchange orders."
);
page_type!(
    UserProductPage,
    UserProduct,
    "A page of a member's products."
);

crate::graphql::filter_input! {
    /// Filters of the product list.
    #[derive(InputObject, Default, Debug)]
    pub struct ProductFilter {
        /// 0 physical, 1 virtual (legacy `_type`).
        product_type: Option<i32>,
        /// Substring of the name.
        name: text,
    }
}

crate::graphql::filter_input! {
    /// Filters of a member's products.
    #[derive(InputObject, Default, Debug)]
    pub struct UserProductFilter {
        /// 0 physical, 1 virtual (legacy `_type`).
        product_type: Option<i32>,
        /// 0 unused, 1 in use.
        status: Option<i32>,
    }
}
