//! GraphQL objects of account administration.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::{api_key, staff};

use super::loaders::RoleLoader;
use crate::{
    graphql::loader::Cached,
    market::types::{Member, UserProduct},
    page_type, row_object,
};

/// A role: a name and the permission codes it grants.
#[derive(SimpleObject, Clone, Debug, serde::Serialize)]
pub struct Role {
    pub id: i32,
    pub name: String,
    /// Holds every code, present and future.
    pub superuser: bool,
    /// The codes the role grants (for a superuser role: every code).
    pub permissions: Vec<String>,
}

/// The role `role_id` through the request's loader.
async fn role_of(ctx: &Context<'_>, role_id: i32) -> async_graphql::Result<Role> {
    ctx.data::<Cached<RoleLoader>>()?
        .load_one(role_id)
        .await?
        .ok_or_else(|| async_graphql::Error::new(format!("role {role_id} is missing")))
}

row_object! {
    /// A staff account.
    pub struct StaffAccount(staff::Model) {
        id: i32,
        /// The login name.
        username: &str,
        /// The display name (what a login answers as `nickname`).
        nickname: &str,
        /// A second login name; unique.
        mobile: Option<&str>,
        /// A disabled account can neither log in nor use its tokens or keys.
        is_active: bool,
        /// China time (`2022-06-22T08:00:00`).
        created_at: iso_datetime,
        async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Role> {
            role_of(ctx, self.0.role_id).await
        }
    }
}

page_type!(
    StaffAccountPage,
    StaffAccount,
    "A page of staff accounts, by id."
);

crate::graphql::filter_input! {
    /// Which accounts to list; every given condition must hold.
    #[derive(InputObject, Default, Debug)]
    pub struct StaffFilter {
        /// Case-insensitive substring of the username, nickname or mobile.
        keyword: text,
        role_id: Option<i32>,
        is_active: Option<bool>,
    }
}

/// A new staff account.
#[derive(InputObject, Debug)]
pub struct CreateStaffInput {
    #[graphql(validator(chars_min_length = 1, chars_max_length = 64))]
    pub username: String,
    /// At least 8 characters, not the username.
    #[graphql(validator(chars_max_length = 256))]
    pub password: String,
    #[graphql(validator(chars_max_length = 64))]
    pub nickname: Option<String>,
    #[graphql(validator(chars_max_length = 32))]
    pub mobile: Option<String>,
    pub role_id: i32,
}

/// A change of a staff account: absent fields stay; `mobile: null` clears the mobile,
/// `nickname: null` empties the nickname.
#[derive(InputObject, Debug, Default)]
pub struct UpdateStaffInput {
    #[graphql(validator(chars_max_length = 64))]
    pub nickname: MaybeUndefined<String>,
    #[graphql(validator(chars_max_length = 32))]
    pub mobile: MaybeUndefined<String>,
    pub role_id: Option<i32>,
    /// `false` disables the account and ends its sessions; `true` enables it again.
    pub is_active: Option<bool>,
}

/// A new role.
#[derive(InputObject, Debug)]
pub struct CreateRoleInput {
    #[graphql(validator(chars_min_length = 1, chars_max_length = 64))]
    pub name: String,
    /// Codes from `permissionCodes`; the caller must hold each.
    #[graphql(validator(max_items = 100))]
    pub permissions: Vec<String>,
}

/// A change of a role: absent fields stay; `permissions` replaces the whole list.
#[derive(InputObject, Debug, Default)]
pub struct UpdateRoleInput {
    #[graphql(validator(chars_min_length = 1, chars_max_length = 64))]
    pub name: Option<String>,
    #[graphql(validator(max_items = 100))]
    pub permissions: Option<Vec<String>>,
}

/// An API key as it can be shown: never the key itself.
pub struct ApiKey {
    pub row: api_key::Model,
    /// The staff account's username or the member's owner.
    pub owner: String,
}

#[Object]
impl ApiKey {
    async fn id(&self) -> i32 {
        self.row.id
    }
    /// The key's first 6 characters (null for keys made before they were kept).
    async fn prefix(&self) -> Option<&str> {
        self.row.prefix.as_deref()
    }
    /// `staff` or `member`.
    async fn kind(&self) -> &str {
        if self.row.staff_id.is_some() {
            "staff"
        } else {
            "member"
        }
    }
    /// The staff account of a staff key.
    async fn staff_id(&self) -> Option<i32> {
        self.row.staff_id
    }
    /// The member (user-info id) of a member key.
    async fn member_id(&self) -> Option<i32> {
        self.row.user_info_id
    }
    /// The staff account's username or the member's owner.
    async fn owner(&self) -> &str {
        &self.owner
    }
    /// China time.
    async fn created_at(&self) -> String {
        crate::db::iso_datetime(self.row.created_at)
    }
    /// The last request made with the key, to the minute; null if never used.
    async fn last_used_at(&self) -> Option<String> {
        self.row.last_used_at.map(crate::db::iso_datetime)
    }
}

page_type!(ApiKeyPage, ApiKey, "A page of API keys, newest first.");

crate::graphql::filter_input! {
    /// Which keys to list.
    #[derive(InputObject, Default, Debug)]
    pub struct ApiKeyFilter {
        staff_id: Option<i32>,
        member_id: Option<i32>,
    }
}

/// A key just made: the only answer that ever shows it.
#[derive(SimpleObject)]
pub struct NewApiKey {
    /// For `Authorization: Token <key>`. Shown this once: only its digest is kept.
    pub key: String,
    pub api_key: ApiKey,
}

/// The caller: a staff account or a kids-coding member.
pub enum Me {
    Staff {
        account: staff::Model,
        permissions: Vec<String>,
    },
    /// Boxed: a member's row is much larger than an account's.
    Member(Box<Member>),
}

#[Object]
impl Me {
    /// `staff` or `member`.
    async fn kind(&self) -> &str {
        match self {
            Me::Staff { .. } => "staff",
            Me::Member(_) => "member",
        }
    }
    /// The staff account id, or the member's user-info id.
    async fn id(&self) -> i32 {
        match self {
            Me::Staff { account, .. } => account.id,
            Me::Member(m) => m.info.id,
        }
    }
    /// The staff login name, or the member's owner.
    async fn username(&self) -> &str {
        match self {
            Me::Staff { account, .. } => &account.username,
            Me::Member(m) => &m.info.owner,
        }
    }
    /// The staff display name, or the member's name.
    async fn nickname(&self) -> &str {
        match self {
            Me::Staff { account, .. } => &account.nickname,
            Me::Member(m) => &m.info.name,
        }
    }
    /// The staff account's mobile (null for a member).
    async fn mobile(&self) -> Option<&str> {
        match self {
            Me::Staff { account, .. } => account.mobile.as_deref(),
            Me::Member(_) => None,
        }
    }
    /// The staff account's role (null for a member).
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Role>> {
        match self {
            Me::Staff { account, .. } => role_of(ctx, account.role_id).await.map(Some),
            Me::Member(_) => Ok(None),
        }
    }
    /// The codes the caller holds (none for a member).
    async fn permissions(&self) -> &[String] {
        match self {
            Me::Staff { permissions, .. } => permissions,
            Me::Member(_) => &[],
        }
    }
    /// A member's user-info id (null for staff).
    async fn user_id(&self) -> Option<i32> {
        self.member().map(|m| m.info.id)
    }
    /// A member's owner, as `GET /userinfo/` answers it (null for staff).
    async fn owner(&self) -> Option<&str> {
        self.member().map(|m| m.info.owner.as_str())
    }
    /// A member's name (null for staff).
    async fn name(&self) -> Option<&str> {
        self.member().map(|m| m.info.name.as_str())
    }
    /// A member's diamond balance (null for staff).
    async fn diamonds(&self) -> Option<i64> {
        self.member().map(|m| m.info.diamonds)
    }
    /// A member's props in use, one avatar and one background at most (null for staff).
    async fn props(&self) -> Option<Vec<UserProduct>> {
        self.member()
            .map(|m| m.props.iter().cloned().map(UserProduct).collect())
    }
}

impl Me {
    fn member(&self) -> Option<&Member> {
        match self {
            Me::Member(m) => Some(m),
            Me::Staff { .. } => None,
        }
    }
}
