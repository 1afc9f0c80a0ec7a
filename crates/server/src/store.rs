//! The store: every synced record in one table, `records`, and the users behind the cards.
//! Sync, the seed, the import and the command-line tasks all write through these functions,
//! one per kind of write, so a record is stored the same way whoever makes it.

pub mod records;
pub mod users;

pub use records::{Found, Stored};
