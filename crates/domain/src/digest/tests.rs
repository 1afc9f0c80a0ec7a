//! Digests against the records they stand for: the engine input, the bytes, damage.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::{
    Reach, Satisfaction,
    complaint::tests::sample_complaint,
    customer::tests::sample_customer,
    event::{recorded_input, tests::sample_event},
    visit::tests::sample_visit,
};

/// A record as it may reach a device, in any order and more than once.
#[derive(Clone, Debug)]
enum Arrival {
    Customer(Customer),
    Visit(VisitRecord),
    Event(CustomerEvent),
    Complaint(Complaint),
}

impl Arrival {
    fn customer_id(&self) -> CustomerId {
        match self {
            Arrival::Customer(c) => c.id,
            Arrival::Visit(v) => v.customer_id,
            Arrival::Event(e) => e.customer_id,
            Arrival::Complaint(c) => c.customer_id,
        }
    }
}

fn customer_of(n: u128) -> CustomerId {
    CustomerId(Uuid::from_u128(0x1000 + n))
}

fn at(hours: i64) -> DateTime<Utc> {
    crate::time::parse_instant("2026-06-01T00:00:00Z").unwrap() + Duration::hours(hours)
}

/// Arrivals over a few customers: customer records edited (the later copy wins), visits of
/// every reach and rating (some amending an earlier one, some delivered twice), events and
/// complaints (a complaint closed in a later copy), in the order drawn. An event or a complaint
/// keeps its customer (a complaint's is set once, an event is create-only), as a visit does.
fn arrivals() -> impl Strategy<Value = Vec<Arrival>> {
    let one = (0u128..4, 0u8..4, 0u128..40, -2000i64..2000, 0u8..16);
    proptest::collection::vec(one, 0..60).prop_map(|draws| {
        draws
            .into_iter()
            .map(|(customer, kind, n, hours, x)| {
                let customer_id = customer_of(customer);
                match kind {
                    0 => Arrival::Customer(Customer {
                        id: customer_id,
                        name: format!("客户{n}"),
                        tier: Tier::ALL[x as usize % 2],
                        installed_on: (x % 3 == 0)
                            .then(|| NaiveDate::from_ymd_opt(2026, 5, 1 + x as u32).unwrap()),
                        repaired_on: (x % 5 == 0)
                            .then(|| NaiveDate::from_ymd_opt(2026, 4, 2).unwrap()),
                        ..sample_customer()
                    }),
                    1 => {
                        // A visit's id decides its content, as a create-only record's does.
                        let v = sample_visit(n);
                        let reach = Reach::ALL[n as usize % 3];
                        Arrival::Visit(VisitRecord {
                            customer_id: customer_of(n % 4),
                            visited_at: at(n as i64 * 37 - 700),
                            channel: Channel::ALL[n as usize % 2],
                            satisfaction: reach
                                .is_reached()
                                .then(|| Satisfaction::ALL[n as usize % 5]),
                            reach,
                            amends: (n % 7 == 3).then(|| VisitId(Uuid::from_u128(n - 1))),
                            ..v
                        })
                    }
                    2 => Arrival::Event(CustomerEvent {
                        id: EventId(Uuid::from_u128(0x2000 + 0x100 * customer + n)),
                        customer_id,
                        kind: Trigger::ALL[x as usize % Trigger::ALL.len()],
                        at: at(hours),
                        ..sample_event()
                    }),
                    _ => Arrival::Complaint(Complaint {
                        id: ComplaintId(Uuid::from_u128(0x3000 + 0x100 * customer + n)),
                        customer_id,
                        received_at: at(hours),
                        closed_at: (x % 2 == 0).then(|| at(hours + x as i64)),
                        ..sample_complaint()
                    }),
                }
            })
            .collect()
    })
}

/// The digests made by patching each arrival in, as a device does.
fn patched(arrivals: &[Arrival]) -> Vec<CustomerDigest> {
    let mut digests: BTreeMap<CustomerId, CustomerDigest> = BTreeMap::new();
    for a in arrivals {
        let id = a.customer_id();
        let d = digests.entry(id).or_insert_with(|| CustomerDigest::new(id));
        match a {
            Arrival::Customer(c) => d.set_customer(c),
            Arrival::Visit(v) => {
                d.add_visit(v);
            }
            Arrival::Event(e) => d.put_event(e),
            Arrival::Complaint(c) => d.put_complaint(c),
        }
    }
    digests.into_values().collect()
}

/// The records a store ends up holding: the last copy of each editable record, the first of
/// each create-only one.
fn stored(
    arrivals: &[Arrival],
) -> (
    Vec<Customer>,
    Vec<CustomerEvent>,
    Vec<Complaint>,
    Vec<VisitRecord>,
) {
    let (mut customers, mut events, mut complaints, mut visits) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    for a in arrivals {
        match a {
            Arrival::Customer(c) => {
                customers.insert(c.id, c.clone());
            }
            Arrival::Visit(v) => {
                visits.entry(v.id).or_insert_with(|| v.clone());
            }
            Arrival::Event(e) => {
                events.insert(e.id, e.clone());
            }
            Arrival::Complaint(c) => {
                complaints.insert(c.id, c.clone());
            }
        }
    }
    (
        customers.into_values().collect(),
        events.into_values().collect(),
        complaints.into_values().collect(),
        visits.into_values().collect(),
    )
}

/// An input in one order, so two inputs of the same records compare equal.
fn normalised(mut input: EngineInput) -> EngineInput {
    input.customers.sort_by_key(|c| c.id);
    input.events.sort_by_key(|e| {
        (
            e.customer_id,
            e.at,
            Trigger::ALL.iter().position(|t| *t == e.kind),
        )
    });
    input.visits.sort_by_key(|v| v.id);
    input
}

proptest! {
    /// Patched digests give the engine exactly what the records themselves give it, whatever
    /// the order records arrive in and however often; each digest reads back as written.
    #[test]
    fn digests_give_the_engine_what_the_records_give(arrivals in arrivals()) {
        let digests = patched(&arrivals);
        for d in &digests {
            prop_assert_eq!(&CustomerDigest::decode(&d.encode()).unwrap(), d);
        }
        let (input, at) = engine_input(&digests);
        for (n, facts) in at.iter().zip(&input.customers) {
            prop_assert_eq!(digests[*n].id, facts.id);
        }
        let (customers, events, complaints, visits) = stored(&arrivals);
        prop_assert_eq!(
            normalised(input),
            normalised(recorded_input(&customers, &events, &complaints, &visits))
        );
    }

    /// Damaged bytes are an error, never a panic or a wrong digest that reads as right.
    #[test]
    fn damaged_digests_do_not_decode(arrivals in arrivals(), cut in 0usize..4096, flip in any::<u8>()) {
        for d in patched(&arrivals) {
            let bytes = d.encode();
            let cut = cut % bytes.len();
            prop_assert!(CustomerDigest::decode(&bytes[..cut]).is_err());
            let mut longer = bytes.clone();
            longer.push(flip);
            prop_assert!(CustomerDigest::decode(&longer).is_err());
            let mut changed = bytes.clone();
            changed[cut] ^= flip | 1;
            if let Ok(read) = CustomerDigest::decode(&changed) {
                prop_assert_ne!(read, d);
            }
        }
    }
}

#[test]
fn a_rescheduled_visit_and_the_items_it_answers_read_back() {
    let id = customer_of(1);
    let mut d = CustomerDigest::new(id);
    let fact = VisitFact {
        id: VisitId(Uuid::from_u128(5)),
        customer_id: id,
        at: at(3),
        channel: Channel::Phone,
        outcome: Outcome::Rescheduled { to: at(30) },
        answers: vec![ItemKey {
            rule: "首次回访".into(),
            start: at(-24),
            occurrence: 2,
        }],
    };
    d.visits.push((fact, None));
    assert_eq!(CustomerDigest::decode(&d.encode()), Ok(d.clone()));
    let mut other_format = d.encode();
    other_format[0] = FORMAT + 1;
    assert_eq!(CustomerDigest::decode(&other_format), Err(DigestError));
}

#[test]
fn a_visit_is_kept_as_first_stored() {
    let v = sample_visit(1);
    let mut d = CustomerDigest::new(v.customer_id);
    assert!(d.add_visit(&v));
    let changed = VisitRecord {
        reach: Reach::BlankNumber,
        satisfaction: None,
        ..v.clone()
    };
    assert!(!d.add_visit(&changed));
    assert_eq!(d.visits, [(VisitFact::from(&v), None)]);
}
