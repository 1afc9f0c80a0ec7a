//! The server half of sync: push applies a device's outbox exactly once, pull serves changes,
//! and what sync refused or found conflicting is kept for the desk.
//!
//! Push: one transaction per request; each mutation is decoded on its own (one that cannot be
//! read is refused alone and kept verbatim); `seq <= last_seq` is a duplicate and skipped —
//! unless its content differs from what was applied under that seq, which is refused as a
//! conflict and kept —, `seq == last_seq + 1` is applied (or refused for good, and kept), a
//! gap stops the batch, and so does a record naming photos the server does not hold yet (the
//! device uploads them and pushes again). The new `last_seq` is stored in the same
//! transaction. Pull: rows with `version > cursor`, in version order, scoped to what the user
//! may see, cut by count and by bytes; removals for customers that left a technician's scope;
//! `reset_required` when the cursor is older than what can be answered incrementally.

mod apply;
mod kept;
mod pull;
mod push;

use axum::{
    Router,
    routing::{get, post},
};

pub use kept::kept_rejections;

use crate::AppState;

/// Bytes of refused mutations an organisation keeps verbatim; past it, a refusal is kept
/// without its body (the device still holds its copy).
pub const REJECTED_QUOTA_BYTES: i64 = 256 * 1024 * 1024;
/// Unresolved edit conflicts an organisation keeps; past it, new ones are logged only.
pub const CONFLICT_QUOTA: i64 = 50_000;

/// The sync routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push::push))
        .route("/sync/pull", get(pull::pull))
        .route("/sync/rejected", get(kept::rejected))
        .route("/sync/conflicts", get(kept::conflicts))
        .route("/sync/conflicts/{id}/resolve", post(kept::resolve))
}
