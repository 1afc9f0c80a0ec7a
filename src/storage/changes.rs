//! Applying a pulled batch: the rows, the new cursor and a new policy are stored in one
//! transaction; a removal drops a customer that left this user's scope; a reset drops every
//! pulled record before pulling again from the start.

use std::collections::HashSet;

use indexed_db_futures::{prelude::*, transaction::Transaction};
use revisit_domain::{
    CustomerId,
    wire::{Change, Entity, PolicyBundle},
};

use super::{
    BY_CUSTOMER, COMPLAINTS, CUSTOMERS, EVENTS, ISSUES, META, OUTBOX, PULLED, REVIEWS, Result,
    SIGNED, Storage, USERS, VERSIONS, VISITS,
    digests::{self, Touch},
    meta,
    outbox::OutboxEntry,
    records::Version,
    visits::add_visit,
};

impl Storage {
    /// Stores pulled changes, the cursor that follows them and the organisation's policy when
    /// the pull carried one (replacing the previous one), all or nothing.
    ///
    /// A pulled visit or review whose id is already here is left as it is: they are
    /// create-only, so the stored record (with its signature) is never replaced. Editable
    /// records are replaced by the server's merged copy, and their version kept for the next
    /// edit made here.
    pub async fn apply_changes(
        &self,
        changes: &[Change],
        cursor: u64,
        policy: Option<&PolicyBundle>,
    ) -> Result<()> {
        let mut stores = PULLED.to_vec();
        stores.extend([USERS, META, OUTBOX]);
        let tx = self.write(&stores)?;
        let mut present = created_already_here(&tx, changes).await?;
        let touches: Vec<Touch<'_>> = changes
            .iter()
            .filter_map(|c| Touch::of(&c.entity))
            .collect();
        let mut pending: Option<HashSet<String>> = None;
        for change in changes {
            match &change.entity {
                Entity::Removed(removal) => {
                    if pending.is_none() {
                        pending = Some(outbox_records(&tx).await?);
                    }
                    let keep = pending.as_ref().expect("read above");
                    remove_customer(&tx, removal.customer_id, keep).await?;
                }
                // Create-only: one already here is left as it is (with its signature).
                Entity::Visit(v) => {
                    if present.insert(v.id.to_string()) {
                        add_visit(&tx, v)?;
                    }
                }
                Entity::Review(r) => {
                    if present.insert(r.id.to_string()) {
                        tx.object_store(REVIEWS)?.add(r).serde()?;
                    }
                }
                entity => put_entity(&tx, entity, Some(change.version)).await?,
            }
        }
        digests::patch_in(&tx, &touches).await?;
        meta::put_in(&tx, meta::CURSOR, &cursor)?;
        if let Some(policy) = policy {
            meta::put_in(&tx, meta::POLICY, policy)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops every pulled record except those still waiting in the outbox, and the cursor, so
    /// the next pull starts from the beginning (the server asked: this user's scope changed
    /// wholesale). The policy, the session, the device and its outbox stay.
    pub async fn reset_pulled(&self) -> Result<()> {
        let mut stores = PULLED.to_vec();
        stores.extend([USERS, META, OUTBOX]);
        let tx = self.write(&stores)?;
        let keep = outbox_records(&tx).await?;
        for store in PULLED.into_iter().chain([USERS]) {
            let keys: Vec<String> = tx
                .object_store(store)?
                .get_all_keys()
                .serde()?
                .await?
                .collect::<std::result::Result<_, _>>()?;
            for key in keys.into_iter().filter(|k| !keep.contains(k)) {
                tx.object_store(store)?.delete(key).primitive()?;
            }
        }
        meta::put_in(&tx, meta::CURSOR, &0u64)?;
        digests::invalidate_in(&tx)?;
        tx.commit().await?;
        Ok(())
    }
}

/// Stores `entity` in its store within `tx`; with `version` (pulled), also the version an edit
/// made here starts from. A visit or a review already here is left as it is (create-only: the
/// stored record, with its signature, is never replaced).
pub(crate) async fn put_entity(
    tx: &Transaction<'_>,
    entity: &Entity,
    version: Option<u64>,
) -> Result<()> {
    let versioned = |id: String| -> Result<()> {
        if let Some(version) = version {
            tx.object_store(VERSIONS)?
                .put(Version { id, version })
                .serde()?;
        }
        Ok(())
    };
    match entity {
        Entity::Customer(c) => {
            tx.object_store(CUSTOMERS)?.put(c).serde()?;
            versioned(c.id.to_string())?;
        }
        Entity::Visit(v) => {
            let existing: Option<revisit_domain::VisitRecord> = tx
                .object_store(VISITS)?
                .get(v.id.to_string())
                .serde()?
                .await?;
            if existing.is_none() {
                add_visit(tx, v)?;
            }
        }
        Entity::User(u) => {
            tx.object_store(USERS)?.put(u).serde()?;
        }
        Entity::Event(e) => {
            tx.object_store(EVENTS)?.put(e).serde()?;
        }
        Entity::Complaint(c) => {
            tx.object_store(COMPLAINTS)?.put(c).serde()?;
            versioned(c.id.to_string())?;
        }
        Entity::Issue(i) => {
            tx.object_store(ISSUES)?.put(i).serde()?;
            versioned(i.id.to_string())?;
        }
        Entity::Review(r) => {
            let existing: Option<revisit_domain::review::VisitReview> = tx
                .object_store(REVIEWS)?
                .get(r.id.to_string())
                .serde()?
                .await?;
            if existing.is_none() {
                tx.object_store(REVIEWS)?.put(r).serde()?;
            }
        }
        // Removals are applied by `apply_changes`, which knows the outbox.
        Entity::Removed(_) => {}
    }
    Ok(())
}

/// The ids of the create-only records (visits, reviews) of `changes` already stored: every
/// lookup is a key-only request, all sent before the first is awaited, so a page of a first
/// sync costs one round of lookups rather than one awaited read (and decoding) per record.
async fn created_already_here(tx: &Transaction<'_>, changes: &[Change]) -> Result<HashSet<String>> {
    let mut lookups = Vec::new();
    for change in changes {
        let (store, id) = match &change.entity {
            Entity::Visit(v) => (VISITS, v.id.to_string()),
            Entity::Review(r) => (REVIEWS, r.id.to_string()),
            _ => continue,
        };
        lookups.push(
            tx.object_store(store)?
                .get_key(id)
                .with_key_type::<String>()
                .primitive()?,
        );
    }
    let mut present = HashSet::new();
    for lookup in lookups {
        if let Some(id) = lookup.await? {
            present.insert(id);
        }
    }
    Ok(present)
}

/// The ids of the records the outbox (and so this device) still has to send.
async fn outbox_records(tx: &Transaction<'_>) -> Result<HashSet<String>> {
    let entries: Vec<OutboxEntry> = tx
        .object_store(OUTBOX)?
        .get_all()
        .serde()?
        .await?
        .collect::<std::result::Result<_, _>>()?;
    Ok(entries
        .iter()
        .map(|e| e.op.record_id().to_string())
        .collect())
}

/// Drops customer `id` and its records, except those in `keep` (waiting to be sent: the
/// server still takes a visit made before the customer moved).
async fn remove_customer(
    tx: &Transaction<'_>,
    id: CustomerId,
    keep: &HashSet<String>,
) -> Result<()> {
    let customer = id.to_string();
    tx.object_store(CUSTOMERS)?
        .delete(customer.as_str())
        .primitive()?;
    tx.object_store(VERSIONS)?
        .delete(customer.as_str())
        .primitive()?;
    for store in [VISITS, EVENTS, COMPLAINTS, ISSUES, REVIEWS] {
        let ids: Vec<String> = tx
            .object_store(store)?
            .index(BY_CUSTOMER)?
            .get_all_keys()
            .with_query::<String, _>(customer.clone())
            .serde()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        for id in ids.into_iter().filter(|id| !keep.contains(id)) {
            tx.object_store(store)?.delete(id.as_str()).primitive()?;
            if store == VISITS {
                tx.object_store(SIGNED)?.delete(id.as_str()).primitive()?;
            }
            tx.object_store(VERSIONS)?.delete(id.as_str()).primitive()?;
        }
    }
    Ok(())
}
