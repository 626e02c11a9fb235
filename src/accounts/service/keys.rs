//! API keys of staff accounts and members: listed by prefix, made (shown once), revoked.

use std::collections::HashMap;

use entity::{api_key, staff, user_info};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::{Map, Value};

use super::{account, record, role, to_json, Operator};
use crate::{
    accounts::types::{ApiKey, ApiKeyFilter},
    audit::service::diff,
    auth,
    db::CountCache,
    error::{AppError, AppResult},
    graphql::page::PageArgs,
};

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
    let order = [(C::Id, sea_orm::Order::Desc)];
    let (total, rows) = counts
        .page(db, query, &order, page, crate::db::PastTheEnd::NotFound)
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
