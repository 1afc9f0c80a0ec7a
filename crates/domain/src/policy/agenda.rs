//! The engine's output (回访日程): explained items in priority order, and customers whose data needs fixing.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{
    engine::due_offset,
    offset::{LocalSecs, Offset, datetime},
    profile::PolicyProfile,
    rule::{FollowUpRule, VisitLevel},
    trigger::Trigger,
};
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
    /// Every status, in agenda order.
    pub const ALL: [ItemStatus; 5] = [
        ItemStatus::Overdue,
        ItemStatus::Due,
        ItemStatus::Upcoming,
        ItemStatus::Done,
        ItemStatus::DoneLate,
    ];

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

    /// The status in English.
    pub fn en(self) -> &'static str {
        match self {
            ItemStatus::Overdue => "overdue",
            ItemStatus::Due => "due",
            ItemStatus::Upcoming => "upcoming",
            ItemStatus::Done => "done",
            ItemStatus::DoneLate => "done late",
        }
    }

    /// Whether a visit satisfied the item.
    pub fn is_done(self) -> bool {
        matches!(self, ItemStatus::Done | ItemStatus::DoneLate)
    }
}

/// Why an item exists: its starting point and the offset applied. 依据
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
/// priority (complaints) first, then VIP, then the earlier due time; ties keep input order
/// (customers as given, a customer's rules in file order).
///
/// Compact on purpose (an agenda of 50,000 customers holds hundreds of thousands, and the
/// engine sorts these very records into agenda order): the rule's fixed facts (name, kind,
/// channel, level, priority, source, policy) are read through the profile, and the times and
/// the explanation are kept as the engine computed them and made readable by the accessors
/// below, for the items a page shows; both are serialized as fields.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AgendaEntry<'p> {
    /// The customer to visit.
    pub customer_id: CustomerId,
    /// The policy the rule belongs to.
    pub profile: &'p PolicyProfile,
    /// When the rule's start happened (the event, or the visit a sequence follows).
    pub(super) start: LocalSecs,
    pub(super) earliest: LocalSecs,
    pub(super) due: LocalSecs,
    pub(super) deadline: LocalSecs,
    /// When the satisfying visit was made (0 when none did).
    pub(super) done_at: LocalSecs,
    pub(super) done_visit: Option<VisitId>,
    /// The customer's position in the engine input's customers (and so in the records it
    /// was made from by `EngineInput::from_records`), for callers to find the rest of the
    /// customer without a search.
    pub customer_index: u32,
    pub(super) occurrence: u32,
    /// The rule's index in the profile (see [`AgendaEntry::follow_up_rule`]).
    pub rule_index: u16,
    /// The rule whose visit started this one, for sequences.
    pub(super) after: Option<u16>,
    /// The agenda order's class (status, rule priority, VIP), numbered by the engine.
    pub(super) class: u16,
    pub(super) trigger: Option<Trigger>,
    /// Status at "now".
    pub status: ItemStatus,
    /// Whether the customer is VIP.
    pub vip: bool,
    /// Whether the customer's number was unreachable (空号/错号) at the last attempt.
    pub needs_data_correction: bool,
}

impl<'p> AgendaEntry<'p> {
    /// A visit from this instant counts (China local time).
    pub fn earliest(&self) -> NaiveDateTime {
        datetime(self.earliest)
    }

    /// The visit is due by this instant.
    pub fn due(&self) -> NaiveDateTime {
        datetime(self.due)
    }

    /// After this instant the item is overdue; a later visit counts as done late.
    pub fn deadline(&self) -> NaiveDateTime {
        datetime(self.deadline)
    }

    /// The visit that satisfied the item, and when.
    pub fn done_by(&self) -> Option<(VisitId, NaiveDateTime)> {
        self.done_visit.map(|id| (id, datetime(self.done_at)))
    }

    /// Why the item exists.
    pub fn because(&self) -> Because<'p> {
        Because {
            trigger: self.trigger,
            after_rule: self
                .after
                .map(|r| self.profile.rules[usize::from(r)].id.as_str()),
            at: datetime(self.start),
            offset: due_offset(self.follow_up_rule(), self.occurrence),
            occurrence: self.occurrence,
        }
    }

    /// The rule that owes this visit.
    pub fn follow_up_rule(&self) -> &'p FollowUpRule {
        &self.profile.rules[usize::from(self.rule_index)]
    }

    /// The rule's name (e.g. `维修回访-48h`).
    pub fn rule(&self) -> &'p str {
        &self.follow_up_rule().id
    }

    /// The policy profile's name.
    pub fn policy(&self) -> &'p str {
        &self.profile.name
    }

    /// Where the rule comes from in the policies (e.g. `000 §P`).
    pub fn source(&self) -> &'p str {
        &self.follow_up_rule().source
    }

    /// Visit kind (回访类型).
    pub fn kind(&self) -> &'p str {
        &self.follow_up_rule().kind
    }

    /// Required channel, if any.
    pub fn channel(&self) -> Option<Channel> {
        self.follow_up_rule().channel
    }

    /// Who visits (一级/二级/三级).
    pub fn level(&self) -> VisitLevel {
        self.follow_up_rule().level
    }

    /// Rule priority (complaints high).
    pub fn priority(&self) -> i32 {
        self.follow_up_rule().priority
    }
}

impl std::fmt::Debug for AgendaEntry<'_> {
    /// Names the rule instead of printing the whole profile.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgendaEntry")
            .field("customer_id", &self.customer_id)
            .field("rule", &self.rule())
            .field("status", &self.status)
            .field("earliest", &self.earliest())
            .field("due", &self.due())
            .field("deadline", &self.deadline())
            .field("done_by", &self.done_by())
            .field("vip", &self.vip)
            .field("needs_data_correction", &self.needs_data_correction)
            .field("because", &self.because())
            .finish()
    }
}

impl Serialize for AgendaEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            customer_id: CustomerId,
            rule: &'a str,
            policy: &'a str,
            source: &'a str,
            kind: &'a str,
            channel: Option<Channel>,
            level: VisitLevel,
            earliest: NaiveDateTime,
            due: NaiveDateTime,
            deadline: NaiveDateTime,
            status: ItemStatus,
            done_by: Option<(VisitId, NaiveDateTime)>,
            priority: i32,
            vip: bool,
            needs_data_correction: bool,
            because: Because<'a>,
        }
        Json {
            customer_id: self.customer_id,
            rule: self.rule(),
            policy: self.policy(),
            source: self.source(),
            kind: self.kind(),
            channel: self.channel(),
            level: self.level(),
            earliest: self.earliest(),
            due: self.due(),
            deadline: self.deadline(),
            status: self.status,
            done_by: self.done_by(),
            priority: self.priority(),
            vip: self.vip,
            needs_data_correction: self.needs_data_correction,
            because: self.because(),
        }
        .serialize(s)
    }
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
