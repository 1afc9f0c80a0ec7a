//! Revisit's domain: the model, the follow-up rules, the KPI formulas and the sync wire types.
//!
//! Pure Rust shared by the browser client and the server. It does no IO and no async:
//! "now" and new ids always come in as arguments, so every result is deterministic.
#![warn(missing_docs)]

pub mod customer;
pub mod ids;
pub mod kpi;
pub mod order;
pub mod policy;
pub mod schedule;
pub mod time;
pub mod visit;
pub mod wire;

pub use customer::{Complaint, Customer, Tier};
pub use ids::{CustomerId, DeviceId, OrgId, UserId, VisitId};
pub use visit::{Channel, Reach, Satisfaction, Signature, VisitRecord, VisitValidationError};
