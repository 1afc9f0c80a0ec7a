//! Reusable views; they render and dispatch, and never touch storage or the network themselves.

pub mod choice;
pub mod header;
pub mod signature_pad;
pub mod status_bar;
pub mod visit_card;
