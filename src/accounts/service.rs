//! The rules of account administration, one place for GraphQL and the CLI alike.

use std::collections::HashMap;

use async_graphql::MaybeUndefined;
use entity::{api_key, role, role_permission, staff, user_info};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Map, Value};

use super::types::{
    ApiKey, ApiKeyFilter, CreateRoleInput, CreateStaffInput, Me, Role, StaffFilter,
    UpdateRoleInput, UpdateStaffInput,
};
use crate::{
    audit::service::{diff, record_raw, Actor},
    auth::{self, password, sessions::check_new_password, Auth, Permission, Principal},
    db::{contains_pattern, lower_like, CountCache},
    error::{AppError, AppResult},
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

/// The rule broken by disabling one's own account.
pub const CANNOT_DISABLE_SELF: &str = "CANNOT_DISABLE_SELF";
/// The rule broken by disabling or demoting the last active superuser.
pub const LAST_SUPERUSER: &str = "LAST_SUPERUSER";
/// The rule broken by deleting a role some account holds.
pub const ROLE_IN_USE: &str = "ROLE_IN_USE";

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

/// Records `action` on `record_id` of `entity`, by `op`.
async fn record(
    db: &impl ConnectionTrait,
    op: &Operator,
    action: &'static str,
    entity: &'static str,
    record_id: i32,
    details: Map<String, Value>,
) -> AppResult<()> {
    record_raw(
        db,
        op.actor(),
        action,
        entity,
        record_id.to_string(),
        details,
    )
    .await
}

/// The fields of `value` as JSON (a staff row serializes without its password hash).
fn to_json(value: &impl serde::Serialize) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|e| AppError::Internal(e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Roles

/// Roles by id, each with its codes (every code for a superuser role), in two statements.
pub async fn roles_by_id(db: &impl ConnectionTrait, ids: &[i32]) -> AppResult<Vec<Role>> {
    let rows = role::Entity::find()
        .filter(role::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(role::Column::Id)
        .all(db)
        .await?;
    with_codes(db, rows).await
}

/// Every role, by id.
pub async fn list_roles(db: &impl ConnectionTrait) -> AppResult<Vec<Role>> {
    let rows = role::Entity::find()
        .order_by_asc(role::Column::Id)
        .all(db)
        .await?;
    with_codes(db, rows).await
}

async fn with_codes(db: &impl ConnectionTrait, rows: Vec<role::Model>) -> AppResult<Vec<Role>> {
    let mut codes: HashMap<i32, Vec<String>> = HashMap::new();
    let granted = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.is_in(rows.iter().map(|r| r.id)))
        .all(db)
        .await?;
    for row in granted {
        codes.entry(row.role_id).or_default().push(row.code);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let held = codes.remove(&r.id).unwrap_or_default();
            Role {
                permissions: in_table_order(|code| r.superuser || held.iter().any(|c| c == code)),
                id: r.id,
                name: r.name,
                superuser: r.superuser,
            }
        })
        .collect())
}

/// The codes of the permission table that `pick` keeps, in the table's order.
fn in_table_order(pick: impl Fn(&str) -> bool) -> Vec<String> {
    Permission::ALL
        .iter()
        .map(|p| p.code())
        .filter(|code| pick(code))
        .map(str::to_owned)
        .collect()
}

/// The role `id`.
pub async fn role(db: &impl ConnectionTrait, id: i32) -> AppResult<Role> {
    roles_by_id(db, &[id])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("No role {id}.")))
}

/// The role `id` named by field `field` of an input: a missing one is bad input.
async fn role_for(db: &impl ConnectionTrait, field: &str, id: i32) -> AppResult<Role> {
    match role(db, id).await {
        Err(AppError::NotFound(message)) => Err(AppError::field(field, message)),
        other => other,
    }
}

/// Checks codes a role is to grant: each known and held by the operator; answers them
/// without repeats, in the table's order.
fn check_codes(op: &Operator, codes: &[String]) -> AppResult<Vec<String>> {
    if let Some(unknown) = codes
        .iter()
        .find(|c| !Permission::ALL.iter().any(|p| p.code() == c.as_str()))
    {
        return Err(AppError::field(
            "permissions",
            format!("Unknown permission code {unknown:?}: see permissionCodes."),
        ));
    }
    if let Some(code) = codes.iter().find(|c| !op.holds(c)) {
        return Err(AppError::Forbidden(format!(
            "You cannot grant {code}: you do not hold it."
        )));
    }
    Ok(in_table_order(|code| codes.iter().any(|c| c == code)))
}

/// A trimmed, unused role name.
async fn free_role_name(db: &impl ConnectionTrait, name: &str, except: i32) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "The name must not be empty."));
    }
    let taken = role::Entity::find()
        .filter(role::Column::Name.eq(name))
        .filter(role::Column::Id.ne(except))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(AppError::Conflict(format!("A role named {name} exists.")));
    }
    Ok(name.to_owned())
}

async fn set_codes(db: &impl ConnectionTrait, role_id: i32, codes: &[String]) -> AppResult<()> {
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    if !codes.is_empty() {
        role_permission::Entity::insert_many(codes.iter().map(|code| {
            role_permission::ActiveModel {
                role_id: Set(role_id),
                code: Set(code.clone()),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// A new role granting `permissions`, each of which the operator must hold.
pub async fn create_role(
    db: &DatabaseConnection,
    op: &Operator,
    input: CreateRoleInput,
) -> AppResult<Role> {
    let codes = check_codes(op, &input.permissions)?;
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    let name = free_role_name(&txn, &input.name, 0).await?;
    let row = role::Entity::insert(role::ActiveModel {
        name: Set(name),
        superuser: Set(false),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    set_codes(&txn, row.id, &codes).await?;
    let created = role(&txn, row.id).await?;
    let changes = diff(None, Some(to_json(&created)?));
    record(&txn, op, "createRole", "role", row.id, changes).await?;
    txn.commit().await?;
    Ok(created)
}

/// Renames a role or replaces its codes. The operator must hold every code the role grants
/// before and after; a superuser role's codes cannot be set (it holds them all).
pub async fn update_role(
    db: &DatabaseConnection,
    op: &Operator,
    id: i32,
    input: UpdateRoleInput,
) -> AppResult<Role> {
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    let before = role(&txn, id).await?;
    op.may_grant(&before)?;
    if let Some(name) = &input.name {
        let name = free_role_name(&txn, name, id).await?;
        role::Entity::update_many()
            .col_expr(role::Column::Name, Expr::value(name))
            .filter(role::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    if let Some(codes) = &input.permissions {
        if before.superuser {
            return Err(AppError::field(
                "permissions",
                "A superuser role holds every code: its codes cannot be set.",
            ));
        }
        set_codes(&txn, id, &check_codes(op, codes)?).await?;
    }
    let after = role(&txn, id).await?;
    let changes = diff(Some(to_json(&before)?), Some(to_json(&after)?));
    if !changes.is_empty() {
        record(&txn, op, "updateRole", "role", id, changes).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// Deletes a role no account holds.
pub async fn delete_role(db: &DatabaseConnection, op: &Operator, id: i32) -> AppResult<bool> {
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    let before = role(&txn, id).await?;
    op.may_grant(&before)?;
    let holders = staff::Entity::find()
        .filter(staff::Column::RoleId.eq(id))
        .count(&txn)
        .await?;
    if holders > 0 {
        return Err(AppError::Rule {
            code: ROLE_IN_USE,
            message: format!(
                "The role {} is held by {holders} account(s): give them another role first.",
                before.name
            ),
        });
    }
    set_codes(&txn, id, &[]).await?;
    role::Entity::delete_by_id(id).exec(&txn).await?;
    let changes = diff(Some(to_json(&before)?), None);
    record(&txn, op, "deleteRole", "role", id, changes).await?;
    txn.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Staff accounts

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
    let total = counts.count(db, &query).await?;
    page.check_in_range(total)?;
    let rows = query
        .order_by_asc(C::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(db)
        .await?;
    Ok((total, rows))
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
    let mobile = input
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    op.may_grant(&role_for(&txn, "roleId", input.role_id).await?)?;
    if let Some(mobile) = mobile {
        check_mobile_free(&txn, mobile, 0).await?;
    }
    let created = auth::service::create_staff(
        &txn,
        username,
        &input.password,
        mobile,
        input.nickname.as_deref().unwrap_or_default(),
        input.role_id,
    )
    .await?;
    let changes = diff(None, Some(to_json(&created)?));
    record(&txn, op, "createStaff", "staff", created.id, changes).await?;
    txn.commit().await?;
    Ok(created)
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
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    let before = account(&txn, id).await?;
    let old_role = role(&txn, before.role_id).await?;
    op.may_grant(&old_role)?;
    let new_role = match input.role_id {
        Some(role_id) if role_id != before.role_id => {
            let r = role_for(&txn, "roleId", role_id).await?;
            op.may_grant(&r)?;
            r
        }
        _ => old_role.clone(),
    };
    let active = input.is_active.unwrap_or(before.is_active);
    if !active && before.is_active && op.id() == Some(id) {
        return Err(AppError::Rule {
            code: CANNOT_DISABLE_SELF,
            message: "You cannot disable your own account.".into(),
        });
    }
    if (!active || !new_role.superuser) && is_last_superuser(&txn, &before, &old_role).await? {
        return Err(AppError::Rule {
            code: LAST_SUPERUSER,
            message: "The last active superuser cannot be disabled or given another role.".into(),
        });
    }
    let mut row: staff::ActiveModel = before.clone().into();
    match input.nickname {
        MaybeUndefined::Value(n) => row.nickname = Set(n.trim().to_owned()),
        MaybeUndefined::Null => row.nickname = Set(String::new()),
        MaybeUndefined::Undefined => {}
    }
    match input.mobile {
        MaybeUndefined::Value(m) if !m.trim().is_empty() => {
            check_mobile_free(&txn, m.trim(), id).await?;
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
    if !crate::audit::service::changes(&row, &before) {
        txn.commit().await?;
        return Ok(before);
    }
    let after = row.update(&txn).await?;
    let changes = diff(Some(to_json(&before)?), Some(to_json(&after)?));
    record(&txn, op, "updateStaff", "staff", id, changes).await?;
    txn.commit().await?;
    Ok(after)
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
    let txn = crate::db::begin_write(db).await?;
    lock(&txn).await?;
    let before = account(&txn, id).await?;
    op.may_grant(&role(&txn, before.role_id).await?)?;
    let now = chrono::Utc::now().timestamp();
    let mut row: staff::ActiveModel = before.clone().into();
    row.password_hash = Set(hash);
    row.password_changed_at = Set(now);
    row.session_version = Set(before.session_version + 1);
    let after = row.update(&txn).await?;
    // When it changed, and the sessions it ended: the password and its hash are never written.
    let changes = diff(Some(to_json(&before)?), Some(to_json(&after)?));
    record(&txn, op, "resetStaffPassword", "staff", id, changes).await?;
    txn.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// API keys

/// A page of keys, newest first, with their owners' names, and the total.
pub async fn list_keys(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: &ApiKeyFilter,
    page: PageArgs,
) -> AppResult<(u64, Vec<ApiKey>)> {
    use api_key::Column as C;
    let mut query = api_key::Entity::find();
    if let Some(id) = filter.staff_id {
        query = query.filter(C::StaffId.eq(id));
    }
    if let Some(id) = filter.member_id {
        query = query.filter(C::UserInfoId.eq(id));
    }
    let total = counts.count(db, &query).await?;
    page.check_in_range(total)?;
    let rows = query
        .order_by_desc(C::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(db)
        .await?;
    with_owners(db, rows).await.map(|keys| (total, keys))
}

/// Keys with their owners' names: two statements for any number of keys.
async fn with_owners(
    db: &impl ConnectionTrait,
    rows: Vec<api_key::Model>,
) -> AppResult<Vec<ApiKey>> {
    let staff_names: HashMap<i32, String> = staff::Entity::find()
        .select_only()
        .columns([staff::Column::Id, staff::Column::Username])
        .filter(staff::Column::Id.is_in(rows.iter().filter_map(|r| r.staff_id)))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let owners: HashMap<i32, String> = user_info::Entity::find()
        .select_only()
        .columns([user_info::Column::Id, user_info::Column::Owner])
        .filter(user_info::Column::Id.is_in(rows.iter().filter_map(|r| r.user_info_id)))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let owner = match (row.staff_id, row.user_info_id) {
                (Some(id), _) => staff_names.get(&id).cloned(),
                (_, Some(id)) => owners.get(&id).cloned(),
                _ => None,
            };
            ApiKey {
                owner: owner.unwrap_or_default(),
                row,
            }
        })
        .collect())
}

/// The audit details of a key: who it is for and its prefix, never the key or its digest.
fn key_details(row: &api_key::Model) -> AppResult<Map<String, Value>> {
    Ok(diff(None, Some(to_json(row)?)))
}

/// A new key for the staff account `staff_id`, which must be active and hold a role the
/// operator may grant (an operator's own account always does): the key, shown once, and its row.
pub async fn create_staff_key(
    db: &DatabaseConnection,
    op: &Operator,
    staff_id: i32,
) -> AppResult<(String, ApiKey)> {
    let txn = crate::db::begin_write(db).await?;
    let owner = account(&txn, staff_id).await?;
    op.may_grant(&role(&txn, owner.role_id).await?)?;
    if !owner.is_active {
        return Err(AppError::field(
            "staffId",
            format!("The account {} is disabled.", owner.username),
        ));
    }
    let (key, row) = auth::service::issue_api_key(&txn, Some(staff_id), None).await?;
    record(
        &txn,
        op,
        "createApiKey",
        "api_key",
        row.id,
        key_details(&row)?,
    )
    .await?;
    txn.commit().await?;
    Ok((
        key,
        ApiKey {
            row,
            owner: owner.username,
        },
    ))
}

/// A new key for the kids-coding member `user_id`: the key, shown once, and its row.
pub async fn create_member_key(
    db: &DatabaseConnection,
    op: &Operator,
    user_id: i32,
) -> AppResult<(String, ApiKey)> {
    let txn = crate::db::begin_write(db).await?;
    let member = user_info::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("No member {user_id}.")))?;
    let (key, row) = auth::service::issue_api_key(&txn, None, Some(user_id)).await?;
    record(
        &txn,
        op,
        "createMemberApiKey",
        "api_key",
        row.id,
        key_details(&row)?,
    )
    .await?;
    txn.commit().await?;
    Ok((
        key,
        ApiKey {
            row,
            owner: member.owner,
        },
    ))
}

/// Revokes a key named by its id or by its prefix (which must name one key): it is refused from
/// the next request on, on every instance. A staff key needs the operator to hold its account's
/// codes.
pub async fn revoke_key(
    db: &DatabaseConnection,
    op: &Operator,
    id: Option<i32>,
    prefix: Option<&str>,
) -> AppResult<ApiKey> {
    let txn = crate::db::begin_write(db).await?;
    let query = match (id, prefix) {
        (Some(id), None) => api_key::Entity::find().filter(api_key::Column::Id.eq(id)),
        (None, Some(prefix)) => {
            api_key::Entity::find().filter(api_key::Column::Prefix.eq(prefix.trim()))
        }
        _ => {
            return Err(AppError::bad_input(
                "Name the key by id or by prefix, not both.",
            ))
        }
    };
    let mut found = query.limit(2).all(&txn).await?;
    let row = match (found.pop(), found.is_empty()) {
        (Some(row), true) => row,
        (Some(_), false) => {
            return Err(AppError::field(
                "prefix",
                "More than one key has this prefix: name the key by id.",
            ))
        }
        (None, _) => return Err(AppError::NotFound("No such API key.".into())),
    };
    if let Some(staff_id) = row.staff_id {
        if op.id() != Some(staff_id) {
            let owner = account(&txn, staff_id).await?;
            op.may_grant(&role(&txn, owner.role_id).await?)?;
        }
    }
    api_key::Entity::delete_by_id(row.id).exec(&txn).await?;
    let changes = diff(Some(to_json(&row)?), None);
    record(&txn, op, "revokeApiKey", "api_key", row.id, changes).await?;
    let mut keys = with_owners(&txn, vec![row]).await?;
    txn.commit().await?;
    keys.pop()
        .ok_or_else(|| AppError::Internal("a revoked key vanished".into()))
}

// ---------------------------------------------------------------------------------------------
// The caller

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
