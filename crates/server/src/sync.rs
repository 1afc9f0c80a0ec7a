//! The server half of sync: push applies a device's outbox exactly once, pull serves changes.
//!
//! Push: one transaction per request; `seq <= last_seq` is a duplicate and skipped,
//! `seq == last_seq + 1` is applied (or rejected for good), a gap stops the batch; the new
//! `last_seq` is stored in the same transaction. Pull: rows with `version > cursor`, in
//! version order, scoped to what the user may see, and the organisation's follow-up policy
//! when the device's fingerprint says it holds another one (or none). A refused mutation is
//! kept verbatim (`rejected_mutations`, same transaction) and listed for managers.

use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use chrono::Utc;
use revisit_domain::{
    Customer, VisitRecord,
    wire::{
        Change, Entity, MAX_CHANGES_PER_PULL, MAX_MUTATIONS_PER_PUSH, MutationOp, PullQuery,
        PullResponse, PushRequest, PushResponse, RejectCode, RejectedMutation, RejectedPage,
        RejectedQuery, RejectedRecord, SCHEMA_VERSION, UserCard,
    },
};
use sqlx::{Sqlite, Transaction};

use crate::{
    AppState,
    auth::{Session, parse_id, parse_role},
    db::{next_version, timestamp},
    error::Error,
    json::{ApiJson, ApiQuery},
};

/// The sync routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/rejected", get(rejected))
}

async fn push(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, Error> {
    if req.schema_version != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            expected: SCHEMA_VERSION,
            got: req.schema_version,
        });
    }
    if req.device_id != session.device_id {
        return Err(Error::Forbidden("foreign_device"));
    }
    if req.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(Error::Unprocessable(format!(
            "{} mutations in one push; at most {MAX_MUTATIONS_PER_PUSH} are accepted",
            req.mutations.len()
        )));
    }

    let mut tx = state.db.begin_write().await?;
    let mut last_seq: i64 =
        sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = ? AND org_id = ?")
            .bind(session.device_id.to_string())
            .bind(session.org_id.to_string())
            .fetch_one(&mut *tx)
            .await?;
    let mut rejected = Vec::new();
    for m in req.mutations {
        let Ok(seq) = i64::try_from(m.seq) else { break };
        if seq <= last_seq {
            continue; // Already applied: a retry after a lost reply.
        }
        if seq != last_seq + 1 {
            break; // A gap: the client resends from last_applied_seq + 1.
        }
        if let Err((code, message)) = apply(&mut tx, &session, &m.op).await? {
            keep_rejected(&mut tx, &session, m.seq, code, &message, &m.op).await?;
            rejected.push(RejectedMutation {
                seq: m.seq,
                code,
                message,
            });
        }
        last_seq = seq;
    }
    sqlx::query("UPDATE devices SET last_seq = ? WHERE id = ? AND org_id = ?")
        .bind(last_seq)
        .bind(session.device_id.to_string())
        .bind(session.org_id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(PushResponse {
        last_applied_seq: last_seq as u64,
        rejected,
    }))
}

/// Applies one mutation; `Ok(Err(..))` is a rejection for good, `Err` a failure of the server.
/// Keeps a refused mutation as it came, for the organisation's managers.
async fn keep_rejected(
    tx: &mut Transaction<'_, Sqlite>,
    session: &Session,
    seq: u64,
    code: RejectCode,
    message: &str,
    op: &MutationOp,
) -> Result<(), Error> {
    let op = serde_json::to_string(op).map_err(|e| Error::Internal(e.into()))?;
    sqlx::query(
        "INSERT INTO rejected_mutations (org_id, device_id, user_id, seq, code, message, op, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(session.org_id.to_string())
    .bind(session.device_id.to_string())
    .bind(session.user_id.to_string())
    .bind(seq as i64)
    .bind(code.as_str())
    .bind(message)
    .bind(op)
    .bind(timestamp(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The organisation's refused mutations, oldest first, for managers.
async fn rejected(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(query): ApiQuery<RejectedQuery>,
) -> Result<Json<RejectedPage>, Error> {
    session.require_manager()?;
    let limit = query
        .limit
        .unwrap_or(MAX_CHANGES_PER_PULL)
        .clamp(1, MAX_CHANGES_PER_PULL);
    Ok(Json(
        kept_rejections(&state.db, session.org_id.0, query.after, limit).await?,
    ))
}

/// Up to `limit` of the organisation's refused mutations numbered after `after`, oldest first
/// (the API's page, and the command line's list).
pub async fn kept_rejections(
    db: &crate::Db,
    org: uuid::Uuid,
    after: u64,
    limit: u32,
) -> Result<RejectedPage, Error> {
    let after = i64::try_from(after).map_err(|_| Error::BadRequest("after out of range".into()))?;
    type Row = (i64, String, String, i64, String, String, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, device_id, user_id, seq, code, message, op, received_at FROM rejected_mutations
         WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(org.to_string())
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&db.read)
    .await?;
    let has_more = rows.len() > limit as usize;
    let corrupt =
        |what: &str| Error::Internal(anyhow::anyhow!("a kept rejection's {what} does not decode"));
    let rejected = rows
        .into_iter()
        .take(limit as usize)
        .map(|(id, device, user, seq, code, message, op, received_at)| {
            Ok(RejectedRecord {
                id: id as u64,
                device_id: parse_id(&device)?,
                user_id: parse_id(&user)?,
                seq: seq as u64,
                code: RejectCode::parse(&code).ok_or_else(|| corrupt("code"))?,
                message,
                received_at: chrono::DateTime::parse_from_rfc3339(&received_at)
                    .map_err(|_| corrupt("time"))?
                    .to_utc(),
                op: serde_json::from_str(&op).map_err(|_| corrupt("mutation"))?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(RejectedPage { rejected, has_more })
}

async fn apply(
    tx: &mut Transaction<'_, Sqlite>,
    session: &Session,
    op: &MutationOp,
) -> Result<Result<(), (RejectCode, String)>, Error> {
    match op {
        MutationOp::CreateVisit(visit) => create_visit(tx, session, visit).await,
    }
}

async fn create_visit(
    tx: &mut Transaction<'_, Sqlite>,
    session: &Session,
    visit: &VisitRecord,
) -> Result<Result<(), (RejectCode, String)>, Error> {
    if let Err(e) = visit.validate() {
        return Ok(Err((RejectCode::Invalid, e.to_string())));
    }
    if visit.device_id != session.device_id || visit.technician_id != session.user_id {
        return Ok(Err((
            RejectCode::Forbidden,
            "the visit names another device or technician".into(),
        )));
    }
    let owner: Option<String> =
        sqlx::query_scalar("SELECT technician_id FROM customers WHERE id = ? AND org_id = ?")
            .bind(visit.customer_id.to_string())
            .bind(session.org_id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let allowed =
        owner.is_some_and(|o| session.role.sees_whole_org() || o == session.user_id.to_string());
    if !allowed {
        return Ok(Err((
            RejectCode::Forbidden,
            "no such customer for this user".into(),
        )));
    }
    let data = serde_json::to_string(&visit).map_err(|e| Error::Internal(e.into()))?;
    let now = timestamp(Utc::now());
    // Visit ids are globally unique (UUIDv7 made on the device), so this one lookup is not
    // scoped: an id taken in another organisation is answered as a conflict, never applied.
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT org_id, sha256 FROM visits WHERE id = ?")
            .bind(visit.id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    match existing {
        Some((org, sha)) if org == session.org_id.to_string() && sha == visit.sha256 => Ok(Ok(())),
        Some(_) => {
            sqlx::query(
                "INSERT INTO visit_conflicts (org_id, visit_id, device_id, sha256, data, received_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(session.org_id.to_string())
            .bind(visit.id.to_string())
            .bind(session.device_id.to_string())
            .bind(&visit.sha256)
            .bind(&data)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
            Ok(Err((
                RejectCode::Conflict,
                "a different record with this id exists; both are kept for review".into(),
            )))
        }
        None => {
            let version = next_version(tx).await?;
            sqlx::query(
                "INSERT INTO visits (id, org_id, customer_id, technician_id, device_id, sha256, data, received_at, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(visit.id.to_string())
            .bind(session.org_id.to_string())
            .bind(visit.customer_id.to_string())
            .bind(visit.technician_id.to_string())
            .bind(visit.device_id.to_string())
            .bind(&visit.sha256)
            .bind(&data)
            .bind(&now)
            .bind(version)
            .execute(&mut **tx)
            .await?;
            Ok(Ok(()))
        }
    }
}

async fn pull(
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
    let org = session.org_id.to_string();
    let everyone = session.role.sees_whole_org();
    let me = session.user_id.to_string();
    // One read transaction: all three kinds come from the same snapshot. Separate reads could
    // see a customer committed between them missing while a later visit is present, and the
    // cursor would then move past that customer for good.
    let mut tx = state.db.read.begin().await?;

    // Each kind fetches up to limit + 1 rows; merged by version, the first `limit` are sent.
    let customers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT version, data FROM customers WHERE org_id = ? AND version > ? AND (? OR technician_id = ?)
         ORDER BY version LIMIT ?",
    )
    .bind(&org)
    .bind(cursor)
    .bind(everyone)
    .bind(&me)
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;
    let visits: Vec<(i64, String)> = sqlx::query_as(
        "SELECT v.version, v.data FROM visits v JOIN customers c ON c.id = v.customer_id
         WHERE v.org_id = ? AND v.version > ? AND (? OR c.technician_id = ?) ORDER BY v.version LIMIT ?",
    )
    .bind(&org)
    .bind(cursor)
    .bind(everyone)
    .bind(&me)
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;
    let users: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT version, id, name, role FROM users WHERE org_id = ? AND version > ? ORDER BY version LIMIT ?",
    )
    .bind(&org)
    .bind(cursor)
    .bind(limit + 1)
    .fetch_all(&mut *tx)
    .await?;

    let mut changes = Vec::with_capacity(customers.len() + visits.len() + users.len());
    for (version, data) in customers {
        changes.push((version, Entity::Customer(decode::<Customer>(&data)?)));
    }
    for (version, data) in visits {
        changes.push((version, Entity::Visit(decode::<VisitRecord>(&data)?)));
    }
    for (version, id, name, role) in users {
        changes.push((
            version,
            Entity::User(UserCard {
                id: parse_id(&id)?,
                name,
                role: parse_role(&role)?,
            }),
        ));
    }
    changes.sort_by_key(|(version, _)| *version);
    let has_more = changes.len() > limit as usize;
    changes.truncate(limit as usize);
    let next_cursor = changes.last().map_or(cursor, |(v, _)| *v);

    let last_applied_seq: i64 =
        sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = ? AND org_id = ?")
            .bind(session.device_id.to_string())
            .bind(&org)
            .fetch_one(&mut *tx)
            .await?;
    let policy = crate::policy::of_org(&mut tx, session.org_id).await?;
    tx.commit().await?;
    let policy = (query.policy.as_deref() != Some(policy.bundle.fingerprint.as_str()))
        .then(|| policy.bundle.clone());
    Ok(Json(PullResponse {
        changes: changes
            .into_iter()
            .map(|(version, entity)| Change {
                version: version as u64,
                entity,
            })
            .collect(),
        cursor: next_cursor as u64,
        last_applied_seq: last_applied_seq as u64,
        has_more,
        policy,
    }))
}

fn decode<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, Error> {
    serde_json::from_str(data)
        .map_err(|e| Error::Internal(anyhow::anyhow!("stored row does not decode: {e}")))
}
