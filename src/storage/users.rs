//! The `users` store: the public cards of the organisation's users, to name technicians offline.

use indexed_db_futures::prelude::*;
use revisit_domain::wire::UserCard;

use super::{Result, Storage, USERS};

impl Storage {
    /// Every stored user card.
    pub async fn users(&self) -> Result<Vec<UserCard>> {
        let tx = self.read(&[USERS])?;
        let all: Vec<UserCard> = tx
            .object_store(USERS)?
            .get_all()
            .serde()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        Ok(all)
    }
}
