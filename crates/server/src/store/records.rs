//! The `records` table: one row per synced record, versioned from its organisation's counter,
//! scoped to the technician in charge of its customer.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use revisit_domain::{
    Complaint, Customer, CustomerEvent, CustomerId, DeviceId, OpenIssue, UserId, VisitRecord,
    VisitReview,
    edit::{Edit, EditError, Editable, FieldStamps, Merged, merge},
    wire::{RecordKind, Removal, UserCard},
};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    Db,
    db::{Tx, next_version, next_versions, timestamp},
    error::Error,
};

/// What the store needs to know of a record kind.
pub trait Stored: Serialize + DeserializeOwned {
    /// Its kind.
    const KIND: RecordKind;
    /// Its id.
    fn key(&self) -> Uuid;
    /// The customer it belongs to (itself, for a customer; none for a user card).
    fn customer(&self) -> Option<CustomerId>;
    /// Its own instant, for reports (a visit's time, a complaint's receipt).
    fn at(&self) -> Option<DateTime<Utc>> {
        None
    }
    /// Its content hash, for create-only records that have one.
    fn sha256(&self) -> Option<&str> {
        None
    }
}

impl Stored for Customer {
    const KIND: RecordKind = RecordKind::Customer;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.id)
    }
}

impl Stored for VisitRecord {
    const KIND: RecordKind = RecordKind::Visit;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.customer_id)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.visited_at)
    }
    fn sha256(&self) -> Option<&str> {
        Some(&self.sha256)
    }
}

impl Stored for CustomerEvent {
    const KIND: RecordKind = RecordKind::Event;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.customer_id)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.at)
    }
}

impl Stored for Complaint {
    const KIND: RecordKind = RecordKind::Complaint;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.customer_id)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.received_at)
    }
}

impl Stored for OpenIssue {
    const KIND: RecordKind = RecordKind::Issue;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.customer_id)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.reported_at)
    }
}

impl Stored for VisitReview {
    const KIND: RecordKind = RecordKind::Review;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        Some(self.customer_id)
    }
    fn at(&self) -> Option<DateTime<Utc>> {
        Some(self.reviewed_at)
    }
}

impl Stored for UserCard {
    const KIND: RecordKind = RecordKind::User;
    fn key(&self) -> Uuid {
        self.id.0
    }
    fn customer(&self) -> Option<CustomerId> {
        None
    }
}

/// A record as stored.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    data: String,
    version: i64,
    field_stamps: Option<String>,
    technician_id: Option<String>,
}

/// A record read back, with what the store keeps beside it.
#[derive(Debug)]
pub struct Found<T> {
    /// The record.
    pub record: T,
    /// Its version.
    pub version: i64,
    /// Who last set each field (mutable records).
    pub stamps: FieldStamps,
    /// The technician in charge of its customer.
    pub technician: Option<UserId>,
}

/// The record of kind `T` with id `id` in organisation `org`, if there is one.
pub async fn get<T: Stored>(
    db: &Db,
    conn: &mut AnyConnection,
    org: &str,
    id: Uuid,
) -> Result<Option<Found<T>>, Error> {
    let row: Option<Row> = sqlx::query_as(db.sql(
        "SELECT data, version, field_stamps, technician_id FROM records
         WHERE org_id = ? AND kind = ? AND id = ?",
    ))
    .bind(org)
    .bind(T::KIND.code())
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let record = serde_json::from_str(&row.data).map_err(|e| {
        Error::Internal(anyhow::anyhow!(
            "stored {} {id} does not decode: {e}",
            T::KIND.code()
        ))
    })?;
    let stamps = match row.field_stamps.as_deref() {
        None | Some("") => FieldStamps::new(),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            Error::Internal(anyhow::anyhow!(
                "stored field stamps of {id} do not decode: {e}"
            ))
        })?,
    };
    Ok(Some(Found {
        record,
        version: row.version,
        stamps,
        technician: row.technician_id.and_then(|t| t.parse().ok().map(UserId)),
    }))
}

/// Who a write comes from.
#[derive(Clone, Copy, Debug)]
pub struct Author {
    /// The user.
    pub user: Option<UserId>,
    /// Their device.
    pub device: Option<DeviceId>,
}

impl Author {
    /// The server itself (a seed, an import, a repair).
    pub const SERVER: Author = Author {
        user: None,
        device: None,
    };
}

/// Writes `record` (new, or replacing the stored one) with a new version; `scope` is the
/// technician in charge of its customer. The first writer stays its author. Returns the version.
pub async fn put<T: Stored>(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    record: &T,
    scope: Option<UserId>,
    author: Author,
    stamps: Option<&FieldStamps>,
) -> Result<i64, Error> {
    let version = next_version(db, tx, org).await?;
    put_at(
        db,
        tx,
        org,
        Write {
            record,
            scope,
            author,
            stamps,
        },
        version,
    )
    .await?;
    Ok(version)
}

/// What to write: a record, the technician in charge of its customer, who writes it, and its
/// field stamps (mutable records).
#[derive(Clone, Copy, Debug)]
pub struct Write<'a, T> {
    /// The record.
    pub record: &'a T,
    /// The technician in charge of its customer.
    pub scope: Option<UserId>,
    /// Who writes it (the first writer stays its author).
    pub author: Author,
    /// Who last set each field.
    pub stamps: Option<&'a FieldStamps>,
}

/// Writes a record with version `version`, taken by the caller in the same transaction
/// ([`next_version`]).
pub async fn put_at<T: Stored>(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    write: Write<'_, T>,
    version: i64,
) -> Result<(), Error> {
    let Write {
        record,
        scope,
        author,
        stamps,
    } = write;
    let data = serde_json::to_string(record).map_err(|e| Error::Internal(e.into()))?;
    let stamps = stamps
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Internal(e.into()))?;
    sqlx::query(db.sql(
        "INSERT INTO records (org_id, kind, id, customer_id, technician_id, author_id, device_id,
             at, sha256, data, size, field_stamps, received_at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, kind, id) DO UPDATE SET
             customer_id = excluded.customer_id, technician_id = excluded.technician_id,
             at = excluded.at, sha256 = excluded.sha256, data = excluded.data,
             size = excluded.size, field_stamps = excluded.field_stamps,
             version = excluded.version",
    ))
    .bind(org)
    .bind(T::KIND.code())
    .bind(record.key().to_string())
    .bind(record.customer().map(|c| c.to_string()))
    .bind(scope.map(|t| t.to_string()))
    .bind(author.user.map(|u| u.to_string()))
    .bind(author.device.map(|d| d.to_string()))
    .bind(record.at().map(timestamp))
    .bind(record.sha256().map(str::to_owned))
    .bind(&data)
    .bind(data.len() as i64)
    .bind(stamps)
    .bind(timestamp(Utc::now()))
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new create-only record's row, ready to be written with others ([`insert_new_rows`]).
#[derive(Debug)]
pub struct NewRow {
    kind: &'static str,
    id: Uuid,
    customer: Option<String>,
    scope: Option<String>,
    author: Option<String>,
    device: Option<String>,
    at: Option<String>,
    sha256: Option<String>,
    /// The record as stored (JSON).
    pub data: String,
    received_at: String,
    version: i64,
}

impl NewRow {
    /// The row of `write` at `version`.
    pub fn new<T: Stored>(write: Write<'_, T>, version: i64) -> Result<NewRow, Error> {
        let record = write.record;
        Ok(NewRow {
            kind: T::KIND.code(),
            id: record.key(),
            customer: record.customer().map(|c| c.to_string()),
            scope: write.scope.map(|t| t.to_string()),
            author: write.author.user.map(|u| u.to_string()),
            device: write.author.device.map(|d| d.to_string()),
            at: record.at().map(timestamp),
            sha256: record.sha256().map(str::to_owned),
            data: serde_json::to_string(record).map_err(|e| Error::Internal(e.into()))?,
            received_at: timestamp(Utc::now()),
            version,
        })
    }

    /// Its kind and id.
    pub fn key(&self) -> (&'static str, Uuid) {
        (self.kind, self.id)
    }
}

/// Rows per multi-row insert of records: 13 values each, well under SQLite's and
/// PostgreSQL's limits on a statement's parameters.
const RECORDS_PER_INSERT: usize = 200;

/// Writes new records, a couple of hundred per statement. The caller knows that none of their
/// ids is taken (in its transaction, under its organisation's version counter); if one is, the
/// statement fails and the transaction with it.
pub async fn insert_new_rows(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    rows: &[NewRow],
) -> Result<(), Error> {
    for chunk in rows.chunks(RECORDS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO records (org_id, kind, id, customer_id, technician_id, author_id,
                 device_id, at, sha256, data, size, received_at, version) VALUES ",
        );
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "" } else { ", " });
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        let sql = db.sql_owned(&sql);
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(org)
                .bind(row.kind)
                .bind(row.id.to_string())
                .bind(row.customer.as_deref())
                .bind(row.scope.as_deref())
                .bind(row.author.as_deref())
                .bind(row.device.as_deref())
                .bind(row.at.as_deref())
                .bind(row.sha256.as_deref())
                .bind(row.data.as_str())
                .bind(row.data.len() as i64)
                .bind(row.received_at.as_str())
                .bind(row.version);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Which of `ids` name a record of the organisation, as (kind, id); a few hundred per query.
pub async fn existing(
    db: &Db,
    conn: &mut AnyConnection,
    org: &str,
    ids: &[Uuid],
) -> Result<HashSet<(String, Uuid)>, Error> {
    let mut found = HashSet::new();
    for chunk in ids.chunks(RECORDS_PER_INSERT) {
        let mut sql = String::from("SELECT kind, id FROM records WHERE org_id = ? AND id IN (");
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "?" } else { ", ?" });
        }
        sql.push(')');
        let sql = db.sql_owned(&sql);
        let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(org);
        for id in chunk {
            query = query.bind(id.to_string());
        }
        for (kind, id) in query.fetch_all(&mut *conn).await? {
            if let Ok(id) = id.parse() {
                found.insert((kind, id));
            }
        }
    }
    Ok(found)
}

/// Moves customer `customer` and everything of it to technician `to`: each row gets a new
/// version (so the new technician's device pulls them all), and the technician `from` gets a
/// removal (so their device drops them).
pub async fn reassign(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    customer: CustomerId,
    from: Option<UserId>,
    to: UserId,
) -> Result<(), Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(db.sql(
        "SELECT kind, id FROM records WHERE org_id = ? AND customer_id = ? AND kind <> 'removed'
         ORDER BY version",
    ))
    .bind(org)
    .bind(customer.to_string())
    .fetch_all(&mut **tx)
    .await?;
    if !rows.is_empty() {
        let first = next_versions(db, tx, org, rows.len() as i64).await?;
        for (n, (kind, id)) in rows.iter().enumerate() {
            sqlx::query(db.sql(
                "UPDATE records SET technician_id = ?, version = ?
                 WHERE org_id = ? AND kind = ? AND id = ?",
            ))
            .bind(to.to_string())
            .bind(first + n as i64)
            .bind(org)
            .bind(kind)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
    }
    if let Some(from) = from.filter(|f| *f != to) {
        let version = next_version(db, tx, org).await?;
        let data = serde_json::to_string(&Removal {
            customer_id: customer,
        })
        .map_err(|e| Error::Internal(e.into()))?;
        sqlx::query(db.sql(
            "INSERT INTO records (org_id, kind, id, customer_id, technician_id, data, size,
                 received_at, version)
             VALUES (?, 'removed', ?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(org)
        .bind(Uuid::now_v7().to_string())
        .bind(customer.to_string())
        .bind(from.to_string())
        .bind(&data)
        .bind(data.len() as i64)
        .bind(timestamp(Utc::now()))
        .bind(version)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Whether technician `user` was ever in charge of `customer` and lost it (a removal exists):
/// their visits of that customer made before they heard are still accepted.
pub async fn was_in_charge(
    db: &Db,
    conn: &mut AnyConnection,
    org: &str,
    customer: CustomerId,
    user: UserId,
) -> Result<bool, Error> {
    let n: i64 = sqlx::query_scalar(db.sql(
        "SELECT COUNT(*) FROM records
         WHERE org_id = ? AND kind = 'removed' AND customer_id = ? AND technician_id = ?",
    ))
    .bind(org)
    .bind(customer.to_string())
    .bind(user.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Every record of kind `T` in the organisation (the whole-org readers: reports, the command
/// line, the dry-run export), skipping and logging any row that does not decode. With
/// `without_signature`, visits are read without their signature bytes.
pub async fn all<T: Stored>(
    db: &Db,
    conn: &mut AnyConnection,
    org: &str,
    without_signature: bool,
) -> Result<Vec<T>, Error> {
    let query = match (without_signature, db.backend()) {
        (false, _) => "SELECT data FROM records WHERE org_id = ? AND kind = ? ORDER BY version",
        (true, crate::db::Backend::Sqlite) => {
            "SELECT json_remove(data, '$.signature') FROM records WHERE org_id = ? AND kind = ?
             ORDER BY version"
        }
        (true, crate::db::Backend::Postgres) => {
            "SELECT (data::jsonb - 'signature')::text FROM records WHERE org_id = ? AND kind = ?
             ORDER BY version"
        }
    };
    let rows: Vec<String> = sqlx::query_scalar(db.sql(query))
        .bind(org)
        .bind(T::KIND.code())
        .fetch_all(&mut *conn)
        .await?;
    Ok(decode_skipping(rows, T::KIND.code()))
}

/// The rows that decode; each one that does not is logged and left out, so one bad row never
/// fails a whole page or report.
pub fn decode_skipping<T: DeserializeOwned>(rows: Vec<String>, what: &str) -> Vec<T> {
    rows.iter()
        .filter_map(|data| match serde_json::from_str(data) {
            Ok(record) => Some(record),
            Err(e) => {
                tracing::error!("a stored {what} does not decode and is left out: {e}");
                None
            }
        })
        .collect()
}

/// An entry of the audit log: who did what to which record. 操作日志
#[derive(Clone, Copy, Debug)]
pub struct Audit<'a> {
    /// Who (none: the server itself).
    pub user: Option<UserId>,
    /// What, e.g. `create`, `edit`, `reassign`, `adopt_policy`, `deactivate`.
    pub action: &'a str,
    /// The kind of record, if it concerns one.
    pub kind: Option<RecordKind>,
    /// The record.
    pub record: Option<Uuid>,
    /// Anything else worth keeping (the fields changed, the old and new value).
    pub detail: &'a str,
}

/// An entry of the audit log held until its transaction writes it with others
/// ([`audit_many`]).
#[derive(Clone, Debug)]
pub struct AuditRow {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub user: Option<UserId>,
    /// What they did.
    pub action: &'static str,
    /// To which kind of record.
    pub kind: Option<RecordKind>,
    /// To which record.
    pub record: Option<Uuid>,
    /// Anything else worth keeping.
    pub detail: String,
}

/// Rows per multi-row insert: 7 values each, well under SQLite's and PostgreSQL's limits on
/// a statement's parameters.
const AUDIT_ROWS_PER_INSERT: usize = 500;

/// Writes entries of the audit log in the transaction of their changes, in their order, a few
/// hundred per statement.
pub async fn audit_many(db: &Db, tx: &mut Tx, org: &str, rows: &[AuditRow]) -> Result<(), Error> {
    for chunk in rows.chunks(AUDIT_ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (org_id, at, user_id, action, kind, record_id, detail) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "" } else { ", " });
            sql.push_str("(?, ?, ?, ?, ?, ?, ?)");
        }
        let sql = db.sql_owned(&sql);
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(org)
                .bind(timestamp(row.at))
                .bind(row.user.map(|u| u.to_string()))
                .bind(row.action)
                .bind(row.kind.map(|k| k.code()))
                .bind(row.record.map(|r| r.to_string()))
                .bind(row.detail.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes an entry of the audit log, in the transaction of the change.
pub async fn audit(db: &Db, tx: &mut Tx, org: &str, entry: Audit<'_>) -> Result<(), Error> {
    let Audit {
        user,
        action,
        kind,
        record,
        detail,
    } = entry;
    sqlx::query(db.sql(
        "INSERT INTO audit_log (org_id, at, user_id, action, kind, record_id, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(org)
    .bind(timestamp(Utc::now()))
    .bind(user.map(|u| u.to_string()))
    .bind(action)
    .bind(kind.map(|k| k.code()))
    .bind(record.map(|r| r.to_string()))
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The device id the server's own edits are stamped with (an import, a command-line task).
pub const SERVER_DEVICE: DeviceId = DeviceId(Uuid::nil());

/// Applies a field-by-field edit to the stored record (`existing`, as read in this
/// transaction) and writes the result with a new version and its field stamps. The values the
/// edit replaced that another device had written are returned in the result's conflicts, for
/// the caller to keep.
pub async fn write_edit<R: Stored + Editable>(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    existing: Option<&Found<R>>,
    edit: &Edit<R::Id, R::Change>,
    scope: UserId,
    author: Author,
) -> Result<Result<Merged<R>, EditError>, Error> {
    let version = next_version(db, tx, org).await?;
    let device = author.device.unwrap_or(SERVER_DEVICE);
    let merged = match merge(
        existing.map(|f| (&f.record, &f.stamps)),
        edit,
        device,
        version as u64,
    ) {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    put_at(
        db,
        tx,
        org,
        Write {
            record: &merged.record,
            scope: Some(scope),
            author,
            stamps: Some(&merged.stamps),
        },
        version,
    )
    .await?;
    Ok(Ok(merged))
}
