//! The stores of records pulled beside customers and visits (events, complaints, open issues,
//! reviews) and the server version of each editable record.

use indexed_db_futures::prelude::*;
use revisit_domain::{
    CustomerId, complaint::Complaint, event::CustomerEvent, issue::OpenIssue, review::VisitReview,
};
use serde::{Deserialize, Serialize};

use revisit_domain::wire::{Entity, MutationOp};

use super::{
    COMPLAINTS, EVENTS, ISSUES, META, OUTBOX, PULLED, REVIEWS, Result, Storage, StorageError,
    USERS, VERSIONS,
    changes::put_entity,
    digests::{self, Touch},
    outbox::queue_in,
};

/// A record's server version, as [`VERSIONS`] keeps it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Version {
    /// The record's id.
    pub id: String,
    /// Its server version when last pulled.
    pub version: u64,
}

impl Storage {
    /// Every stored lifecycle event.
    pub async fn events(&self) -> Result<Vec<CustomerEvent>> {
        self.all(EVENTS).await
    }

    /// Every stored complaint.
    pub async fn complaints(&self) -> Result<Vec<Complaint>> {
        self.all(COMPLAINTS).await
    }

    /// Every stored open issue.
    pub async fn issues(&self) -> Result<Vec<OpenIssue>> {
        self.all(ISSUES).await
    }

    /// Every stored review.
    pub async fn reviews(&self) -> Result<Vec<VisitReview>> {
        self.all(REVIEWS).await
    }

    /// The complaints of one customer, oldest first.
    pub async fn complaints_of(&self, customer: CustomerId) -> Result<Vec<Complaint>> {
        let mut list: Vec<Complaint> = self.of_customer(COMPLAINTS, customer).await?;
        list.sort_by_key(|c| c.received_at);
        Ok(list)
    }

    /// The lifecycle events of one customer.
    pub async fn events_of(&self, customer: CustomerId) -> Result<Vec<CustomerEvent>> {
        self.of_customer(EVENTS, customer).await
    }

    /// The server version of the record `id` as last pulled; 0 for one the server has not
    /// sent (an edit from 0 creates it).
    pub async fn version(&self, id: &str) -> Result<u64> {
        let tx = self.read(&[VERSIONS])?;
        let v: Option<Version> = tx.object_store(VERSIONS)?.get(id).serde()?.await?;
        Ok(v.map_or(0, |v| v.version))
    }

    /// Saves a change made here: `op` into the outbox and `local` (the record as it stands
    /// after the change, merged by the domain's code) into its store, in one transaction, so
    /// the screens show it at once and it reaches the server at the next sync. Returns its seq.
    pub async fn save_edit(&self, op: MutationOp, local: &Entity) -> Result<u64> {
        let seqs = self.save_edits(vec![(op, local.clone())]).await?;
        seqs.first()
            .copied()
            .ok_or_else(|| StorageError("nothing was saved".into()))
    }

    /// Saves many changes made here (an import, a reassignment of many customers) as
    /// [`Storage::save_edit`] saves one, all in one transaction: all of them or none. Returns
    /// their seqs, in order.
    pub async fn save_edits(&self, edits: Vec<(MutationOp, Entity)>) -> Result<Vec<u64>> {
        if edits
            .iter()
            .any(|(op, local)| local.kind() != Some(op.kind()) || matches!(local, Entity::Visit(_)))
        {
            return Err(StorageError(
                "a change is saved with a record of its own kind (visits: save_visit)".into(),
            ));
        }
        let mut stores = PULLED.to_vec();
        stores.extend([USERS, META, OUTBOX]);
        let tx = self.write(&stores)?;
        let mut seqs = Vec::with_capacity(edits.len());
        for (op, local) in &edits {
            put_entity(&tx, local, None).await?;
            seqs.push(queue_in(&tx, op.clone()).await?);
        }
        let touches: Vec<Touch<'_>> = edits.iter().filter_map(|(_, l)| Touch::of(l)).collect();
        digests::patch_in(&tx, &touches).await?;
        tx.commit().await?;
        Ok(seqs)
    }
}
