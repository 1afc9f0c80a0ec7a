//! The `visits` store: visit records made here or pulled; saving one also queues it for sync.

use indexed_db_futures::prelude::*;
use revisit_domain::{VisitRecord, wire::MutationOp};

use super::{META, OUTBOX, Result, Storage, StorageError, VISITS, meta, outbox::OutboxEntry};

impl Storage {
    /// Saves a new, sealed visit and its outbox entry in one transaction; returns its seq.
    ///
    /// A visit is create-only: saving an id that already exists fails and changes nothing.
    pub async fn save_visit(&self, visit: &VisitRecord) -> Result<u64> {
        visit.validate().map_err(|e| StorageError(e.to_string()))?;
        let tx = self.write(&[VISITS, OUTBOX, META])?;
        let seq = meta::get_in::<u64>(&tx, meta::LAST_SEQ).await?.unwrap_or(0) + 1;
        // `add`, not `put`: an existing record (and its signature) is never overwritten.
        tx.object_store(VISITS)?.add(visit).serde()?;
        tx.object_store(OUTBOX)?
            .add(OutboxEntry {
                seq,
                op: MutationOp::CreateVisit(visit.clone()),
                error: None,
            })
            .serde()?;
        meta::put_in(&tx, meta::LAST_SEQ, &seq)?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Every stored visit.
    pub async fn visits(&self) -> Result<Vec<VisitRecord>> {
        self.all(VISITS).await
    }
}
