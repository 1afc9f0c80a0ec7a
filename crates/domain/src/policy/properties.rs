//! Property tests of the engine's invariants over synthetic data and every shipped profile.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use proptest::prelude::*;

use super::{synthetic::synthetic_input, *};

fn now() -> DateTime<Utc> {
    "2026-11-22T01:00:00Z".parse().unwrap()
}

fn key<'a>(i: &AgendaEntry<'a>) -> (crate::ids::CustomerId, &'a str, chrono::NaiveDateTime, u32) {
    (
        i.customer_id(),
        i.rule(),
        i.because().at,
        i.because().occurrence,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn agenda_invariants(seed in 0u64..1_000_000, customers in 1usize..12, extra in 0usize..30,
                         profile in 0usize..BUILTIN_PROFILES.len(), later_hours in 0i64..2_000,
                         days in 1u32..200) {
        let profile = builtin(BUILTIN_PROFILES[profile].0).unwrap();
        let calendar = WorkCalendar::china();
        let input = synthetic_input(customers, customers + extra, seed, now());
        let horizon = Horizon { days, lookahead_days: 3 };
        let a = agenda(&profile, &calendar, &input, now(), horizon);
        // Same input, same agenda.
        prop_assert_eq!(&a, &agenda(&profile, &calendar, &input, now(), horizon));
        let until = (now().with_timezone(&crate::time::china()).date_naive()
            + chrono::Days::new(u64::from(days)))
            .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap());
        let mut seen = HashSet::new();
        for i in a.items() {
            // No item due before its trigger.
            prop_assert!(i.due() >= i.because().at);
            // No duplicates.
            prop_assert!(seen.insert(key(i)), "duplicate {:?}", key(i));
            // Every item is explained.
            prop_assert!(!i.explain(Lang::Zh).is_empty() && !i.explain(Lang::En).is_empty());
            // The horizon bounds the output.
            prop_assert!(i.earliest() <= until);
        }
        // The ways of reading it agree: the counts by status, a page from any start, every
        // item unordered (the same items), and the length.
        let listed: Vec<_> = a.items().collect();
        prop_assert_eq!(a.len(), listed.len());
        for status in ItemStatus::ALL {
            prop_assert_eq!(a.count(status), listed.iter().filter(|i| i.status == status).count());
        }
        for start in [0, 1, listed.len() / 2, listed.len(), listed.len() + 3] {
            prop_assert!(a.items_from(start).eq(listed.iter().skip(start).copied()));
        }
        let mut unordered: Vec<_> = a.items_unordered().iter().map(key).collect();
        let mut ordered: Vec<_> = listed.iter().map(|i| key(i)).collect();
        unordered.sort();
        ordered.sort();
        prop_assert_eq!(unordered, ordered);
        // The open agenda is the full one without the done items.
        let open = open_agenda(&profile, &calendar, &input, now(), horizon);
        let undone: Vec<_> = a.items().filter(|i| !i.status.is_done()).cloned().collect();
        prop_assert_eq!(&open.items().cloned().collect::<Vec<_>>(), &undone);
        // Advancing "now" never un-does a done item.
        let b = agenda(&profile, &calendar, &input, now() + Duration::hours(later_hours), horizon);
        let done_later: HashSet<_> = b.items().filter(|i| i.status.is_done()).map(key).collect();
        for i in a.items().filter(|i| i.status.is_done()) {
            prop_assert!(done_later.contains(&key(i)), "{:?} undone", key(i));
        }
        // Prepared once and evaluated at several times (the agenda page, every minute): each
        // agenda is the one of the input without what happened after its time.
        let prepared = PreparedInput::new(input.clone());
        for at in [now() - Duration::hours(later_hours), now(), now() + Duration::hours(later_hours)] {
            let past = EngineInput {
                customers: input.customers.clone(),
                events: input.events.iter().filter(|e| e.at <= at).cloned().collect(),
                visits: input.visits.iter().filter(|v| v.at <= at).cloned().collect(),
            };
            let expected = agenda(&profile, &calendar, &past, at, horizon);
            prop_assert_eq!(&prepared.agenda(&profile, &calendar, at, horizon), &expected);
            let open: Vec<_> = expected.items().filter(|i| !i.status.is_done()).cloned().collect();
            prop_assert_eq!(&prepared.open_agenda(&profile, &calendar, at, horizon).items().cloned().collect::<Vec<_>>(), &open);
        }
    }
}

/// A random history of a few customers under any shipped profile: every trigger, visits on
/// both channels with every outcome (reschedules to random times, not-completed visits,
/// blank numbers), some naming items of the agenda (real keys, stale ones, keys of other
/// rules), tiers and tags the profiles test. The same for the same seed.
fn random_history(seed: u64, customers: usize, events: usize, visits: usize) -> EngineInput {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound.max(1)
    };
    let span = 2 * 365 * 24 * 60;
    let minutes = |n: u64| now() - Duration::minutes(n as i64);
    let tiers = ["vip", "normal", "a", "b", "c", "maker"];
    let tags = ["key", "quality", "resistance", "dislikes_calls"];
    let mut input = EngineInput::default();
    for n in 0..customers {
        input.customers.push(CustomerFacts {
            id: crate::ids::CustomerId(uuid::Uuid::from_u128(n as u128 + 1)),
            tier: tiers[next(tiers.len() as u64) as usize].into(),
            category: String::new(),
            warranty_until: (next(2) == 0)
                .then(|| crate::time::china_date(minutes(next(span)) + Duration::days(365))),
            tags: tags
                .iter()
                .filter(|_| next(3) == 0)
                .map(|t| t.to_string())
                .collect(),
        });
    }
    for _ in 0..events {
        let c = next(customers as u64) as usize;
        input.events.push(LifecycleEvent {
            customer_id: input.customers[c].id,
            kind: Trigger::ALL[next(Trigger::ALL.len() as u64) as usize],
            at: minutes(next(span)),
        });
    }
    for n in 0..visits {
        let c = next(customers as u64) as usize;
        let at = minutes(next(span));
        let outcome = match next(10) {
            0 => Outcome::Poor,
            1 => Outcome::Unreachable,
            2 => Outcome::NotCompleted(NotCompletedReason::NotHome),
            3 => Outcome::NotCompleted(NotCompletedReason::Refused),
            4 => Outcome::Rescheduled {
                to: at + Duration::minutes(next(30 * 24 * 60) as i64),
            },
            _ => Outcome::Good,
        };
        input.visits.push(VisitFact {
            id: crate::ids::VisitId(uuid::Uuid::from_u128(1_000 + n as u128)),
            customer_id: input.customers[c].id,
            at,
            channel: if next(3) == 0 {
                Channel::OnSite
            } else {
                Channel::Phone
            },
            outcome,
            answers: Vec::new(),
        });
    }
    input
}

use crate::visit::Channel;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Over random histories: no visit answers two items unless both rules share visits; a
    /// visit answers only items whose window had opened, on their channel, and only when
    /// completed; every item is there once; every step an event, a poor visit or an answered
    /// item owes (a rule it starts that applies, not withdrawn by a later event of its
    /// `cancelled_by`) is in the agenda exactly once.
    #[test]
    fn random_histories_keep_the_matching_invariants(
        seed in any::<u64>(), customers in 1usize..6, events in 0usize..40, visits in 0usize..40,
        profile in 0usize..BUILTIN_PROFILES.len(), named in 0u64..4,
    ) {
        let profile = builtin(BUILTIN_PROFILES[profile].0).unwrap();
        let calendar = WorkCalendar::china();
        // Long enough that every first step of an event in the last two years is generated.
        let horizon = Horizon { days: 1_200, lookahead_days: 3 };
        let mut input = random_history(seed, customers, events, visits);
        // Some visits name items: keys the agenda gives (right customer or not), and stale ones.
        let keys: Vec<(crate::ids::CustomerId, ItemKey)> = agenda(&profile, &calendar, &input, now(), horizon)
            .items()
            .map(|i| (i.customer_id(), i.key()))
            .collect();
        if !keys.is_empty() {
            for (n, visit) in input.visits.iter_mut().enumerate() {
                let pick = (seed as usize).wrapping_add(n * 7919);
                match (pick + named as usize) % 4 {
                    0 => {
                        let mine: Vec<&ItemKey> = keys.iter().filter(|(c, _)| *c == visit.customer_id).map(|(_, k)| k).collect();
                        if let Some(k) = mine.get(pick % mine.len().max(1)) {
                            visit.answers.push((*k).clone());
                        }
                    }
                    1 => {
                        let (_, k) = &keys[pick % keys.len()];
                        visit.answers.push(ItemKey { start: k.start - Duration::hours(1), ..k.clone() });
                    }
                    _ => {}
                }
            }
        }
        let a = agenda(&profile, &calendar, &input, now(), horizon);
        let visit_of = |id| input.visits.iter().find(|v| v.id == id).unwrap();
        let mut answered: std::collections::HashMap<crate::ids::VisitId, Vec<&FollowUpRule>> = Default::default();
        let mut keys_seen = HashSet::new();
        for i in a.items() {
            prop_assert!(keys_seen.insert((i.customer_id(), i.key())), "twice: {:?}", i.key());
            if let Some((id, at)) = i.done_by() {
                let v = visit_of(id);
                prop_assert!(v.outcome.is_completed(), "{:?} answered by {:?}", i.key(), v.outcome);
                prop_assert!(at >= i.earliest(), "{:?} answered at {at} before it opened {}", i.key(), i.earliest());
                prop_assert!(i.channel().is_none_or(|c| c == v.channel));
                prop_assert_eq!(v.customer_id, i.customer_id());
                answered.entry(id).or_default().push(i.follow_up_rule());
            }
        }
        for (id, rules) in &answered {
            prop_assert!(
                rules.len() == 1 || rules.iter().all(|r| r.shares_visit),
                "visit {id:?} answered {:?}", rules.iter().map(|r| &r.id).collect::<Vec<_>>()
            );
        }
        // A rule's item started at `at` is withdrawn, unless answered first, by a later event
        // of its `cancelled_by` (a lost customer back in the workshop, a caller who visits):
        // then it may be there (answered) or not, but never twice.
        let withdrawn = |rule: &FollowUpRule, customer, at| {
            input.events.iter().any(|x| {
                x.customer_id == customer && x.at > at && x.at <= now() && rule.cancelled_by.contains(&x.kind)
            })
        };
        // Every step an event owes, exactly once.
        let clock = crate::time::china();
        for e in input.events.iter().filter(|e| e.at <= now()) {
            let facts = input.customers.iter().find(|c| c.id == e.customer_id).unwrap();
            let on = e.at.with_timezone(&clock).date_naive();
            for rule in &profile.rules {
                let owed = rule.start == RuleStart::Event(e.kind)
                    && !withdrawn(rule, facts.id, e.at)
                    && !(rule.every.is_some() && rule.when.warranty.is_some())
                    && rule.when.holds(facts, on, None);
                if owed {
                    let key = ItemKey { rule: rule.id.clone(), start: e.at.with_nanosecond(0).unwrap(), occurrence: 0 };
                    let n = a.items().filter(|i| i.customer_id() == facts.id && i.key() == key).count();
                    prop_assert_eq!(n, 1, "{:?} of {:?}", key, e);
                }
            }
        }
        // Every step a poor visit owes (retry, priority handling, escalation), and every step
        // a visit answering an item starts (a sequence), exactly once, from that visit's time.
        let owed_once = |rule: &FollowUpRule, facts: &CustomerFacts, v: &VisitFact| -> Result<(), TestCaseError> {
            let on = v.at.with_timezone(&clock).date_naive();
            if withdrawn(rule, facts.id, v.at)
                || (rule.every.is_some() && rule.when.warranty.is_some())
                || !rule.when.holds(facts, on, Some(v.channel))
            {
                return Ok(());
            }
            let key = ItemKey { rule: rule.id.clone(), start: v.at.with_nanosecond(0).unwrap(), occurrence: 0 };
            let n = a.items().filter(|i| i.customer_id() == facts.id && i.key() == key).count();
            prop_assert_eq!(n, 1, "{:?} after visit {:?}", key, v);
            Ok(())
        };
        for v in input.visits.iter().filter(|v| v.outcome == Outcome::Poor && v.at <= now()) {
            let facts = input.customers.iter().find(|c| c.id == v.customer_id).unwrap();
            for rule in profile.rules.iter().filter(|r| r.start == RuleStart::Event(Trigger::PoorOutcome)) {
                owed_once(rule, facts, v)?;
            }
        }
        for i in a.items() {
            let Some((id, _)) = i.done_by() else { continue };
            let v = visit_of(id);
            let facts = input.customers.iter().find(|c| c.id == v.customer_id).unwrap();
            for rule in profile.rules.iter().filter(|r| r.start == RuleStart::After(i.rule().to_owned())) {
                owed_once(rule, facts, v)?;
            }
        }
        // The prepared input gives the same agenda, and so does the open one without done items.
        let prepared = PreparedInput::new(input.clone());
        prop_assert_eq!(&prepared.agenda(&profile, &calendar, now(), horizon), &a);
        let open: Vec<_> = a.items().filter(|i| !i.status.is_done()).cloned().collect();
        prop_assert_eq!(open_agenda(&profile, &calendar, &input, now(), horizon).items().cloned().collect::<Vec<_>>(), open);
    }
}

/// The `skeleton` profile reproduces `schedule::follow_ups`, the rule set it is meant to replace.
mod skeleton_equivalence {
    use chrono::{Days, NaiveDate};
    use proptest::prelude::*;
    use uuid::Uuid;

    use crate::{
        customer::{Customer, Tier},
        ids::{CustomerId, UserId},
        policy::{EngineInput, Horizon, WorkCalendar, agenda, builtin},
        schedule::{FollowUpKind, follow_ups},
        time::china,
        visit::tests::sample_visit,
    };

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn skeleton_profile_matches_schedule(vip: bool, purchase in 0u64..700, span in 0u64..500,
                                             visit_days in proptest::collection::vec(0u64..520, 0..8)) {
            let purchased_on = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(purchase);
            let until = purchased_on + Days::new(span);
            let customer = Customer {
                id: CustomerId(Uuid::from_u128(1)),
                name: "客户".into(),
                phone: "13800000000".into(),
                address: "上海".into(),
                tier: if vip { Tier::Vip } else { Tier::Normal },
                product: "净水器".into(),
                purchased_on,
                installed_on: None,
                repaired_on: None,
                technician_id: UserId(Uuid::from_u128(7)),
            };
            let visits: Vec<_> = visit_days
                .iter()
                .enumerate()
                .map(|(n, d)| {
                    let mut v = sample_visit(n as u128 + 10);
                    v.customer_id = customer.id;
                    let on = purchased_on - Days::new(10) + Days::new(*d);
                    v.visited_at = on.and_hms_opt(10, 0, 0).unwrap().and_local_timezone(china()).unwrap().to_utc();
                    v
                })
                .filter(|v| crate::time::china_date(v.visited_at) <= until)
                .collect();
            let expected: Vec<_> = follow_ups(&customer, &visits, until)
                .into_iter()
                .map(|f| (f.kind, f.anchor_on, f.due_on, f.done_by))
                .collect();
            let profile = builtin("skeleton").unwrap();
            let input = EngineInput::from_records(std::slice::from_ref(&customer), &visits);
            let now = until.and_hms_opt(23, 59, 59).unwrap().and_local_timezone(china()).unwrap().to_utc();
            let a = agenda(&profile, &WorkCalendar::china(), &input, now, Horizon { days: 0, lookahead_days: 0 });
            let mut got: Vec<_> = a
                .items()
                .map(|i| {
                    let kind = if i.rule() == "首次回访" { FollowUpKind::First } else { FollowUpKind::Periodic };
                    (kind, i.earliest().date(), i.due().date(), i.done_by().map(|(id, at)| (id, at.date())))
                })
                .collect();
            got.sort_by_key(|g| (g.1, g.2));
            prop_assert_eq!(got, expected);
        }
    }
}
