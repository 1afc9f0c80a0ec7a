//! The only code that touches IndexedDB: opening with versioned upgrades (`schema`), and one
//! module per store.
//!
//! Every write that must not be half-done (a visit and its outbox entry; pulled rows and
//! their cursor) happens in one readwrite transaction, and no network call is ever awaited
//! inside a transaction.

pub mod changes;
pub mod customers;
pub mod digests;
pub mod meta;
pub mod outbox;
pub mod records;
mod schema;
pub mod users;
pub mod visits;

use std::{cell::RefCell, rc::Rc};

use revisit_domain::CustomerId;

use indexed_db_futures::{
    database::Database, prelude::*, transaction::Transaction, transaction::TransactionMode,
};

/// The app's database name.
pub const DB_NAME: &str = "revisit";

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
/// Each customer's digest: the customer and what the policy engine reads of their records,
/// kept with them in every write (version 5).
pub(crate) const DIGESTS: &str = "digests";
/// The stores that hold pulled records of customers (a removal or a reset clears them).
pub(crate) const PULLED: [&str; 9] = [
    CUSTOMERS, VISITS, SIGNED, EVENTS, COMPLAINTS, ISSUES, REVIEWS, VERSIONS, DIGESTS,
];
/// The index, on each store of a customer's own records, of their `customer_id` (version 4).
pub(crate) const BY_CUSTOMER: &str = "by_customer";

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
        schema::prepare(name).await?;
        let db = Database::open(name)
            .with_version(schema::DB_VERSION)
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
        all_in(&tx, store).await
    }

    /// The records of `store` that belong to customer `id`, through its [`BY_CUSTOMER`]
    /// index, in the order of their ids.
    pub(crate) async fn of_customer<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        id: CustomerId,
    ) -> Result<Vec<T>> {
        let tx = self.read(&[store])?;
        of_customer_in(&tx, store, id).await
    }

    /// Closes the connection (tests delete their databases afterwards).
    pub fn close(self) {
        self.db.close();
    }
}

/// [`Storage::all`] within `tx`.
pub(crate) async fn all_in<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
) -> Result<Vec<T>> {
    let records = tx.object_store(store)?.get_all().serde()?.await?;
    Ok(records.collect::<std::result::Result<_, _>>()?)
}

/// [`Storage::of_customer`] within `tx`.
pub(crate) async fn of_customer_in<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
    id: CustomerId,
) -> Result<Vec<T>> {
    let records = tx
        .object_store(store)?
        .index(BY_CUSTOMER)?
        .get_all()
        .with_query::<String, _>(id.to_string())
        .serde()?
        .await?;
    Ok(records.collect::<std::result::Result<_, _>>()?)
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
