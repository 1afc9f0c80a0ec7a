//! Applying a pulled batch: the rows, the new cursor and a new policy are stored in one transaction.

use indexed_db_futures::prelude::*;
use revisit_domain::wire::{Change, Entity, PolicyBundle};

use super::{CUSTOMERS, META, Result, SIGNED, Storage, USERS, VISITS, meta, visits::add_visit};

impl Storage {
    /// Stores pulled changes, the cursor that follows them and the organisation's policy when
    /// the pull carried one (replacing the previous one), all or nothing.
    ///
    /// A pulled visit whose id is already here is left as it is: visits are create-only,
    /// so the stored record (with its signature) is never replaced.
    pub async fn apply_changes(
        &self,
        changes: &[Change],
        cursor: u64,
        policy: Option<&PolicyBundle>,
    ) -> Result<()> {
        let tx = self.write(&[CUSTOMERS, VISITS, SIGNED, USERS, META])?;
        for change in changes {
            match &change.entity {
                Entity::Customer(c) => {
                    tx.object_store(CUSTOMERS)?.put(c).serde()?;
                }
                Entity::Visit(v) => {
                    let existing: Option<revisit_domain::VisitRecord> = tx
                        .object_store(VISITS)?
                        .get(v.id.to_string())
                        .serde()?
                        .await?;
                    if existing.is_none() {
                        add_visit(&tx, v)?;
                    }
                }
                Entity::User(u) => {
                    tx.object_store(USERS)?.put(u).serde()?;
                }
            }
        }
        meta::put_in(&tx, meta::CURSOR, &cursor)?;
        if let Some(policy) = policy {
            meta::put_in(&tx, meta::POLICY, policy)?;
        }
        tx.commit().await?;
        Ok(())
    }
}
