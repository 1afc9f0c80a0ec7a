//! What another policy would change (策略试算对比): the open items of two agendas of the same
//! input, compared item by item, so a manager sees before adopting a policy which follow-ups
//! appear, which vanish and which move to another due time, for whom.
//!
//! An item is the same under both policies when its customer, rule id, start and repeat are
//! (its [`ItemKey`]); then it moves if its due time differs. An item left over on one side
//! is paired, customer by customer and rule by rule in due order, with one left over on the
//! other side: the same follow-up started from another point (a cadence counted from the
//! first visit instead of the sixth month's), so it moves too. What is left then appears or
//! vanishes.

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use super::{
    agenda::{Agenda, AgendaEntry, ItemStatus},
    item_key::ItemKey,
};
use crate::ids::CustomerId;

/// How one item changes. 变化
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// Owed under the proposed policy only. 新增
    Appears,
    /// Owed under the current policy only. 消失
    Vanishes,
    /// Owed under both, due at another time. 改期
    Moves,
}

/// One item that changes, for one customer. 变化项
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemChange {
    /// What happens to it.
    pub change: Change,
    /// The customer's position in the engine input both agendas were made from.
    pub customer_index: u32,
    /// The customer.
    pub customer: CustomerId,
    /// The rule's id: the proposed policy's, except for an item that vanishes.
    pub rule: String,
    /// When it is due under the current policy (`None` when it appears).
    pub old_due: Option<NaiveDateTime>,
    /// When it would be due under the proposed one (`None` when it vanishes).
    pub new_due: Option<NaiveDateTime>,
    /// Its status under the proposed policy (the current one's when it vanishes).
    pub status: ItemStatus,
}

/// Everything that changes between two agendas, ordered by due time (the new one, else the
/// old), then customer; with counts. 策略对比
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyDiff {
    /// The changed items.
    pub changes: Vec<ItemChange>,
    /// How many appear.
    pub appears: usize,
    /// How many vanish.
    pub vanishes: usize,
    /// How many move.
    pub moves: usize,
    /// How many stay as they are.
    pub unchanged: usize,
    /// Customers with at least one change.
    pub customers: usize,
}

/// What changes from `current` to `proposed`: two agendas of the same engine input (open
/// items, as [`open_agenda`](super::open_agenda) makes them, are what a technician owes).
pub fn diff(current: &Agenda<'_>, proposed: &Agenda<'_>) -> PolicyDiff {
    let key = |e: &AgendaEntry<'_>| (e.customer_id(), e.key());
    let mut old: FxHashMap<(CustomerId, ItemKey), &AgendaEntry<'_>> = current
        .items_unordered()
        .iter()
        .map(|e| (key(e), e))
        .collect();
    let mut out = PolicyDiff::default();
    let mut appearing = Vec::new();
    for new in proposed.items_unordered() {
        match old.remove(&key(new)) {
            Some(was) if was.due() == new.due() => out.unchanged += 1,
            Some(was) => out.changes.push(moved(was, new)),
            None => appearing.push(new),
        }
    }
    // Leftovers of the same customer and rule, in due order on both sides, are one follow-up
    // counted from another start.
    let mut vanishing: Vec<&AgendaEntry<'_>> = old.into_values().collect();
    let by_rule_and_due =
        |e: &&AgendaEntry<'_>| (e.customer_index, e.rule().to_owned(), e.due(), e.key());
    vanishing.sort_by_cached_key(by_rule_and_due);
    appearing.sort_by_cached_key(by_rule_and_due);
    let mut vanishing = vanishing.into_iter().peekable();
    for new in appearing {
        let same = |was: &&AgendaEntry<'_>| {
            (was.customer_index, was.rule()) == (new.customer_index, new.rule())
        };
        // Skip what sorts before this rule of this customer: it has no partner here.
        while let Some(was) = vanishing
            .next_if(|was| (was.customer_index, was.rule()) < (new.customer_index, new.rule()))
        {
            out.changes.push(change(Change::Vanishes, was));
        }
        match vanishing.next_if(same) {
            Some(was) if was.due() == new.due() => out.unchanged += 1,
            Some(was) => out.changes.push(moved(was, new)),
            None => out.changes.push(change(Change::Appears, new)),
        }
    }
    out.changes
        .extend(vanishing.map(|was| change(Change::Vanishes, was)));
    out.changes.sort_by(|a, b| {
        let at = |c: &ItemChange| c.new_due.or(c.old_due);
        (at(a), a.customer_index, a.change, &a.rule).cmp(&(
            at(b),
            b.customer_index,
            b.change,
            &b.rule,
        ))
    });
    for c in &out.changes {
        match c.change {
            Change::Appears => out.appears += 1,
            Change::Vanishes => out.vanishes += 1,
            Change::Moves => out.moves += 1,
        }
    }
    let mut customers: Vec<u32> = out.changes.iter().map(|c| c.customer_index).collect();
    customers.sort_unstable();
    customers.dedup();
    out.customers = customers.len();
    out
}

fn change(change: Change, e: &AgendaEntry<'_>) -> ItemChange {
    let due = Some(e.due());
    let (old_due, new_due) = match change {
        Change::Vanishes => (due, None),
        _ => (None, due),
    };
    ItemChange {
        change,
        customer_index: e.customer_index,
        customer: e.customer_id(),
        rule: e.rule().to_owned(),
        old_due,
        new_due,
        status: e.status,
    }
}

fn moved(was: &AgendaEntry<'_>, new: &AgendaEntry<'_>) -> ItemChange {
    ItemChange {
        old_due: Some(was.due()),
        ..change(Change::Moves, new)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::{
        policy::{
            CustomerFacts, EngineInput, Horizon, LifecycleEvent, Outcome, PolicyProfile,
            ProfileSpec, Trigger, VisitFact, WorkCalendar, builtin, builtin_spec, open_agenda,
        },
        time::china,
        visit::Channel,
    };

    fn at(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_local_timezone(china())
            .unwrap()
            .to_utc()
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// Customers 1 and 2 bought on Nov 20; customer 2, a VIP, was visited on Nov 21; customer
    /// 3 ordered on Nov 21.
    fn input() -> EngineInput {
        let c = |n: u128, tier: &str| CustomerFacts {
            id: CustomerId(Uuid::from_u128(n)),
            tier: tier.into(),
            category: String::new(),
            warranty_until: None,
            tags: Vec::new(),
        };
        let ev = |n: u128, kind, when| LifecycleEvent {
            customer_id: CustomerId(Uuid::from_u128(n)),
            kind,
            at: at(when),
        };
        let visit = VisitFact {
            id: crate::ids::VisitId(Uuid::from_u128(99)),
            customer_id: CustomerId(Uuid::from_u128(2)),
            at: at("2026-11-21 10:00"),
            channel: Channel::Phone,
            outcome: Outcome::Good,
            answers: Vec::new(),
        };
        EngineInput {
            customers: vec![c(1, "normal"), c(2, "vip"), c(3, "normal")],
            events: vec![
                ev(1, Trigger::Purchase, "2026-11-20 10:00"),
                ev(2, Trigger::Purchase, "2026-11-20 10:00"),
                ev(3, Trigger::OrderEffective, "2026-11-21 10:00"),
            ],
            visits: vec![visit],
        }
    }

    fn diff_of(current: &PolicyProfile, proposed: &PolicyProfile) -> PolicyDiff {
        let (data, calendar) = (input(), WorkCalendar::china());
        let now = at("2026-11-22 09:00");
        let a = open_agenda(current, &calendar, &data, now, Horizon::default());
        let b = open_agenda(proposed, &calendar, &data, now, Horizon::default());
        diff(&a, &b)
    }

    fn lines(d: &PolicyDiff) -> Vec<String> {
        d.changes
            .iter()
            .map(|c| {
                let due = |d: Option<NaiveDateTime>| {
                    d.map_or("-".into(), |d| d.format("%m-%d %H:%M").to_string())
                };
                format!(
                    "{:?} c{} {} {} -> {}",
                    c.change,
                    c.customer.0.as_u128(),
                    c.rule,
                    due(c.old_due),
                    due(c.new_due)
                )
            })
            .collect()
    }

    #[test]
    fn the_same_policy_changes_nothing() {
        let general = builtin("general").unwrap();
        let d = diff_of(&general, &general);
        assert_eq!(d.changes, []);
        assert_eq!((d.appears, d.vanishes, d.moves, d.customers), (0, 0, 0, 0));
        assert_eq!(
            d.unchanged, 5,
            "1, 3, 6 months for customer 1, the same for 2 but 首次回访 done"
        );
    }

    #[test]
    fn general_to_service_center_lists_what_appears_and_vanishes_for_whom() {
        let d = diff_of(
            &builtin("general").unwrap(),
            &builtin("service-center").unwrap(),
        );
        assert_eq!(
            lines(&d),
            [
                "Appears c3 首次回访-订单生效次日 - -> 11-22 23:59",
                "Vanishes c1 首次回访 11-27 23:59 -> -",
                "Vanishes c1 购后1个月回访 12-20 23:59 -> -",
                "Vanishes c2 购后1个月回访 12-20 23:59 -> -",
                "Vanishes c1 购后3个月回访 02-20 23:59 -> -",
                "Vanishes c2 购后3个月回访 02-20 23:59 -> -",
            ]
        );
        assert_eq!((d.appears, d.vanishes, d.moves), (1, 5, 0));
        assert_eq!((d.unchanged, d.customers), (0, 3));
    }

    #[test]
    fn general_to_skeleton_drops_the_month_steps_and_starts_the_vip_cadence() {
        // Skeleton counts the VIP's monthly visit from the first visit; general only from the
        // sixth month's, which is beyond the horizon here: so it appears. General's first
        // visit within 7 days is skeleton's too: unchanged.
        let d = diff_of(&builtin("general").unwrap(), &builtin("skeleton").unwrap());
        assert_eq!(
            lines(&d),
            [
                "Vanishes c1 购后1个月回访 12-20 23:59 -> -",
                "Vanishes c2 购后1个月回访 12-20 23:59 -> -",
                "Appears c2 定期回访-VIP - -> 12-21 23:59",
                "Vanishes c1 购后3个月回访 02-20 23:59 -> -",
                "Vanishes c2 购后3个月回访 02-20 23:59 -> -",
            ]
        );
        assert_eq!((d.appears, d.vanishes, d.moves, d.unchanged), (1, 4, 0, 1));
    }

    #[test]
    fn a_due_time_changed_in_an_uploaded_copy_moves_the_item() {
        let general = builtin("general").unwrap();
        let mut spec: ProfileSpec = builtin_spec("general").unwrap();
        spec.rules[0].due = "3 days".into();
        spec.rules[1].due = "2 months".into();
        let proposed = PolicyProfile::from_spec("copy", spec).unwrap();
        let d = diff_of(&general, &proposed);
        assert_eq!(
            lines(&d),
            [
                "Moves c1 首次回访 11-27 23:59 -> 11-23 23:59",
                "Moves c1 购后1个月回访 12-20 23:59 -> 01-20 23:59",
                "Moves c2 购后1个月回访 12-20 23:59 -> 01-20 23:59",
            ]
        );
        assert_eq!((d.appears, d.vanishes, d.moves, d.unchanged), (0, 0, 3, 2));
        assert_eq!(d.changes[0].status, ItemStatus::Due);
        assert_eq!(
            d.changes[0].new_due,
            Some(local("2026-11-23 23:59") + chrono::Duration::seconds(59))
        );
        assert_eq!(d.customers, 2);
    }

    #[test]
    fn a_rule_counted_from_another_start_moves() {
        // Skeleton counts the VIP's monthly visit from the first visit (Nov 21); a copy counts
        // it from the purchase (Nov 20): the same follow-up, a day earlier.
        let skeleton = builtin("skeleton").unwrap();
        let mut spec: ProfileSpec = builtin_spec("skeleton").unwrap();
        let vip = spec
            .rules
            .iter_mut()
            .find(|r| r.id == "定期回访-VIP")
            .unwrap();
        vip.after = None;
        vip.repeat_after_done = false;
        vip.earliest = None;
        vip.trigger = Some("purchase".into());
        let proposed = PolicyProfile::from_spec("copy", spec).unwrap();
        let d = diff_of(&skeleton, &proposed);
        assert_eq!(
            lines(&d),
            ["Moves c2 定期回访-VIP 12-21 23:59 -> 12-20 23:59"]
        );
        assert_eq!((d.appears, d.vanishes, d.moves, d.unchanged), (0, 0, 1, 1));
    }
}
