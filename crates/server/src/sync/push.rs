//! `POST /api/sync/push`: a device's outbox, applied exactly once in one transaction.

use axum::{Json, extract::State};
use chrono::Utc;
use revisit_domain::wire::ErrorCode;
use revisit_domain::wire::{
    MAX_MUTATION_BYTES, MAX_MUTATIONS_PER_PUSH, Mutation, MutationHead, MutationOp, PushEnvelope,
    PushResponse, RejectCode, RejectedMutation, SCHEMA_VERSION,
};

use super::{
    REJECTED_QUOTA_BYTES,
    apply::{Ctx, Outcome, apply},
};
use crate::{
    AppState,
    auth::{Session, sha256_hex},
    db::{Tx, timestamp},
    error::Error,
    json::ApiBytes,
};

pub(super) async fn push(
    State(state): State<AppState>,
    session: Session,
    ApiBytes(body): ApiBytes,
) -> Result<Json<PushResponse>, Error> {
    let envelope: PushEnvelope = serde_json::from_slice(&body)
        .map_err(|e| Error::BadRequest(format!("the push does not read: {e}")))?;
    if envelope.schema_version != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            expected: SCHEMA_VERSION,
            got: envelope.schema_version,
        });
    }
    if envelope.device_id != session.device_id {
        return Err(Error::Forbidden(ErrorCode::ForeignDevice));
    }
    if envelope.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(Error::Unprocessable(format!(
            "{} mutations in one push; at most {MAX_MUTATIONS_PER_PUSH} are accepted",
            envelope.mutations.len()
        )));
    }
    // Every mutation's seq, read before anything is applied: a push with one that has none is
    // malformed as a whole.
    let heads = envelope
        .mutations
        .iter()
        .enumerate()
        .map(|(n, raw)| {
            serde_json::from_str::<MutationHead>(raw.get())
                .map(|h| h.seq)
                .map_err(|e| Error::BadRequest(format!("mutation {n} has no readable seq: {e}")))
        })
        .collect::<Result<Vec<u64>, Error>>()?;

    let db = &state.db;
    let org = session.org();
    let device = session.device_id.to_string();
    let user = session.user_id.to_string();
    let mut tx = db.begin_write().await?;
    let mut last_seq: i64 = sqlx::query_scalar(db.sql(
        "SELECT last_seq FROM device_streams WHERE device_id = ? AND user_id = ? AND org_id = ?",
    ))
    .bind(&device)
    .bind(&user)
    .bind(&org)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::Unauthorized)?;
    let mut kept_bytes: i64 = sqlx::query_scalar(db.sql(
        "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM rejected_mutations
         WHERE org_id = ? AND op <> 'null'",
    ))
    .bind(&org)
    .fetch_one(&mut *tx)
    .await?;
    // Each mutation read once, before anything is applied, so that the ids of the records
    // it creates are known together.
    let decoded: Vec<Option<Result<Mutation, serde_json::Error>>> = envelope
        .mutations
        .iter()
        .map(|raw| (raw.get().len() <= MAX_MUTATION_BYTES).then(|| serde_json::from_str(raw.get())))
        .collect();
    let creatable = decoded
        .iter()
        .filter_map(|m| match m {
            Some(Ok(m)) => match &m.op {
                MutationOp::CreateVisit(v) => Some(v.id.0),
                MutationOp::RecordEvent(e) => Some(e.id.0),
                MutationOp::CreateReview(r) => Some(r.id.0),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let ctx = Ctx::new(
        db,
        &session,
        org.clone(),
        Utc::now(),
        envelope.mutations.len(),
        creatable,
    );
    // What this push applied under each seq, written together before it commits.
    let mut applied: Vec<(i64, String)> = Vec::new();
    let mut rejected = Vec::new();
    let mut missing_blobs = Vec::new();
    for ((raw, seq), decoded) in envelope.mutations.iter().zip(heads).zip(decoded) {
        let text = raw.get();
        let digest = sha256_hex(text.as_bytes());
        let Ok(seq_i) = i64::try_from(seq) else {
            break;
        };
        if seq_i <= last_seq {
            // A retry after a lost reply is the same content: skipped. Other content under a
            // seq already used is refused as a conflict, and kept.
            let earlier = match applied.iter().find(|(s, _)| *s == seq_i) {
                Some((_, d)) => Some(d.clone()),
                None => sqlx::query_scalar(db.sql(
                    "SELECT digest FROM device_mutations WHERE device_id = ? AND user_id = ? AND seq = ?",
                ))
                .bind(&device)
                .bind(&user)
                .bind(seq_i)
                .fetch_optional(&mut *tx)
                .await?,
            };
            if earlier.is_some_and(|d| d != digest) {
                let message = format!("seq {seq} was already used for other content");
                keep(
                    &ctx,
                    &mut tx,
                    &mut kept_bytes,
                    seq,
                    RejectCode::Conflict,
                    &message,
                    text,
                )
                .await?;
                rejected.push(RejectedMutation {
                    seq,
                    code: RejectCode::Conflict,
                    message,
                });
            }
            continue;
        }
        if seq_i != last_seq + 1 {
            break; // A gap: the client resends from last_applied_seq + 1.
        }
        let outcome = match decoded {
            None => Outcome::Rejected(
                RejectCode::TooLarge,
                format!(
                    "the change is {} bytes; at most {MAX_MUTATION_BYTES} are accepted",
                    text.len()
                ),
            ),
            Some(decoded) => match decoded {
                Ok(m) => apply(&ctx, &mut tx, &m.op).await?,
                Err(e) if e.to_string().contains("unknown variant") => Outcome::Rejected(
                    RejectCode::Unsupported,
                    format!("a kind of change this server does not know: {e}"),
                ),
                Err(e) => Outcome::Rejected(
                    RejectCode::Invalid,
                    format!("the change does not read: {e}"),
                ),
            },
        };
        match outcome {
            Outcome::MissingBlobs(blobs) => {
                missing_blobs = blobs;
                break;
            }
            Outcome::Applied | Outcome::Duplicate => {}
            Outcome::Rejected(code, message) => {
                keep(&ctx, &mut tx, &mut kept_bytes, seq, code, &message, text).await?;
                rejected.push(RejectedMutation { seq, code, message });
            }
        }
        applied.push((seq_i, digest));
        last_seq = seq_i;
    }
    ctx.write_new(&mut tx).await?;
    record_applied(db, &mut tx, &device, &user, &applied).await?;
    ctx.write_audit(&mut tx).await?;
    ctx.give_back_versions(&mut tx).await?;
    sqlx::query(db.sql(
        "UPDATE device_streams SET last_seq = ? WHERE device_id = ? AND user_id = ? AND org_id = ?",
    ))
    .bind(last_seq)
    .bind(&device)
    .bind(&user)
    .bind(&org)
    .execute(&mut *tx)
    .await?;
    sqlx::query(db.sql("UPDATE devices SET last_seen = ? WHERE id = ? AND org_id = ?"))
        .bind(timestamp(ctx.now))
        .bind(&device)
        .bind(&org)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(PushResponse {
        last_applied_seq: last_seq as u64,
        rejected,
        missing_blobs,
    }))
}

/// Rows per multi-row insert of applied seqs (4 values each).
const SEQS_PER_INSERT: usize = 500;

/// Keeps the digest of what was applied under each seq, so a later push of other content
/// under a used seq is caught; a few hundred rows per statement.
async fn record_applied(
    db: &crate::Db,
    tx: &mut Tx,
    device: &str,
    user: &str,
    applied: &[(i64, String)],
) -> Result<(), Error> {
    for chunk in applied.chunks(SEQS_PER_INSERT) {
        let mut sql =
            String::from("INSERT INTO device_mutations (device_id, user_id, seq, digest) VALUES ");
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 {
                "(?, ?, ?, ?)"
            } else {
                ", (?, ?, ?, ?)"
            });
        }
        let sql = db.sql_owned(&sql);
        let mut query = sqlx::query(&sql);
        for (seq, digest) in chunk {
            query = query
                .bind(device)
                .bind(user)
                .bind(*seq)
                .bind(digest.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Keeps a refused mutation as it came, for the organisation's managers: verbatim while the
/// organisation's quota lasts, then without its body (the device keeps its own copy).
async fn keep(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    kept_bytes: &mut i64,
    seq: u64,
    code: RejectCode,
    message: &str,
    text: &str,
) -> Result<(), Error> {
    let bytes = text.len() as i64;
    let op = if *kept_bytes + bytes <= REJECTED_QUOTA_BYTES {
        *kept_bytes += bytes;
        text
    } else {
        tracing::warn!(
            org = ctx.org,
            seq,
            bytes,
            "refused-record quota reached: keeping the refusal without its body"
        );
        "null"
    };
    sqlx::query(ctx.db.sql(
        "INSERT INTO rejected_mutations (org_id, device_id, user_id, seq, code, message, op, bytes, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (device_id, user_id, seq) DO NOTHING",
    ))
    .bind(&ctx.org)
    .bind(ctx.session.device_id.to_string())
    .bind(ctx.session.user_id.to_string())
    .bind(seq as i64)
    .bind(code.as_str())
    .bind(message)
    .bind(op)
    .bind(bytes)
    .bind(timestamp(ctx.now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
