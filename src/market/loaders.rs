//! Dataloaders of the market's nested objects.

crate::graphql::loader::by_id_loaders! {
    /// Products by id (inside orders and props).
    ProductLoader = exchange_product by Id;
    /// Prop categories by id (`category_detail`).
    CategoryLoader = prop_category by Id;
    /// Members by id (an order's `owner`).
    MemberLoader = user_info by Id;
}
