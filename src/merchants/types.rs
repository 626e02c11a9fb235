//! GraphQL objects of merchant management, and the labels of its codes.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::{
    address_label, area_level1, area_level2, employee, salemenu, shop, shop_salemenu, station,
};

use super::loaders::{
    AccountLoader, AreaLevel1Loader, AreaLevel2Loader, BindingsLoader, DistrictLoader,
    EmployeeLoader, LabelLoader, QuoteSheetLoader, StationLoader,
};
use crate::{
    graphql::{loader::Cached, money::Money},
    page_type, row_object,
};

/// `settle_way` (结款方式) codes and labels; 1 is attested by the seed.
pub const SETTLE_WAY: &[(i16, &str)] = &[(1, "先货后款"), (2, "先款后货")];
/// `pay_method` (结算周期) codes and labels; 2 (周结) is attested by the seed.
pub const PAY_METHOD: &[(i16, &str)] = &[(1, "日结"), (2, "周结"), (3, "半月结"), (4, "月结")];
/// `customer_type` codes and labels.
pub const CUSTOMER_TYPE: &[(i16, &str)] = &[(1, "店铺"), (2, "个人")];

/// A city.
#[derive(SimpleObject, Clone)]
pub struct City {
    /// District (postal) code, e.g. `440300`.
    pub code: String,
    pub name: String,
}

/// A second-level area (street).
#[derive(SimpleObject, Clone)]
pub struct Street {
    pub id: i64,
    pub name: String,
}

impl From<area_level2::Model> for Street {
    fn from(m: area_level2::Model) -> Self {
        Street {
            id: m.id,
            name: m.name,
        }
    }
}

/// A first-level area (district of a city) with its streets.
#[derive(SimpleObject, Clone)]
pub struct Area {
    pub id: i64,
    pub name: String,
    pub district_code: String,
    pub streets: Vec<Street>,
}

/// A city with its areas.
#[derive(SimpleObject)]
pub struct CityAreas {
    pub code: String,
    pub name: String,
    pub areas: Vec<Area>,
}

/// A service station.
#[derive(SimpleObject, Clone)]
pub struct Station {
    /// e.g. `T12469`.
    pub id: String,
    pub name: String,
    pub district_code: String,
    /// The CMS key.
    pub key_url: String,
    /// District codes of the cities it delivers to.
    pub distribute_city_ids: Vec<String>,
}

/// A station as a shop's binding names it.
#[derive(SimpleObject, Clone)]
pub struct StationRef {
    pub id: String,
    pub name: String,
}

impl From<station::Model> for StationRef {
    fn from(m: station::Model) -> Self {
        StationRef {
            id: m.id,
            name: m.name,
        }
    }
}

/// An employee: account manager (开户经理) or sales manager (销售经理).
#[derive(SimpleObject, Clone)]
pub struct Employee {
    pub id: i32,
    pub name: String,
    pub phone: String,
    pub district_code: Option<String>,
}

impl From<employee::Model> for Employee {
    fn from(m: employee::Model) -> Self {
        Employee {
            id: m.id,
            name: m.name,
            phone: m.phone,
            district_code: m.district_code,
        }
    }
}

/// A quote sheet (salemenu).
#[derive(SimpleObject, Clone)]
pub struct QuoteSheet {
    /// e.g. `S8443`.
    pub id: String,
    pub name: String,
}

impl From<salemenu::Model> for QuoteSheet {
    fn from(m: salemenu::Model) -> Self {
        QuoteSheet {
            id: m.id,
            name: m.name,
        }
    }
}

/// A quote sheet a station serves.
#[derive(SimpleObject)]
pub struct StationQuoteSheet {
    pub station: StationRef,
    pub quote_sheet: QuoteSheet,
}

/// A merchant label.
#[derive(SimpleObject, Clone)]
pub struct AddressLabel {
    pub id: i32,
    pub name: String,
}

impl From<address_label::Model> for AddressLabel {
    fn from(m: address_label::Model) -> Self {
        AddressLabel {
            id: m.id,
            name: m.name,
        }
    }
}

/// Everything the merchant pages pick from (legacy: `GET /custommanage/`).
#[derive(SimpleObject)]
pub struct MerchantIndex {
    /// Cities, each with its areas and their streets.
    pub cities: Vec<CityAreas>,
    pub stations: Vec<Station>,
    /// Employees who open accounts (开户经理).
    pub create_employees: Vec<Employee>,
    /// Sales managers (销售经理).
    pub sale_employees: Vec<Employee>,
    pub quote_sheets: Vec<QuoteSheet>,
    pub station_quote_sheets: Vec<StationQuoteSheet>,
    pub address_labels: Vec<AddressLabel>,
}

/// A shop's binding to a quote sheet.
pub struct ShopQuoteSheet(pub shop_salemenu::Model);

#[Object]
impl ShopQuoteSheet {
    /// The binding id (legacy `record_id`).
    async fn record_id(&self) -> i32 {
        self.0.id
    }
    async fn quote_sheet(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<QuoteSheet>> {
        let loader = ctx.data::<Cached<QuoteSheetLoader>>()?;
        Ok(loader
            .load_one(self.0.salemenu_id.clone())
            .await?
            .map(Into::into))
    }
    /// The station delivering it.
    async fn service_station(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<StationRef>> {
        let Some(id) = self.0.service_station_id.clone() else {
            return Ok(None);
        };
        let loader = ctx.data::<Cached<StationLoader>>()?;
        Ok(loader.load_one(id).await?.map(Into::into))
    }
}

row_object! {
    /// A merchant: one shop (`SID`) of a merchant account (`KID`).
    pub struct Merchant(shop::Model) {
        /// A cache key for clients: the `SID`.
        async fn id(&self) -> async_graphql::ID {
            super::sid(self.0.id).into()
        }
        /// `S` and the shop id.
        async fn sid(&self) -> String {
            super::sid(self.0.id)
        }
        /// `K` and the account id, zero-padded to 6 digits.
        async fn kid(&self) -> String {
            super::kid(self.0.account_id)
        }
        async fn shop_id(&self) -> i32 {
            self.0.id
        }
        account_id: i32,
        /// The account's login name.
        async fn username(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            self.of_account(ctx, String::new(), |a| a.username).await
        }
        /// The account's company name.
        async fn company_name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            self.of_account(ctx, String::new(), |a| a.company_name).await
        }
        /// The account's phone.
        async fn account_telephone(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            self.of_account(ctx, String::new(), |a| a.telephone).await
        }
        /// 1 shop, 2 individual.
        async fn customer_type(&self, ctx: &Context<'_>) -> async_graphql::Result<i16> {
            self.of_account(ctx, 1, |a| a.customer_type).await
        }
        async fn shop_name(&self) -> &str {
            &self.0.name
        }
        /// Who receives deliveries: the shop's contact.
        receiver_name: &str,
        /// The receiver's phone.
        receiver_telephone: &str,
        /// Who settles the bills.
        payer_name: &str,
        payer_telephone: &str,
        address: &str,
        lat: Option<f64>,
        lng: Option<f64>,
        map_address: &str,
        async fn city(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<City>> {
            let loader = ctx.data::<Cached<DistrictLoader>>()?;
            Ok(loader
                .load_one(self.0.district_code.clone())
                .await?
                .map(|d| City {
                    code: d.code,
                    name: d.name,
                }))
        }
        async fn area_level1(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Street>> {
            Ok(self.area(ctx).await?.map(|a| Street {
                id: a.id,
                name: a.name,
            }))
        }
        async fn area_level2(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Street>> {
            let loader = ctx.data::<Cached<AreaLevel2Loader>>()?;
            Ok(loader
                .load_one(self.0.area_level2_id)
                .await?
                .map(Into::into))
        }
        /// 结款方式 code.
        settle_way: i16,
        settle_way_display: label(SETTLE_WAY, settle_way),
        /// 结算周期 code.
        pay_method: i16,
        pay_method_display: label(PAY_METHOD, pay_method),
        /// Review state.
        check_out: i16,
        /// 0 not frozen, 1 frozen, 2 unknown, -99 deleted.
        finance_status: i16,
        whitelist: i16,
        keycustomer: i16,
        async fn balance(&self) -> Money {
            Money(self.0.balance_cents)
        }
        point: i32,
        /// Registration day, `YYYY-MM-DD`.
        async fn create_time(&self) -> String {
            self.0.create_time.format("%Y-%m-%d").to_string()
        }
        async fn create_employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
            self.employee(ctx, self.0.create_employee_id).await
        }
        async fn sale_employee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Employee>> {
            self.employee(ctx, self.0.sale_employee_id).await
        }
        async fn address_label(
            &self,
            ctx: &Context<'_>,
        ) -> async_graphql::Result<Option<AddressLabel>> {
            let Some(id) = self.0.address_label_id else {
                return Ok(None);
            };
            Ok(ctx
                .data::<Cached<LabelLoader>>()?
                .load_one(id)
                .await?
                .map(Into::into))
        }
        /// Quote-sheet bindings.
        async fn quote_sheets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ShopQuoteSheet>> {
            let loader = ctx.data::<Cached<BindingsLoader>>()?;
            Ok(loader
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(ShopQuoteSheet)
                .collect())
        }
        /// The stations delivering the shop's quote sheets, each once.
        async fn service_stations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StationRef>> {
            let bindings = ctx
                .data::<Cached<BindingsLoader>>()?
                .load_one(self.0.id)
                .await?
                .unwrap_or_default();
            let mut ids: Vec<String> = Vec::new();
            for id in bindings.into_iter().filter_map(|b| b.service_station_id) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            let stations = ctx
                .data::<Cached<StationLoader>>()?
                .load_many(ids.clone())
                .await?;
            Ok(ids
                .into_iter()
                .filter_map(|id| stations.get(&id).cloned().map(Into::into))
                .collect())
        }
        /// 0 by period, 1 by credit limit.
        is_credit: i16,
        async fn credit_limit(&self) -> Option<Money> {
            self.0.credit_limit_cents.map(Money)
        }
        effective_date: Option<chrono::NaiveDate>,
        begin_day: Option<i32>,
        settle_day: Option<i32>,
        /// 1 by order day, 2 by delivery day.
        settle_date_type: Option<i16>,
        /// Days before the settlement day to remind; -1 off.
        settle_remind: Option<i32>,
    }
}

impl Merchant {
    async fn account(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<entity::merchant_account::Model>> {
        ctx.data::<Cached<AccountLoader>>()?
            .load_one(self.0.account_id)
            .await
    }

    /// A field of the shop's account; `default` when the account is gone.
    async fn of_account<T>(
        &self,
        ctx: &Context<'_>,
        default: T,
        pick: impl FnOnce(entity::merchant_account::Model) -> T,
    ) -> async_graphql::Result<T> {
        Ok(self.account(ctx).await?.map(pick).unwrap_or(default))
    }

    async fn employee(
        &self,
        ctx: &Context<'_>,
        id: Option<i32>,
    ) -> async_graphql::Result<Option<Employee>> {
        let Some(id) = id else { return Ok(None) };
        Ok(ctx
            .data::<Cached<EmployeeLoader>>()?
            .load_one(id)
            .await?
            .map(Into::into))
    }

    async fn area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<area_level1::Model>> {
        ctx.data::<Cached<AreaLevel1Loader>>()?
            .load_one(self.0.area_level1_id)
            .await
    }
}

page_type!(MerchantPage, Merchant, "A page of merchants.");

crate::graphql::filter_input! {
    /// Filters of the merchant search. Absent fields do not filter.
    #[derive(InputObject, Default, Debug, Clone)]
    pub struct MerchantFilter {
        /// First-level area id.
        area_level1: Option<i64>,
        /// Second-level area id.
        area_level2: Option<i64>,
        /// Shops a station delivers to.
        station: text,
        /// Review state.
        check_out: Option<i32>,
        /// City district code.
        city: text,
        /// Account manager id.
        create_employee: Option<i32>,
        /// Sales manager id.
        sale_employee: Option<i32>,
        /// Shops bound to this quote sheet.
        quote_sheet: text,
        pay_method: Option<i32>,
        settle_way: Option<i32>,
        /// Substring of company, shop, contact, phone or username.
        search: text,
        /// 1 shop, 2 individual.
        customer_type: Option<i32>,
        /// Label id; -1 for shops without a label.
        address_label: Option<i32>,
    }
}

/// A partial edit of a shop and its account: absent fields stay as they are; null clears the
/// optional ones (coordinates, managers, label, credit and settlement terms).
#[derive(InputObject, Default, Debug)]
pub struct UpdateShopInput {
    /// The shop (`S281196` or `281196`).
    pub sid: String,
    pub company_name: Option<String>,
    pub telephone: Option<String>,
    pub settle_way: Option<i32>,
    pub payer_name: Option<String>,
    pub payer_telephone: Option<String>,
    pub check_out: Option<i32>,
    /// 0 not frozen, 1 frozen.
    pub finance_status: Option<i32>,
    pub whitelist: Option<i32>,
    pub shop_name: Option<String>,
    /// -1 removes the label.
    pub address_label_id: MaybeUndefined<i32>,
    pub receiver_name: Option<String>,
    pub receiver_telephone: Option<String>,
    /// City district code.
    pub district_code: Option<String>,
    pub area_level1_id: Option<i64>,
    pub area_level2_id: Option<i64>,
    pub address: Option<String>,
    pub lat: MaybeUndefined<f64>,
    pub lng: MaybeUndefined<f64>,
    pub map_address: Option<String>,
    pub create_employee_id: MaybeUndefined<i32>,
    pub sale_employee_id: MaybeUndefined<i32>,
    pub is_credit: Option<i32>,
    pub credit_limit: MaybeUndefined<Money>,
    /// `YYYY-MM-DD`.
    pub effective_date: MaybeUndefined<String>,
    pub begin_day: MaybeUndefined<i32>,
    pub settle_day: MaybeUndefined<i32>,
    pub settle_date_type: MaybeUndefined<i32>,
    pub pay_method: Option<i32>,
    pub settle_remind: MaybeUndefined<i32>,
}

/// A new shop, on an existing account (`kid`) or on a new one (`username`, `password`).
/// Fields marked required are checked by the server, with a message naming them.
#[derive(InputObject, Default, Debug)]
pub struct CreateShopInput {
    /// An existing account (`K073655`); without it a new account is created.
    pub kid: Option<String>,
    /// Login of the new account (required without `kid`).
    pub username: Option<String>,
    /// Password of the new account (required without `kid`).
    pub password: Option<String>,
    pub company_name: Option<String>,
    pub telephone: Option<String>,
    /// 1 shop, 2 individual.
    pub customer_type: Option<i32>,
    /// Required.
    pub shop_name: Option<String>,
    /// Required.
    pub receiver_name: Option<String>,
    /// Required.
    pub receiver_telephone: Option<String>,
    pub payer_name: Option<String>,
    pub payer_telephone: Option<String>,
    /// Required: city district code.
    pub district_code: Option<String>,
    /// Required.
    pub area_level1_id: Option<i64>,
    /// Required.
    pub area_level2_id: Option<i64>,
    /// Required.
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub map_address: Option<String>,
    pub pay_method: Option<i32>,
    pub settle_way: Option<i32>,
    pub settle_date_type: Option<i32>,
    pub finance_status: Option<i32>,
    pub whitelist: Option<i32>,
    pub check_out: Option<i32>,
    pub is_credit: Option<i32>,
    pub credit_limit: Option<Money>,
    pub create_employee_id: Option<i32>,
    pub sale_employee_id: Option<i32>,
    pub address_label_id: Option<i32>,
    /// Quote sheets to bind (`S8443`).
    pub quote_sheet_ids: Option<Vec<String>>,
}

/// What creating a shop answers.
#[derive(SimpleObject)]
pub struct CreatedShop {
    /// `K` and the account id.
    pub kid: String,
    /// `S` and the shop id.
    pub sid: String,
    pub merchant: Merchant,
}
