//! Property tests of the engine's invariants over synthetic data and every shipped profile.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use proptest::prelude::*;

use super::{synthetic::synthetic_input, *};

fn now() -> DateTime<Utc> {
    "2026-11-22T01:00:00Z".parse().unwrap()
}

fn key<'a>(i: &AgendaEntry<'a>) -> (crate::ids::CustomerId, &'a str, chrono::NaiveDateTime, u32) {
    (i.customer_id, i.rule, i.because.at, i.because.occurrence)
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
        for i in &a.items {
            // No item due before its trigger.
            prop_assert!(i.due >= i.because.at);
            // No duplicates.
            prop_assert!(seen.insert(key(i)), "duplicate {:?}", key(i));
            // Every item is explained.
            prop_assert!(!i.explain(Lang::Zh).is_empty() && !i.explain(Lang::En).is_empty());
            // The horizon bounds the output.
            prop_assert!(i.earliest <= until);
        }
        // Advancing "now" never un-does a done item.
        let b = agenda(&profile, &calendar, &input, now() + Duration::hours(later_hours), horizon);
        let done_later: HashSet<_> = b.items.iter().filter(|i| i.status.is_done()).map(key).collect();
        for i in a.items.iter().filter(|i| i.status.is_done()) {
            prop_assert!(done_later.contains(&key(i)), "{:?} undone", key(i));
        }
    }
}
