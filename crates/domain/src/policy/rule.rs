//! One follow-up rule (回访规则): what starts it, its window, channel, level, recurrence and conditions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{offset::Offset, trigger::CustomerFacts, trigger::Trigger};
use crate::visit::Channel;

/// Who makes the visit (000 §O). 回访级别
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitLevel {
    /// 一级回访: the customer specialist (客户专员).
    Specialist,
    /// 二级回访: the customer-service manager's spot check (客服经理).
    Manager,
    /// 三级回访: the director (总监).
    Director,
}

impl VisitLevel {
    /// `1`, `2` or `3` as written in policy files.
    pub fn from_number(n: u8) -> Option<VisitLevel> {
        match n {
            1 => Some(VisitLevel::Specialist),
            2 => Some(VisitLevel::Manager),
            3 => Some(VisitLevel::Director),
            _ => None,
        }
    }

    /// 一级 / 二级 / 三级.
    pub fn zh(self) -> &'static str {
        match self {
            VisitLevel::Specialist => "一级回访",
            VisitLevel::Manager => "二级回访",
            VisitLevel::Director => "三级回访",
        }
    }
}

/// What starts a rule: an event, or the completion of another rule's visit. 起算点
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleStart {
    /// A lifecycle event of the customer.
    Event(Trigger),
    /// A visit that satisfied the named rule's item (sequences such as 000 §A's cadence).
    After(String),
}

/// Warranty status at the trigger. 保修状态
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyStatus {
    /// 保修期内
    In,
    /// 保修期外
    Out,
}

/// When a rule applies; empty lists mean "any". 适用条件
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Condition {
    /// Customer tiers (客户等级).
    pub tier: Vec<String>,
    /// Product categories (产品类别).
    pub category: Vec<String>,
    /// Warranty status on the start date and on each item's due date: a repeating rule
    /// `warranty = "in"` stops owing visits when the warranty ends.
    pub warranty: Option<WarrantyStatus>,
    /// Channel of the visit that triggered the rule (for `poor_outcome` and `after` rules).
    pub channel: Vec<Channel>,
    /// The customer carries at least one of these tags.
    pub tag: Vec<String>,
    /// The customer carries none of these tags (e.g. `dislikes_calls`: fewer calls, 002 §13).
    pub without_tag: Vec<String>,
}

impl Condition {
    /// Whether a customer, on `on`, reached through `via` (if a visit triggered), qualifies.
    pub fn holds(&self, c: &CustomerFacts, on: NaiveDate, via: Option<Channel>) -> bool {
        (self.tier.is_empty() || self.tier.contains(&c.tier))
            && (self.category.is_empty() || self.category.contains(&c.category))
            && self.warranty_holds(c, on)
            && (self.channel.is_empty() || via.is_some_and(|v| self.channel.contains(&v)))
            && (self.tag.is_empty() || self.tag.iter().any(|t| c.tags.contains(t)))
            && !self.without_tag.iter().any(|t| c.tags.contains(t))
    }

    /// Whether the warranty condition (if any) holds for the customer on `on`.
    pub fn warranty_holds(&self, c: &CustomerFacts, on: NaiveDate) -> bool {
        match self.warranty {
            None => true,
            Some(w) => {
                let inside = c.warranty_until.is_some_and(|end| on <= end);
                (w == WarrantyStatus::In) == inside
            }
        }
    }
}

/// A validated follow-up rule. 回访规则
///
/// Its items' windows are half-open, `[opens, closes)`: a window opening where another closes
/// shares no instant with it. See the profile format (`profiles/README.md`) for how offsets
/// are counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpRule {
    /// The rule's name, unique in its profile (e.g. `维修回访-48h`).
    pub id: String,
    /// What starts it.
    pub start: RuleStart,
    /// The visit kind (回访类型), e.g. `first`, `repair`, `complaint`.
    pub kind: String,
    /// Required channel, if any (a visit by another channel does not satisfy the item).
    pub channel: Option<Channel>,
    /// Who visits.
    pub level: VisitLevel,
    /// The window opens this long after the start (unless `window` is set).
    pub earliest: Offset,
    /// The window opens this long before the due time instead ("at 3 months": the weeks
    /// before it), in hours, days or weeks.
    pub window: Option<Offset>,
    /// The visit is due this long after the start.
    pub due: Offset,
    /// After this the item is overdue (at least `due`).
    pub deadline: Offset,
    /// Repeat on a fixed grid from the start every this long (same unit as `due`).
    pub every: Option<Offset>,
    /// Last due offset of the grid (same unit as `due`); without it the horizon bounds the grid.
    pub until: Option<Offset>,
    /// After a visit satisfies this rule's item, a new item follows from that visit.
    pub repeat_after_done: bool,
    /// A visit answering this rule's item may also answer other items whose rules share
    /// visits too (one call covering two steps, when the policy allows it). Off: one visit,
    /// one item.
    pub shares_visit: bool,
    /// Events that withdraw the rule's items not yet answered when they happen after the start
    /// (002 §10: a customer back in the workshop is no longer lost; 002 §13: weekly calls until
    /// the caller visits).
    pub cancelled_by: Vec<Trigger>,
    /// When the rule applies.
    pub when: Condition,
    /// Higher comes first among items of the same status (complaints).
    pub priority: i32,
    /// Where the rule comes from (e.g. `000 §P`).
    pub source: String,
}
