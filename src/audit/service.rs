//! Recording changes and reading them back.

use std::{
    fmt::Display,
    sync::atomic::{AtomicBool, Ordering},
};

use chrono::NaiveDateTime;
use entity::audit_log;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, Order, QueryFilter,
    Set,
};
use serde::Serialize;
use serde_json::{Map, Value};

use super::types::AuditFilter;
use crate::{
    auth::{Auth, Principal},
    db::{CountCache, PastTheEnd, WriteTxn},
    error::{AppError, AppResult},
    graphql::page::PageArgs,
};

/// The fields that differ between `before` and `after`, each as `{before, after}`; a
/// creation lists every field of `after`, a deletion every field of `before`.
pub fn diff(before: Option<Value>, after: Option<Value>) -> Map<String, Value> {
    let fields = |v: Option<Value>| match v {
        Some(Value::Object(map)) => map,
        Some(other) => Map::from_iter([("value".to_owned(), other)]),
        None => Map::new(),
    };
    let (before, mut after) = (fields(before), fields(after));
    let mut changes = Map::new();
    for (key, old) in before {
        let new = after.shift_remove(&key).unwrap_or(Value::Null);
        if old != new {
            changes.insert(key, serde_json::json!({ "before": old, "after": new }));
        }
    }
    for (key, new) in after {
        changes.insert(
            key,
            serde_json::json!({ "before": Value::Null, "after": new }),
        );
    }
    changes
}

/// Who made a change.
#[derive(Clone)]
pub struct Actor {
    /// `staff`, `member`, `console` (the CLI) or `anonymous`.
    pub kind: &'static str,
    pub id: Option<i32>,
    pub name: String,
}

impl From<&Auth> for Actor {
    fn from(auth: &Auth) -> Self {
        match &auth.0 {
            Some(Principal::Staff(s)) => Actor {
                kind: "staff",
                id: Some(s.id),
                name: s.username.clone(),
            },
            Some(Principal::Member(m)) => Actor {
                kind: "member",
                id: Some(m.user_info_id),
                name: m.owner.clone(),
            },
            None => Actor {
                kind: "anonymous",
                id: None,
                name: String::new(),
            },
        }
    }
}

/// Runs `change` in a write transaction ([`crate::db::begin_write`]) and commits it, with the
/// audit rows it recorded through its [`Log`], so a change and its record commit together or not
/// at all; an error, or [`Log::roll_back`], commits nothing. Every row names `who` and `action`
/// (the GraphQL mutation, `updatePayer`, whichever interface called it).
///
/// Here rather than in `db`: the database layer knows nothing of the audit log, which writes
/// through it.
pub async fn write<T>(
    db: &DatabaseConnection,
    who: impl Into<Actor>,
    action: &'static str,
    change: impl AsyncFnOnce(&WriteTxn, &Log<'_>) -> AppResult<T>,
) -> AppResult<T> {
    let txn = crate::db::begin_write(db).await?;
    let log = Log {
        txn: &txn,
        who: who.into(),
        action,
        roll_back: AtomicBool::new(false),
    };
    let value = change(&txn, &log).await?;
    // Dropped, the transaction rolls back.
    if !log.roll_back.into_inner() {
        txn.commit().await?;
    }
    Ok(value)
}

/// The audit log of one [`write`]: what its change did, recorded in its transaction.
pub struct Log<'t> {
    txn: &'t WriteTxn,
    who: Actor,
    action: &'static str,
    roll_back: AtomicBool,
}

impl Log<'_> {
    /// Records what the write did to record `record_id` of table `entity`: the fields that
    /// differ between `before` (none for a creation) and `after` (none for a deletion). An
    /// update that changed nothing is not recorded; answers whether anything was (an update
    /// that changed nothing answers only a caller who may read the record:
    /// [`Auth::may_read_unchanged`]).
    pub async fn change<T: Serialize>(
        &self,
        entity: &'static str,
        record_id: impl Display,
        before: Option<&T>,
        after: Option<&T>,
    ) -> AppResult<bool> {
        let json = |v: Option<&T>| -> AppResult<Option<Value>> {
            v.map(|v| serde_json::to_value(v).map_err(|e| AppError::Internal(e.to_string())))
                .transpose()
        };
        let changes = diff(json(before)?, json(after)?);
        if changes.is_empty() && before.is_some() && after.is_some() {
            return Ok(false);
        }
        self.details(entity, record_id, changes).await?;
        Ok(true)
    }

    /// Records the creation of `after` (every field of it), and hands it back.
    pub async fn created<T: Serialize>(
        &self,
        entity: &'static str,
        record_id: impl Display,
        after: T,
    ) -> AppResult<T> {
        self.change(entity, record_id, None, Some(&after)).await?;
        Ok(after)
    }

    /// Records an update from `before` to `after`: the fields that differ, if any (answers
    /// whether there were, as [`Log::change`]).
    pub async fn updated<T: Serialize>(
        &self,
        entity: &'static str,
        record_id: impl Display,
        before: &T,
        after: &T,
    ) -> AppResult<bool> {
        self.change(entity, record_id, Some(before), Some(after))
            .await
    }

    /// Records the deletion of `before`: every field of it.
    pub async fn deleted<T: Serialize>(
        &self,
        entity: &'static str,
        record_id: impl Display,
        before: &T,
    ) -> AppResult<()> {
        self.change(entity, record_id, Some(before), None).await?;
        Ok(())
    }

    /// Records an action described by `details` rather than by a record's fields (an
    /// import's counts, the sessions a password change ended).
    pub async fn details(
        &self,
        entity: &'static str,
        record_id: impl Display,
        details: Map<String, Value>,
    ) -> AppResult<()> {
        let (who, record_id) = (self.who.clone(), record_id.to_string());
        record_raw(self.txn, who, self.action, entity, record_id, details).await
    }

    /// Ends the write without committing it: for an update found to change nothing before it
    /// wrote, so the request does not count as having written ([`crate::ops::note_commit`]).
    pub fn roll_back(&self) {
        self.roll_back.store(true, Ordering::Relaxed);
    }
}

/// Whether `row`, made from `current`, would change any of its fields (a field set to the value
/// it has is no change).
pub fn changes<A>(row: &A, current: &<A::Entity as sea_orm::EntityTrait>::Model) -> bool
where
    A: sea_orm::ActiveModelTrait
        + sea_orm::TryIntoModel<<A::Entity as sea_orm::EntityTrait>::Model>
        + Clone,
    <A::Entity as sea_orm::EntityTrait>::Model: PartialEq,
{
    row.clone()
        .try_into_model()
        .map_or(true, |after| after != *current)
}

/// Records an action described by `details` rather than by a record's fields (an import's
/// counts, a copied file).
pub async fn record_raw(
    db: &impl ConnectionTrait,
    who: Actor,
    action: &'static str,
    entity: &'static str,
    record_id: String,
    details: Map<String, Value>,
) -> AppResult<()> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        at: Set(crate::db::now()),
        actor_kind: Set(who.kind.into()),
        actor_id: Set(who.id),
        actor_name: Set(who.name),
        action: Set(action.into()),
        entity: Set(entity.into()),
        record_id: Set(record_id),
        changes: Set(Value::Object(details).to_string()),
        request_id: Set(crate::ops::request_id()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The time bounds of a listing: from (inclusive) and until (exclusive), China time.
pub type Period = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// The time bounds `filter` gives (`from`, `until`), checked: a day means its midnight.
pub fn period(filter: &AuditFilter) -> AppResult<Period> {
    Ok((
        bound("from", filter.from.as_deref())?,
        bound("until", filter.until.as_deref())?,
    ))
}

/// A time bound: a day means its midnight.
fn bound(field: &str, text: Option<&str>) -> AppResult<Option<NaiveDateTime>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Ok(Some(t));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| Some(d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| AppError::field(field, "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS."))
}

/// A page of the records `filter` and its checked `period` match, newest first, and the total.
pub async fn list(
    db: &DatabaseConnection,
    counts: &CountCache,
    filter: AuditFilter,
    (from, until): Period,
    page: PageArgs,
) -> AppResult<(u64, Vec<audit_log::Model>)> {
    use audit_log::Column as C;
    let cond = Condition::all()
        .add_option(filter.actor_kind.map(|v| C::ActorKind.eq(v)))
        .add_option(filter.actor_id.map(|v| C::ActorId.eq(v)))
        .add_option(filter.action.map(|v| C::Action.eq(v)))
        .add_option(filter.entity.map(|v| C::Entity.eq(v)))
        .add_option(filter.record_id.map(|v| C::RecordId.eq(v)))
        .add_option(from.map(|v| C::At.gte(v)))
        .add_option(until.map(|v| C::At.lt(v)));
    let query = audit_log::Entity::find().filter(cond);
    let order = [(C::Id, Order::Desc)];
    counts
        .page(db, query, &order, page, PastTheEnd::NotFound)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_keeps_changed_fields_only() {
        let before = json!({ "a": 1, "b": "x", "c": null });
        let after = json!({ "a": 1, "b": "y", "c": 3 });
        assert_eq!(
            Value::Object(diff(Some(before.clone()), Some(after))),
            json!({ "b": { "before": "x", "after": "y" }, "c": { "before": null, "after": 3 } })
        );
        assert_eq!(
            Value::Object(diff(None, Some(json!({ "a": 1 })))),
            json!({ "a": { "before": null, "after": 1 } })
        );
        assert_eq!(diff(Some(before.clone()), Some(before)).len(), 0);
    }
}
