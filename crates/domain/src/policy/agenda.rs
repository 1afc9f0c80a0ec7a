//! The engine's output (回访日程): explained items in priority order, and customers whose data needs fixing.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{
    engine::{Clock, due_offset, shown},
    item_key::ItemKey,
    offset::{LocalSecs, Offset, datetime},
    profile::PolicyProfile,
    rule::{FollowUpRule, VisitLevel},
    trigger::{CustomerFacts, Trigger, VisitFact},
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
/// Compact on purpose (an agenda of 50,000 customers holds hundreds of thousands): the customer
/// and the satisfying visit are borrowed from the engine input, the rule's fixed facts (name,
/// kind, channel, level, priority, source, policy) are read through the profile, and the times
/// and the explanation are kept as the engine computed them and made readable by the accessors
/// below, for the items a page shows; all are serialized as fields.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AgendaEntry<'p> {
    /// The customer to visit, as the engine input has them.
    pub customer: &'p CustomerFacts,
    /// The policy the rule belongs to.
    pub profile: &'p PolicyProfile,
    /// When the rule's start happened (the event, or the visit a sequence follows).
    pub(super) start: LocalSecs,
    pub(super) earliest: LocalSecs,
    pub(super) due: LocalSecs,
    pub(super) deadline: LocalSecs,
    /// The visit that satisfied the item, as the engine input has it.
    pub(super) done: Option<&'p VisitFact>,
    /// The customer's position in the engine input's customers (and so in the records it
    /// was made from by `EngineInput::from_records`), for callers to find the rest of the
    /// customer without a search.
    pub customer_index: u32,
    pub(super) occurrence: u32,
    /// The rule's index in the profile (see [`AgendaEntry::follow_up_rule`]).
    pub rule_index: u16,
    /// The rule whose visit started this one, for sequences.
    pub(super) after: Option<u16>,
    pub(super) trigger: Option<Trigger>,
    /// Status at "now".
    pub status: ItemStatus,
    /// Whether the customer is VIP.
    pub vip: bool,
    /// Whether the customer's number was unreachable (空号/错号) at the last attempt.
    pub needs_data_correction: bool,
    /// Whether a visit rescheduled the item (改约): it is due at the agreed time.
    pub rescheduled: bool,
    /// Whether a date of the item was counted in working days through a year whose official
    /// holidays the calendar does not know (超出工作日历): there only weekends were skipped, so
    /// the date may be early by the holidays of that year.
    pub outside_calendar: bool,
}

impl<'p> AgendaEntry<'p> {
    /// A visit from this instant counts (China local time): the window opens here.
    pub fn earliest(&self) -> NaiveDateTime {
        datetime(self.earliest)
    }

    /// The visit is due by this instant, as people read it: for a window in days the last
    /// second of its last day (`2026-11-08 23:59:59`, on time through it), for one in hours
    /// the hour itself (`16:00`, where a visit is already late: windows are half-open).
    pub fn due(&self) -> NaiveDateTime {
        datetime(shown(self.due))
    }

    /// Past this instant (read as [`AgendaEntry::due`]) the item is overdue; a later visit
    /// counts as done late.
    pub fn deadline(&self) -> NaiveDateTime {
        datetime(shown(self.deadline))
    }

    /// The item's stable key: what a visit record names to answer it.
    pub fn key(&self) -> ItemKey {
        ItemKey {
            rule: self.rule().to_owned(),
            start: Clock::china().utc(self.start),
            occurrence: self.occurrence,
        }
    }

    /// The customer's id.
    pub fn customer_id(&self) -> CustomerId {
        self.customer.id
    }

    /// The visit that satisfied the item, and when (China local time).
    pub fn done_by(&self) -> Option<(VisitId, NaiveDateTime)> {
        self.done
            .map(|v| (v.id, datetime(Clock::china().local(v.at))))
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
            .field("customer_id", &self.customer_id())
            .field("rule", &self.rule())
            .field("status", &self.status)
            .field("earliest", &self.earliest())
            .field("due", &self.due())
            .field("deadline", &self.deadline())
            .field("done_by", &self.done_by())
            .field("vip", &self.vip)
            .field("needs_data_correction", &self.needs_data_correction)
            .field("rescheduled", &self.rescheduled)
            .field("outside_calendar", &self.outside_calendar)
            .field("because", &self.because())
            .finish()
    }
}

impl Serialize for AgendaEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            customer_id: CustomerId,
            key: ItemKey,
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
            rescheduled: bool,
            outside_calendar: bool,
            because: Because<'a>,
        }
        Json {
            customer_id: self.customer_id(),
            key: self.key(),
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
            rescheduled: self.rescheduled,
            outside_calendar: self.outside_calendar,
            because: self.because(),
        }
        .serialize(s)
    }
}

/// The agenda of one policy at one "now". 回访日程
///
/// Its items are kept as the engine made them (customer by customer) with their agenda order
/// beside them: ordering costs a sort of positions rather than a move of every item, and each
/// reader takes what it needs: a page the first items in agenda order ([`Agenda::items_from`]),
/// a report every item in any order ([`Agenda::items_unordered`]), a status's count at once
/// ([`Agenda::count`]). Compared, printed and serialized in agenda order.
#[derive(Clone)]
pub struct Agenda<'p> {
    /// The policy's name.
    pub policy: &'p str,
    /// Preferred call windows, `HH:MM-HH:MM`, China local time.
    pub call_windows: Vec<String>,
    /// Every item, in the order the engine made them.
    pub(super) entries: Vec<AgendaEntry<'p>>,
    /// Positions in `entries`, in agenda order.
    pub(super) order: Vec<u32>,
    /// Items of each status (indexed by `ItemStatus as usize`).
    pub(super) counts: [u32; 5],
    /// Customers whose last attempt hit a blank or wrong number (空号/错号), to be corrected.
    pub data_corrections: Vec<CustomerId>,
}

impl<'p> Agenda<'p> {
    /// Every item, in agenda order.
    pub fn items(
        &self,
    ) -> impl ExactSizeIterator<Item = &AgendaEntry<'p>> + DoubleEndedIterator + Clone + '_ {
        self.items_from(0)
    }

    /// The items from the `start`th on, in agenda order (none past the end).
    pub fn items_from(
        &self,
        start: usize,
    ) -> impl ExactSizeIterator<Item = &AgendaEntry<'p>> + DoubleEndedIterator + Clone + '_ {
        let order = self.order.get(start..).unwrap_or_default();
        order.iter().map(|&n| &self.entries[n as usize])
    }

    /// Every item in the order the engine made them (customer by customer), for readers that
    /// count rather than list.
    pub fn items_unordered(&self) -> &[AgendaEntry<'p>] {
        &self.entries
    }

    /// How many items the agenda holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many items have `status`.
    pub fn count(&self, status: ItemStatus) -> usize {
        self.counts[status as usize] as usize
    }
}

impl PartialEq for Agenda<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.policy == other.policy
            && self.call_windows == other.call_windows
            && self.data_corrections == other.data_corrections
            && self.items().eq(other.items())
    }
}

impl Eq for Agenda<'_> {}

impl std::fmt::Debug for Agenda<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agenda")
            .field("policy", &self.policy)
            .field("call_windows", &self.call_windows)
            .field("items", &Items(self))
            .field("data_corrections", &self.data_corrections)
            .finish()
    }
}

impl Serialize for Agenda<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Agenda", 4)?;
        out.serialize_field("policy", self.policy)?;
        out.serialize_field("call_windows", &self.call_windows)?;
        out.serialize_field("items", &Items(self))?;
        out.serialize_field("data_corrections", &self.data_corrections)?;
        out.end()
    }
}

/// An agenda's items in agenda order, as one list.
struct Items<'a, 'p>(&'a Agenda<'p>);

impl std::fmt::Debug for Items<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.items()).finish()
    }
}

impl Serialize for Items<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.items())
    }
}
