//! The rules of account administration, one place for GraphQL and the CLI alike.

use async_graphql::MaybeUndefined;
use entity::{role, staff};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use super::types::{CreateStaffInput, Me, Role, StaffFilter, UpdateStaffInput};
use crate::{
    audit::service::{self as audit, Actor},
    auth::{self, password, sessions::check_new_password, Auth, Permission, Principal},
    db::{contains_pattern, lower_like, CountCache, PastTheEnd},
    error::{AppError, AppResult, ErrorCode},
    graphql::page::PageArgs,
    market::types::Member,
};

/// Who administers: a staff caller through the API (already holding the code of the
/// operation), or the operator of the machine through the CLI, who may do anything the rules
/// allow.
pub enum Operator {
    Staff(auth::StaffIdentity),
    Console,
}

impl Operator {
    /// The staff caller of an API request, if it holds `code`.
    pub fn require(who: &Auth, code: Permission) -> AppResult<Operator> {
        who.require(code).map(|s| Operator::Staff(s.clone()))
    }

    fn superuser(&self) -> bool {
        match self {
            Operator::Staff(s) => s.superuser,
            Operator::Console => true,
        }
    }

    fn holds(&self, code: &str) -> bool {
        match self {
            Operator::Staff(s) => s.superuser || s.permissions.contains(code),
            Operator::Console => true,
        }
    }

    fn id(&self) -> Option<i32> {
        match self {
            Operator::Staff(s) => Some(s.id),
            Operator::Console => None,
        }
    }

    fn actor(&self) -> Actor {
        match self {
            Operator::Staff(s) => Actor {
                kind: "staff",
                id: Some(s.id),
                name: s.username.clone(),
            },
            Operator::Console => Actor {
                kind: "console",
                id: None,
                name: "opsgraph CLI".into(),
            },
        }
    }

    /// Refuses to grant `role` (to a new account, to an existing one, through a key) or to act
    /// on an account holding it, unless the operator holds every code the role grants.
    fn may_grant(&self, role: &Role) -> AppResult<()> {
        if role.superuser && !self.superuser() {
            return Err(AppError::Forbidden(format!(
                "Only a superuser can grant or manage the superuser role {}.",
                role.name
            )));
        }
        match role.permissions.iter().find(|code| !self.holds(code)) {
            Some(code) => Err(AppError::Forbidden(format!(
                "You cannot grant {code}: you do not hold it."
            ))),
            None => Ok(()),
        }
    }
}

/// Serializes account administration on PostgreSQL for the rest of `txn` (SQLite's write
/// transactions already are), so two operators disabling the two last superusers at once cannot
/// both pass the check.
async fn lock(txn: &impl ConnectionTrait) -> AppResult<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7301160001)")
            .await?;
    }
    Ok(())
}

mod keys;
mod roles;

pub use keys::*;
pub use roles::*;

/// A page of staff accounts by id, and the total.
pub async fn list_staff(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &StaffFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<staff::Model>)> {
    use staff::Column as C;
    let mut query = staff::Entity::find();
    if let Some(keyword) = filter.keyword.as_deref().map(str::trim) {
        let pattern = contains_pattern(keyword);
        let column = |c: C| Expr::col((staff::Entity, c));
        query = query.filter(
            lower_like(column(C::Username), &pattern)
                .or(lower_like(column(C::Nickname), &pattern))
                .or(lower_like(column(C::Mobile), &pattern)),
        );
    }
    if let Some(role_id) = filter.role_id {
        query = query.filter(C::RoleId.eq(role_id));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(C::IsActive.eq(active));
    }
    let order = [(C::Id, Order::Asc)];
    counts
        .page(db, query, &order, page, PastTheEnd::NotFound)
        .await
}

/// The account `id`.
async fn account(db: &impl ConnectionTrait, id: i32) -> AppResult<staff::Model> {
    staff::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No staff account {id}.")))
}

/// Refuses a mobile another account has as its username or mobile.
async fn check_mobile_free(db: &impl ConnectionTrait, mobile: &str, except: i32) -> AppResult<()> {
    let taken = staff::Entity::find()
        .filter(
            staff::Column::Mobile
                .eq(mobile)
                .or(staff::Column::Username.eq(mobile)),
        )
        .filter(staff::Column::Id.ne(except))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(AppError::Conflict(format!(
            "The mobile {mobile} belongs to another account."
        )));
    }
    Ok(())
}

/// A new account with a role the operator may grant, under the password policy.
pub async fn create_staff(
    db: &DatabaseConnection,
    op: &Operator,
    input: CreateStaffInput,
) -> AppResult<staff::Model> {
    let username = input.username.trim();
    check_new_password("password", username, &input.password)?;
    let mobile = crate::text::non_blank(&input.mobile);
    let password_hash = password::hash(input.password.clone()).await?;
    audit::write(db, op.actor(), "createStaff", async |txn, log| {
        lock(txn).await?;
        op.may_grant(&role_for(txn, "roleId", input.role_id).await?)?;
        if let Some(mobile) = mobile {
            check_mobile_free(txn, mobile, 0).await?;
        }
        let created = auth::service::create_staff(
            txn,
            username,
            password_hash.clone(),
            mobile,
            input.nickname.as_deref().unwrap_or_default(),
            input.role_id,
        )
        .await?;
        log.created("staff", created.id, created).await
    })
    .await
}

/// Whether `row` is an active account of a superuser role, and no other active account is:
/// the one account that must stay.
async fn is_last_superuser(
    db: &impl ConnectionTrait,
    row: &staff::Model,
    role: &Role,
) -> AppResult<bool> {
    if !(row.is_active && role.superuser) {
        return Ok(false);
    }
    let superuser_roles = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::Superuser.eq(true))
        .into_tuple::<i32>()
        .all(db)
        .await?;
    let others = staff::Entity::find()
        .filter(staff::Column::IsActive.eq(true))
        .filter(staff::Column::RoleId.is_in(superuser_roles))
        .filter(staff::Column::Id.ne(row.id))
        .count(db)
        .await?;
    Ok(others == 0)
}

/// Changes an account: its names, its role (one the operator may grant), whether it is active.
/// The operator must hold every code of the account's role; nobody disables themselves, and the
/// last active superuser stays one. Disabling ends every session of the account.
pub async fn update_staff(
    db: &DatabaseConnection,
    op: &Operator,
    id: i32,
    input: UpdateStaffInput,
) -> AppResult<staff::Model> {
    audit::write(db, op.actor(), "updateStaff", async |txn, log| {
        lock(txn).await?;
        let before = account(txn, id).await?;
        let old_role = role(txn, before.role_id).await?;
        op.may_grant(&old_role)?;
        let new_role = match input.role_id {
            Some(role_id) if role_id != before.role_id => {
                let r = role_for(txn, "roleId", role_id).await?;
                op.may_grant(&r)?;
                r
            }
            _ => old_role.clone(),
        };
        let active = input.is_active.unwrap_or(before.is_active);
        if !active && before.is_active && op.id() == Some(id) {
            return Err(AppError::rule(
                ErrorCode::CannotDisableSelf,
                "You cannot disable your own account.",
            ));
        }
        if (!active || !new_role.superuser) && is_last_superuser(txn, &before, &old_role).await? {
            return Err(AppError::rule(
                ErrorCode::LastSuperuser,
                "The last active superuser cannot be disabled or given another role.",
            ));
        }
        let mut row: staff::ActiveModel = before.clone().into();
        match input.nickname {
            MaybeUndefined::Value(n) => row.nickname = Set(n.trim().to_owned()),
            MaybeUndefined::Null => row.nickname = Set(String::new()),
            MaybeUndefined::Undefined => {}
        }
        match input.mobile {
            MaybeUndefined::Value(m) if !m.trim().is_empty() => {
                check_mobile_free(txn, m.trim(), id).await?;
                row.mobile = Set(Some(m.trim().to_owned()));
            }
            MaybeUndefined::Value(_) | MaybeUndefined::Null => row.mobile = Set(None),
            MaybeUndefined::Undefined => {}
        }
        row.role_id = Set(new_role.id);
        row.is_active = Set(active);
        if before.is_active && !active {
            // Its tokens end now, and stay ended if it is enabled again.
            row.session_version = Set(before.session_version + 1);
        }
        if !audit::changes(&row, &before) {
            return Ok(before);
        }
        let after = row.update(txn).await?;
        log.updated("staff", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

/// Sets another account's password (under the policy) and ends every session of it.
pub async fn reset_staff_password(
    db: &DatabaseConnection,
    op: &Operator,
    id: i32,
    new_password: &str,
) -> AppResult<bool> {
    let target = account(db, id).await?;
    check_new_password("newPassword", &target.username, new_password)?;
    let hash = password::hash(new_password.to_owned()).await?;
    audit::write(db, op.actor(), "resetStaffPassword", async |txn, log| {
        lock(txn).await?;
        let before = account(txn, id).await?;
        op.may_grant(&role(txn, before.role_id).await?)?;
        let now = chrono::Utc::now().timestamp();
        let mut row: staff::ActiveModel = before.clone().into();
        row.password_hash = Set(hash);
        row.password_changed_at = Set(now);
        row.session_version = Set(before.session_version + 1);
        let after = row.update(txn).await?;
        // When it changed, and the sessions it ended: the password and its hash are never
        // written.
        log.updated("staff", id, &before, &after).await?;
        Ok(true)
    })
    .await
}

/// The caller: its staff account with the codes it holds, or its member profile.
pub async fn me(db: &DatabaseConnection, who: &Auth) -> AppResult<Me> {
    match &who.0 {
        None => Err(AppError::Unauthenticated(auth::NOT_AUTHENTICATED.into())),
        Some(Principal::Staff(s)) => Ok(Me::Staff {
            account: account(db, s.id).await?,
            permissions: in_table_order(|code| s.superuser || s.permissions.contains(code)),
        }),
        Some(Principal::Member(m)) => {
            let (info, props) = crate::market::service::member(db, m.user_info_id).await?;
            Ok(Me::Member(Box::new(Member { info, props })))
        }
    }
}
