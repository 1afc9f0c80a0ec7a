//! Deterministic synthetic data for benchmarks and property tests (not for production).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{
    engine::EngineInput,
    trigger::{CustomerFacts, LifecycleEvent, Outcome, Trigger, VisitFact},
};
use crate::{
    ids::{CustomerId, VisitId},
    visit::Channel,
};

/// `customers` customers with `events` lifecycle events and about as many visits, spread over
/// the two years before `now`, the same for the same arguments (a small linear congruential
/// generator seeded by `seed`; no `rand` dependency).
#[doc(hidden)]
pub fn synthetic_input(
    customers: usize,
    events: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> EngineInput {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |bound: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % bound.max(1)
    };
    let tiers = ["vip", "normal", "normal", "normal"];
    let mut input = EngineInput::default();
    for n in 0..customers {
        input.customers.push(CustomerFacts {
            id: CustomerId(Uuid::from_u128(n as u128 + 1)),
            tier: tiers[next(4) as usize].into(),
            category: String::new(),
            warranty_until: None,
            tags: Vec::new(),
        });
    }
    let kinds = [
        Trigger::Purchase,
        Trigger::InstallationCompleted,
        Trigger::RepairCompleted,
        Trigger::ComplaintClosed,
    ];
    let span = 2 * 365 * 24 * 60;
    for n in 0..events {
        // Every customer gets a purchase first; the rest are spread at random.
        let (c, kind) = if n < customers {
            (n, Trigger::Purchase)
        } else {
            (next(customers as u64) as usize, kinds[next(4) as usize])
        };
        let customer_id = input.customers[c].id;
        let at = now - Duration::minutes(next(span) as i64);
        input.events.push(LifecycleEvent {
            customer_id,
            kind,
            at,
        });
        let outcome = match next(20) {
            0 => Outcome::Poor,
            1 => Outcome::Unreachable,
            _ => Outcome::Good,
        };
        input.visits.push(VisitFact {
            id: VisitId(Uuid::from_u128(n as u128 + 1)),
            customer_id,
            at: at + Duration::hours(next(24 * 40) as i64),
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
