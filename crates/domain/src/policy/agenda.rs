//! The engine's output (回访日程): explained items in priority order, and customers whose data needs fixing.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{offset::Offset, rule::VisitLevel, trigger::Trigger};
use crate::{
    ids::{CustomerId, VisitId},
    visit::Channel,
};

/// Where an item stands at "now", in agenda order. 回访状态
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Past its deadline and not done. 已逾期
    Overdue,
    /// Due now or within the look-ahead. 待回访
    Due,
    /// Due later. 未到期
    Upcoming,
    /// Done inside its window. 已完成
    Done,
    /// Done after its deadline. 逾期完成
    DoneLate,
}

impl ItemStatus {
    /// The status in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            ItemStatus::Overdue => "已逾期",
            ItemStatus::Due => "待回访",
            ItemStatus::Upcoming => "未到期",
            ItemStatus::Done => "已完成",
            ItemStatus::DoneLate => "逾期完成",
        }
    }

    /// Whether a visit satisfied the item.
    pub fn is_done(self) -> bool {
        matches!(self, ItemStatus::Done | ItemStatus::DoneLate)
    }
}

/// Why an item exists: its starting point and the offset applied. 依据
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Because<'p> {
    /// The event that started the rule, when an event did.
    pub trigger: Option<Trigger>,
    /// The rule whose visit started this one, for sequences.
    pub after_rule: Option<&'p str>,
    /// When the start happened, China local time.
    pub at: NaiveDateTime,
    /// The due offset applied to `at`.
    pub offset: Offset,
    /// Which occurrence of a recurring rule (0 for the first).
    pub occurrence: u32,
}

/// One follow-up visit owed under a policy. 回访计划项
///
/// Agenda order: overdue, due, upcoming, done, done late; within a status higher rule
/// priority (complaints) first, then VIP, then the earlier due time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaEntry<'p> {
    /// The customer to visit.
    pub customer_id: CustomerId,
    /// The rule's name.
    pub rule: &'p str,
    /// The policy profile's name.
    pub policy: &'p str,
    /// Where the rule comes from in the policies.
    pub source: &'p str,
    /// Visit kind (回访类型).
    pub kind: &'p str,
    /// Required channel, if any.
    pub channel: Option<Channel>,
    /// Who visits (一级/二级/三级).
    pub level: VisitLevel,
    /// A visit from this instant counts (China local time).
    pub earliest: NaiveDateTime,
    /// The visit is due by this instant.
    pub due: NaiveDateTime,
    /// After this instant the item is overdue; a later visit counts as done late.
    pub deadline: NaiveDateTime,
    /// Status at "now".
    pub status: ItemStatus,
    /// The visit that satisfied the item, and when.
    pub done_by: Option<(VisitId, NaiveDateTime)>,
    /// Rule priority (complaints high).
    pub priority: i32,
    /// Whether the customer is VIP.
    pub vip: bool,
    /// Whether the customer's number was unreachable (空号/错号) at the last attempt.
    pub needs_data_correction: bool,
    /// Why the item exists.
    pub because: Because<'p>,
}

/// The agenda of one policy at one "now". 回访日程
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agenda<'p> {
    /// The policy's name.
    pub policy: &'p str,
    /// Preferred call windows, `HH:MM-HH:MM`, China local time.
    pub call_windows: Vec<String>,
    /// Every item, in agenda order.
    pub items: Vec<AgendaEntry<'p>>,
    /// Customers whose last attempt hit a blank or wrong number (空号/错号), to be corrected.
    pub data_corrections: Vec<CustomerId>,
}
