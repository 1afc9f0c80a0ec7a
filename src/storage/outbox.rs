//! The `outbox` and `rejected` stores: local changes waiting for the server, and those it refused.

use indexed_db_futures::{KeyRange, prelude::*, transaction::Transaction};
use revisit_domain::wire::{MutationOp, RejectCode, RejectedMutation};
use serde::{Deserialize, Serialize};

use super::{OUTBOX, REJECTED, Result, Storage, meta};

/// Queues `op` in the outbox of `tx` (which covers [`OUTBOX`] and `META`) under the next
/// seq, and returns it: the caller writes the record itself in the same transaction.
pub(crate) async fn queue_in(tx: &Transaction<'_>, op: MutationOp) -> Result<u64> {
    let seq = meta::get_in::<u64>(tx, meta::LAST_SEQ).await?.unwrap_or(0) + 1;
    tx.object_store(OUTBOX)?
        .add(OutboxEntry {
            seq,
            op,
            error: None,
            code: None,
        })
        .serde()?;
    meta::put_in(tx, meta::LAST_SEQ, &seq)?;
    Ok(seq)
}

/// A change made on this device, numbered in the order it was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Per-device sequence number (1, 2, …), written with the change itself.
    pub seq: u64,
    /// The change.
    pub op: MutationOp,
    /// The server's words on why it refused it (only in the `rejected` store).
    pub error: Option<String>,
    /// Why the server refused it, shown in the user's language (entries refused before this
    /// field existed have only `error`).
    #[serde(default)]
    pub code: Option<RejectCode>,
}

impl Storage {
    /// Outbox entries, oldest first, at most `limit`.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        let tx = self.read(&[OUTBOX])?;
        let all: Vec<OutboxEntry> = tx
            .object_store(OUTBOX)?
            .get_all()
            .with_limit(limit)
            .serde()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(all)
    }

    /// How many changes wait to sync.
    pub async fn outbox_len(&self) -> Result<u32> {
        let tx = self.read(&[OUTBOX])?;
        Ok(tx.object_store(OUTBOX)?.count().primitive()?.await?)
    }

    /// Mutations the server refused for good, kept verbatim with the reason.
    pub async fn rejected(&self) -> Result<Vec<OutboxEntry>> {
        self.all(REJECTED).await
    }

    /// After a push reply: moves refused entries to `rejected` and drops entries up to
    /// `last_applied_seq`, in one transaction.
    pub async fn acknowledge(
        &self,
        last_applied_seq: u64,
        rejected: &[RejectedMutation],
    ) -> Result<()> {
        let tx = self.write(&[OUTBOX, REJECTED])?;
        let outbox = tx.object_store(OUTBOX)?;
        for r in rejected {
            let entry: Option<OutboxEntry> = outbox.get(r.seq as f64).serde()?.await?;
            if let Some(mut entry) = entry {
                entry.error = Some(r.message.clone());
                entry.code = Some(r.code);
                tx.object_store(REJECTED)?.put(entry).serde()?;
            }
        }
        if last_applied_seq > 0 {
            outbox
                .delete::<f64, KeyRange<f64>>(KeyRange::Bound(
                    0.0,
                    false,
                    last_applied_seq as f64,
                    false,
                ))
                .primitive()?;
        }
        tx.commit().await?;
        Ok(())
    }
}
