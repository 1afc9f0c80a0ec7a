//! The evaluation (回访排程): customers, events and visits under a profile at "now" → an [`Agenda`].

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    agenda::{Agenda, AgendaEntry, Because, ItemStatus},
    calendar::WorkCalendar,
    offset::Offset,
    profile::PolicyProfile,
    rule::{FollowUpRule, RuleStart},
    trigger::{CustomerFacts, LifecycleEvent, Outcome, Trigger, VisitFact, from_customer},
};
use crate::{customer::Customer, time::china, visit::Channel, visit::VisitRecord};

/// Everything the engine reads besides the policy and the clock. 排程输入
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInput {
    /// The customers and their facts.
    pub customers: Vec<CustomerFacts>,
    /// Their lifecycle events, in any order.
    pub events: Vec<LifecycleEvent>,
    /// The visits made, in any order.
    pub visits: Vec<VisitFact>,
}

impl EngineInput {
    /// Today's records as engine input (see [`from_customer`] and [`VisitFact::from`]).
    pub fn from_records(customers: &[Customer], visits: &[VisitRecord]) -> EngineInput {
        let mut input = EngineInput::default();
        for c in customers {
            let (facts, events) = from_customer(c);
            input.customers.push(facts);
            input.events.extend(events);
        }
        input.visits = visits.iter().map(VisitFact::from).collect();
        input
    }
}

/// How far the agenda looks. 排程范围
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Horizon {
    /// No item whose window opens more than this many days after "now" is generated,
    /// so recurring rules stay bounded.
    pub days: u32,
    /// An open item due within this many days of "now" counts as due rather than upcoming.
    pub lookahead_days: u32,
}

impl Default for Horizon {
    fn default() -> Horizon {
        Horizon {
            days: 90,
            lookahead_days: 3,
        }
    }
}

/// The agenda of `profile` at `now`: every item of every customer, explained and ordered.
///
/// Events and visits after `now` are ignored, so the result depends only on the past.
pub fn agenda<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
) -> Agenda<'p> {
    evaluate(profile, calendar, input, now, horizon, true)
}

/// Like [`agenda`] but only the open items (overdue, due, upcoming): what a technician's
/// agenda page shows, without building entries for the visits already made.
pub fn open_agenda<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
) -> Agenda<'p> {
    evaluate(profile, calendar, input, now, horizon, false)
}

fn evaluate<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
    with_done: bool,
) -> Agenda<'p> {
    let now_local = now.with_timezone(&china()).naive_local();
    let until = (now_local.date() + Days::new(u64::from(horizon.days)))
        .and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"));
    let due_soon = now_local + Days::new(u64::from(horizon.lookahead_days));
    let position: HashMap<_, _> = input
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    // Events and visits grouped by customer in two flat sorted arrays (no per-customer vectors).
    let mut all_events: Vec<(usize, Trigger, DateTime<Utc>)> = input
        .events
        .iter()
        .filter(|e| e.at <= now)
        .filter_map(|e| Some((*position.get(&e.customer_id)?, e.kind, e.at)))
        .collect();
    all_events.sort_unstable();
    let mut all_visits: Vec<(usize, &VisitFact)> = input
        .visits
        .iter()
        .filter(|v| v.at <= now)
        .filter_map(|v| Some((*position.get(&v.customer_id)?, v)))
        .collect();
    all_visits.sort_unstable_by_key(|&(i, v)| (i, v.at, v.id));
    let (mut next_event, mut next_visit) = (0, 0);
    let mut evs: Vec<(Trigger, NaiveDateTime, Option<Channel>)> = Vec::new();
    let mut vs: Vec<&VisitFact> = Vec::new();
    let mut out = Agenda {
        policy: &profile.name,
        call_windows: profile
            .call_windows
            .iter()
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .collect(),
        items: Vec::with_capacity(input.customers.len() * 4),
        data_corrections: Vec::new(),
    };
    let mut work = Work::default();
    for (i, facts) in input.customers.iter().enumerate() {
        vs.clear();
        while next_visit < all_visits.len() && all_visits[next_visit].0 == i {
            vs.push(all_visits[next_visit].1);
            next_visit += 1;
        }
        evs.clear();
        while next_event < all_events.len() && all_events[next_event].0 == i {
            let (_, kind, at) = all_events[next_event];
            evs.push((kind, local(at), None));
            next_event += 1;
        }
        evs.extend(
            vs.iter()
                .filter(|v| v.outcome == Outcome::Poor)
                .map(|v| (Trigger::PoorOutcome, local(v.at), Some(v.channel))),
        );
        evs.sort_unstable_by_key(|&(t, at, via)| (t, at, via.map(Channel::code)));
        evs.dedup();
        let flagged = vs.last().is_some_and(|v| v.outcome == Outcome::Unreachable);
        if flagged {
            out.data_corrections.push(facts.id);
        }
        work.visit_times.clear();
        work.visit_times.extend(vs.iter().map(|v| local(v.at)));
        work.customer(profile, calendar, facts, &evs, &vs, until);
        for item in work.items.drain(..) {
            let rule = &profile.rules[item.rule];
            let done_by = item.done.map(|v| (vs[v].id, work.visit_times[v]));
            let status = match done_by {
                Some((_, at)) if at <= item.deadline => ItemStatus::Done,
                Some(_) => ItemStatus::DoneLate,
                None if now_local > item.deadline => ItemStatus::Overdue,
                None if item.due <= due_soon => ItemStatus::Due,
                None => ItemStatus::Upcoming,
            };
            if !with_done && status.is_done() {
                continue;
            }
            out.items.push(AgendaEntry {
                customer_id: facts.id,
                rule: &rule.id,
                policy: &profile.name,
                source: &rule.source,
                kind: &rule.kind,
                channel: rule.channel,
                level: rule.level,
                earliest: item.earliest,
                due: item.due,
                deadline: item.deadline,
                status,
                done_by,
                priority: rule.priority,
                vip: facts.is_vip(),
                needs_data_correction: flagged,
                because: Because {
                    trigger: item.trigger,
                    after_rule: item.after.map(|r| profile.rules[r].id.as_str()),
                    at: item.start,
                    offset: item.offset,
                    occurrence: item.occurrence,
                },
            });
        }
    }
    sort_agenda(&mut out.items);
    out
}

/// Sorts in agenda order ([`AgendaEntry`]'s order key). Entries are large, so a compact key
/// (status, priority and VIP packed with the due time, then customer, rule, start and
/// occurrence) is computed once per entry and the entries are permuted in place.
fn sort_agenda(items: &mut [AgendaEntry<'_>]) {
    items.sort_by_cached_key(|i| {
        let status = i.status as u64;
        let priority = u64::from(255 - (i.priority.clamp(-128, 127) + 128) as u8);
        let secs = (i.due.and_utc().timestamp() + (1i64 << 39)).clamp(0, (1i64 << 40) - 1) as u64;
        let packed = (status << 60) | (priority << 52) | (u64::from(!i.vip) << 51) | (secs << 1);
        (
            packed,
            i.customer_id,
            i.rule,
            i.because.at,
            i.because.occurrence,
        )
    });
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&china()).naive_local()
}

/// An item while one customer is evaluated.
#[derive(Clone, Debug)]
struct Item {
    rule: usize,
    trigger: Option<Trigger>,
    after: Option<usize>,
    start: NaiveDateTime,
    offset: Offset,
    occurrence: u32,
    earliest: NaiveDateTime,
    due: NaiveDateTime,
    deadline: NaiveDateTime,
    done: Option<usize>,
}

/// Buffers reused from customer to customer.
#[derive(Default)]
struct Work {
    items: Vec<Item>,
    queue: Vec<usize>,
    visit_times: Vec<NaiveDateTime>,
}

impl Work {
    fn customer(
        &mut self,
        profile: &PolicyProfile,
        calendar: &WorkCalendar,
        facts: &CustomerFacts,
        events: &[(Trigger, NaiveDateTime, Option<Channel>)],
        visits: &[&VisitFact],
        until: NaiveDateTime,
    ) {
        self.items.clear();
        for &(trigger, at, via) in events {
            for (r, rule) in profile.rules.iter().enumerate() {
                if rule.start != RuleStart::Event(trigger)
                    || !rule.when.holds(facts, at.date(), via)
                {
                    continue;
                }
                self.occurrences(r, rule, Some(trigger), None, at, calendar, until);
            }
        }
        self.items
            .sort_unstable_by_key(|i| (i.due, i.rule, i.start, i.occurrence));
        self.queue.clear();
        for n in 0..self.items.len() {
            self.assign(n, profile, visits);
        }
        // Sequences: each satisfied item may start the rules that follow it from its visit.
        // A follower needs a strictly later visit, and a rule starts at most once from one
        // visit, so this ends after at most (rules × visits) steps.
        while let Some(n) = self.queue.pop() {
            let (prev, v) = (
                self.items[n].rule,
                self.items[n].done.expect("queued items are done"),
            );
            let visit = visits[v];
            let at = self.visit_times[v];
            for (r, rule) in profile.rules.iter().enumerate() {
                let follows = match &rule.start {
                    RuleStart::After(p) => *p == profile.rules[prev].id,
                    RuleStart::Event(_) => false,
                } || (r == prev && rule.repeat_after_done);
                let started = self
                    .items
                    .iter()
                    .any(|i| i.rule == r && i.after.is_some() && i.start == at);
                if follows && !started && rule.when.holds(facts, at.date(), Some(visit.channel)) {
                    let before = self.items.len();
                    self.occurrences(r, rule, None, Some(prev), at, calendar, until);
                    for m in before..self.items.len() {
                        self.assign(m, profile, visits);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn occurrences(
        &mut self,
        r: usize,
        rule: &FollowUpRule,
        trigger: Option<Trigger>,
        after: Option<usize>,
        at: NaiveDateTime,
        calendar: &WorkCalendar,
        until: NaiveDateTime,
    ) {
        let mut earliest = rule.earliest.opening_after(at, calendar);
        let mut k = 0u32;
        loop {
            let (due_off, deadline_off) = match rule.every {
                None => (rule.due, rule.deadline),
                Some(every) => (
                    Offset {
                        amount: rule
                            .due
                            .amount
                            .saturating_add(every.amount.saturating_mul(k)),
                        unit: rule.due.unit,
                    },
                    Offset {
                        amount: rule
                            .deadline
                            .amount
                            .saturating_add(every.amount.saturating_mul(k)),
                        unit: rule.deadline.unit,
                    },
                ),
            };
            if rule.until.is_some_and(|u| due_off.amount > u.amount) || earliest > until {
                return;
            }
            let due = due_off.after(at, calendar);
            self.items.push(Item {
                rule: r,
                trigger,
                after,
                start: at,
                offset: due_off,
                occurrence: k,
                earliest,
                due,
                deadline: deadline_off.after(at, calendar).max(due),
                done: None,
            });
            if rule.every.is_none() || due == NaiveDateTime::MAX {
                return;
            }
            earliest = due;
            k += 1;
        }
    }

    /// Gives item `n` the first visit inside its reach: at or after its opening (strictly
    /// after the visit that started it, for sequences and retries), on the required channel,
    /// reached. One visit may satisfy several items: a call covers everything then owed.
    fn assign(&mut self, n: usize, profile: &PolicyProfile, visits: &[&VisitFact]) {
        let item = &self.items[n];
        let channel = profile.rules[item.rule].channel;
        let by_visit = item.after.is_some() || item.trigger == Some(Trigger::PoorOutcome);
        let times = &self.visit_times;
        let found = visits.iter().zip(times).position(|(v, &at)| {
            at >= item.earliest
                && (!by_visit || at > item.start)
                && v.outcome != Outcome::Unreachable
                && channel.is_none_or(|c| c == v.channel)
        });
        if let Some(v) = found {
            self.items[n].done = Some(v);
            self.queue.push(n);
        }
    }
}
