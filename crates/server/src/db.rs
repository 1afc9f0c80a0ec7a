//! The database: SQLite in one file by default, PostgreSQL when one machine is not enough,
//! behind the same store code (sqlx's `Any` driver); opening, migrations, the cursor counter.
//!
//! Queries are written once with `?` placeholders; [`Db::sql`] turns them into `$1, $2, …`
//! for PostgreSQL. Where the two dialects differ (JSON functions), the caller matches on
//! [`Db::backend`].
//!
//! SQLite keeps two pools on one file: readers, and exactly one writer connection, so write
//! transactions never fight over the lock. On both backends every versioned write takes its
//! organisation's next version with `UPDATE organisations … RETURNING version` inside its
//! transaction: the row lock that update takes is held until commit, so a second writer of
//! the same organisation waits, and version order is commit order — a pull never skips a
//! version that commits late.

use std::{
    borrow::Cow,
    collections::HashMap,
    path::Path,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{
    Any, AnyPool, Executor, Transaction,
    any::{AnyConnectOptions, AnyPoolOptions},
};

/// A transaction on either backend.
pub type Tx = Transaction<'static, Any>;

/// Which database is behind the pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (the embedded default).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database: a reading pool and a writing pool (the same pool on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    /// For queries that only read.
    pub read: AnyPool,
    /// For every transaction that writes (one connection on SQLite).
    pub write: AnyPool,
    backend: Backend,
    rewritten: Arc<Mutex<HashMap<&'static str, &'static str>>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

static DRIVERS: LazyLock<()> = LazyLock::new(sqlx::any::install_default_drivers);

impl Db {
    /// Opens (creating if needed) the SQLite file at `path`, applies pending migrations and
    /// data repairs.
    pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        Db::connect(&format!("sqlite://{}", path.display())).await
    }

    /// Opens the database at `url`: `sqlite://path/to/file` or `postgres://user@host/db`.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        LazyLock::force(&DRIVERS);
        let db = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options: AnyConnectOptions = url.parse()?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Db {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
                rewritten: Arc::default(),
            }
        } else {
            let sep = if url.contains('?') { '&' } else { '?' };
            let writer: AnyConnectOptions = format!("{url}{sep}mode=rwc").parse()?;
            let reader: AnyConnectOptions = format!("{url}{sep}mode=ro").parse()?;
            let write = AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(writer)
                .await?;
            SQLITE_MIGRATIONS.run(&write).await?;
            let read = AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA busy_timeout = 10000;").await?;
                        Ok(())
                    })
                })
                .connect_with(reader)
                .await?;
            Db {
                read,
                write,
                backend: Backend::Sqlite,
                rewritten: Arc::default(),
            }
        };
        crate::repair::run(&db)
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("repairing stored data: {e:#}")))?;
        Ok(db)
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// `query`, written with `?` placeholders, in this backend's dialect (PostgreSQL numbers
    /// them). Each query text is rewritten once per process.
    pub fn sql(&self, query: &'static str) -> &'static str {
        if self.backend == Backend::Sqlite || !query.contains('?') {
            return query;
        }
        let mut cache = self.rewritten.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(query)
            .or_insert_with(|| Box::leak(numbered(query).into_owned().into_boxed_str()))
    }

    /// A query built at run time, in this backend's placeholders (see [`Db::sql`]).
    pub fn sql_owned(&self, query: &str) -> String {
        if self.backend == Backend::Sqlite {
            query.to_owned()
        } else {
            numbered(query).into_owned()
        }
    }

    /// Begins a write transaction (on SQLite's single writer connection).
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// Begins a transaction that only reads: one consistent snapshot.
    pub async fn begin_read(&self) -> Result<Tx, sqlx::Error> {
        self.read.begin().await
    }
}

/// `?` placeholders numbered `$1, $2, …` (no query here has a `?` inside a string literal).
fn numbered(query: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(query.len() + 16);
    let mut n = 0;
    for c in query.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Takes the next `n` versions of organisation `org` (n ≥ 1) and returns the first: the caller
/// uses `first..first + n`. Call inside the write transaction that uses them.
pub async fn next_versions(db: &Db, tx: &mut Tx, org: &str, n: i64) -> Result<i64, sqlx::Error> {
    let last: i64 = sqlx::query_scalar(
        db.sql("UPDATE organisations SET version = version + ? WHERE id = ? RETURNING version"),
    )
    .bind(n)
    .bind(org)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last - n + 1)
}

/// Takes the next version of organisation `org`.
pub async fn next_version(db: &Db, tx: &mut Tx, org: &str) -> Result<i64, sqlx::Error> {
    next_versions(db, tx, org, 1).await
}

/// How every instant is stored: RFC 3339 in UTC with a fixed number of digits, so that text
/// order is time order (session expiry is compared in SQL).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }
}
