//! The only code that touches IndexedDB: opening with versioned upgrades, and one module per store.
//!
//! Every write that must not be half-done (a visit and its outbox entry; pulled rows and
//! their cursor) happens in one readwrite transaction, and no network call is ever awaited
//! inside a transaction.

pub mod changes;
pub mod customers;
pub mod meta;
pub mod outbox;
pub mod records;
pub mod users;
pub mod visits;

use std::{cell::RefCell, rc::Rc};

use indexed_db_futures::{
    KeyPath, database::Database, prelude::*, transaction::Transaction, transaction::TransactionMode,
};

/// The app's database name.
pub const DB_NAME: &str = "revisit";
/// The schema version; each bump adds an arm in [`upgrade`].
const DB_VERSION: u32 = 3;

pub(crate) const CUSTOMERS: &str = "customers";
pub(crate) const VISITS: &str = "visits";
/// Signed visits, whole (version 2); `visits` holds them without the signature, so the
/// agenda reads every visit without cloning every signature.
pub(crate) const SIGNED: &str = "signed";
pub(crate) const USERS: &str = "users";
pub(crate) const OUTBOX: &str = "outbox";
pub(crate) const REJECTED: &str = "rejected";
pub(crate) const META: &str = "meta";
/// Lifecycle events (version 3).
pub(crate) const EVENTS: &str = "events";
/// Complaints, 投诉 (version 3).
pub(crate) const COMPLAINTS: &str = "complaints";
/// Open issues, 遗留问题 (version 3).
pub(crate) const ISSUES: &str = "issues";
/// Quality reviews of visits (version 3).
pub(crate) const REVIEWS: &str = "reviews";
/// The server version of each editable record as last pulled, `{id, version}`: an edit made
/// here names it as its base (version 3).
pub(crate) const VERSIONS: &str = "versions";
/// The stores that hold pulled records of customers (a removal or a reset clears them).
pub(crate) const PULLED: [&str; 8] = [
    CUSTOMERS, VISITS, SIGNED, EVENTS, COMPLAINTS, ISSUES, REVIEWS, VERSIONS,
];

/// A storage failure, worded for the person using the app (quota, blocked, corrupt data…).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StorageError(pub String);

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StorageError(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StorageError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StorageError(e.to_string())
    }
}

/// Results of storage calls.
pub type Result<T> = std::result::Result<T, StorageError>;

/// An open database.
#[derive(Debug)]
pub struct Storage {
    db: Database,
}

impl Storage {
    /// Opens (creating or upgrading) the database called `name`.
    pub async fn open(name: &str) -> Result<Storage> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                let old = event.old_version() as u32;
                upgrade(&db, old)
            })
            .await?;
        Ok(Storage { db })
    }

    /// A readwrite transaction over `stores`; it rolls back unless committed.
    pub(crate) fn write(&self, stores: &[&str]) -> Result<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores.to_vec())
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    /// A readonly transaction over `stores`.
    pub(crate) fn read(&self, stores: &[&str]) -> Result<Transaction<'_>> {
        Ok(self.db.transaction(stores.to_vec()).build()?)
    }

    /// Every record of `store`, decoded.
    pub(crate) async fn all<T: serde::de::DeserializeOwned>(&self, store: &str) -> Result<Vec<T>> {
        let tx = self.read(&[store])?;
        let records = tx.object_store(store)?.get_all().serde()?.await?;
        Ok(records.collect::<std::result::Result<_, _>>()?)
    }

    /// Closes the connection (tests delete their databases afterwards).
    pub fn close(self) {
        self.db.close();
    }
}

fn upgrade(db: &Database, old: u32) -> indexed_db_futures::Result<()> {
    if old < 1 {
        for (name, key) in [
            (CUSTOMERS, "id"),
            (VISITS, "id"),
            (USERS, "id"),
            (OUTBOX, "seq"),
            (REJECTED, "seq"),
            (META, "key"),
        ] {
            db.create_object_store(name)
                .with_key_path(KeyPath::One(key))
                .build()?;
        }
    }
    if old < 2 {
        // Records stored before keep their signature in `visits`, and are read as they are.
        db.create_object_store(SIGNED)
            .with_key_path(KeyPath::One("id"))
            .build()?;
    }
    if old < 3 {
        // Customers stored before carried their complaints inside (now records of their own):
        // the store starts empty, and the new cursor key (`meta::CURSOR`) pulls everything
        // again. Visits stay (create-only, and unsynced ones are among them), so does the
        // outbox, the device id and its seq.
        if old >= 1 {
            db.delete_object_store(CUSTOMERS)?;
            db.create_object_store(CUSTOMERS)
                .with_key_path(KeyPath::One("id"))
                .build()?;
        }
        for name in [EVENTS, COMPLAINTS, ISSUES, REVIEWS, VERSIONS] {
            db.create_object_store(name)
                .with_key_path(KeyPath::One("id"))
                .build()?;
        }
    }
    Ok(())
}

thread_local! {
    static APP_DB: RefCell<Option<Rc<Storage>>> = const { RefCell::new(None) };
}

/// The app's database, opened once per page.
pub async fn app_db() -> Result<Rc<Storage>> {
    if let Some(db) = APP_DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(Storage::open(DB_NAME).await?);
    APP_DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}
