//! What sync kept for the desk: refused mutations, and values replaced by concurrent edits
//! (with a manager's pick between the two).

use axum::{Json, extract::State};
use chrono::Utc;
use revisit_domain::{
    Complaint, ComplaintChange, Customer, CustomerChange, DeviceId, IssueChange, OpenIssue, UserId,
    edit::{Edit, Editable},
    wire::{
        ConflictPage, ConflictPick, ConflictQuery, EditConflict, MAX_CHANGES_PER_PULL, RecordKind,
        RejectCode, RejectedPage, RejectedQuery, RejectedRecord, ResolveConflict,
    },
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{
    AppState, Db,
    auth::{Session, parse_id},
    db::{Tx, timestamp},
    error::Error,
    json::{ApiJson, ApiPath, ApiQuery},
    store::{
        Stored,
        records::{self, Audit, Author},
    },
};

/// The organisation's refused mutations, oldest first (the desk).
pub(super) async fn rejected(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(query): ApiQuery<RejectedQuery>,
) -> Result<Json<RejectedPage>, Error> {
    session.require_desk()?;
    let limit = query
        .limit
        .unwrap_or(MAX_CHANGES_PER_PULL)
        .clamp(1, MAX_CHANGES_PER_PULL);
    Ok(Json(
        kept_rejections(&state.db, session.org_id.0, query.after, limit).await?,
    ))
}

#[derive(sqlx::FromRow)]
struct RejectedRow {
    id: i64,
    device_id: String,
    user_id: String,
    seq: i64,
    code: String,
    message: String,
    op: String,
    bytes: i64,
    received_at: String,
}

/// Refused mutations are listed a page at a time, each page at most this many bytes of kept
/// bodies (at least one).
const REJECTED_PAGE_BYTES: i64 = 4 * 1024 * 1024;

/// Up to `limit` of the organisation's refused mutations numbered after `after`, oldest first,
/// and no more than [`REJECTED_PAGE_BYTES`] of bodies (the API's page, and the command line's
/// list). A row that does not decode is logged and left out.
pub async fn kept_rejections(
    db: &Db,
    org: Uuid,
    after: u64,
    limit: u32,
) -> Result<RejectedPage, Error> {
    let after = i64::try_from(after).map_err(|_| Error::BadRequest("after out of range".into()))?;
    let mut conn = db.read.acquire().await?;
    let sizes: Vec<(i64, i64)> = sqlx::query_as(db.sql(
        "SELECT id, bytes FROM rejected_mutations WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
    ))
    .bind(org.to_string())
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *conn)
    .await?;
    let mut taken = 0;
    let mut bytes = 0;
    for (_, size) in sizes.iter().take(limit as usize) {
        if taken > 0 && bytes + size > REJECTED_PAGE_BYTES {
            break;
        }
        bytes += size;
        taken += 1;
    }
    let has_more = sizes.len() > taken;
    let Some(&(upto, _)) = sizes.get(taken.wrapping_sub(1)) else {
        return Ok(RejectedPage {
            rejected: Vec::new(),
            has_more: false,
        });
    };
    let rows: Vec<RejectedRow> = sqlx::query_as(db.sql(
        "SELECT id, device_id, user_id, seq, code, message, op, bytes, received_at
         FROM rejected_mutations WHERE org_id = ? AND id > ? AND id <= ? ORDER BY id",
    ))
    .bind(org.to_string())
    .bind(after)
    .bind(upto)
    .fetch_all(&mut *conn)
    .await?;
    let rejected = rows
        .into_iter()
        .filter_map(|r| {
            let record = (|| {
                Some(RejectedRecord {
                    id: r.id as u64,
                    device_id: r.device_id.parse().ok().map(DeviceId)?,
                    user_id: r.user_id.parse().ok().map(UserId)?,
                    seq: r.seq as u64,
                    code: RejectCode::parse(&r.code)?,
                    message: r.message.clone(),
                    received_at: revisit_domain::time::parse_instant(&r.received_at)?,
                    op: serde_json::from_str(&r.op).unwrap_or(serde_json::Value::Null),
                    bytes: r.bytes as u64,
                })
            })();
            if record.is_none() {
                tracing::error!(id = r.id, "a kept refusal does not decode and is left out");
            }
            record
        })
        .collect();
    Ok(RejectedPage { rejected, has_more })
}

#[derive(sqlx::FromRow)]
struct ConflictRow {
    id: i64,
    kind: String,
    record_id: String,
    field: String,
    replaced: String,
    replaced_device: String,
    kept: String,
    kept_device: String,
    kept_user: String,
    at: String,
    resolved_with: Option<String>,
}

impl ConflictRow {
    fn decode(self) -> Option<EditConflict> {
        Some(EditConflict {
            id: self.id as u64,
            kind: RecordKind::from_code(&self.kind)?,
            record_id: self.record_id.parse().ok()?,
            field: self.field,
            replaced: serde_json::from_str(&self.replaced).ok()?,
            replaced_device: self.replaced_device.parse().ok().map(DeviceId)?,
            kept: serde_json::from_str(&self.kept).ok()?,
            kept_device: self.kept_device.parse().ok().map(DeviceId)?,
            kept_user: self.kept_user.parse().ok().map(UserId)?,
            at: revisit_domain::time::parse_instant(&self.at)?,
            resolved_with: match self.resolved_with {
                Some(text) => Some(serde_json::from_str(&text).ok()?),
                None => None,
            },
        })
    }
}

/// The organisation's edit conflicts, oldest first (the desk).
pub(super) async fn conflicts(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(query): ApiQuery<ConflictQuery>,
) -> Result<Json<ConflictPage>, Error> {
    session.require_desk()?;
    let db = &state.db;
    let limit = query
        .limit
        .unwrap_or(MAX_CHANGES_PER_PULL)
        .clamp(1, MAX_CHANGES_PER_PULL);
    let after =
        i64::try_from(query.after).map_err(|_| Error::BadRequest("after out of range".into()))?;
    let sql = if query.open {
        "SELECT id, kind, record_id, field, replaced, replaced_device, kept, kept_device,
                kept_user, at, resolved_with
         FROM edit_conflicts WHERE org_id = ? AND id > ? AND resolved_at IS NULL
         ORDER BY id LIMIT ?"
    } else {
        "SELECT id, kind, record_id, field, replaced, replaced_device, kept, kept_device,
                kept_user, at, resolved_with
         FROM edit_conflicts WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?"
    };
    let rows: Vec<ConflictRow> = sqlx::query_as(db.sql(sql))
        .bind(session.org())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(&db.read)
        .await?;
    let has_more = rows.len() > limit as usize;
    let conflicts = rows
        .into_iter()
        .take(limit as usize)
        .filter_map(|r| {
            let id = r.id;
            let decoded = r.decode();
            if decoded.is_none() {
                tracing::error!(id, "a kept edit conflict does not decode and is left out");
            }
            decoded
        })
        .collect();
    Ok(Json(ConflictPage {
        conflicts,
        has_more,
    }))
}

/// Resolves an edit conflict (an online action of the desk): the picked value is written as
/// the manager's own edit (so every device gets it), and the conflict is marked resolved.
pub(super) async fn resolve(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ResolveConflict>,
) -> Result<Json<EditConflict>, Error> {
    session.require_manager()?;
    let db = &state.db;
    let org = session.org();
    let mut tx = db.begin_write().await?;
    let row: Option<ConflictRow> = sqlx::query_as(db.sql(
        "SELECT id, kind, record_id, field, replaced, replaced_device, kept, kept_device,
                kept_user, at, resolved_with
         FROM edit_conflicts WHERE org_id = ? AND id = ?",
    ))
    .bind(&org)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or(Error::NotFound)?;
    if row.resolved_with.is_some() {
        return Err(Error::Conflict("this conflict is already resolved".into()));
    }
    let chosen = match body.pick {
        ConflictPick::Replaced => row.replaced.clone(),
        ConflictPick::Kept => row.kept.clone(),
    };
    let record: Uuid = parse_id(&row.record_id)?;
    if body.pick == ConflictPick::Replaced {
        let kind = RecordKind::from_code(&row.kind)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("conflict {id} of an unknown kind")))?;
        match kind {
            RecordKind::Customer => {
                let (before, after) =
                    set_back::<Customer, CustomerChange>(db, &mut tx, &session, record, &chosen)
                        .await?;
                if before.technician_id != after.technician_id {
                    records::reassign(
                        db,
                        &mut tx,
                        &org,
                        after.id,
                        Some(before.technician_id),
                        after.technician_id,
                    )
                    .await?;
                }
            }
            RecordKind::Complaint => {
                set_back::<Complaint, ComplaintChange>(db, &mut tx, &session, record, &chosen)
                    .await?;
            }
            RecordKind::Issue => {
                set_back::<OpenIssue, IssueChange>(db, &mut tx, &session, record, &chosen).await?;
            }
            _ => {
                return Err(Error::Internal(anyhow::anyhow!(
                    "conflict {id} of kind {kind:?}"
                )));
            }
        }
    }
    sqlx::query(db.sql(
        "UPDATE edit_conflicts SET resolved_with = ?, resolved_by = ?, resolved_at = ?
         WHERE org_id = ? AND id = ?",
    ))
    .bind(&chosen)
    .bind(session.user_id.to_string())
    .bind(timestamp(Utc::now()))
    .bind(&org)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    records::audit(
        db,
        &mut tx,
        &org,
        Audit {
            user: Some(session.user_id),
            action: "resolve_conflict",
            kind: RecordKind::from_code(&row.kind),
            record: Some(record),
            detail: &chosen,
        },
    )
    .await?;
    let resolved = ConflictRow {
        resolved_with: Some(chosen),
        ..row
    };
    tx.commit().await?;
    resolved
        .decode()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("conflict {id} does not decode")))
        .map(Json)
}

/// Writes `change` (as JSON) to record `id` as the manager's edit against its current version;
/// returns the record before and after.
async fn set_back<R, C>(
    db: &Db,
    tx: &mut Tx,
    session: &Session,
    id: Uuid,
    change: &str,
) -> Result<(R, R), Error>
where
    R: Stored + Editable<Change = C>,
    R::Id: From<Uuid>,
    C: DeserializeOwned + revisit_domain::edit::FieldChange<Record = R>,
{
    let org = session.org();
    let change: C = serde_json::from_str(change)
        .map_err(|e| Error::Internal(anyhow::anyhow!("a kept change does not decode: {e}")))?;
    let found = records::get::<R>(db, tx, &org, id)
        .await?
        .ok_or(Error::NotFound)?;
    let edit = Edit {
        id: R::Id::from(id),
        base_version: found.version as u64,
        changes: vec![change],
    };
    let author = Author {
        user: Some(session.user_id),
        device: Some(session.device_id),
    };
    let scope = found.technician.unwrap_or(session.user_id);
    let merged = records::write_edit(db, tx, &org, Some(&found), &edit, scope, author)
        .await?
        .map_err(|e| Error::Unprocessable(e.to_string()))?;
    Ok((found.record, merged.record))
}
