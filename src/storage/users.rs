//! The `users` store: the public cards of the organisation's users, to name technicians offline.

use revisit_domain::wire::UserCard;

use super::{Result, Storage, USERS};

impl Storage {
    /// Every stored user card.
    pub async fn users(&self) -> Result<Vec<UserCard>> {
        self.all(USERS).await
    }
}
