//! The `meta` store: small named values (device id, session, next outbox seq, pull cursor,
//! the organisation's follow-up policy).

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use revisit_domain::wire::PolicyBundle;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{META, Result, Storage, StorageError};

/// One named value; `value` is any serde type, stored as a structured-clone object.
#[derive(Debug, Serialize, Deserialize)]
struct Entry<T> {
    key: String,
    value: T,
}

/// This browser's device id.
pub const DEVICE_ID: &str = "device_id";
/// The logged-in session.
pub const SESSION: &str = "session";
/// The last outbox sequence number used.
pub const LAST_SEQ: &str = "last_seq";
/// The pull cursor stored with the last pulled batch. Named for the protocol's schema 2: a
/// cursor kept by an older version (under `cursor`) counts versions the server no longer
/// has, so an upgraded device pulls everything again.
pub const CURSOR: &str = "cursor_v2";
/// When the last sync succeeded (RFC 3339).
pub const LAST_SYNC: &str = "last_sync";
/// The organisation's follow-up policy as last pulled (a [`PolicyBundle`]).
pub const POLICY: &str = "policy";

/// Reads a value inside an open transaction; a stored value of the wrong shape is an error.
pub(crate) async fn get_in<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    key: &str,
) -> Result<Option<T>> {
    let store = tx.object_store(META)?;
    let entry: Option<Entry<T>> = store
        .get(key)
        .serde()?
        .await
        .map_err(|e| StorageError(format!("stored {key} is corrupt: {e}")))?;
    Ok(entry.map(|e| e.value))
}

/// Writes a value inside an open transaction.
pub(crate) fn put_in<T: Serialize>(tx: &Transaction<'_>, key: &str, value: &T) -> Result<()> {
    tx.object_store(META)?
        .put(Entry {
            key: key.to_owned(),
            value,
        })
        .serde()?;
    Ok(())
}

impl Storage {
    /// Reads a named value.
    pub async fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let tx = self.read(&[META])?;
        get_in(&tx, key).await
    }

    /// Writes a named value.
    pub async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self.write(&[META])?;
        put_in(&tx, key, value)?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's follow-up policy as last pulled, if one was; validate it before use.
    pub async fn policy(&self) -> Result<Option<PolicyBundle>> {
        self.meta(POLICY).await
    }

    /// Removes a named value.
    pub async fn delete_meta(&self, key: &str) -> Result<()> {
        let tx = self.write(&[META])?;
        tx.object_store(META)?.delete(key).primitive()?;
        tx.commit().await?;
        Ok(())
    }
}
