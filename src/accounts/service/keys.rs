//! API keys of staff accounts and members: listed by prefix, made (shown once), revoked.

use std::collections::HashMap;

use entity::{api_key, staff, user_info};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use super::{account, role, Operator};
use crate::{
    accounts::types::{ApiKey, ApiKeyFilter},
    audit::service as audit,
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
    let staff_ids = rows.iter().filter_map(|r| r.staff_id);
    let staff_names = names_by_id(db, staff::Column::Id, staff::Column::Username, staff_ids);
    let member_ids = rows.iter().filter_map(|r| r.user_info_id);
    let owners = names_by_id(
        db,
        user_info::Column::Id,
        user_info::Column::Owner,
        member_ids,
    );
    let (staff_names, owners) = (staff_names.await?, owners.await?);
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

/// The `name` column of the rows whose `id` is in `ids`, by id.
async fn names_by_id<C>(
    db: &impl ConnectionTrait,
    id: C,
    name: C,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, String>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait<Column = C>,
{
    Ok(<C::EntityName as EntityTrait>::find()
        .select_only()
        .columns([id, name])
        .filter(id.is_in(ids))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Whom a new key is for.
#[derive(Clone, Copy, Debug)]
pub enum KeyOwner {
    /// A staff account, which must be active and hold a role the operator may grant (an
    /// operator's own account always does).
    Staff(i32),
    /// A kids-coding member.
    Member(i32),
}

/// A new key for `owner`, recorded by who it is for and its prefix, never the key or its
/// digest: the key, shown once, and its row.
pub async fn create_key(
    db: &DatabaseConnection,
    op: &Operator,
    owner: KeyOwner,
) -> AppResult<(String, ApiKey)> {
    let action = match owner {
        KeyOwner::Staff(_) => "createApiKey",
        KeyOwner::Member(_) => "createMemberApiKey",
    };
    audit::write(db, op.actor(), action, async |txn, log| {
        let (staff_id, user_id, name) = match owner {
            KeyOwner::Staff(staff_id) => {
                let owner = account(txn, staff_id).await?;
                op.may_grant(&role(txn, owner.role_id).await?)?;
                if !owner.is_active {
                    return Err(AppError::field(
                        "staffId",
                        format!("The account {} is disabled.", owner.username),
                    ));
                }
                (Some(staff_id), None, owner.username)
            }
            KeyOwner::Member(user_id) => {
                let member = user_info::Entity::find_by_id(user_id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("No member {user_id}.")))?;
                (None, Some(user_id), member.owner)
            }
        };
        let (key, row) = auth::service::issue_api_key(txn, staff_id, user_id).await?;
        let row = log.created("api_key", row.id, row).await?;
        Ok((key, ApiKey { row, owner: name }))
    })
    .await
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
    let mut keys = audit::write(db, op.actor(), "revokeApiKey", async |txn, log| {
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
        let mut found = query.limit(2).all(txn).await?;
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
                let owner = account(txn, staff_id).await?;
                op.may_grant(&role(txn, owner.role_id).await?)?;
            }
        }
        api_key::Entity::delete_by_id(row.id).exec(txn).await?;
        log.deleted("api_key", row.id, &row).await?;
        with_owners(txn, vec![row]).await
    })
    .await?;
    keys.pop()
        .ok_or_else(|| AppError::Internal("a revoked key vanished".into()))
}
