//! One-time repairs of stored data, run when the database opens, each recorded in `repairs`
//! once done: moving the first schema's customers and visits into `records` (complaints split
//! out of the customers), and setting aside, verbatim, any stored row that no longer decodes
//! (e.g. a visit dated in year 10000, which once broke every pull), so one bad row never fails
//! a page again.

use chrono::{DateTime, Utc};
use revisit_domain::{
    Complaint, ComplaintId, ComplaintStatus, Customer, CustomerEvent, OpenIssue, ProblemCategory,
    Severity, UserId, VisitRecord, VisitReview, complaint::ComplaintChannel, wire::UserCard,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::{
    Db,
    db::{Backend, Tx, timestamp},
    error::Error,
    store::{
        Stored,
        records::{self, Author, Write},
        users,
    },
};

/// Runs every repair not yet done.
pub async fn run(db: &Db) -> anyhow::Result<()> {
    if db.backend() == Backend::Sqlite {
        widen_roles(db).await?;
        if !done(db, "2026-12-records").await? {
            move_into_records(db).await?;
        }
    }
    if !done(db, "2026-12-quarantine").await? {
        quarantine_undecodable(db).await?;
    }
    Ok(())
}

/// The first schema's users table allowed three roles; the policies name six. SQLite cannot
/// alter a CHECK, so the table is rebuilt, with foreign keys off (which SQLite allows only
/// outside a transaction, so not in a migration) and checked after.
async fn widen_roles(db: &Db) -> anyhow::Result<()> {
    use sqlx::Connection;
    let schema: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
            .fetch_one(&db.write)
            .await?;
    if schema.contains("service_assistant") {
        return Ok(());
    }
    let mut conn = db.write.acquire().await?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let rebuilt = async {
        let mut tx = conn.begin().await?;
        for statement in [
            "CREATE TABLE users_new (
                id TEXT PRIMARY KEY NOT NULL,
                org_id TEXT NOT NULL REFERENCES organisations (id),
                username TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('technician', 'service_assistant', 'supervisor',
                                                   'manager', 'director', 'admin')),
                team TEXT NOT NULL DEFAULT '',
                active INTEGER NOT NULL DEFAULT 1,
                must_change_password INTEGER NOT NULL DEFAULT 0,
                reset_version INTEGER NOT NULL DEFAULT 0,
                password_hash TEXT NOT NULL,
                version INTEGER NOT NULL
            )",
            "INSERT INTO users_new (id, org_id, username, name, role, team, active,
                 must_change_password, reset_version, password_hash, version)
             SELECT id, org_id, username, name, role, team, active, must_change_password,
                 reset_version, password_hash, version FROM users",
            "DROP TABLE users",
            "ALTER TABLE users_new RENAME TO users",
            "CREATE INDEX users_org ON users (org_id)",
        ] {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut *tx)
                .await?;
        anyhow::ensure!(
            broken.is_empty(),
            "foreign keys broken by the rebuild: {broken:?}"
        );
        tx.commit().await?;
        anyhow::Ok(())
    }
    .await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    rebuilt
}

async fn done(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(db.sql("SELECT COUNT(*) FROM repairs WHERE name = ?"))
        .bind(name)
        .fetch_one(&db.read)
        .await?;
    Ok(n > 0)
}

async fn mark_done(db: &Db, tx: &mut Tx, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query(db.sql("INSERT INTO repairs (name, done_at) VALUES (?, ?)"))
        .bind(name)
        .bind(timestamp(Utc::now()))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets a stored row aside, verbatim, with the reason.
async fn quarantine(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    source: &str,
    key: &str,
    data: &str,
    problem: &str,
) -> Result<(), sqlx::Error> {
    tracing::error!(
        org,
        source,
        key,
        problem,
        "a stored row does not decode: set aside"
    );
    sqlx::query(db.sql(
        "INSERT INTO quarantine (org_id, source, key, data, problem, at) VALUES (?, ?, ?, ?, ?, ?)",
    ))
    .bind(org)
    .bind(source)
    .bind(key)
    .bind(data)
    .bind(problem)
    .bind(timestamp(Utc::now()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A complaint as the first schema kept it, inside its customer.
#[derive(serde::Deserialize)]
struct OldComplaint {
    received_at: String,
    #[serde(default)]
    closed_at: Option<String>,
    summary: String,
}

/// What the first schema did not record about a complaint it closed.
const NOT_RECORDED: &str = "（旧版记录，未填写）";

#[derive(sqlx::FromRow)]
struct OldRow {
    org_id: String,
    id: String,
    technician_id: String,
    data: String,
    version: i64,
}

/// The first schema's `customers` and `visits` rows into `records`, keeping their versions
/// (devices' cursors stay valid); each customer's complaints become complaint records;
/// every user gets a card.
async fn move_into_records(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    let legacy: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'customers'",
    )
    .fetch_one(&mut *tx)
    .await?;
    if legacy > 0 {
        let customers: Vec<OldRow> = sqlx::query_as(
            "SELECT org_id, id, technician_id, data, version FROM customers ORDER BY version",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &customers {
            move_customer(db, &mut tx, row).await?;
        }
        let visits: Vec<OldRow> = sqlx::query_as(
            "SELECT v.org_id, v.id, c.technician_id, v.data, v.version
             FROM visits v JOIN customers c ON c.id = v.customer_id ORDER BY v.version",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &visits {
            match serde_json::from_str::<VisitRecord>(&row.data) {
                Ok(v) => {
                    let author = Author {
                        user: Some(v.technician_id),
                        device: Some(v.device_id),
                    };
                    let scope = row.technician_id.parse().ok().map(UserId);
                    put_kept(db, &mut tx, &row.org_id, &v, scope, author, row.version).await?;
                }
                Err(e) => {
                    quarantine(
                        db,
                        &mut tx,
                        &row.org_id,
                        "visits",
                        &row.id,
                        &row.data,
                        &e.to_string(),
                    )
                    .await?;
                }
            }
        }
        sqlx::query("DELETE FROM visits").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM customers")
            .execute(&mut *tx)
            .await?;
    }
    let people: Vec<(String, String)> = sqlx::query_as("SELECT org_id, id FROM users")
        .fetch_all(&mut *tx)
        .await?;
    for (org, id) in people {
        if let Ok(id) = id.parse() {
            users::write_card(db, &mut tx, &org, UserId(id)).await?;
        }
    }
    mark_done(db, &mut tx, "2026-12-records").await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a moved record with the version it had.
async fn put_kept<T: Stored>(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    record: &T,
    scope: Option<UserId>,
    author: Author,
    version: i64,
) -> Result<(), Error> {
    records::put_at(
        db,
        tx,
        org,
        Write {
            record,
            scope,
            author,
            stamps: None,
        },
        version,
    )
    .await
}

async fn move_customer(db: &Db, tx: &mut Tx, row: &OldRow) -> anyhow::Result<()> {
    let mut json: serde_json::Value = match serde_json::from_str(&row.data) {
        Ok(j) => j,
        Err(e) => {
            quarantine(
                db,
                tx,
                &row.org_id,
                "customers",
                &row.id,
                &row.data,
                &e.to_string(),
            )
            .await?;
            return Ok(());
        }
    };
    let old: Vec<OldComplaint> = json
        .as_object_mut()
        .and_then(|o| o.remove("complaints"))
        .map(serde_json::from_value)
        .transpose()
        .unwrap_or_default()
        .unwrap_or_default();
    let customer: Customer = match serde_json::from_value(json) {
        Ok(c) => c,
        Err(e) => {
            quarantine(
                db,
                tx,
                &row.org_id,
                "customers",
                &row.id,
                &row.data,
                &e.to_string(),
            )
            .await?;
            return Ok(());
        }
    };
    put_kept(
        db,
        tx,
        &row.org_id,
        &customer,
        Some(customer.technician_id),
        Author::SERVER,
        row.version,
    )
    .await?;
    for k in old {
        let instant = |t: &str| revisit_domain::time::parse_instant(t);
        let Some(received_at) = instant(&k.received_at) else {
            let data = serde_json::json!({"received_at": k.received_at, "summary": k.summary});
            quarantine(
                db,
                tx,
                &row.org_id,
                "complaints",
                &row.id,
                &data.to_string(),
                "implausible time",
            )
            .await?;
            continue;
        };
        let closed_at: Option<DateTime<Utc>> = k.closed_at.as_deref().and_then(instant);
        let complaint = Complaint {
            id: ComplaintId(Uuid::now_v7()),
            customer_id: customer.id,
            received_at,
            channel: ComplaintChannel::Phone,
            category: ProblemCategory::Other,
            severity: Severity::General,
            summary: k.summary,
            taken_by: customer.technician_id,
            assignee: None,
            status: if closed_at.is_some() {
                ComplaintStatus::Closed
            } else {
                ComplaintStatus::Open
            },
            replied_at: None,
            closed_at,
            cause: closed_at.map_or_else(String::new, |_| NOT_RECORDED.into()),
            corrective_action: closed_at.map_or_else(String::new, |_| NOT_RECORDED.into()),
        };
        records::put(
            db,
            tx,
            &row.org_id,
            &complaint,
            Some(customer.technician_id),
            Author::SERVER,
            None,
        )
        .await?;
    }
    Ok(())
}

/// Every stored record that no longer decodes as its kind is moved to `quarantine`.
async fn quarantine_undecodable(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT org_id, kind, id, data FROM records")
            .fetch_all(&mut *tx)
            .await?;
    for (org, kind, id, data) in rows {
        fn check<T: DeserializeOwned>(data: &str) -> Result<(), String> {
            serde_json::from_str::<T>(data)
                .map(drop)
                .map_err(|e| e.to_string())
        }
        let result = match kind.as_str() {
            "customer" => check::<Customer>(&data),
            "visit" => check::<VisitRecord>(&data),
            "event" => check::<CustomerEvent>(&data),
            "complaint" => check::<Complaint>(&data),
            "issue" => check::<OpenIssue>(&data),
            "review" => check::<VisitReview>(&data),
            "user" => check::<UserCard>(&data),
            "removed" => check::<revisit_domain::wire::Removal>(&data),
            other => Err(format!("unknown kind {other}")),
        };
        if let Err(problem) = result {
            quarantine(db, &mut tx, &org, &kind, &id, &data, &problem).await?;
            sqlx::query(db.sql("DELETE FROM records WHERE org_id = ? AND kind = ? AND id = ?"))
                .bind(&org)
                .bind(&kind)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let refusals: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT org_id, id, received_at FROM rejected_mutations")
            .fetch_all(&mut *tx)
            .await?;
    for (org, id, received_at) in refusals {
        if revisit_domain::time::parse_instant(&received_at).is_none() {
            sqlx::query(db.sql("UPDATE rejected_mutations SET received_at = ? WHERE id = ?"))
                .bind(timestamp(Utc::now()))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tracing::warn!(org, id, "a kept refusal's time did not read: set to now");
        }
    }
    mark_done(db, &mut tx, "2026-12-quarantine").await?;
    tx.commit().await?;
    Ok(())
}
