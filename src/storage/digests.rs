//! The `digests` store (version 5): one [`CustomerDigest`] per customer, as bytes, keyed by
//! the customer's id. The agenda reads these instead of every customer and visit: a tablet
//! of 10,000 customers and 100,000 visits starts from 10,000 small records.
//!
//! Every transaction that writes a customer's records patches that customer's digest in the
//! same transaction ([`patch_in`]), so the two cannot disagree. A database from before
//! version 5, a reset, or a digest that does not decode is answered by building every digest
//! again from the records ([`Storage::digests`]), once.

use indexed_db_futures::{object_store::ObjectStore, prelude::*, transaction::Transaction};
use js_sys::Uint8Array;
use revisit_domain::{
    Complaint, Customer, CustomerEvent, CustomerId, VisitRecord,
    digest::{CustomerDigest, DigestError},
    wire::Entity,
};
use wasm_bindgen::{JsCast, JsValue};

use super::{COMPLAINTS, CUSTOMERS, DIGESTS, EVENTS, META, Result, Storage, VISITS, all_in, meta};

/// What a write does to a customer's digest.
pub(crate) enum Touch<'a> {
    /// The customer record as it now stands.
    Customer(&'a Customer),
    /// A visit stored (create-only: one already in the digest stays as it is).
    Visit(&'a VisitRecord),
    /// An event stored.
    Event(&'a CustomerEvent),
    /// A complaint stored.
    Complaint(&'a Complaint),
    /// The customer and their records left this device.
    Removed(CustomerId),
}

impl Touch<'_> {
    /// What storing `entity` does to a digest, if anything.
    pub(crate) fn of(entity: &Entity) -> Option<Touch<'_>> {
        Some(match entity {
            Entity::Customer(c) => Touch::Customer(c),
            Entity::Visit(v) => Touch::Visit(v),
            Entity::Event(e) => Touch::Event(e),
            Entity::Complaint(c) => Touch::Complaint(c),
            Entity::Removed(r) => Touch::Removed(r.customer_id),
            Entity::User(_) | Entity::Issue(_) | Entity::Review(_) => return None,
        })
    }

    fn customer_id(&self) -> CustomerId {
        match self {
            Touch::Customer(c) => c.id,
            Touch::Visit(v) => v.customer_id,
            Touch::Event(e) => e.customer_id,
            Touch::Complaint(c) => c.customer_id,
            Touch::Removed(id) => *id,
        }
    }
}

/// Patches the digests of the customers `touches` name, in order, within `tx` (which must
/// include [`DIGESTS`] and [`META`]): one read per customer, all sent before the first is awaited, then one
/// write each. A digest left empty (a removed customer) is deleted.
pub(crate) async fn patch_in(tx: &Transaction<'_>, touches: &[Touch<'_>]) -> Result<()> {
    if touches.is_empty() {
        return Ok(());
    }
    let store = tx.object_store(DIGESTS)?;
    let mut order: Vec<CustomerId> = Vec::new();
    let mut reads = Vec::new();
    for touch in touches {
        let id = touch.customer_id();
        if !order.contains(&id) {
            order.push(id);
            reads.push(store.get::<JsValue, _, _>(id.to_string()).primitive()?);
        }
    }
    let mut digests: Vec<CustomerDigest> = Vec::with_capacity(order.len());
    let mut damaged = false;
    for (id, read) in order.iter().zip(reads) {
        // A digest that does not decode is started again, and every digest is built again
        // from the records at the next read.
        digests.push(match read.await? {
            Some(bytes) => decode(&bytes).unwrap_or_else(|_| {
                damaged = true;
                CustomerDigest::new(*id)
            }),
            None => CustomerDigest::new(*id),
        });
    }
    for touch in touches {
        let id = touch.customer_id();
        let n = order
            .iter()
            .position(|o| *o == id)
            .expect("read above for each customer");
        let d = &mut digests[n];
        match touch {
            Touch::Customer(c) => d.set_customer(c),
            Touch::Visit(v) => {
                d.add_visit(v);
            }
            Touch::Event(e) => d.put_event(e),
            Touch::Complaint(c) => d.put_complaint(c),
            Touch::Removed(id) => *d = CustomerDigest::new(*id),
        }
    }
    for d in &digests {
        if d.customer.is_none()
            && d.visits.is_empty()
            && d.events.is_empty()
            && d.complaints.is_empty()
        {
            store.delete(d.id.to_string()).primitive()?;
        } else {
            put(&store, d)?;
        }
    }
    if damaged {
        invalidate_in(tx)?;
    }
    Ok(())
}

fn put(store: &ObjectStore<'_>, d: &CustomerDigest) -> Result<()> {
    store
        .put(JsValue::from(Uint8Array::from(d.encode().as_slice())))
        .with_key(d.id.to_string())
        .primitive()?;
    Ok(())
}

fn decode(js: &JsValue) -> std::result::Result<CustomerDigest, DigestError> {
    let bytes = js.dyn_ref::<Uint8Array>().ok_or(DigestError)?;
    CustomerDigest::decode(&bytes.to_vec())
}

/// The meta key saying the digests were built from every record (and kept since).
const BUILT: &str = "digests_built";

/// Marks the digests as to be built again from the records at the next read, within `tx`.
pub(crate) fn invalidate_in(tx: &Transaction<'_>) -> Result<()> {
    meta::put_in(tx, BUILT, &false)
}

impl Storage {
    /// Every customer's digest, built from the records first if they were never built here,
    /// were reset, or one of them does not decode.
    pub async fn digests(&self) -> Result<Vec<CustomerDigest>> {
        let tx = self.read(&[DIGESTS, META])?;
        let built: Option<bool> = meta::get_in(&tx, BUILT).await?;
        if built == Some(true) {
            let stored = tx
                .object_store(DIGESTS)?
                .get_all::<JsValue>()
                .primitive()?
                .await?;
            let mut digests = Vec::new();
            for js in stored {
                match decode(&js?) {
                    Ok(d) => digests.push(d),
                    Err(_) => {
                        web_sys::console::warn_1(
                            &"a stored customer digest did not decode: rebuilding them".into(),
                        );
                        return self.rebuild_digests().await;
                    }
                }
            }
            return Ok(digests);
        }
        drop(tx);
        self.rebuild_digests().await
    }

    /// Builds every digest from the records, in one transaction (a write made meanwhile waits
    /// for it, so none is missed), and marks them built.
    pub async fn rebuild_digests(&self) -> Result<Vec<CustomerDigest>> {
        let tx = self.write(&[CUSTOMERS, VISITS, EVENTS, COMPLAINTS, DIGESTS, META])?;
        // Read one after another: a transaction stays open while it has requests to answer.
        let customers: Vec<Customer> = all_in(&tx, CUSTOMERS).await?;
        let visits: Vec<VisitRecord> = all_in(&tx, VISITS).await?;
        let events: Vec<CustomerEvent> = all_in(&tx, EVENTS).await?;
        let complaints: Vec<Complaint> = all_in(&tx, COMPLAINTS).await?;
        // One digest per customer named by any record, in the order of their ids (as a read of
        // the store gives them).
        let mut ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
        ids.extend(visits.iter().map(|v| v.customer_id));
        ids.extend(events.iter().map(|e| e.customer_id));
        ids.extend(complaints.iter().map(|c| c.customer_id));
        ids.sort_unstable();
        ids.dedup();
        let mut digests: Vec<CustomerDigest> =
            ids.iter().map(|id| CustomerDigest::new(*id)).collect();
        let at = |id: CustomerId| {
            ids.binary_search(&id)
                .expect("every record's customer is listed")
        };
        for c in &customers {
            digests[at(c.id)].set_customer(c);
        }
        for v in &visits {
            digests[at(v.customer_id)].add_visit(v);
        }
        for e in &events {
            digests[at(e.customer_id)].put_event(e);
        }
        for c in &complaints {
            digests[at(c.customer_id)].put_complaint(c);
        }
        let store = tx.object_store(DIGESTS)?;
        store.clear()?;
        for d in &digests {
            put(&store, d)?;
        }
        meta::put_in(&tx, BUILT, &true)?;
        tx.commit().await?;
        Ok(digests)
    }
}
