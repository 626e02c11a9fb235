//! The diamond market's URLs (`kids-coding-market.txt`), served under both `/market/` and
//! `/program_face2face/market/` (CONTRACT.md §5–7), each mapped onto one GraphQL operation.

use axum::{
    http::{Method as M, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

use super::{
    envelope::{self, KidsCodingError, KidsCodingResult},
    ListRequest, PAGING,
};
use crate::rest::prelude::*;

/// The routes, under both prefixes, and the member's UserInfo.
pub fn routes() -> Vec<Route> {
    // `category_detail` is left out, not null, for products without a category.
    let shape = |document, path| absent_when_null(from_document(document, path), "category_detail");
    let page = |d: Doc| d.paged(&PAGING);
    // Examples are the demo's: product 1, the member's prop 129.
    let pk =
        |d: Doc, what, example: &str| d.path("pk", string(), json!(example), what).errors(&[404]);
    let mut routes = Vec::new();
    for prefix in ["/market", "/program_face2face/market"] {
        let at = |path: &str| format!("{prefix}{path}");
        let purchase_doc = || {
            pk(
                Doc::new("Buy a product with diamonds", Access::Member),
                "The product's pk",
                "1",
            )
            .answer(200, object(&[("message", string())]))
            .errors(&[400])
        };
        let prop_doc = |summary| {
            pk(Doc::new(summary, Access::Member), "The prop's pk", "129")
                .answer(200, shape(USE_PRODUCT, "useProduct"))
                .errors(&[400])
        };
        routes.extend([
            Route::new(
                M::GET,
                at("/exchange_products/"),
                get(product_list),
                page(Doc::new("Products on sale", Access::Public))
                    .query("_type", int_of(&[0, 1]), "0 physical, 1 virtual")
                    .query("name", filter_text(), "Substring of the name")
                    .answer(
                        200,
                        envelope::page_schema(element(shape(
                            PRODUCT_LIST,
                            "exchangeProducts.items",
                        ))),
                    )
                    .errors(&[400, 404]),
            )
            .runs(&[PRODUCT_LIST]),
            Route::new(
                M::GET,
                at("/exchange_products/{pk}/"),
                get(product_detail),
                pk(
                    Doc::new("A product", Access::Public),
                    "The product's pk",
                    "1",
                )
                .answer(200, shape(PRODUCT_DETAIL, "exchangeProduct")),
            )
            .runs(&[PRODUCT_DETAIL]),
            // The seed's app calls the purchase with GET; POST is served too.
            Route::new(
                M::GET,
                at("/exchange_products/purchase/{pk}/"),
                get(purchase),
                purchase_doc(),
            )
            .runs(&[PURCHASE]),
            Route::new(
                M::POST,
                at("/exchange_products/purchase/{pk}/"),
                post(purchase),
                purchase_doc(),
            )
            .runs(&[PURCHASE]),
            Route::new(
                M::GET,
                at("/exchange_product_order/"),
                get(order_list),
                page(Doc::new("The caller's exchange orders", Access::Member))
                    .answer(
                        200,
                        envelope::page_schema(element(shape(ORDER_LIST, "exchangeOrders.items"))),
                    )
                    .errors(&[404]),
            )
            .runs(&[ORDER_LIST]),
            Route::new(
                M::GET,
                at("/exchange_product_order/{order_number}/"),
                get(order_detail),
                Doc::new("One of the caller's exchange orders", Access::Member)
                    .path(
                        "order_number",
                        string(),
                        json!("17003298818986925262490011"),
                        "The 26-digit order number",
                    )
                    .answer(200, shape(ORDER_DETAIL, "exchangeOrder"))
                    .errors(&[400, 404]),
            )
            .runs(&[ORDER_DETAIL]),
            Route::new(
                M::GET,
                at("/user_products/"),
                get(user_products),
                page(Doc::new("The caller's props", Access::Member))
                    .query("_type", int_of(&[0, 1]), "0 physical, 1 virtual")
                    .query("status", int_of(&[0, 1]), "0 unused, 1 in use")
                    .answer(
                        200,
                        envelope::page_schema(element(shape(USER_PRODUCTS, "myProducts.items"))),
                    )
                    .errors(&[400, 404]),
            )
            .runs(&[USER_PRODUCTS]),
            Route::new(
                M::PUT,
                at("/use_product/{pk}/"),
                put(use_product),
                prop_doc("Use a prop (others of its kind stop being used)"),
            )
            .runs(&[USE_PRODUCT]),
            Route::new(
                M::PUT,
                at("/unuse_product/{pk}/"),
                put(unuse_product),
                prop_doc("Stop using a prop"),
            )
            .runs(&[UNUSE_PRODUCT]),
        ]);
    }
    for path in ["/userinfo/", "/program_face2face/userinfo/"] {
        routes.push(
            Route::new(
                M::GET,
                path,
                get(user_info),
                Doc::new("The member, with the props in use", Access::Member)
                    .answer(200, shape(USER_INFO, "currentMember")),
            )
            .runs(&[USER_INFO]),
        );
    }
    routes
}

const PRODUCT_FIELDS: &str = "fragment ProductFields on ExchangeProduct {
  pk: id name content image diamond bought
  product_type: productType product_type_display: productTypeDisplay create_time: createTime
  category_detail: categoryDetail { pk: id name desc style action }
}";

const ORDER_FIELDS: &str = "fragment OrderFields on ExchangeOrder {
  owner exchange_product: product { ...ProductFields } order_number: orderNumber diamond
  status status_display: statusDisplay create_time: createTime
}";

const PROP_FIELDS: &str = "fragment PropFields on UserProduct {
  pk: id status status_display: statusDisplay create_time: createTime
  exchange_product: product { ...ProductFields }
}";

/// `category_detail` appears only for virtual products, as in the seed: the key is left out,
/// not null, for the others.
fn without_null_categories(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.get("category_detail").is_some_and(Value::is_null) {
                    map.remove("category_detail");
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// A path id as DRF's `\d+` route matches it: anything else is not found.
fn path_id(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| AppError::NotFound("Not found.".into()))
}

const PRODUCT_LIST: &str = filtered_list!(
    "ProductList",
    "ProductFilter",
    "exchangeProducts",
    "ProductFields",
    PRODUCT_FIELDS
);
/// The product list's filter parameters.
const PRODUCT_FILTER: &[FieldSpec] = fields![
    "_type" => "productType": Int,
    "name": Str,
];

/// `GET …/exchange_products/`: public; `_type` (0, 1), `name` (contains).
async fn product_list(caller: Caller, list: ListRequest) -> KidsCodingResult {
    let page = list
        .fetch(&caller, (PRODUCT_LIST, "exchangeProducts"), PRODUCT_FILTER)
        .await?;
    let page = without_null_categories(page);
    Ok(list.page(&caller.state, Page::from_json(page)))
}

const PRODUCT_DETAIL: &str = concatcp!(
    "query ProductDetail($id: Int!) { exchangeProduct(id: $id) { ...ProductFields } }
         ",
    PRODUCT_FIELDS
);
/// `GET …/exchange_products/{pk}/`: public.
async fn product_detail(caller: Caller, Path(pk): Path<String>) -> KidsCodingResult {
    let data = caller
        .run(PRODUCT_DETAIL, json!({ "id": path_id(&pk)? }))
        .await?;
    Ok(envelope::object(without_null_categories(take(
        data,
        "exchangeProduct",
    ))))
}

/// A purchase failure keeps the purchase's `{"message": …}` shape; credentials errors stay DRF's.
struct PurchaseError(AppError);

impl From<AppError> for PurchaseError {
    fn from(e: AppError) -> Self {
        PurchaseError(e)
    }
}

impl IntoResponse for PurchaseError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::NotFound(message) => {
                (StatusCode::NOT_FOUND, Json(json!({ "message": message }))).into_response()
            }
            AppError::BadInput { message, .. } | AppError::Conflict(message) => {
                (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response()
            }
            other => KidsCodingError(other).into_response(),
        }
    }
}

const PURCHASE: &str =
    "mutation Purchase($id: Int!) { purchaseProduct(productId: $id) { message } }";
/// `GET|POST …/exchange_products/purchase/{pk}/`: `{"message": "兑换成功"}`.
async fn purchase(caller: Caller, Path(pk): Path<String>) -> Result<Response, PurchaseError> {
    let id = pk
        .parse::<i32>()
        .map_err(|_| AppError::NotFound("商品不存在".into()))?;
    let data = caller.run(PURCHASE, json!({ "id": id })).await?;
    Ok(envelope::object(take(data, "purchaseProduct")))
}

const ORDER_LIST: &str = concatcp!(
    "query OrderList($page: Int, $pageSize: Int) {
           exchangeOrders(page: $page, pageSize: $pageSize) {
             totalCount page pageSize items { ...OrderFields }
           }
         } ",
    ORDER_FIELDS,
    " ",
    PRODUCT_FIELDS
);
/// `GET …/exchange_product_order/`: the caller's orders.
async fn order_list(caller: Caller, list: ListRequest) -> KidsCodingResult {
    let (page, page_size) = list.paging()?;
    let vars = json!({ "page": page, "pageSize": page_size });
    let data = caller.run(ORDER_LIST, vars).await?;
    let page = without_null_categories(take(data, "exchangeOrders"));
    Ok(list.page(&caller.state, Page::from_json(page)))
}

const ORDER_DETAIL: &str = concatcp!(
    "query OrderDetail($number: String!) { exchangeOrder(orderNumber: $number) { ...OrderFields } }
         ",
    ORDER_FIELDS,
    " ",
    PRODUCT_FIELDS
);
/// `GET …/exchange_product_order/{order_number}/`: one of the caller's orders.
async fn order_detail(caller: Caller, Path(order_number): Path<String>) -> KidsCodingResult {
    let data = caller
        .run(ORDER_DETAIL, json!({ "number": order_number }))
        .await?;
    Ok(envelope::object(without_null_categories(take(
        data,
        "exchangeOrder",
    ))))
}

/// The member's product list's filter parameters.
const USER_PRODUCT_FILTER: &[FieldSpec] = fields![
    "_type" => "productType": Int,
    "status": Int,
];

const USER_PRODUCTS: &str = filtered_list!(
    "UserProducts",
    "UserProductFilter",
    "myProducts",
    "PropFields",
    PROP_FIELDS,
    " ",
    PRODUCT_FIELDS
);
/// `GET …/user_products/`: the caller's props; `_type` (0, 1), `status` (0, 1).
async fn user_products(caller: Caller, list: ListRequest) -> KidsCodingResult {
    let page = list
        .fetch(&caller, (USER_PRODUCTS, "myProducts"), USER_PRODUCT_FILTER)
        .await?;
    let page = without_null_categories(page);
    Ok(list.page(&caller.state, Page::from_json(page)))
}

const USE_PRODUCT: &str = concatcp!(
    "mutation UseProduct($id: Int!) { useProduct(id: $id) { ...PropFields } } ",
    PROP_FIELDS,
    " ",
    PRODUCT_FIELDS
);
const UNUSE_PRODUCT: &str = concatcp!(
    "mutation UnuseProduct($id: Int!) { unuseProduct(id: $id) { ...PropFields } } ",
    PROP_FIELDS,
    " ",
    PRODUCT_FIELDS
);

/// Puts a prop in or out of use: `field` is the mutation, `document` selects it.
async fn set_in_use(
    caller: &Caller,
    pk: String,
    (field, document): (&str, &'static str),
) -> KidsCodingResult {
    let data = caller.run(document, json!({ "id": path_id(&pk)? })).await?;
    Ok(envelope::object(without_null_categories(take(data, field))))
}

/// `PUT …/use_product/{pk}/`.
async fn use_product(caller: Caller, Path(pk): Path<String>) -> KidsCodingResult {
    set_in_use(&caller, pk, ("useProduct", USE_PRODUCT)).await
}

/// `PUT …/unuse_product/{pk}/`.
async fn unuse_product(caller: Caller, Path(pk): Path<String>) -> KidsCodingResult {
    set_in_use(&caller, pk, ("unuseProduct", UNUSE_PRODUCT)).await
}

const USER_INFO: &str = concatcp!(
    "query UserInfo { currentMember { pk: id owner name props {
           owner: ownerId exchange_product: product { ...ProductFields }
           status status_display: statusDisplay create_time: createTime pk: id
         } } } ",
    PRODUCT_FIELDS
);
/// `GET /userinfo/` and `/program_face2face/userinfo/`: the member with the props in use.
async fn user_info(caller: Caller) -> KidsCodingResult {
    let data = caller.run(USER_INFO, json!({})).await?;
    Ok(envelope::object(without_null_categories(take(
        data,
        "currentMember",
    ))))
}
