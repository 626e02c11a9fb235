//! One authentication and authorization model for GraphQL and REST alike.
//!
//! A request's `Authorization` header resolves once into an [`Auth`]: a staff account (by JWT
//! `Bearer` token or by legacy `Token` API key) with its role's permission codes, or a
//! kids-coding member (by member `Token` key). Resolvers declare what they need with guards
//! (`#[graphql(guard = "Permission::PayerList")]`, [`MemberGuard`]); the REST layer runs those
//! same resolvers, so it inherits every check.

pub mod credentials;
pub mod jwt;
pub mod password;
pub mod remembered;
pub mod schema;
pub mod service;
pub mod sessions;
pub mod throttle;

use std::{collections::HashSet, sync::Arc};

use async_graphql::{Context, ErrorExtensions, Guard};

use crate::error::{AppError, AppResult};

/// Declares [`Permission`] from one table of (variant, stored code, description), so the list
/// of every code, the codes and the descriptions a panel shows are written once.
macro_rules! permissions {
    ($($variant:ident => $code:literal, $description:literal;)*) => {
        /// A permission code (CONTRACT.md §14). A role grants codes; a superuser role grants all.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Permission {
            $(#[doc = $description] $variant,)*
        }

        impl Permission {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// The code as stored on roles and named in the seeds.
            pub fn code(self) -> &'static str {
                match self {
                    $(Permission::$variant => $code,)*
                }
            }

            /// What the code allows, in one line (for an admin panel's checkboxes).
            pub fn description(self) -> &'static str {
                match self {
                    $(Permission::$variant => $description,)*
                }
            }
        }
    };
}

permissions! {
    PayerList => "PAYER_LIST", "Read the kids-coding paid users.";
    PayerUpdate => "PAYER_UPDATE", "Change a paid user's follow-up fields.";
    VisitRecordList => "VISIT_RECORD_LIST", "Read visit records.";
    VisitRecordCreate => "VISIT_RECORD_CREATE", "Write visit records.";
    MarketProductList => "MARKET_PRODUCT_LIST", "Read every market product, on sale or not, with stock and sales.";
    MarketOrderList => "MARKET_ORDER_LIST", "Read any member's exchange orders.";
    MerchantIndex => "MERCHANT_INDEX", "Read the merchant index (geography, stations, managers, quote sheets).";
    MerchantList => "MERCHANT_LIST", "Search merchants.";
    MerchantExport => "MERCHANT_EXPORT", "Export the merchant search as a spreadsheet.";
    MerchantEdit => "MERCHANT_EDIT", "Edit shops and their quote-sheet bindings.";
    MerchantCreate => "MERCHANT_CREATE", "Create shops and merchant accounts.";
    PaymentReportList => "PAYMENT_REPORT_LIST", "List reports.";
    PaymentReportAdd => "PAYMENT_REPORT_ADD", "Create reports.";
    PaymentReportInfo => "PAYMENT_REPORT_INFO", "Read a report.";
    PaymentReportModify => "PAYMENT_REPORT_MODIFY", "Change reports.";
    PaymentReportDelete => "PAYMENT_REPORT_DELETE", "Delete reports.";
    ReportWhiteList => "REPORT_WHITE_LIST", "List a report's whitelist.";
    ReportWhiteAdd => "REPORT_WHITE_ADD", "Add whitelist entries.";
    ReportWhiteInfo => "REPORT_WHITE_INFO", "Read a whitelist entry.";
    ReportWhiteEdit => "REPORT_WHITE_EDIT", "Change (enable, disable) whitelist entries.";
    ReportWhiteImport => "REPORT_WHITE_IMPORT", "Import whitelists from spreadsheets.";
    ReportWhiteExport => "REPORT_WHITE_EXPORT", "Export whitelists as spreadsheets.";
    GetReportDownloadurl => "GET_REPORT_DOWNLOADURL", "Sign private download URLs of report files.";
    WhiteListExample => "WHITE_LIST_EXAMPLE", "Download the whitelist template.";
    WhiteExportConvert => "WHITE_EXPORT_CONVERT", "Convert a whitelist sheet without saving.";
    GetQiniuToken => "GET_QINIU_TOKEN", "Sign upload tokens and copy files to the private bucket.";
    PaymentCustomerList => "Payment_Customer_List", "List customers with their payments.";
    PaymentCustomerInfo => "Payment_Customer_Info", "Read a customer's orders.";
    PaymentCustomerTotal => "Payment_Customer_Total", "Read a customer's totals.";
    PaymentOrderList => "Payment_Order_List", "List orders.";
    PaymentOrderInfo => "Payment_Order_Info", "Read an order with its invoice.";
    GetReportCustomer => "GET_REPORT_CUSTOMER", "List a report's users.";
    OrderStats => "ORDER_STATS", "Read order statistics.";
    AuditLogList => "AUDIT_LOG_LIST", "Read the audit log.";
    StaffManage => "STAFF_MANAGE", "List, create and change staff accounts; reset their passwords.";
    RoleManage => "ROLE_MANAGE", "List, create, change and delete roles.";
    ApiKeyManage => "API_KEY_MANAGE", "List, create and revoke API keys of staff and members.";
}

/// Objects a permission protects wherever they are reachable, by GraphQL type name, with the
/// code that guards them at their own root. Every field that answers one asks [`permits`] first,
/// so a caller without the code gets `null` and a `FORBIDDEN` error at that path while the rest
/// of the page answers; the schema walk of the tests
/// (`tests/api/walk.rs`) finds every path from every root field to these types and fails on one
/// that lets a caller without the code through.
pub const PROTECTED_TYPES: &[(&str, Permission)] = &[
    // An order's invoice (bank account, tax number, contact phone and mail) is what
    // `GET /api/order/{number}` adds to the order list: only for `Payment_Order_Info`.
    ("Invoice", Permission::PaymentOrderInfo),
];

/// Where a resource is read: the code a staff caller needs to be answered a record that an
/// update left unchanged, by table. An update-only role may change a record and see the result
/// of its change, but not read any record by sending an update that changes nothing.
pub const READ_CODES: &[(&str, Permission)] = &[
    ("user_info", Permission::PayerList),
    ("shop", Permission::MerchantList),
    ("shop_salemenu", Permission::MerchantList),
    ("merchant_account", Permission::MerchantList),
    ("report", Permission::PaymentReportInfo),
    ("report_whitelist", Permission::ReportWhiteInfo),
];

/// Whether the caller may see the [`PROTECTED_TYPES`] object `type_name` that the field being
/// resolved answers. When not, a `FORBIDDEN` error is added at the field's path and the field
/// is to answer `null`, so the rest of the page still answers (a guard's error would drop the
/// field from the answer instead). A type missing from the table is refused to everyone:
/// closed, not open.
pub fn permits(ctx: &Context<'_>, type_name: &str) -> bool {
    match may_see(ctx, type_name) {
        Ok(()) => true,
        Err(e) => {
            let error = e.extend().into_server_error(ctx.item.pos);
            ctx.add_error(ctx.set_error_path(error));
            false
        }
    }
}

/// Whether the caller may see the [`PROTECTED_TYPES`] object `type_name`, saying nothing: for a
/// page that reads such objects ahead of their field (a join), which [`permits`] then answers.
pub fn may_see(ctx: &Context<'_>, type_name: &str) -> AppResult<()> {
    let code = PROTECTED_TYPES
        .iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, code)| *code);
    match code {
        Some(code) => auth_of(ctx).require(code).map(|_| ()),
        None => Err(AppError::Forbidden(NOT_PERMITTED.into())),
    }
}

/// A staff account, with what its role allows.
#[derive(Clone, Debug)]
pub struct StaffIdentity {
    pub id: i32,
    pub username: String,
    pub nickname: String,
    pub superuser: bool,
    /// Shared with the remembered resolution ([`remembered`]): not copied a request.
    pub permissions: Arc<HashSet<String>>,
    /// The JWT the caller presented, when it called with one (not with an API key).
    pub token: Option<TokenId>,
}

/// A presented JWT's id and expiry: what `logout` revokes.
#[derive(Clone, Debug)]
pub struct TokenId {
    pub jti: String,
    pub exp: i64,
}

impl StaffIdentity {
    /// Whether the account's role grants `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.superuser || self.permissions.contains(permission.code())
    }
}

/// A kids-coding member (a `user_info` row) calling with its own key.
#[derive(Clone, Debug)]
pub struct MemberIdentity {
    pub user_info_id: i32,
    pub owner: String,
}

/// Who is calling.
#[derive(Clone, Debug)]
pub enum Principal {
    Staff(StaffIdentity),
    Member(MemberIdentity),
}

/// The caller of one request, put into the GraphQL request data by both interfaces.
#[derive(Clone, Debug, Default)]
pub struct Auth(pub Option<Principal>);

/// The message for a request without credentials (DRF's wording, which legacy clients show).
pub const NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";
/// The message for a caller without the needed permission.
pub const NOT_PERMITTED: &str = "You do not have permission to perform this action.";

impl Auth {
    /// The staff caller if it holds `permission`.
    pub fn require(&self, permission: Permission) -> AppResult<&StaffIdentity> {
        match &self.0 {
            None => Err(AppError::Unauthenticated(NOT_AUTHENTICATED.into())),
            Some(Principal::Staff(staff)) if staff.can(permission) => Ok(staff),
            Some(_) => Err(AppError::Forbidden(NOT_PERMITTED.into())),
        }
    }

    /// Refuses a staff caller without the code that reads `entity` ([`READ_CODES`]): for an
    /// update that changed nothing, whose answer would otherwise read the record for free.
    pub fn may_read_unchanged(&self, entity: &str) -> AppResult<()> {
        let Some(Principal::Staff(staff)) = &self.0 else {
            return Ok(());
        };
        match READ_CODES.iter().find(|(table, _)| *table == entity) {
            Some((_, code)) if !staff.can(*code) => Err(AppError::Forbidden(format!(
                "{NOT_PERMITTED} Nothing was changed, and reading the record needs {}.",
                code.code()
            ))),
            _ => Ok(()),
        }
    }

    /// The staff caller, whatever its codes.
    pub fn staff(&self) -> AppResult<&StaffIdentity> {
        match &self.0 {
            None => Err(AppError::Unauthenticated(NOT_AUTHENTICATED.into())),
            Some(Principal::Staff(staff)) => Ok(staff),
            Some(_) => Err(AppError::Forbidden(NOT_PERMITTED.into())),
        }
    }

    /// The member caller.
    pub fn member(&self) -> AppResult<&MemberIdentity> {
        match &self.0 {
            None => Err(AppError::Unauthenticated(NOT_AUTHENTICATED.into())),
            Some(Principal::Member(member)) => Ok(member),
            Some(_) => Err(AppError::Forbidden(NOT_PERMITTED.into())),
        }
    }
}

fn auth_of<'a>(ctx: &'a Context<'_>) -> &'a Auth {
    static ANONYMOUS: Auth = Auth(None);
    ctx.data_opt::<Auth>().unwrap_or(&ANONYMOUS)
}

impl Guard for Permission {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        auth_of(ctx)
            .require(*self)
            .map(|_| ())
            .map_err(|e| e.extend())
    }
}

/// Lets only a kids-coding member through.
pub struct MemberGuard;

impl Guard for MemberGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        auth_of(ctx).member().map(|_| ()).map_err(|e| e.extend())
    }
}

/// The caller, for resolvers (a guard has already checked it).
pub fn caller<'a>(ctx: &'a Context<'_>) -> &'a Auth {
    auth_of(ctx)
}
