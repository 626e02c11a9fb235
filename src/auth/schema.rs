//! GraphQL of authentication: logging in, and who the caller is.

use async_graphql::{Context, Object, ResultExt, SimpleObject};

use super::{
    caller,
    service::{self, AccessToken},
    sessions, Permission, Principal,
};
use crate::graphql::state;

/// Auth queries.
#[derive(Default)]
pub struct AuthQuery;

/// The caller as the server sees it.
#[derive(SimpleObject)]
pub struct Viewer {
    /// `staff` or `member`.
    pub kind: String,
    /// The staff account id, or the member's user-info id.
    pub id: i32,
    /// Username (staff) or owner (member).
    pub name: String,
    /// Permission codes the caller holds.
    pub permissions: Vec<String>,
}

/// A permission code a role can grant.
#[derive(SimpleObject)]
pub struct PermissionCode {
    /// As stored on roles (`PAYER_LIST`, `Payment_Order_Info`, …).
    pub code: String,
    /// What it allows, in one line.
    pub description: String,
}

#[Object]
impl AuthQuery {
    /// Every permission code with what it allows, so an admin panel can render the choices.
    /// Any staff caller.
    async fn permission_codes(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PermissionCode>> {
        caller(ctx).staff().extend()?;
        Ok(Permission::ALL
            .iter()
            .map(|p| PermissionCode {
                code: p.code().to_owned(),
                description: p.description().to_owned(),
            })
            .collect())
    }

    /// The caller, or null without credentials.
    #[graphql(deprecation = "Use `me`, which has the account's names and role.")]
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Viewer> {
        match &caller(ctx).0 {
            None => None,
            Some(Principal::Staff(s)) => Some(Viewer {
                kind: "staff".into(),
                id: s.id,
                name: s.username.clone(),
                permissions: Permission::ALL
                    .iter()
                    .filter(|p| s.can(**p))
                    .map(|p| p.code().to_owned())
                    .collect(),
            }),
            Some(Principal::Member(m)) => Some(Viewer {
                kind: "member".into(),
                id: m.user_info_id,
                name: m.owner.clone(),
                permissions: vec![],
            }),
        }
    }
}

/// Auth mutations.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Exchanges an account (username or mobile) and its password for a JWT
    /// (legacy: `POST /api/access/token`).
    async fn login(
        &self,
        ctx: &Context<'_>,
        account: String,
        password: String,
    ) -> async_graphql::Result<AccessToken> {
        let st = state(ctx);
        service::login(&st.db, &st.jwt, &st.login_throttle, &account, &password)
            .await
            .extend()
    }

    /// Ends the JWT this request presents (`Authorization: Bearer`), at once and on every
    /// instance. Any staff caller; an API key is revoked instead.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let st = state(ctx);
        let done = sessions::logout(&st.db, caller(ctx)).await.extend()?;
        Ok(done)
    }

    /// Ends every JWT of the caller's account, on every instance. Any staff caller.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let st = state(ctx);
        let done = sessions::logout_everywhere(&st.db, caller(ctx))
            .await
            .extend()?;
        Ok(done)
    }

    /// Changes the caller's own password: needs the old one; the new one has at least 8
    /// characters and is not the username. Every earlier JWT of the account ends; the answer
    /// is a new one. Any staff caller.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        old_password: String,
        new_password: String,
    ) -> async_graphql::Result<AccessToken> {
        let st = state(ctx);
        let token = sessions::change_password(
            &st.db,
            &st.jwt,
            &st.login_throttle,
            caller(ctx),
            &old_password,
            &new_password,
        )
        .await
        .extend()?;
        Ok(token)
    }
}
