//! Ending sessions: one JWT (`logout`), every JWT of an account (`logoutEverywhere`), and the
//! caller's own password change, which ends every earlier JWT too.
//!
//! A logged-out token's id (`jti`) is kept in `revoked_token` until the token would have
//! expired, and the account's `session_version` (which every token carries as `sv`) moves to end
//! them all: both live in the database, and every request resolves its credential there, so
//! every instance refuses an ended token on its very next request.

use entity::{revoked_token, staff};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::{json, Map};

use super::{
    jwt::JwtKeys,
    password,
    service::AccessToken,
    throttle::{Attempt, LoginThrottle},
    Auth,
};
use crate::{
    audit::service as audit,
    error::{AppError, AppResult},
};

/// The shortest password a new one may be.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The password policy for a new password of account `username`: at least
/// [`MIN_PASSWORD_CHARS`] characters, and not the username itself.
pub fn check_new_password(field: &str, username: &str, password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::field(
            field,
            format!("The password must have at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(AppError::field(
            field,
            "The password must not be the username.",
        ));
    }
    Ok(())
}

/// Ends the JWT the caller presented, on every instance, until it would have expired; forgets
/// the rows of tokens that have expired since.
pub async fn logout(db: &DatabaseConnection, who: &Auth) -> AppResult<bool> {
    let staff = who.staff()?;
    let Some(token) = &staff.token else {
        return Err(AppError::bad_input(
            "Only a JWT can be logged out: an API key is revoked instead.",
        ));
    };
    let now = chrono::Utc::now().timestamp();
    audit::write(db, who, "logout", async |txn, log| {
        revoked_token::Entity::delete_many()
            .filter(revoked_token::Column::ExpiresAt.lt(now))
            .exec(txn)
            .await?;
        revoked_token::Entity::insert(revoked_token::ActiveModel {
            jti: Set(token.jti.clone()),
            staff_id: Set(staff.id),
            expires_at: Set(token.exp),
        })
        .on_conflict(
            OnConflict::column(revoked_token::Column::Jti)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        log.details("staff", staff.id, Map::new()).await?;
        Ok(true)
    })
    .await
}

/// Moves the account's session version: every JWT issued before is refused.
async fn end_sessions(db: &impl ConnectionTrait, staff_id: i32) -> AppResult<(i32, i32)> {
    let before = staff::Entity::find_by_id(staff_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Not found.".into()))?
        .session_version;
    staff::Entity::update_many()
        .col_expr(
            staff::Column::SessionVersion,
            Expr::col(staff::Column::SessionVersion).add(1),
        )
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await?;
    Ok((before, before + 1))
}

/// Ends every JWT of the caller's account, on every instance.
pub async fn logout_everywhere(db: &DatabaseConnection, who: &Auth) -> AppResult<bool> {
    let staff = who.staff()?;
    audit::write(db, who, "logoutEverywhere", async |txn, log| {
        let (before, after) = end_sessions(txn, staff.id).await?;
        let details = Map::from_iter([(
            "session_version".to_owned(),
            json!({ "before": before, "after": after }),
        )]);
        log.details("staff", staff.id, details).await?;
        Ok(true)
    })
    .await
}

/// Changes the caller's own password: the old one is checked (failures count in the login
/// throttle, like logins), the new one meets the policy; every earlier JWT ends, and a new one
/// is answered so the caller stays signed in.
pub async fn change_password(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    throttle: &LoginThrottle,
    who: &Auth,
    old_password: &str,
    new_password: &str,
) -> AppResult<AccessToken> {
    let caller = who.staff()?;
    let account = staff::Entity::find_by_id(caller.id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("Not found.".into()))?;
    let attempt = Attempt::new(&format!("staff:{}", account.id), None);
    if throttle.check(&attempt).await?.blocked {
        return Err(super::throttle::refused());
    }
    check_new_password("newPassword", &account.username, new_password)?;
    let hash = account.password_hash.clone();
    if !password::verify(old_password.to_owned(), Some(hash)).await {
        throttle.failed(&attempt).await?;
        return Err(AppError::field("oldPassword", "The old password is wrong."));
    }
    let new_hash = password::hash(new_password.to_owned()).await?;
    let now = chrono::Utc::now().timestamp();
    let after = audit::write(db, who, "changePassword", async |txn, log| {
        let (before, after) = end_sessions(txn, account.id).await?;
        let mut row: staff::ActiveModel = account.clone().into();
        row.password_hash = Set(new_hash);
        row.password_changed_at = Set(now);
        row.update(txn).await?;
        // When it changed, and the sessions it ended: the password and its hash are never
        // written.
        let details = Map::from_iter([
            (
                "password_changed_at".to_owned(),
                json!({ "before": account.password_changed_at, "after": now }),
            ),
            (
                "session_version".to_owned(),
                json!({ "before": before, "after": after }),
            ),
        ]);
        log.details("staff", account.id, details).await?;
        Ok(after)
    })
    .await?;
    let (token, expire_time) = keys.issue(account.id, after, now)?;
    Ok(AccessToken {
        token,
        token_method: "HS256".into(),
        token_type: "Bearer".into(),
        expire_time,
        nickname: account.nickname,
    })
}
