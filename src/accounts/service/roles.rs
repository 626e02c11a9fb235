//! Roles and the permission codes they grant.

use std::collections::HashMap;

use entity::{role, role_permission, staff};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use super::{lock, Operator};
use crate::{
    accounts::types::{CreateRoleInput, Role, UpdateRoleInput},
    audit::service as audit,
    auth::Permission,
    error::{AppError, AppResult, ErrorCode},
};

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
pub(super) fn in_table_order(pick: impl Fn(&str) -> bool) -> Vec<String> {
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
pub(super) async fn role_for(db: &impl ConnectionTrait, field: &str, id: i32) -> AppResult<Role> {
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
    audit::write(db, op.actor(), "createRole", async |txn, log| {
        lock(txn).await?;
        let name = free_role_name(txn, &input.name, 0).await?;
        let row = role::Entity::insert(role::ActiveModel {
            name: Set(name),
            superuser: Set(false),
            ..Default::default()
        })
        .exec_with_returning(txn)
        .await?;
        set_codes(txn, row.id, &codes).await?;
        let created = role(txn, row.id).await?;
        log.created("role", row.id, created).await
    })
    .await
}

/// Renames a role or replaces its codes. The operator must hold every code the role grants
/// before and after; a superuser role's codes cannot be set (it holds them all).
pub async fn update_role(
    db: &DatabaseConnection,
    op: &Operator,
    id: i32,
    input: UpdateRoleInput,
) -> AppResult<Role> {
    audit::write(db, op.actor(), "updateRole", async |txn, log| {
        lock(txn).await?;
        let before = role(txn, id).await?;
        op.may_grant(&before)?;
        if let Some(name) = &input.name {
            let name = free_role_name(txn, name, id).await?;
            role::Entity::update_many()
                .col_expr(role::Column::Name, Expr::value(name))
                .filter(role::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        if let Some(codes) = &input.permissions {
            if before.superuser {
                return Err(AppError::field(
                    "permissions",
                    "A superuser role holds every code: its codes cannot be set.",
                ));
            }
            set_codes(txn, id, &check_codes(op, codes)?).await?;
        }
        let after = role(txn, id).await?;
        log.updated("role", id, &before, &after).await?;
        Ok(after)
    })
    .await
}

/// Deletes a role no account holds.
pub async fn delete_role(db: &DatabaseConnection, op: &Operator, id: i32) -> AppResult<bool> {
    audit::write(db, op.actor(), "deleteRole", async |txn, log| {
        lock(txn).await?;
        let before = role(txn, id).await?;
        op.may_grant(&before)?;
        let holders = staff::Entity::find()
            .filter(staff::Column::RoleId.eq(id))
            .count(txn)
            .await?;
        if holders > 0 {
            return Err(AppError::rule(
                ErrorCode::RoleInUse,
                format!(
                    "The role {} is held by {holders} account(s): give them another role first.",
                    before.name
                ),
            ));
        }
        set_codes(txn, id, &[]).await?;
        role::Entity::delete_by_id(id).exec(txn).await?;
        log.deleted("role", id, &before).await?;
        Ok(true)
    })
    .await
}
