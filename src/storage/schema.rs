//! The database's shape and its upgrades, run through the browser's own IndexedDB API.
//!
//! `indexed_db_futures` gives an upgrade callback the database but not its version-change
//! transaction, so it cannot add an index to a store that already exists. The upgrade is
//! therefore made here, on a connection of its own that closes at once; the connection the
//! app keeps is opened afterwards, at the same version, with nothing left to upgrade.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbIndexParameters, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest,
    IdbTransaction, IdbVersionChangeEvent,
};

use super::{
    BY_CUSTOMER, COMPLAINTS, CUSTOMERS, DIGESTS, EVENTS, ISSUES, META, OUTBOX, REJECTED, REVIEWS,
    Result, SIGNED, StorageError, USERS, VERSIONS, VISITS,
};

/// The schema version; each bump adds an arm in [`upgrade`].
pub(crate) const DB_VERSION: u32 = 5;

/// The stores of a customer's own records, each with the [`BY_CUSTOMER`] index (version 4):
/// a customer's page and a customer that leaves this device read only that customer's.
pub(crate) const OF_A_CUSTOMER: [&str; 6] = [VISITS, SIGNED, EVENTS, COMPLAINTS, ISSUES, REVIEWS];

/// Brings the database called `name` to [`DB_VERSION`] (creating it if need be) and closes
/// the connection used for it.
pub(crate) async fn prepare(name: &str) -> Result<()> {
    let js = |e: JsValue| StorageError(format!("{e:?}"));
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StorageError("IndexedDB is not available in this browser".into()))?;
    let request = factory.open_with_u32(name, DB_VERSION).map_err(js)?;
    let on_upgrade: Closure<dyn FnMut(IdbVersionChangeEvent)> =
        Closure::new(move |event: IdbVersionChangeEvent| {
            let Some(request) = event
                .target()
                .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            else {
                return;
            };
            if let Err(e) = upgrade_request(&request, event.old_version() as u32) {
                // Aborting the version-change transaction fails the open: nothing half-done.
                web_sys::console::error_1(&e);
                if let Some(tx) = request.transaction() {
                    let _ = tx.abort();
                }
            }
        });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let opened = JsFuture::from(done).await;
    request.set_onupgradeneeded(None);
    opened.map_err(|e| {
        let detail = request
            .error()
            .ok()
            .flatten()
            .map(|d| d.message())
            .unwrap_or_else(|| format!("{e:?}"));
        StorageError(format!("the local database could not be opened: {detail}"))
    })?;
    let db: IdbDatabase = request.result().map_err(js)?.unchecked_into();
    db.close();
    Ok(())
}

fn upgrade_request(request: &IdbOpenDbRequest, old: u32) -> std::result::Result<(), JsValue> {
    let db: IdbDatabase = request.result()?.unchecked_into();
    let tx = request
        .transaction()
        .ok_or_else(|| JsValue::from_str("no version-change transaction"))?;
    upgrade(&db, &tx, old)
}

/// Every schema step after `old`, in order, in the version-change transaction `tx`.
fn upgrade(db: &IdbDatabase, tx: &IdbTransaction, old: u32) -> std::result::Result<(), JsValue> {
    let create = |name: &str, key: &str| -> std::result::Result<IdbObjectStore, JsValue> {
        let params = IdbObjectStoreParameters::new();
        params.set_key_path(&JsValue::from_str(key));
        db.create_object_store_with_optional_parameters(name, &params)
    };
    if old < 1 {
        for (name, key) in [
            (CUSTOMERS, "id"),
            (VISITS, "id"),
            (USERS, "id"),
            (OUTBOX, "seq"),
            (REJECTED, "seq"),
            (META, "key"),
        ] {
            create(name, key)?;
        }
    }
    if old < 2 {
        // Records stored before keep their signature in `visits`, and are read as they are.
        create(SIGNED, "id")?;
    }
    if old < 3 {
        // Customers stored before carried their complaints inside (now records of their own):
        // the store starts empty, and the new cursor key (`meta::CURSOR`) pulls everything
        // again. Visits stay (create-only, and unsynced ones are among them), so does the
        // outbox, the device id and its seq.
        if old >= 1 {
            db.delete_object_store(CUSTOMERS)?;
            create(CUSTOMERS, "id")?;
        }
        for name in [EVENTS, COMPLAINTS, ISSUES, REVIEWS, VERSIONS] {
            create(name, "id")?;
        }
    }
    if old < 4 {
        // Records already stored are indexed by the browser as part of this step.
        let params = IdbIndexParameters::new();
        params.set_unique(false);
        for name in OF_A_CUSTOMER {
            tx.object_store(name)?
                .create_index_with_str_and_optional_parameters(
                    BY_CUSTOMER,
                    "customer_id",
                    &params,
                )?;
        }
    }
    if old < 5 {
        // Keyed by customer id, values are bytes. Built from the records at the first read
        // (`digests::Storage::digests`): nothing to copy here.
        db.create_object_store(DIGESTS)?;
    }
    Ok(())
}
