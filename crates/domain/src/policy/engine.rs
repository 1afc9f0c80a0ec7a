//! The evaluation (回访排程): customers, events and visits under a profile at "now" → an [`Agenda`].

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{
    agenda::{Agenda, AgendaEntry, ItemStatus},
    calendar::WorkCalendar,
    item_key::ItemKey,
    offset::{DAY, LocalSecs, Offset, OffsetUnit, datetime, day_of},
    profile::PolicyProfile,
    rule::{FollowUpRule, RuleStart},
    trigger::{CustomerFacts, LifecycleEvent, Outcome, Trigger, VisitFact, from_customer},
};
use crate::{
    customer::Customer,
    ids::CustomerId,
    order::{sort_few, sort_stably},
    time::china,
    visit::Channel,
    visit::VisitRecord,
};

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
    /// Today's customer and visit records as engine input (see [`from_customer`] and
    /// [`VisitFact::from`]). A visit record answered by an amendment (a returned record's
    /// correction, `amends`) is left out: the amendment is the same visit, and one visit
    /// answers one item. Events and complaints: `event::recorded_input` takes every record.
    pub fn from_records(customers: &[Customer], visits: &[VisitRecord]) -> EngineInput {
        let mut input = EngineInput::default();
        for c in customers {
            let (facts, events) = from_customer(c);
            input.customers.push(facts);
            input.events.extend(events);
        }
        let amended: rustc_hash::FxHashSet<_> = visits.iter().filter_map(|v| v.amends).collect();
        input.visits = visits
            .iter()
            .filter(|v| !amended.contains(&v.id))
            .map(VisitFact::from)
            .collect();
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
/// Events and visits after `now` are ignored, so the result depends only on the past (the engine
/// counts in whole seconds: one in the same second as `now` counts as past).
pub fn agenda<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &'p EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
) -> Agenda<'p> {
    let grouped = Grouped::new(input);
    evaluate(profile, calendar, input, &grouped, now, horizon, true)
}

/// Like [`agenda`] but only the open items (overdue, due, upcoming): what a technician's
/// agenda page shows, without building entries for the visits already made.
pub fn open_agenda<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &'p EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
) -> Agenda<'p> {
    let grouped = Grouped::new(input);
    evaluate(profile, calendar, input, &grouped, now, horizon, false)
}

/// An [`EngineInput`] with each customer's events and visits gathered once, for evaluating the
/// same data again and again: the agenda page evaluates every minute (items fall due), while
/// its data changes only when a visit is saved or a sync brings something. The same agendas
/// as [`agenda`] and [`open_agenda`] on the input, without the grouping's cost each time
/// (about a quarter of an evaluation). 预处理排程输入
pub struct PreparedInput {
    input: EngineInput,
    grouped: Grouped,
}

impl PreparedInput {
    /// Groups `input` by customer.
    pub fn new(input: EngineInput) -> PreparedInput {
        PreparedInput {
            grouped: Grouped::new(&input),
            input,
        }
    }

    /// The input as given.
    pub fn input(&self) -> &EngineInput {
        &self.input
    }

    /// [`agenda`] of this input.
    pub fn agenda<'p>(
        &'p self,
        profile: &'p PolicyProfile,
        calendar: &WorkCalendar,
        now: DateTime<Utc>,
        horizon: Horizon,
    ) -> Agenda<'p> {
        evaluate(
            profile,
            calendar,
            &self.input,
            &self.grouped,
            now,
            horizon,
            true,
        )
    }

    /// [`open_agenda`] of this input.
    pub fn open_agenda<'p>(
        &'p self,
        profile: &'p PolicyProfile,
        calendar: &WorkCalendar,
        now: DateTime<Utc>,
        horizon: Horizon,
    ) -> Agenda<'p> {
        evaluate(
            profile,
            calendar,
            &self.input,
            &self.grouped,
            now,
            horizon,
            false,
        )
    }
}

/// Each customer's events and visits with their local times, grouped by the customer's
/// position in the input (a counting sort: two linear passes, no comparisons); each
/// customer's events in the order the rules read them (trigger, then time) and visits in time
/// order (same-time ones in input order, so the result never depends on a random id). Records of customers not in the input are left out.
struct Grouped {
    events: Buckets<(Trigger, LocalSecs)>,
    visits: Buckets<Visit>,
}

impl Grouped {
    fn new(input: &EngineInput) -> Grouped {
        let clock = Clock::china();
        let customers = input.customers.len();
        // Keyed by the id as an integer: compared as two words, where `Uuid`'s byte comparison
        // is a `memcmp` call in wasm (a tenth of the browser's time before). Big-endian, as
        // `as_u128` reads it: the bytes that vary most between ids (the low end of sequential
        // ones) land in the low bits the hash table indexes by.
        let key = |id: &CustomerId| id.0.as_u128();
        let mut position =
            FxHashMap::with_capacity_and_hasher(customers, rustc_hash::FxBuildHasher);
        for (i, c) in input.customers.iter().enumerate() {
            position.entry(key(&c.id)).or_insert(i as u32);
        }
        let mut events = Buckets::new(
            customers,
            &input.events,
            |e| position.get(&key(&e.customer_id)).copied(),
            |_, e| (e.kind, clock.local(e.at)),
        );
        let mut visits = Buckets::new(
            customers,
            &input.visits,
            |v| position.get(&key(&v.customer_id)).copied(),
            |n, v| Visit {
                at: clock.local(v.at),
                index: n as u32,
                act: match v.outcome {
                    Outcome::Good => Act::Answer { poor: false },
                    Outcome::Poor => Act::Answer { poor: true },
                    Outcome::Unreachable => Act::Unreachable,
                    Outcome::NotCompleted(_) => Act::Nothing,
                    Outcome::Rescheduled { .. } => Act::Reschedule,
                },
                channel: v.channel,
                named: !v.answers.is_empty(),
            },
        );
        for c in 0..customers {
            sort_few(events.of_mut(c), |&(kind, at)| (kind, at));
            sort_few(visits.of_mut(c), |v| v.at);
        }
        Grouped { events, visits }
    }
}

fn evaluate<'p>(
    profile: &'p PolicyProfile,
    calendar: &WorkCalendar,
    input: &'p EngineInput,
    grouped: &Grouped,
    now: DateTime<Utc>,
    horizon: Horizon,
    with_done: bool,
) -> Agenda<'p> {
    let clock = Clock::china();
    let now_local = clock.local(now);
    let today = now_local.div_euclid(DAY);
    let until = (today + i64::from(horizon.days) + 1) * DAY - 1;
    let due_soon = now_local + i64::from(horizon.lookahead_days) * DAY;
    let rules = RuleIndex::new(profile);
    let customers = input.customers.len();
    let mut out = Agenda {
        policy: &profile.name,
        call_windows: profile
            .call_windows
            .iter()
            .map(|(a, b)| format!("{}-{}", crate::time::hh_mm(*a), crate::time::hh_mm(*b)))
            .collect(),
        entries: Vec::new(),
        order: Vec::new(),
        counts: [0; 5],
        data_corrections: Vec::new(),
    };
    let classes = Classes::new(profile);
    // About one open item per customer and event; the whole agenda has a few more.
    out.entries.reserve(customers + input.events.len());
    // Each item's place in the agenda ([`order_key`]), beside it: the sort reads only these.
    let mut keys: Vec<u64> = Vec::with_capacity(out.entries.capacity());
    let mut work = Work::new(calendar);
    for (i, facts) in input.customers.iter().enumerate() {
        // Only what happened up to "now" (both in order already: visits by time, events by
        // trigger and time).
        let visits = grouped.visits.of(i);
        let visits = &visits[..visits.partition_point(|v| v.at <= now_local)];
        work.events.clear();
        work.events.extend(
            grouped
                .events
                .of(i)
                .iter()
                .filter(|&&(_, at)| at <= now_local)
                .map(|&(kind, at)| (kind, at, None)),
        );
        let poor = |v: &&Visit| v.act == Act::Answer { poor: true };
        if visits.iter().any(|v| poor(&v)) {
            work.events.extend(
                visits
                    .iter()
                    .filter(poor)
                    .map(|v| (Trigger::PoorOutcome, v.at, Some(v.channel))),
            );
            sort_few(&mut work.events, |&(t, at, via)| {
                (t, at, via.map(|c| c as u8))
            });
        }
        work.events.dedup();
        let flagged = visits.last().is_some_and(|v| v.act == Act::Unreachable);
        if flagged {
            out.data_corrections.push(facts.id);
        }
        work.customer(profile, &rules, facts, visits, &input.visits, until, &clock);
        let vip = facts.is_vip();
        for item in &work.items {
            let done = item.done.map(|v| visits[v as usize]);
            let status = match done {
                Some(v) if v.at < item.deadline => ItemStatus::Done,
                Some(_) => ItemStatus::DoneLate,
                // Withdrawn by a later event before a visit answered it: not owed.
                None if item.withdrawn <= now_local => continue,
                None if now_local >= item.deadline => ItemStatus::Overdue,
                None if shown(item.due) <= due_soon => ItemStatus::Due,
                None => ItemStatus::Upcoming,
            };
            if !with_done && status.is_done() {
                continue;
            }
            out.counts[status as usize] += 1;
            let class = classes.of(status, item.rule, vip);
            keys.push(order_key(class, item.due));
            out.entries.push(AgendaEntry {
                customer: facts,
                profile,
                start: item.start,
                earliest: item.earliest,
                due: item.due,
                deadline: item.deadline,
                done: done.map(|v| &input.visits[v.index as usize]),
                customer_index: i as u32,
                occurrence: item.occurrence,
                rule_index: item.rule,
                after: item.after,
                trigger: item.trigger,
                status,
                vip,
                needs_data_correction: flagged,
                rescheduled: item.rescheduled,
                outside_calendar: item.outside_calendar,
            });
        }
    }
    // Agenda order: class and due time, then input order (customer, then the order the
    // customer's items were made), which the entries already follow: a stable sort of their
    // positions by key. Moving the entries themselves into that order cost half the time of
    // a whole agenda.
    out.order = agenda_order(&keys, classes.count);
    out
}

/// Turns instants into China local [`LocalSecs`].
pub(super) struct Clock {
    offset: i64,
}

impl Clock {
    pub(super) fn china() -> Clock {
        Clock {
            offset: i64::from(china().local_minus_utc()),
        }
    }

    pub(super) fn local(&self, at: DateTime<Utc>) -> LocalSecs {
        at.timestamp() + self.offset
    }

    /// The instant of a local time ([`Clock::local`] undone); past chrono's range, its ends.
    pub(super) fn utc(&self, local: LocalSecs) -> DateTime<Utc> {
        DateTime::from_timestamp(local - self.offset, 0).unwrap_or(if local < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }
}

/// The agenda's classes: status, then rule priority (higher first), then VIP first, numbered
/// in that order, so that an entry's class and due time are its place in the agenda.
struct Classes {
    /// Each rule's rank among the profile's distinct priorities, highest first.
    rank: Vec<u16>,
    /// Distinct priorities in the profile.
    priorities: u16,
    /// Classes in all.
    count: usize,
}

impl Classes {
    fn new(profile: &PolicyProfile) -> Classes {
        let priority = |r: &FollowUpRule| r.priority;
        let rank: Vec<u16> = profile
            .rules
            .iter()
            .map(|rule| {
                let mut above: Vec<i32> = Vec::new();
                for p in profile.rules.iter().map(priority) {
                    if p > priority(rule) && !above.contains(&p) {
                        above.push(p);
                    }
                }
                above.len() as u16
            })
            .collect();
        let priorities = rank.iter().max().map_or(1, |&m| m + 1);
        Classes {
            count: ItemStatus::ALL.len() * usize::from(priorities) * 2,
            rank,
            priorities,
        }
    }

    fn of(&self, status: ItemStatus, rule: u16, vip: bool) -> u16 {
        ((status as u16) * self.priorities + self.rank[usize::from(rule)]) * 2 + u16::from(!vip)
    }
}

/// The agenda order of an item of class `class` (below 2^16) due at `due`: the class, then the
/// due time (to the second, within 2^47 seconds of 1970 either way), packed in one integer.
fn order_key(class: u16, due: LocalSecs) -> u64 {
    let due = due.saturating_add(1 << 47).clamp(0, DUE_MASK as i64) as u64;
    (u64::from(class) << 48) | due
}

const DUE_MASK: u64 = (1 << 48) - 1;

/// The positions of `keys` ([`order_key`], classes below `classes`) sorted stably by key: dealt
/// into buckets by class and due day in one stable pass (the due days of an agenda span a few
/// years), then each bucket, a handful of positions and nearly always in order already,
/// sorted on its own. Far-apart due days fall back to a plain stable sort.
fn agenda_order(keys: &[u64], classes: usize) -> Vec<u32> {
    let day_of_key = |key: u64| (key & DUE_MASK) / DAY as u64;
    let (mut first_day, mut last_day) = (u64::MAX, 0);
    for &key in keys {
        let day = day_of_key(key);
        first_day = first_day.min(day);
        last_day = last_day.max(day);
    }
    let days = last_day.saturating_sub(first_day).saturating_add(1);
    let buckets = (classes as u64).saturating_mul(days);
    let by_key = |&n: &u32| keys[n as usize];
    if keys.len() < 2 || buckets > 4 * keys.len() as u64 + 4096 {
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        sort_stably(&mut order, by_key);
        return order;
    }
    let bucket_of = |&key: &u64| Some(((key >> 48) * days + day_of_key(key) - first_day) as u32);
    let mut dealt = Buckets::new(buckets as usize, keys, bucket_of, |n, _| n as u32);
    for b in 0..buckets as usize {
        let bucket = dealt.of_mut(b);
        if !bucket.is_sorted_by_key(by_key) {
            sort_stably(bucket, by_key);
        }
    }
    dealt.values
}

/// A visit reduced to what the rules read, with its local time.
#[derive(Clone, Copy, Debug)]
struct Visit {
    at: LocalSecs,
    /// Its index in the input's visits.
    index: u32,
    act: Act,
    channel: Channel,
    /// Whether it names the items it answers (read from the input then).
    named: bool,
}

/// What a visit does to the items it answers, by its outcome (a byte: the grouped visits stay
/// small, and the agreed time of a reschedule, rare, is read from the input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    /// Completed (good or poor): answers them.
    Answer { poor: bool },
    /// A blank or wrong number: answers nothing, and flags the number.
    Unreachable,
    /// Not completed (not home, refused): answers nothing.
    Nothing,
    /// Rescheduled: the item it answers is due at the agreed time instead.
    Reschedule,
}

/// Values grouped by bucket number (a customer's position, an agenda class and day) in one
/// flat array, in input order within a bucket (a counting sort).
struct Buckets<T> {
    starts: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy> Buckets<T> {
    /// Buckets `records` by `bucket` (`None` leaves a record out), storing `value(n, record)`
    /// for the `n`th record.
    fn new<R>(
        buckets: usize,
        records: &[R],
        bucket: impl Fn(&R) -> Option<u32>,
        value: impl Fn(usize, &R) -> T,
    ) -> Buckets<T> {
        const NONE: u32 = u32::MAX;
        let mut starts = vec![0u32; buckets + 1];
        let of: Vec<u32> = records
            .iter()
            .map(|r| match bucket(r) {
                Some(c) => {
                    starts[c as usize + 1] += 1;
                    c
                }
                None => NONE,
            })
            .collect();
        for c in 0..buckets {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        // Every slot is overwritten below; the first value only initialises the array.
        let first = of.iter().position(|&c| c != NONE);
        let mut values = match first {
            Some(n) => vec![value(n, &records[n]); starts[buckets] as usize],
            None => Vec::new(),
        };
        for (n, (&c, r)) in of.iter().zip(records).enumerate() {
            if c != NONE {
                let slot = &mut next[c as usize];
                values[*slot as usize] = value(n, r);
                *slot += 1;
            }
        }
        Buckets { starts, values }
    }

    fn of(&self, bucket: usize) -> &[T] {
        &self.values[self.starts[bucket] as usize..self.starts[bucket + 1] as usize]
    }

    fn of_mut(&mut self, bucket: usize) -> &mut [T] {
        &mut self.values[self.starts[bucket] as usize..self.starts[bucket + 1] as usize]
    }
}

/// The profile's rules looked up by what starts them, computed once per evaluation.
struct RuleIndex {
    /// Rule indices started by each trigger (indexed by `Trigger as usize`).
    by_trigger: Vec<Vec<u16>>,
    /// For each rule, the rules a visit satisfying it starts (its `after` followers and
    /// itself when it repeats after done), in file order.
    followers: Vec<Vec<u16>>,
}

impl RuleIndex {
    fn new(profile: &PolicyProfile) -> RuleIndex {
        let mut by_trigger = vec![Vec::new(); Trigger::ALL.len()];
        let mut followers = vec![Vec::new(); profile.rules.len()];
        for (r, rule) in profile.rules.iter().enumerate() {
            let r = r as u16;
            match &rule.start {
                RuleStart::Event(t) => by_trigger[*t as usize].push(r),
                RuleStart::After(prev) => {
                    if let Some(p) = profile.rules.iter().position(|x| &x.id == prev) {
                        followers[p].push(r);
                    }
                }
            }
        }
        for (r, rule) in profile.rules.iter().enumerate() {
            // In file order, like the `after` followers (no sort: its code would cost the
            // browser bundle).
            let at = followers[r].partition_point(|&f| f < r as u16);
            if rule.repeat_after_done && followers[r].get(at) != Some(&(r as u16)) {
                followers[r].insert(at, r as u16);
            }
        }
        RuleIndex {
            by_trigger,
            followers,
        }
    }
}

/// An item while one customer is evaluated. Its window is `[earliest, deadline)`.
#[derive(Clone, Copy, Debug)]
struct Item {
    start: LocalSecs,
    earliest: LocalSecs,
    /// Where the window closes as due (exclusive).
    due: LocalSecs,
    /// Where it closes for good: a visit from here on is late (exclusive).
    deadline: LocalSecs,
    /// When an event of the rule's `cancelled_by` withdrew it (`LocalSecs::MAX`: never).
    withdrawn: LocalSecs,
    occurrence: u32,
    /// The answering visit's index in the customer's visits up to "now".
    done: Option<u32>,
    rule: u16,
    after: Option<u16>,
    trigger: Option<Trigger>,
    rescheduled: bool,
    outside_calendar: bool,
    /// The rule's facts a visit is matched by, kept beside the item: the matching reads them
    /// for every item and visit of a customer.
    priority: i32,
    channel: Option<Channel>,
    shares_visit: bool,
}

impl Item {
    /// Whether the item starts from a visit (a sequence, a retry): a visit answering it must
    /// come strictly after that one.
    fn follows_a_visit(&self) -> bool {
        self.after.is_some() || self.trigger == Some(Trigger::PoorOutcome)
    }
}

/// Slots of [`Memo`]'s offset table (a power of two).
const OFFSET_SLOTS: usize = 1 << 14;
/// The key of an empty offset slot: no offset in days is remembered, so it never matches.
const NO_OFFSET: Offset = Offset {
    amount: 0,
    unit: OffsetUnit::Days,
};

/// Calendar arithmetic remembered across customers, who share purchase and repair days:
/// the day a month or working-day offset reaches from a day, in a direct-mapped table (a
/// collision computes again and takes the slot): cheaper to probe than a hash map, and what
/// it holds never changes the result.
struct Memo<'c> {
    calendar: &'c WorkCalendar,
    offsets: Vec<(i64, Offset, i64, bool)>,
}

impl Memo<'_> {
    /// [`Offset::day_reached`], remembered for the offsets that need calendar arithmetic.
    // Inlined, like the other steps of an item below: the domain crate is built for size
    // (opt-level s), which calls these per item otherwise (11 % of the browser's time, for
    // 0.1 KB of the bundle).
    #[inline(always)]
    fn day_reached(&mut self, offset: Offset, day: i64) -> (i64, bool) {
        if !offset.is_by_day() {
            return offset.day_reached(day, self.calendar);
        }
        let mixed = (day as u64 ^ (u64::from(offset.amount) << 20) ^ ((offset.unit as u64) << 52))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = &mut self.offsets[(mixed >> (64 - OFFSET_SLOTS.trailing_zeros())) as usize];
        if slot.0 != day || slot.1 != offset {
            let (reached, outside) = offset.day_reached(day, self.calendar);
            *slot = (day, offset, reached, outside);
        }
        (slot.2, slot.3)
    }

    /// [`Offset::closes_secs`] through [`Memo::day_reached`], with its calendar flag.
    #[inline(always)]
    fn closes(&mut self, offset: Offset, from: LocalSecs) -> (LocalSecs, bool) {
        if offset.unit == OffsetUnit::Hours {
            return (from + i64::from(offset.amount) * 3600, false);
        }
        let (day, outside) = self.day_reached(offset, day_of(from));
        ((day + 1) * DAY, outside)
    }

    /// [`Offset::opens_secs`] through [`Memo::day_reached`], with its calendar flag.
    #[inline(always)]
    fn opens(&mut self, offset: Offset, from: LocalSecs) -> (LocalSecs, bool) {
        if offset.amount == 0 || offset.unit == OffsetUnit::Hours {
            return (from + i64::from(offset.amount) * 3600, false);
        }
        let (day, outside) = self.day_reached(offset, day_of(from));
        ((day * DAY).max(from), outside)
    }
}

/// Buffers reused from customer to customer.
struct Work<'c> {
    memo: Memo<'c>,
    /// The customer's events, and poor-outcome visits as events, sorted and deduplicated.
    events: Vec<(Trigger, LocalSecs, Option<Channel>)>,
    /// The customer's items, in the order they were made: by event (trigger, then time),
    /// then rule in file order, then the sequences they started as visits answered them.
    items: Vec<Item>,
    /// The items one visit answers.
    chosen: Vec<usize>,
    /// The rules started from a visit, and when: each at most once from one visit.
    started: Vec<(u16, LocalSecs)>,
}

impl<'c> Work<'c> {
    fn new(calendar: &'c WorkCalendar) -> Self {
        Work {
            memo: Memo {
                calendar,
                offsets: vec![(i64::MIN, NO_OFFSET, 0, false); OFFSET_SLOTS],
            },
            events: Vec::new(),
            items: Vec::new(),
            chosen: Vec::new(),
            started: Vec::new(),
        }
    }

    /// The customer's items: every rule its events start, then the visits in time order, each
    /// answering (or rescheduling) the items it is for and starting the sequences that follow.
    /// A follower needs a strictly later visit, and a rule starts at most once from one visit,
    /// so this ends after at most (rules × visits) sequences.
    #[allow(clippy::too_many_arguments)]
    fn customer(
        &mut self,
        profile: &PolicyProfile,
        rules: &RuleIndex,
        facts: &CustomerFacts,
        visits: &[Visit],
        recorded: &[VisitFact],
        until: LocalSecs,
        clock: &Clock,
    ) {
        self.items.clear();
        for n in 0..self.events.len() {
            let (trigger, at, via) = self.events[n];
            for &r in &rules.by_trigger[trigger as usize] {
                let rule = &profile.rules[usize::from(r)];
                if applies(rule, facts, at, via) {
                    self.occurrences(r, rule, facts, Some(trigger), None, at, until);
                }
            }
        }
        self.started.clear();
        for (n, visit) in visits.iter().enumerate() {
            if matches!(visit.act, Act::Unreachable | Act::Nothing) {
                continue;
            }
            self.chosen.clear();
            let named = visit.named
                && self.choose_named(
                    profile,
                    &recorded[visit.index as usize].answers,
                    visit,
                    clock,
                );
            if !named {
                self.choose_by_window(visit);
            }
            for c in 0..self.chosen.len() {
                let m = self.chosen[c];
                match visit.act {
                    Act::Reschedule => {
                        let Outcome::Rescheduled { to } = recorded[visit.index as usize].outcome
                        else {
                            unreachable!("a reschedule's outcome")
                        };
                        let to = clock.local(to);
                        let item = &mut self.items[m];
                        item.due = to;
                        item.deadline = (day_of(to) + 1) * DAY;
                        item.earliest = item.earliest.min(to);
                        item.rescheduled = true;
                    }
                    _ => {
                        self.items[m].done = Some(n as u32);
                        self.follow(m, profile, rules, facts, visit, until);
                    }
                }
            }
        }
    }

    /// How well item `n` fits `visit`, lower first, or `None` if the visit cannot answer it: a
    /// completed visit on time (0) before a late one (1), answering an open, unanswered item
    /// whose window has opened, on its channel; a reschedule also reaches items whose window
    /// is yet to open (2), on any channel (the call that agrees the time of an on-site visit).
    #[inline(always)]
    fn fit(&self, n: usize, visit: &Visit) -> Option<u8> {
        let item = &self.items[n];
        let starts_later = if item.follows_a_visit() {
            visit.at <= item.start
        } else {
            visit.at < item.start
        };
        if item.done.is_some() || visit.at >= item.withdrawn || starts_later {
            return None;
        }
        let late = u8::from(visit.at >= item.deadline);
        if visit.act == Act::Reschedule {
            return Some(if visit.at < item.earliest { 2 } else { late });
        }
        (visit.at >= item.earliest && item.channel.is_none_or(|c| c == visit.channel))
            .then_some(late)
    }

    /// The agenda order among the items a visit fits: fit, then priority, then due time, then
    /// the order they were made.
    #[inline(always)]
    fn rank(&self, n: usize, fit: u8) -> (u8, i32, LocalSecs, usize) {
        let item = &self.items[n];
        (fit, -item.priority, item.due, n)
    }

    /// Whether item `n`'s rule lets one visit answer it together with others.
    fn shares(&self, n: usize) -> bool {
        self.items[n].shares_visit
    }

    /// A visit that names no items: the best item it fits and, if that rule shares visits,
    /// every other item it fits whose rule shares visits too.
    fn choose_by_window(&mut self, visit: &Visit) {
        let mut best = None;
        for n in 0..self.items.len() {
            if let Some(fit) = self.fit(n, visit) {
                let rank = self.rank(n, fit);
                if best.is_none_or(|b| rank < b) {
                    best = Some(rank);
                }
            }
        }
        let Some((_, _, _, first)) = best else { return };
        self.chosen.push(first);
        if self.shares(first) {
            for n in 0..self.items.len() {
                if n != first && self.shares(n) && self.fit(n, visit).is_some() {
                    self.chosen.push(n);
                }
            }
        }
    }

    /// A visit that names its items: each named item it fits (or, when that one is not
    /// there or not open, the best open item of the same rule), the first alone unless the
    /// rules share visits. `false` when no key names a rule of this profile: the visit is
    /// then matched by window.
    fn choose_named(
        &mut self,
        profile: &PolicyProfile,
        keys: &[ItemKey],
        visit: &Visit,
        clock: &Clock,
    ) -> bool {
        let mut known = false;
        for key in keys {
            let Some(rule) = profile.rule_index(&key.rule) else {
                continue;
            };
            known = true;
            let start = clock.local(key.start);
            let mut exact = None;
            let mut best = None;
            for n in 0..self.items.len() {
                let item = &self.items[n];
                if usize::from(item.rule) != rule || self.chosen.contains(&n) {
                    continue;
                }
                let Some(fit) = self.fit(n, visit) else {
                    continue;
                };
                if item.start == start && item.occurrence == key.occurrence {
                    exact = Some(n);
                    break;
                }
                let rank = self.rank(n, fit);
                if best.is_none_or(|b| rank < b) {
                    best = Some(rank);
                }
            }
            let Some(n) = exact.or(best.map(|b| b.3)) else {
                continue;
            };
            match self.chosen.first() {
                None => self.chosen.push(n),
                Some(&first) if self.shares(first) && self.shares(n) => self.chosen.push(n),
                Some(_) => {}
            }
        }
        known
    }

    /// The rules that follow item `n`'s, started by the visit that answered it.
    fn follow(
        &mut self,
        n: usize,
        profile: &PolicyProfile,
        rules: &RuleIndex,
        facts: &CustomerFacts,
        visit: &Visit,
        until: LocalSecs,
    ) {
        let prev = self.items[n].rule;
        for &r in &rules.followers[usize::from(prev)] {
            if self.started.contains(&(r, visit.at)) {
                continue;
            }
            self.started.push((r, visit.at));
            let rule = &profile.rules[usize::from(r)];
            if applies(rule, facts, visit.at, Some(visit.channel)) {
                self.occurrences(r, rule, facts, None, Some(prev), visit.at, until);
            }
        }
    }

    /// When an event of `rule`'s `cancelled_by` first happens after `at` (`LocalSecs::MAX`
    /// if none does).
    fn withdrawal(&self, rule: &FollowUpRule, at: LocalSecs) -> LocalSecs {
        if rule.cancelled_by.is_empty() {
            return LocalSecs::MAX;
        }
        self.events
            .iter()
            .filter(|(kind, when, _)| *when > at && rule.cancelled_by.contains(kind))
            .map(|e| e.1)
            .min()
            .unwrap_or(LocalSecs::MAX)
    }

    /// The items of `rule` started at `at`: one, or a grid of repeats up to `until` (the
    /// horizon) or the rule's own `until`. A repeat opens where the one before closes.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn occurrences(
        &mut self,
        r: u16,
        rule: &FollowUpRule,
        facts: &CustomerFacts,
        trigger: Option<Trigger>,
        after: Option<u16>,
        at: LocalSecs,
        until: LocalSecs,
    ) {
        let withdrawn = self.withdrawal(rule, at);
        let mut previous: Option<LocalSecs> = None;
        let mut k = 0u32;
        loop {
            let (due_off, deadline_off) = (due_offset(rule, k), deadline_offset(rule, k));
            if rule.until.is_some_and(|u| due_off.amount > u.amount) {
                return;
            }
            let (due, due_outside) = self.memo.closes(due_off, at);
            // A grid stuck at the end of time (each due clamped to the last day) ends here.
            if previous.is_some_and(|p| due <= p) {
                return;
            }
            let (earliest, opens_outside) =
                match (rule.window.and_then(Offset::fixed_secs), previous) {
                    (Some(window), _) => ((due - window).max(at), false),
                    (None, Some(p)) => (p, false),
                    (None, None) => self.memo.opens(rule.earliest, at),
                };
            if earliest > until {
                return;
            }
            let (deadline, deadline_outside) = if deadline_off == due_off {
                (due, false)
            } else {
                let (deadline, outside) = self.memo.closes(deadline_off, at);
                (deadline.max(due), outside)
            };
            // A repeating rule for the warranty period owes no visit due outside it.
            let owed = rule.every.is_none()
                || rule.when.warranty.is_none()
                || rule.when.warranty_holds(facts, datetime(shown(due)).date());
            if owed {
                self.items.push(Item {
                    start: at,
                    earliest,
                    due,
                    deadline,
                    withdrawn,
                    occurrence: k,
                    done: None,
                    rule: r,
                    after,
                    trigger,
                    rescheduled: false,
                    outside_calendar: due_outside || opens_outside || deadline_outside,
                    priority: rule.priority,
                    channel: rule.channel,
                    shares_visit: rule.shares_visit,
                });
            }
            if rule.every.is_none() {
                return;
            }
            previous = Some(due);
            k += 1;
        }
    }
}

/// A window's closing instant as people read it: the last second of the day when the window
/// closes at midnight (windows in days: "by 2026-11-08"), the instant itself otherwise
/// (windows in hours: "by 16:00", where 16:00 is already late).
pub(super) fn shown(closes: LocalSecs) -> LocalSecs {
    if closes.rem_euclid(DAY) == 0 {
        closes - 1
    } else {
        closes
    }
}

/// The due offset of occurrence `k` of `rule` from its start: a recurring rule's grid steps
/// from the start, so months do not drift.
pub(super) fn due_offset(rule: &FollowUpRule, k: u32) -> Offset {
    step(rule, rule.due, k)
}

/// The deadline offset of occurrence `k` of `rule` (see [`due_offset`]).
fn deadline_offset(rule: &FollowUpRule, k: u32) -> Offset {
    step(rule, rule.deadline, k)
}

fn step(rule: &FollowUpRule, offset: Offset, k: u32) -> Offset {
    match rule.every {
        None => offset,
        Some(every) => Offset {
            amount: offset.amount.saturating_add(every.amount.saturating_mul(k)),
            unit: offset.unit,
        },
    }
}

/// Whether `rule` applies to the customer for a start at `at` reached through `via`. The
/// date only matters for a warranty condition, so it is only worked out for one.
#[inline(always)]
fn applies(
    rule: &FollowUpRule,
    facts: &CustomerFacts,
    at: LocalSecs,
    via: Option<Channel>,
) -> bool {
    let on = match rule.when.warranty {
        Some(_) => datetime(at).date(),
        None => chrono::NaiveDate::MIN,
    };
    rule.when.holds(facts, on, via)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A valid profile with one rule per priority given, in that order.
    fn profile(priorities: &[i32]) -> PolicyProfile {
        let rule = |id: String, priority: i32| crate::policy::RuleSpec {
            id,
            trigger: Some("purchase".into()),
            kind: "first".into(),
            due: "1 day".into(),
            source: "test".into(),
            priority,
            ..Default::default()
        };
        let spec = crate::policy::ProfileSpec {
            name: "test".into(),
            call_windows: vec![],
            rules: (priorities.iter().enumerate())
                .map(|(n, &p)| rule(format!("r{n}"), p))
                .collect(),
            targets: Default::default(),
        };
        PolicyProfile::from_spec("test.toml", spec).expect("a valid profile")
    }

    /// Positions of `keys` in a plain stable sort by key.
    fn stable_order(keys: &[u64]) -> Vec<u32> {
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_by_key(|&n| keys[n as usize]);
        order
    }

    proptest! {
        /// The bucketed sort gives exactly what a plain stable sort by key gives: for
        /// agenda-like keys (few classes, due days close together), for due days far apart
        /// and for many classes (both fallbacks), with many equal keys.
        #[test]
        fn agenda_order_is_a_stable_sort_by_key(
            raw in proptest::collection::vec((0u16..20, 0i64..4_000, 0i64..3 * DAY), 0..400),
            far in any::<bool>(),
            many_classes in any::<bool>(),
        ) {
            let classes = if many_classes { 20 * 97 } else { 20 };
            let keys: Vec<u64> = raw
                .iter()
                .map(|&(class, day, secs)| {
                    let day = if far { day * 1_000 } else { day % 40 };
                    let class = if many_classes { class * 97 } else { class };
                    order_key(class, 20_000 * DAY + day * DAY + secs % 4 * 3_600)
                })
                .collect();
            prop_assert_eq!(agenda_order(&keys, classes), stable_order(&keys));
        }
    }

    /// Due times past the key's range (2^47 s either side of 1970) sort as its ends, ties in
    /// input order; the class comes first.
    #[test]
    fn agenda_order_keeps_due_times_at_the_ends_of_time_in_order() {
        let keys = [
            order_key(0, i64::MAX),
            order_key(0, 0),
            order_key(0, i64::MIN),
            order_key(0, i64::MAX - 1),
            order_key(1, i64::MIN),
        ];
        assert_eq!(agenda_order(&keys, 2), [2, 1, 0, 3, 4]);
    }

    /// A profile's classes number (status, priority, VIP) in agenda order: status, then the
    /// higher priority, then VIP first; equal priorities share a class.
    #[test]
    fn classes_follow_the_agenda_order() {
        let profile = profile(&[0, 10, -5, 10, 300, 200, -1000]);
        let classes = Classes::new(&profile);
        let mut all = Vec::new();
        for status in ItemStatus::ALL {
            for (r, rule) in profile.rules.iter().enumerate() {
                for vip in [true, false] {
                    let class = classes.of(status, r as u16, vip);
                    assert!(usize::from(class) < classes.count);
                    all.push(((status, std::cmp::Reverse(rule.priority), !vip), class));
                }
            }
        }
        for (order_a, class_a) in &all {
            for (order_b, class_b) in &all {
                assert_eq!(
                    order_a.cmp(order_b),
                    class_a.cmp(class_b),
                    "{order_a:?} {order_b:?}"
                );
            }
        }
    }
}
