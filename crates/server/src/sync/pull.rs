//! `GET /api/sync/pull`: the rows a user may see after their cursor, in version order, a page
//! at a time, cut by count and by bytes.

use axum::{Json, extract::State};
use chrono::Utc;
use revisit_domain::wire::{
    Change, Entity, MAX_CHANGES_PER_PULL, MAX_PULL_BYTES, PullQuery, PullResponse, RecordKind,
};

use crate::{
    AppState, Db,
    auth::Session,
    db::{Backend, Tx, timestamp},
    error::Error,
    json::ApiQuery,
};

/// How long a pull waits for SQLite's writer to note when its device was last heard from.
const LAST_SEEN_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Which rows a user sees: the whole organisation (its removals aside), or a technician's
/// customers, their removals and everyone's cards.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Org,
    Technician(&'a str),
}

/// `(version, size)` of the first `limit` rows after `cursor` in the scope.
async fn heads(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    scope: Scope<'_>,
    cursor: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, Error> {
    Ok(match scope {
        Scope::Org => {
            sqlx::query_as(db.sql(
                "SELECT version, size FROM records
                 WHERE org_id = ? AND version > ? AND kind <> 'removed'
                 ORDER BY version LIMIT ?",
            ))
            .bind(org)
            .bind(cursor)
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        }
        // Each half walks its own index in version order and stops at the limit.
        Scope::Technician(me) => {
            sqlx::query_as(db.sql(
                "SELECT version, size FROM (
                     SELECT version, size FROM records
                     WHERE org_id = ? AND technician_id = ? AND version > ?
                     ORDER BY version LIMIT ?) mine
                 UNION ALL
                 SELECT version, size FROM (
                     SELECT version, size FROM records
                     WHERE org_id = ? AND kind = 'user' AND version > ?
                     ORDER BY version LIMIT ?) cards
                 ORDER BY version LIMIT ?",
            ))
            .bind(org)
            .bind(me)
            .bind(cursor)
            .bind(limit)
            .bind(org)
            .bind(cursor)
            .bind(limit)
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        }
    })
}

/// `(version, kind, data)` of every row in the scope with `after < version <= upto`.
async fn rows(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    scope: Scope<'_>,
    after: i64,
    upto: i64,
) -> Result<Vec<(i64, String, String)>, Error> {
    Ok(match scope {
        Scope::Org => {
            sqlx::query_as(db.sql(
                "SELECT version, kind, data FROM records
                 WHERE org_id = ? AND version > ? AND version <= ? AND kind <> 'removed'
                 ORDER BY version",
            ))
            .bind(org)
            .bind(after)
            .bind(upto)
            .fetch_all(&mut **tx)
            .await?
        }
        Scope::Technician(me) => {
            sqlx::query_as(db.sql(
                "SELECT version, kind, data FROM records
                 WHERE org_id = ? AND technician_id = ? AND version > ? AND version <= ?
                 UNION ALL
                 SELECT version, kind, data FROM records
                 WHERE org_id = ? AND kind = 'user' AND version > ? AND version <= ?
                 ORDER BY version",
            ))
            .bind(org)
            .bind(me)
            .bind(after)
            .bind(upto)
            .bind(org)
            .bind(after)
            .bind(upto)
            .fetch_all(&mut **tx)
            .await?
        }
    })
}

/// How many rows wait after `cursor` in the scope.
async fn count(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    scope: Scope<'_>,
    cursor: i64,
) -> Result<i64, Error> {
    Ok(match scope {
        Scope::Org => sqlx::query_scalar(db.sql(
            "SELECT COUNT(*) FROM records WHERE org_id = ? AND version > ? AND kind <> 'removed'",
        ))
        .bind(org)
        .bind(cursor)
        .fetch_one(&mut **tx)
        .await?,
        Scope::Technician(me) => {
            sqlx::query_scalar(db.sql(
                "SELECT (SELECT COUNT(*) FROM records
                         WHERE org_id = ? AND technician_id = ? AND version > ?)
                      + (SELECT COUNT(*) FROM records
                         WHERE org_id = ? AND kind = 'user' AND version > ?)",
            ))
            .bind(org)
            .bind(me)
            .bind(cursor)
            .bind(org)
            .bind(cursor)
            .fetch_one(&mut **tx)
            .await?
        }
    })
}

/// A stored row as the entity devices receive; one that does not decode is logged and left
/// out (the repair step sets such rows aside), never failing the page.
fn entity(kind: &str, data: &str) -> Option<Entity> {
    let decoded = match RecordKind::from_code(kind) {
        Some(RecordKind::Customer) => serde_json::from_str(data).map(Entity::Customer),
        Some(RecordKind::Visit) => serde_json::from_str(data).map(Entity::Visit),
        Some(RecordKind::Event) => serde_json::from_str(data).map(Entity::Event),
        Some(RecordKind::Complaint) => serde_json::from_str(data).map(Entity::Complaint),
        Some(RecordKind::Issue) => serde_json::from_str(data).map(Entity::Issue),
        Some(RecordKind::Review) => serde_json::from_str(data).map(Entity::Review),
        Some(RecordKind::User) => serde_json::from_str(data).map(Entity::User),
        None if kind == "removed" => serde_json::from_str(data).map(Entity::Removed),
        None => {
            tracing::error!(
                kind,
                "a stored row of an unknown kind is left out of a pull"
            );
            return None;
        }
    };
    decoded
        .map_err(|e| tracing::error!(kind, "a stored row does not decode and is left out: {e}"))
        .ok()
}

pub(super) async fn pull(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, Error> {
    let limit = i64::from(
        query
            .limit
            .unwrap_or(MAX_CHANGES_PER_PULL)
            .clamp(1, MAX_CHANGES_PER_PULL),
    );
    let cursor =
        i64::try_from(query.cursor).map_err(|_| Error::BadRequest("cursor out of range".into()))?;
    let db = &state.db;
    let org = session.org();
    let me = session.user_id.to_string();
    let scope = if session.role.sees_whole_org() {
        Scope::Org
    } else {
        Scope::Technician(&me)
    };
    // One read transaction: every row and the device's seq come from the same snapshot.
    let mut tx = db.begin_read().await?;
    let (floor, reset): (i64, i64) = sqlx::query_as(db.sql(
        "SELECT o.tombstone_floor, u.reset_version FROM organisations o
         JOIN users u ON u.org_id = o.id WHERE o.id = ? AND u.id = ?",
    ))
    .bind(&org)
    .bind(&me)
    .fetch_one(&mut *tx)
    .await?;
    let last_applied_seq: i64 = sqlx::query_scalar(db.sql(
        "SELECT last_seq FROM device_streams WHERE device_id = ? AND user_id = ? AND org_id = ?",
    ))
    .bind(session.device_id.to_string())
    .bind(&me)
    .bind(&org)
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(0);
    let policy = crate::policy::of_org(db, &mut tx, session.org_id).await?;
    let policy = (query.policy.as_deref() != Some(policy.bundle.fingerprint.as_str()))
        .then(|| policy.bundle.clone());

    if cursor > 0 && cursor < floor.max(reset) {
        tx.commit().await?;
        return Ok(Json(PullResponse {
            changes: Vec::new(),
            cursor: query.cursor,
            last_applied_seq: last_applied_seq as u64,
            has_more: false,
            policy,
            reset_required: true,
            remaining: None,
        }));
    }

    // The page: as many rows as the limit allows and the byte budget holds (at least one).
    let heads = heads(db, &mut tx, &org, scope, cursor, limit + 1).await?;
    let mut taken = 0;
    let mut bytes = 0i64;
    for (_, size) in heads.iter().take(limit as usize) {
        if taken > 0 && bytes + size > MAX_PULL_BYTES as i64 {
            break;
        }
        bytes += size;
        taken += 1;
    }
    let has_more = heads.len() > taken;
    let next_cursor = heads.get(taken.wrapping_sub(1)).map_or(cursor, |(v, _)| *v);
    let changes: Vec<Change> = if taken == 0 {
        Vec::new()
    } else {
        rows(db, &mut tx, &org, scope, cursor, next_cursor)
            .await?
            .into_iter()
            .filter_map(|(version, kind, data)| {
                Some(Change {
                    version: version as u64,
                    entity: entity(&kind, &data)?,
                })
            })
            .collect()
    };
    let remaining = if query.count {
        Some(count(db, &mut tx, &org, scope, next_cursor).await? as u64)
    } else {
        None
    };
    tx.commit().await?;
    // When the device was last heard from, for the desk. On SQLite the one writer connection
    // is waited for briefly, not behind a long push (which notes the time itself): just after
    // another write it is often still on its way back to the pool.
    let writer = match db.backend() {
        Backend::Sqlite => tokio::time::timeout(LAST_SEEN_WAIT, db.write.acquire())
            .await
            .ok()
            .transpose()?,
        Backend::Postgres => Some(db.write.acquire().await?),
    };
    if let Some(mut writer) = writer {
        sqlx::query(db.sql("UPDATE devices SET last_seen = ? WHERE id = ? AND org_id = ?"))
            .bind(timestamp(Utc::now()))
            .bind(session.device_id.to_string())
            .bind(&org)
            .execute(&mut *writer)
            .await?;
    }
    Ok(Json(PullResponse {
        changes,
        cursor: next_cursor as u64,
        last_applied_seq: last_applied_seq as u64,
        has_more,
        policy,
        reset_required: false,
        remaining,
    }))
}
