//! Who is calling: an `Authorization` header resolved to a staff account or a member, in one
//! statement, and remembered while changes to it can be heard ([`super::remembered`]).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use entity::{api_key, revoked_token, role, role_permission, staff, user_info};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{jwt::JwtKeys, service::key_digest, Auth, MemberIdentity, Principal, StaffIdentity};
use crate::error::{AppError, AppResult};

/// The caller of an HTTP request, from its `Authorization` header: what GraphQL's endpoint and
/// every REST family authenticate with (a header that is not text is refused like a bad one).
pub async fn from_headers(
    state: &crate::state::AppState,
    headers: &axum::http::HeaderMap,
) -> AppResult<Auth> {
    let header = match headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str())
    {
        None => None,
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => return Err(AppError::Unauthenticated("Invalid token header.".into())),
    };
    let core = &state.core;
    let auth = authenticate(&core.db, &core.jwt, &core.credentials, header).await?;
    crate::ops::record_caller(&auth);
    Ok(auth)
}

/// Credentials resolved recently ([`super::remembered`]).
pub type Credentials = super::remembered::Shared<Resolved>;

/// Resolves an `Authorization` header: none is anonymous; `Bearer <jwt>` is a staff token;
/// `Token <key>` is a legacy API key of a staff account or a member. Anything else, or
/// credentials that do not check out, is an error.
///
/// A credential is resolved in one statement on the primary database, and the resolution is
/// remembered while this instance hears of every change ([`super::remembered`]): a password
/// changed, a token logged out, an account disabled, a role changed or a key revoked (through
/// this instance, another one, the CLI or plain SQL) applies everywhere within a notification's
/// delay. A JWT's own claims (signature, expiry, issuer) are checked on every request.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    credentials: &Credentials,
    header: Option<&str>,
) -> AppResult<Auth> {
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Auth(None));
    };
    let (scheme, credential) = header.split_once(' ').unwrap_or((header, ""));
    let credential = credential.trim();
    if credential.is_empty() || credential.contains(' ') {
        return Err(AppError::Unauthenticated(
            "Invalid token header. Credentials string should not contain spaces.".into(),
        ));
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let claims = keys.verify(credential)?;
        let lookup = Lookup::Token {
            staff: claims.aud,
            jti: claims.jti.clone(),
        };
        match recall(db, credentials, lookup).await? {
            Some(Resolved::Staff {
                principal: Principal::Staff(mut staff),
                password_changed_at,
                session_version,
                revoked,
                ..
            }) if claims.iat >= password_changed_at && claims.sv == session_version && !revoked => {
                staff.token = Some(super::TokenId {
                    jti: claims.jti,
                    exp: claims.exp,
                });
                Ok(Auth(Some(Principal::Staff(staff))))
            }
            _ => Err(AppError::Unauthenticated("Invalid token.".into())),
        }
    } else if scheme.eq_ignore_ascii_case("token") {
        match recall(db, credentials, Lookup::Key(key_digest(credential))).await? {
            Some(
                Resolved::Staff {
                    principal, key_use, ..
                }
                | Resolved::Member(principal, key_use),
            ) => {
                if let Some(key_use) = key_use {
                    key_use.note(db).await;
                }
                Ok(Auth(Some(principal)))
            }
            Some(Resolved::InactiveStaff) => Err(AppError::Unauthenticated(
                "User inactive or deleted.".into(),
            )),
            None => Err(AppError::Unauthenticated("Invalid token.".into())),
        }
    } else {
        Err(AppError::Unauthenticated("Invalid token header.".into()))
    }
}

/// The credential's resolution: remembered, or resolved and remembered. A credential that
/// resolves to nothing is not remembered: what a caller may invent is not kept.
async fn recall(
    db: &DatabaseConnection,
    credentials: &Credentials,
    lookup: Lookup,
) -> AppResult<Option<Resolved>> {
    let key = lookup.key();
    if let Some(resolved) = credentials.get(&key) {
        return Ok(Some(resolved));
    }
    let ticket = credentials.ticket();
    let resolved = resolve(db, lookup).await?;
    if let Some(resolved) = &resolved {
        credentials.keep(key, ticket, resolved.clone(), resolved.weight());
    }
    Ok(resolved)
}

/// Whom a credential resolved to.
#[derive(Clone)]
pub enum Resolved {
    Staff {
        principal: Principal,
        /// Tokens issued before it are refused.
        password_changed_at: i64,
        /// Tokens of another session version are refused.
        session_version: i32,
        /// The presented token was logged out (only for a lookup by token).
        revoked: bool,
        /// The key used (only for a lookup by key).
        key_use: Option<KeyUse>,
    },
    /// A key of a staff account that is disabled or gone.
    InactiveStaff,
    Member(Principal, Option<KeyUse>),
}

impl Resolved {
    /// Bytes it takes, about: the strings and the permission codes.
    fn weight(&self) -> usize {
        let principal = match self {
            Resolved::Staff { principal, .. } | Resolved::Member(principal, _) => principal,
            Resolved::InactiveStaff => return 64,
        };
        256 + match principal {
            Principal::Staff(s) => {
                s.username.len()
                    + s.nickname.len()
                    + s.permissions.iter().map(|c| c.len() + 32).sum::<usize>()
            }
            Principal::Member(m) => m.owner.len(),
        }
    }
}

/// An API key just used, and when its use was last noted (shared by every copy of one
/// remembered resolution, so a busy key is noted once a minute whichever request notes it).
#[derive(Clone)]
pub struct KeyUse {
    id: i32,
    last_noted: Arc<Mutex<Option<chrono::NaiveDateTime>>>,
}

impl KeyUse {
    /// How stale `last_used_at` may be: a busy key costs one write a minute, not one a request.
    const GRAIN: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
    /// How long a request waits to note its key's use.
    const PATIENCE: std::time::Duration = std::time::Duration::from_millis(250);

    /// Notes the use when the last noted one is older than [`Self::GRAIN`]. The write waits at
    /// most [`Self::PATIENCE`] (a busy SQLite file can hold writers back): past that the answer
    /// goes on without it, and the time stays stale until the key's next use. Of requests that
    /// share a resolution, one notes.
    async fn note(self, db: &DatabaseConnection) {
        let now = crate::db::now();
        {
            let Ok(mut last) = self.last_noted.lock() else {
                return;
            };
            if last.is_some_and(|at| now - at < Self::GRAIN) {
                return;
            }
            *last = Some(now);
        }
        // Only `last_used_at` changes: the database's credential triggers do not fire for it.
        let write = api_key::Entity::update_many()
            .col_expr(
                api_key::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_key::Column::Id.eq(self.id))
            .exec(db);
        match tokio::time::timeout(Self::PATIENCE, write).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, key_id = self.id, "could not note an API key's use")
            }
            Err(_) => tracing::debug!(key_id = self.id, "an API key's use was not noted in time"),
        }
    }
}

/// What a credential is looked up by.
enum Lookup {
    /// An API key's digest.
    Key(String),
    /// A JWT: its staff account id (`aud`) and its id (`jti`), which may have been revoked.
    Token { staff: i32, jti: String },
}

impl Lookup {
    /// Its key among remembered credentials: a digest, whatever was presented.
    fn key(&self) -> crate::cache::Key {
        match self {
            Lookup::Key(digest) => crate::cache::key(&[b"key", digest.as_bytes()]),
            Lookup::Token { staff, jti } => {
                crate::cache::key(&[b"jwt", &staff.to_le_bytes(), jti.as_bytes()])
            }
        }
    }
}

/// Selects each `(expression, alias)` of `columns`.
fn select_as(
    query: &mut sea_orm::sea_query::SelectStatement,
    columns: impl IntoIterator<Item = (sea_orm::sea_query::Expr, &'static str)>,
) {
    for (expression, alias) in columns {
        query.expr_as(expression, alias);
    }
}

/// `column` of its table, read under `alias`.
fn col_as<C: ColumnTrait>(
    column: C,
    alias: &'static str,
) -> (sea_orm::sea_query::Expr, &'static str) {
    (
        sea_orm::sea_query::Expr::col((column.entity_name(), column)),
        alias,
    )
}

/// `column` of its table, read under its own name.
fn col<C: ColumnTrait>(column: C) -> (sea_orm::sea_query::Expr, &'static str) {
    col_as(column, column.as_str())
}

/// Resolves a credential in one statement: the key (or the account) joined to its active staff
/// account, the account's role and permission codes (a row per code), or to its member. Every
/// request authenticates, so this is on every request's path.
async fn resolve(db: &DatabaseConnection, lookup: Lookup) -> AppResult<Option<Resolved>> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let mut query = Query::select();
    // Every lookup answers the account, its role and its codes, each under the name the rows
    // are read by.
    select_as(
        &mut query,
        [
            col_as(staff::Column::Id, "staff_id"),
            col(staff::Column::Username),
            col(staff::Column::Nickname),
            col(staff::Column::PasswordChangedAt),
            col(staff::Column::SessionVersion),
            col(role::Column::Superuser),
            col(role_permission::Column::Code),
        ],
    );
    let active_staff = Expr::col((staff::Entity, staff::Column::IsActive)).eq(true);
    match &lookup {
        Lookup::Key(digest) => {
            // A key also answers its own use, and the member it may belong to instead.
            let key_columns = [
                col_as(api_key::Column::Id, "key_id"),
                col(api_key::Column::LastUsedAt),
                col_as(api_key::Column::StaffId, "key_staff_id"),
                col_as(user_info::Column::Id, "member_id"),
                col(user_info::Column::Owner),
            ];
            select_as(&mut query, key_columns);
            query
                .from(api_key::Entity)
                .left_join(
                    staff::Entity,
                    Expr::col((staff::Entity, staff::Column::Id))
                        .equals((api_key::Entity, api_key::Column::StaffId))
                        .and(active_staff),
                )
                .left_join(
                    user_info::Entity,
                    Expr::col((user_info::Entity, user_info::Column::Id))
                        .equals((api_key::Entity, api_key::Column::UserInfoId)),
                )
                .and_where(
                    Expr::col((api_key::Entity, api_key::Column::Digest)).eq(digest.as_str()),
                );
        }
        Lookup::Token { staff: id, jti } => {
            let revoked = Query::select()
                .expr(Expr::val(1))
                .from(revoked_token::Entity)
                .and_where(Expr::col(revoked_token::Column::Jti).eq(jti.as_str()))
                .to_owned();
            query
                .expr_as(Expr::exists(revoked), "revoked")
                .from(staff::Entity)
                .and_where(Expr::col((staff::Entity, staff::Column::Id)).eq(*id))
                .and_where(active_staff);
        }
    }
    query
        .left_join(
            role::Entity,
            Expr::col((role::Entity, role::Column::Id))
                .equals((staff::Entity, staff::Column::RoleId)),
        )
        .left_join(
            role_permission::Entity,
            Expr::col((role_permission::Entity, role_permission::Column::RoleId))
                .equals((staff::Entity, staff::Column::RoleId)),
        );
    let rows = db.query_all(&query).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let get_i32 = |name: &str| first.try_get::<Option<i32>>("", name);
    let key_use = match lookup {
        Lookup::Key(_) => match get_i32("key_id")? {
            Some(id) => Some(KeyUse {
                id,
                last_noted: Arc::new(Mutex::new(first.try_get("", "last_used_at")?)),
            }),
            None => None,
        },
        Lookup::Token { .. } => None,
    };
    if let Some(id) = get_i32("staff_id")? {
        let mut permissions = HashSet::new();
        for row in &rows {
            if let Some(code) = row.try_get::<Option<String>>("", "code")? {
                permissions.insert(code);
            }
        }
        let principal = Principal::Staff(StaffIdentity {
            id,
            username: first.try_get("", "username")?,
            nickname: first.try_get("", "nickname")?,
            superuser: first
                .try_get::<Option<bool>>("", "superuser")?
                .unwrap_or(false),
            permissions: Arc::new(permissions),
            token: None,
        });
        let revoked = match lookup {
            Lookup::Token { .. } => first.try_get::<bool>("", "revoked")?,
            Lookup::Key(_) => false,
        };
        return Ok(Some(Resolved::Staff {
            principal,
            password_changed_at: first.try_get("", "password_changed_at")?,
            session_version: first.try_get("", "session_version")?,
            revoked,
            key_use,
        }));
    }
    if let Lookup::Key(_) = lookup {
        if get_i32("key_staff_id")?.is_some() {
            return Ok(Some(Resolved::InactiveStaff));
        }
        if let Some(id) = get_i32("member_id")? {
            let owner = first.try_get("", "owner")?;
            let member = Principal::Member(MemberIdentity {
                user_info_id: id,
                owner,
            });
            return Ok(Some(Resolved::Member(member, key_use)));
        }
    }
    Ok(None)
}
