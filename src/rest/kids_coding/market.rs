//! The diamond market's URLs (`kids-coding-market.txt`), served under both `/market/` and
//! `/program_face2face/market/` (CONTRACT.md §5–7), each mapped onto one GraphQL operation.

use axum::{
    extract::{OriginalUri, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, put},
    Json, Router,
};
use serde_json::{json, Value};

use super::page_vars;
use crate::{
    error::AppError,
    rest::{
        drf::{self, DrfError, DrfResult},
        operation::{authenticate, run, take},
        params::Fields,
    },
    state::AppState,
};

/// The routes, under both prefixes, and the member's UserInfo.
pub fn router() -> Router<AppState> {
    let market = Router::new()
        .route("/exchange_products/", get(product_list))
        .route("/exchange_products/{pk}/", get(product_detail))
        .route(
            "/exchange_products/purchase/{pk}/",
            get(purchase).post(purchase),
        )
        .route("/exchange_product_order/", get(order_list))
        .route("/exchange_product_order/{order_number}/", get(order_detail))
        .route("/user_products/", get(user_products))
        .route("/use_product/{pk}/", put(use_product))
        .route("/unuse_product/{pk}/", put(unuse_product));
    Router::new()
        .nest("/market", market.clone())
        .nest("/program_face2face/market", market)
        .route("/userinfo/", get(user_info))
        .route("/program_face2face/userinfo/", get(user_info))
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

/// `GET …/exchange_products/`: public; `_type` (0, 1), `name` (contains).
async fn product_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let (page, page_size) = page_vars(&q)?;
    let vars = json!({
        "filter": { "productType": q.int("_type")?, "name": q.string("name")? },
        "page": page, "pageSize": page_size,
    });
    let doc = format!(
        "query ProductList($filter: ProductFilter, $page: Int, $pageSize: Int) {{
           exchangeProducts(filter: $filter, page: $page, pageSize: $pageSize) {{
             totalCount page pageSize items {{ ...ProductFields }}
           }}
         }} {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, vars).await?;
    let page = without_null_categories(take(data, "exchangeProducts"));
    Ok(drf::page(page, &uri, &headers))
}

/// `GET …/exchange_products/{pk}/`: public.
async fn product_detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(pk): Path<String>,
) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let doc = format!(
        "query ProductDetail($id: Int!) {{ exchangeProduct(id: $id) {{ ...ProductFields }} }}
         {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, json!({ "id": path_id(&pk)? })).await?;
    Ok(drf::object(without_null_categories(take(
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
            other => DrfError(other).into_response(),
        }
    }
}

/// `GET|POST …/exchange_products/purchase/{pk}/`: `{"message": "兑换成功"}`.
async fn purchase(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(pk): Path<String>,
) -> Result<Response, PurchaseError> {
    let auth = authenticate(&state, &headers).await?;
    let id = pk
        .parse::<i32>()
        .map_err(|_| AppError::NotFound("商品不存在".into()))?;
    let doc = "mutation Purchase($id: Int!) { purchaseProduct(productId: $id) { message } }";
    let data = run(&state, auth, doc, json!({ "id": id })).await?;
    Ok(drf::object(take(data, "purchaseProduct")))
}

/// `GET …/exchange_product_order/`: the caller's orders.
async fn order_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let (page, page_size) = page_vars(&q)?;
    let doc = format!(
        "query OrderList($page: Int, $pageSize: Int) {{
           exchangeOrders(page: $page, pageSize: $pageSize) {{
             totalCount page pageSize items {{ ...OrderFields }}
           }}
         }} {ORDER_FIELDS} {PRODUCT_FIELDS}"
    );
    let vars = json!({ "page": page, "pageSize": page_size });
    let data = run(&state, auth, &doc, vars).await?;
    let page = without_null_categories(take(data, "exchangeOrders"));
    Ok(drf::page(page, &uri, &headers))
}

/// `GET …/exchange_product_order/{order_number}/`: one of the caller's orders.
async fn order_detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(order_number): Path<String>,
) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let doc = format!(
        "query OrderDetail($number: String!) {{ exchangeOrder(orderNumber: $number) {{ ...OrderFields }} }}
         {ORDER_FIELDS} {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, json!({ "number": order_number })).await?;
    Ok(drf::object(without_null_categories(take(
        data,
        "exchangeOrder",
    ))))
}

/// `GET …/user_products/`: the caller's props; `_type` (0, 1), `status` (0, 1).
async fn user_products(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(raw): RawQuery,
) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let q = Fields::from_query(raw.as_deref());
    let (page, page_size) = page_vars(&q)?;
    let vars = json!({
        "filter": { "productType": q.int("_type")?, "status": q.int("status")? },
        "page": page, "pageSize": page_size,
    });
    let doc = format!(
        "query UserProducts($filter: UserProductFilter, $page: Int, $pageSize: Int) {{
           myProducts(filter: $filter, page: $page, pageSize: $pageSize) {{
             totalCount page pageSize items {{ ...PropFields }}
           }}
         }} {PROP_FIELDS} {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, vars).await?;
    let page = without_null_categories(take(data, "myProducts"));
    Ok(drf::page(page, &uri, &headers))
}

async fn set_in_use(state: AppState, headers: HeaderMap, pk: String, field: &str) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let doc = format!(
        "mutation SetInUse($id: Int!) {{ {field}(id: $id) {{ ...PropFields }} }}
         {PROP_FIELDS} {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, json!({ "id": path_id(&pk)? })).await?;
    Ok(drf::object(without_null_categories(take(data, field))))
}

/// `PUT …/use_product/{pk}/`.
async fn use_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(pk): Path<String>,
) -> DrfResult {
    set_in_use(state, headers, pk, "useProduct").await
}

/// `PUT …/unuse_product/{pk}/`.
async fn unuse_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(pk): Path<String>,
) -> DrfResult {
    set_in_use(state, headers, pk, "unuseProduct").await
}

/// `GET /userinfo/` and `/program_face2face/userinfo/`: the member with the props in use.
async fn user_info(State(state): State<AppState>, headers: HeaderMap) -> DrfResult {
    let auth = authenticate(&state, &headers).await?;
    let doc = format!(
        "query UserInfo {{ me {{ pk: id owner name props {{
           owner: ownerId exchange_product: product {{ ...ProductFields }}
           status status_display: statusDisplay create_time: createTime pk: id
         }} }} }} {PRODUCT_FIELDS}"
    );
    let data = run(&state, auth, &doc, json!({})).await?;
    Ok(drf::object(without_null_categories(take(data, "me"))))
}
