//! The follow-up policy engine (回访策略引擎): scheduling rules as data, evaluated against
//! customers, events, visits and "now" into an explained, ordered agenda.
//!
//! A [`PolicyProfile`] is validated from its raw form, a [`ProfileSpec`]: read from TOML
//! (feature `toml`; the shipped ones are embedded, see `builtin`) or received by sync as
//! JSON, and run by [`agenda()`] with a [`WorkCalendar`] (raw form [`CalendarSpec`]). An
//! organisation's pair of them is an [`OrgPolicy`]. Nothing here does IO.

pub mod agenda;
pub mod calendar;
pub mod calendar_year;
pub mod diff;
pub mod engine;
pub mod error;
pub mod explain;
pub mod item_key;
pub mod offset;
pub mod org;
pub mod profile;
pub mod rule;
#[doc(hidden)]
pub mod synthetic;
pub mod targets;
pub mod trigger;

pub use agenda::{Agenda, AgendaEntry, ItemStatus};
pub use calendar::{CalendarSpec, WorkCalendar};
pub use calendar_year::{CalendarYearProblem, DayList, days_text, parse_days, year_entry};
pub use diff::{Change, ItemChange, PolicyDiff, diff};
pub use engine::{EngineInput, Horizon, PreparedInput, agenda, open_agenda};
pub use error::PolicyError;
pub use explain::Lang;
pub use item_key::ItemKey;
pub use offset::{Offset, OffsetUnit};
pub use org::OrgPolicy;
#[cfg(feature = "toml")]
pub use profile::{BUILTIN_PROFILES, builtin, builtin_description, builtin_spec};
pub use profile::{CallTime, ConditionSpec, PolicyProfile, ProfileSpec, RuleSpec};
pub use rule::{Condition, FollowUpRule, RuleStart, VisitLevel, WarrantyStatus};
pub use targets::{Targets, TargetsSpec};
pub use trigger::{
    CustomerFacts, LifecycleEvent, NotCompletedReason, Outcome, Trigger, VisitFact, from_customer,
};

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
