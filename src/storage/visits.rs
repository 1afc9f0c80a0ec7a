//! The `visits` and `signed` stores: visit records made here or pulled, every one in
//! `visits` without its signature and the signed ones also whole in `signed` (reading every
//! visit for the agenda must not clone every signature); saving a visit also queues it for
//! sync.

use indexed_db_futures::{prelude::*, transaction::Transaction};
use revisit_domain::{CustomerId, VisitRecord, wire::MutationOp};
use serde::Serialize;
use wasm_bindgen::JsCast;

use super::{
    DIGESTS, META, OUTBOX, Result, SIGNED, Storage, StorageError, VISITS,
    digests::{self, Touch},
    of_customer_in,
    outbox::queue_in,
};

/// Adds `visit` to the stores of `tx`: whole to `signed` if it has a signature, and without it
/// to `visits`. `add`, not `put`: an existing record is never overwritten.
pub(crate) fn add_visit(tx: &Transaction<'_>, visit: &VisitRecord) -> Result<()> {
    // Encoded once, as `.serde()` encodes; the unsigned copy is the same object without
    // the signature property.
    let js = visit
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| StorageError(e.to_string()))?;
    if visit.signature.is_some() {
        tx.object_store(SIGNED)?.add(js.clone()).build()?;
        js_sys::Reflect::delete_property(js.unchecked_ref::<js_sys::Object>(), &"signature".into())
            .map_err(|_| StorageError("could not store the visit".into()))?;
    }
    tx.object_store(VISITS)?.add(js).build()?;
    Ok(())
}

impl Storage {
    /// Saves a new, sealed visit and its outbox entry in one transaction; returns its seq.
    ///
    /// A visit is create-only: saving an id that already exists fails and changes nothing.
    pub async fn save_visit(&self, visit: &VisitRecord) -> Result<u64> {
        visit.validate().map_err(|e| StorageError(e.to_string()))?;
        let tx = self.write(&[VISITS, SIGNED, OUTBOX, META, DIGESTS])?;
        add_visit(&tx, visit)?;
        let seq = queue_in(&tx, MutationOp::CreateVisit(visit.clone())).await?;
        digests::patch_in(&tx, &[Touch::Visit(visit)]).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Every stored visit, with its signature when `signatures` (the agenda needs none, and
    /// at ten thousand visits reading the signatures is most of the time).
    pub async fn visits(&self, signatures: bool) -> Result<Vec<VisitRecord>> {
        let mut visits: Vec<VisitRecord> = self.all(VISITS).await?;
        if signatures {
            // Both stores are in the order of the visit's id (as text, which is its order).
            // A visit saved between the two reads is missing here and read whole at the next
            // reload, which its save asks for.
            for signed in self.all::<VisitRecord>(SIGNED).await? {
                if let Ok(n) = visits.binary_search_by_key(&signed.id, |v| v.id) {
                    visits[n] = signed;
                }
            }
        }
        Ok(visits)
    }

    /// The visits of customer `id`, signed ones with their signature, in the order of their
    /// ids: read through the stores' customer index, not every visit on the device.
    pub async fn visits_of(&self, id: CustomerId) -> Result<Vec<VisitRecord>> {
        let tx = self.read(&[VISITS, SIGNED])?;
        let mut visits: Vec<VisitRecord> = of_customer_in(&tx, VISITS, id).await?;
        for signed in of_customer_in::<VisitRecord>(&tx, SIGNED, id).await? {
            if let Ok(n) = visits.binary_search_by_key(&signed.id, |v| v.id) {
                visits[n] = signed;
            }
        }
        Ok(visits)
    }
}
