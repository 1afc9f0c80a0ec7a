//! The stable name of an agenda item (回访计划项标识): which rule, started when, which repeat.
//!
//! A visit record names the items it answers by these keys ([`VisitFact::answers`]), so the
//! engine counts it for those items and no others. A key does not depend on the calendar, the
//! horizon or "now": the same rule started by the same event (or visit) keeps its key when a
//! holiday year is added or the agenda is evaluated later.
//!
//! [`VisitFact::answers`]: super::VisitFact::answers

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One agenda item's key: the rule's id, the instant its start happened (the lifecycle event,
/// or the visit a sequence or retry follows) and, for a repeating rule, which repeat (0 for
/// the first). 回访计划项标识
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemKey {
    /// The rule's id in its profile (e.g. `首次回访`).
    pub rule: String,
    /// When the rule's start happened, to the second.
    #[serde(with = "crate::time::serde_as::instant")]
    pub start: DateTime<Utc>,
    /// Which repeat of a rule with `every` (0 for the first, and for rules that do not repeat).
    #[serde(default)]
    pub occurrence: u32,
}
