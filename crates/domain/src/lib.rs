//! Revisit's domain: the model, the follow-up rules, the KPI formulas and the sync wire types.
//!
//! Pure Rust shared by the browser client and the server. It does no IO and no async:
//! "now" and new ids always come in as arguments, so every result is deterministic.
#![warn(missing_docs)]

pub mod complaint;
pub mod customer;
pub mod digest;
pub mod edit;
pub mod event;
pub mod ids;
pub mod image;
pub mod import;
pub mod issue;
pub mod kpi;
pub mod order;
pub mod photo;
pub mod policy;
pub mod problem;
pub mod review;
pub mod schedule;
pub mod time;
pub mod validate;
pub mod visit;
pub mod wire;

pub use complaint::{Complaint, ComplaintChange, ComplaintEdit, ComplaintStatus, Severity};
pub use customer::{Customer, CustomerChange, CustomerEdit, Tier};
pub use event::CustomerEvent;
pub use ids::{
    ComplaintId, CustomerId, DeviceId, EventId, IssueId, OrgId, ReviewId, UserId, VisitId,
};
pub use issue::{IssueChange, IssueEdit, IssueStatus, OpenIssue};
pub use photo::PhotoRef;
pub use problem::ProblemCategory;
pub use review::{Verdict, VisitReview};
pub use visit::{Channel, Reach, Satisfaction, Signature, VisitRecord, VisitValidationError};
