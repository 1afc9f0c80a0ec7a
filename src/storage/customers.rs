//! The `customers` store: the customers this user may see, as last pulled.

use indexed_db_futures::prelude::*;
use revisit_domain::{Customer, CustomerId};

use super::{CUSTOMERS, Result, Storage};

impl Storage {
    /// Every stored customer.
    pub async fn customers(&self) -> Result<Vec<Customer>> {
        self.all(CUSTOMERS).await
    }

    /// One customer by id.
    pub async fn customer(&self, id: CustomerId) -> Result<Option<Customer>> {
        let tx = self.read(&[CUSTOMERS])?;
        Ok(tx
            .object_store(CUSTOMERS)?
            .get(id.to_string())
            .serde()?
            .await?)
    }
}
