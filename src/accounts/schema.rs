//! GraphQL of account administration: the caller (`me`), staff accounts, roles, API keys.

use async_graphql::{Context, Object, ResultExt};

use super::{
    service::{self, KeyOwner, Operator},
    types::{
        ApiKey, ApiKeyFilter, ApiKeyPage, CreateRoleInput, CreateStaffInput, Me, NewApiKey, Role,
        StaffAccount, StaffAccountPage, StaffFilter, UpdateRoleInput, UpdateStaffInput,
    },
};
use crate::{
    auth::{caller, Permission},
    graphql::{
        page::{PageArgs, MAX_PAGE_SIZE},
        state,
    },
};

/// The operator of a request, holding `code` (its guard has checked it already).
fn operator(ctx: &Context<'_>, code: Permission) -> async_graphql::Result<Operator> {
    Operator::require(caller(ctx), code).extend()
}

/// Account queries.
#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The caller: a staff account (with its role and the codes it holds) or a kids-coding
    /// member (with its diamonds and props; legacy: `GET /userinfo/`). Any authenticated caller.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        service::me(&state(ctx).db, caller(ctx)).await.extend()
    }

    /// Staff accounts, by id.
    #[graphql(guard = "Permission::StaffManage")]
    async fn staff_accounts(
        &self,
        ctx: &Context<'_>,
        filter: Option<StaffFilter>,
        #[graphql(desc = "Page number, from 1.")] page: Option<i32>,
        #[graphql(desc = "Rows per page (default 10, capped at 100).")] page_size: Option<i32>,
    ) -> async_graphql::Result<StaffAccountPage> {
        let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE).extend()?;
        let st = state(ctx);
        let filter = filter.unwrap_or_default();
        let (total, rows) = service::list_staff(&st.db, &st.counts, &filter, args)
            .await
            .extend()?;
        Ok(StaffAccountPage::new(
            args,
            total,
            rows.into_iter().map(StaffAccount),
        ))
    }

    /// Every role, by id.
    #[graphql(guard = "Permission::RoleManage")]
    async fn roles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Role>> {
        service::list_roles(&state(ctx).db).await.extend()
    }

    /// One role.
    #[graphql(guard = "Permission::RoleManage")]
    async fn role(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<Role> {
        service::role(&state(ctx).db, id).await.extend()
    }

    /// API keys, newest first: their prefixes and owners, never the keys.
    #[graphql(guard = "Permission::ApiKeyManage")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        filter: Option<ApiKeyFilter>,
        page: Option<i32>,
        page_size: Option<i32>,
    ) -> async_graphql::Result<ApiKeyPage> {
        let args = PageArgs::new(page, page_size, MAX_PAGE_SIZE).extend()?;
        let st = state(ctx);
        let filter = filter.unwrap_or_default();
        let (total, items) = service::list_keys(&st.db, &st.counts, &filter, args)
            .await
            .extend()?;
        Ok(ApiKeyPage::new(args, total, items))
    }
}

/// Account mutations.
#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// A new staff account with a role whose every code the caller holds. The password has at
    /// least 8 characters and is not the username.
    #[graphql(guard = "Permission::StaffManage")]
    async fn create_staff(
        &self,
        ctx: &Context<'_>,
        input: CreateStaffInput,
    ) -> async_graphql::Result<StaffAccount> {
        let op = operator(ctx, Permission::StaffManage)?;
        service::create_staff(&state(ctx).db, &op, input)
            .await
            .map(StaffAccount)
            .extend()
    }

    /// Changes an account (absent fields stay). `isActive: false` disables it and ends its
    /// sessions; nobody disables themselves, and the last active superuser stays one.
    #[graphql(guard = "Permission::StaffManage")]
    async fn update_staff(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateStaffInput,
    ) -> async_graphql::Result<StaffAccount> {
        let op = operator(ctx, Permission::StaffManage)?;
        service::update_staff(&state(ctx).db, &op, id, input)
            .await
            .map(StaffAccount)
            .extend()
    }

    /// Sets an account's password (at least 8 characters, not the username) and ends every
    /// session of it.
    #[graphql(guard = "Permission::StaffManage")]
    async fn reset_staff_password(
        &self,
        ctx: &Context<'_>,
        id: i32,
        #[graphql(validator(chars_max_length = 256))] new_password: String,
    ) -> async_graphql::Result<bool> {
        let op = operator(ctx, Permission::StaffManage)?;
        service::reset_staff_password(&state(ctx).db, &op, id, &new_password)
            .await
            .extend()
    }

    /// A new role granting codes the caller holds.
    #[graphql(guard = "Permission::RoleManage")]
    async fn create_role(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleInput,
    ) -> async_graphql::Result<Role> {
        let op = operator(ctx, Permission::RoleManage)?;
        service::create_role(&state(ctx).db, &op, input)
            .await
            .extend()
    }

    /// Renames a role or replaces its codes; its accounts hold the new codes from their next
    /// request on.
    #[graphql(guard = "Permission::RoleManage")]
    async fn update_role(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateRoleInput,
    ) -> async_graphql::Result<Role> {
        let op = operator(ctx, Permission::RoleManage)?;
        service::update_role(&state(ctx).db, &op, id, input)
            .await
            .extend()
    }

    /// Deletes a role; refused (`ROLE_IN_USE`) while any account holds it.
    #[graphql(guard = "Permission::RoleManage")]
    async fn delete_role(&self, ctx: &Context<'_>, id: i32) -> async_graphql::Result<bool> {
        let op = operator(ctx, Permission::RoleManage)?;
        service::delete_role(&state(ctx).db, &op, id).await.extend()
    }

    /// A new key for a staff account (`Authorization: Token <key>`). The answer is the only
    /// place the key is ever shown.
    #[graphql(guard = "Permission::ApiKeyManage")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        staff_id: i32,
    ) -> async_graphql::Result<NewApiKey> {
        let op = operator(ctx, Permission::ApiKeyManage)?;
        let (key, api_key) = service::create_key(&state(ctx).db, &op, KeyOwner::Staff(staff_id))
            .await
            .extend()?;
        Ok(NewApiKey { key, api_key })
    }

    /// A new key for a kids-coding member. The answer is the only place the key is shown.
    #[graphql(guard = "Permission::ApiKeyManage")]
    async fn create_member_api_key(
        &self,
        ctx: &Context<'_>,
        user_id: i32,
    ) -> async_graphql::Result<NewApiKey> {
        let op = operator(ctx, Permission::ApiKeyManage)?;
        let (key, api_key) = service::create_key(&state(ctx).db, &op, KeyOwner::Member(user_id))
            .await
            .extend()?;
        Ok(NewApiKey { key, api_key })
    }

    /// Revokes a key, named by `id` or by `prefix`: refused from the next request on, on every
    /// instance. Answers the revoked key.
    #[graphql(guard = "Permission::ApiKeyManage")]
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        id: Option<i32>,
        #[graphql(validator(chars_max_length = 64))] prefix: Option<String>,
    ) -> async_graphql::Result<ApiKey> {
        let op = operator(ctx, Permission::ApiKeyManage)?;
        service::revoke_key(&state(ctx).db, &op, id, prefix.as_deref())
            .await
            .extend()
    }
}
