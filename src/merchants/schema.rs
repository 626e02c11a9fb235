//! GraphQL fields of merchant management. Each names the legacy URL that runs it.

use async_graphql::{Context, Object, ResultExt};
use entity::shop;

use super::{
    loaders::{
        AccountLoader, AreaLevel1Loader, AreaLevel2Loader, BindingsLoader, DistrictLoader,
        EmployeeLoader, LabelLoader, QuoteSheetLoader, StationLoader,
    },
    service,
    types::{
        CreateShopInput, CreatedShop, Merchant, MerchantFilter, MerchantIndex, MerchantPage,
        UpdateShopInput,
    },
};
use crate::{
    auth::{caller, Permission},
    graphql::{loader::Cached, page::PageArgs, state},
};

/// The largest page of the merchant list.
pub const MAX_MERCHANT_PAGE: u64 = 100;
/// Exports read the list 1,000 rows a page (with their own permission code).
pub const EXPORT_PAGE: u64 = 1_000;

/// Loads what the query selects of a page of merchants, one statement per kind.
async fn prefetch(ctx: &Context<'_>, rows: &[shop::Model]) -> async_graphql::Result<()> {
    let items = ctx.look_ahead().field("items");
    let selected = |name: &str| items.field(name).exists();
    if [
        "username",
        "companyName",
        "accountTelephone",
        "customerType",
    ]
    .iter()
    .any(|f| selected(f))
    {
        let ids = rows.iter().map(|r| r.account_id);
        ctx.data::<Cached<AccountLoader>>()?.load_many(ids).await?;
    }
    if selected("city") {
        let ids = rows.iter().map(|r| r.district_code.clone());
        ctx.data::<Cached<DistrictLoader>>()?.load_many(ids).await?;
    }
    if selected("areaLevel1") {
        let ids = rows.iter().map(|r| r.area_level1_id);
        ctx.data::<Cached<AreaLevel1Loader>>()?
            .load_many(ids)
            .await?;
    }
    if selected("areaLevel2") {
        let ids = rows.iter().map(|r| r.area_level2_id);
        ctx.data::<Cached<AreaLevel2Loader>>()?
            .load_many(ids)
            .await?;
    }
    if selected("createEmployee") || selected("saleEmployee") {
        let mut ids: Vec<i32> = rows.iter().filter_map(|r| r.create_employee_id).collect();
        ids.extend(rows.iter().filter_map(|r| r.sale_employee_id));
        ctx.data::<Cached<EmployeeLoader>>()?.load_many(ids).await?;
    }
    if selected("addressLabel") {
        let ids = rows.iter().filter_map(|r| r.address_label_id);
        ctx.data::<Cached<LabelLoader>>()?.load_many(ids).await?;
    }
    let sheets = items.field("quoteSheets");
    if sheets.exists() || selected("serviceStations") {
        let bindings = ctx
            .data::<Cached<BindingsLoader>>()?
            .load_many(rows.iter().map(|r| r.id))
            .await?;
        let bindings: Vec<_> = bindings.into_values().flatten().collect();
        if sheets.field("quoteSheet").exists() {
            let ids = bindings.iter().map(|b| b.salemenu_id.clone());
            ctx.data::<Cached<QuoteSheetLoader>>()?
                .load_many(ids)
                .await?;
        }
        if sheets.field("serviceStation").exists() || selected("serviceStations") {
            let ids = bindings.iter().filter_map(|b| b.service_station_id.clone());
            ctx.data::<Cached<StationLoader>>()?.load_many(ids).await?;
        }
    }
    Ok(())
}

async fn merchant_page(
    ctx: &Context<'_>,
    filter: MerchantFilter,
    args: PageArgs,
) -> async_graphql::Result<MerchantPage> {
    let (total, rows) = service::search(&state(ctx).db, &state(ctx).counts, &filter, args)
        .await
        .extend()?;
    prefetch(ctx, &rows).await?;
    Ok(MerchantPage::new(
        args,
        total,
        rows.into_iter().map(Merchant),
    ))
}

/// Merchant queries.
#[derive(Default)]
pub struct MerchantsQuery;

#[Object]
impl MerchantsQuery {
    /// Cities, areas, stations, managers, quote sheets and labels
    /// (legacy: `GET /custommanage/`).
    #[graphql(guard = "Permission::MerchantIndex")]
    async fn merchant_index(&self, ctx: &Context<'_>) -> async_graphql::Result<MerchantIndex> {
        service::index(&state(ctx).db).await.extend()
    }

    /// Merchants matching `filter`, newest first (legacy: `GET /custommanage/list`).
    #[graphql(guard = "Permission::MerchantList")]
    async fn merchants(
        &self,
        ctx: &Context<'_>,
        filter: Option<MerchantFilter>,
        page: Option<i32>,
        #[graphql(desc = "Rows per page (default 10, capped at 100).")] page_size: Option<i32>,
    ) -> async_graphql::Result<MerchantPage> {
        let args = PageArgs::new(page, page_size, MAX_MERCHANT_PAGE).extend()?;
        merchant_page(ctx, filter.unwrap_or_default(), args).await
    }

    /// Merchants matching `filter`, 1,000 a page, for a spreadsheet export
    /// (legacy: `GET /custommanage/list?export=1`).
    #[graphql(guard = "Permission::MerchantExport")]
    async fn merchant_export(
        &self,
        ctx: &Context<'_>,
        filter: Option<MerchantFilter>,
        page: Option<i32>,
    ) -> async_graphql::Result<MerchantPage> {
        let args = PageArgs::new(page, Some(EXPORT_PAGE as i32), EXPORT_PAGE).extend()?;
        merchant_page(ctx, filter.unwrap_or_default(), args).await
    }

    /// One merchant by its `SID`.
    #[graphql(guard = "Permission::MerchantList")]
    async fn merchant(&self, ctx: &Context<'_>, sid: String) -> async_graphql::Result<Merchant> {
        service::shop(&state(ctx).db, &sid)
            .await
            .map(Merchant)
            .extend()
    }
}

/// Merchant mutations.
#[derive(Default)]
pub struct MerchantsMutation;

#[Object]
impl MerchantsMutation {
    /// Edits a shop and its account, partially (legacy: `POST /custommanage/edit`).
    #[graphql(guard = "Permission::MerchantEdit")]
    async fn update_shop(
        &self,
        ctx: &Context<'_>,
        input: UpdateShopInput,
    ) -> async_graphql::Result<Merchant> {
        service::update_shop(&state(ctx).db, caller(ctx), input)
            .await
            .map(Merchant)
            .extend()
    }

    /// Binds a quote sheet to a shop, or changes binding `recordId`
    /// (legacy: `POST /custommanage/edit` with `status`).
    #[graphql(guard = "Permission::MerchantEdit")]
    async fn bind_quote_sheet(
        &self,
        ctx: &Context<'_>,
        sid: String,
        record_id: Option<i32>,
        quote_sheet_id: String,
        service_station_id: Option<String>,
    ) -> async_graphql::Result<Merchant> {
        service::bind_quote_sheet(
            &state(ctx).db,
            caller(ctx),
            &sid,
            record_id,
            &quote_sheet_id,
            service_station_id.as_deref(),
        )
        .await
        .map(Merchant)
        .extend()
    }

    /// Removes quote-sheet binding `recordId` from a shop
    /// (legacy: `POST /custommanage/edit` with `status: deleteSSM`).
    #[graphql(guard = "Permission::MerchantEdit")]
    async fn unbind_quote_sheet(
        &self,
        ctx: &Context<'_>,
        sid: String,
        record_id: i32,
    ) -> async_graphql::Result<Merchant> {
        service::unbind_quote_sheet(&state(ctx).db, caller(ctx), &sid, record_id)
            .await
            .map(Merchant)
            .extend()
    }

    /// Creates a shop (and its account without `kid`) with its quote sheets
    /// (legacy: `POST /custommanage/restaurant/add`).
    #[graphql(guard = "Permission::MerchantCreate")]
    async fn create_shop(
        &self,
        ctx: &Context<'_>,
        input: CreateShopInput,
    ) -> async_graphql::Result<CreatedShop> {
        let shop = service::create_shop(&state(ctx).db, caller(ctx), input)
            .await
            .extend()?;
        Ok(CreatedShop {
            kid: super::kid(shop.account_id),
            sid: super::sid(shop.id),
            merchant: Merchant(shop),
        })
    }
}
