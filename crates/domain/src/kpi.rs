//! KPI formulas, exactly as the policies write them (004 §七, 003 §八), counted on the policy
//! engine's agenda, so a report and a technician's agenda agree on what was due: the whole set
//! for any period and cut (`set`, `period`), its export (`csv`), and the monthly per-technician
//! figures the server's report sends (`monthly_kpis`).

pub mod csv;
pub mod period;
pub mod set;

pub use period::{Period, PeriodKind};
pub use set::{Counted, Cut, Kpi, KpiFigure, KpiLedger, Record, Records, TargetStatus, Unit};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::{
    customer::Customer,
    ids::{CustomerId, UserId},
    policy::{AgendaEntry, EngineInput, Horizon, LifecycleEvent, OrgPolicy, agenda},
    time::{china, china_date},
    visit::VisitRecord,
};

/// A ratio kept as its two counts, so a report can show "12 / 15" as well as 80.0 %.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// What was achieved.
    pub numerator: u32,
    /// Out of how many.
    pub denominator: u32,
}

impl Rate {
    /// The rate in percent, or `None` when nothing was counted (no 0 ÷ 0 = 100 %).
    pub fn percent(self) -> Option<f64> {
        (self.denominator > 0)
            .then(|| 100.0 * f64::from(self.numerator) / f64::from(self.denominator))
    }

    /// The rate in tenths of a percent, rounded half up (2/3 → 667, shown as 66.7 %), or
    /// `None` when nothing was counted. Integer arithmetic: the browser shows rates without
    /// pulling in float formatting, which weighs kilobytes of its bundle.
    pub fn tenths_of_percent(self) -> Option<u32> {
        let (n, d) = (u64::from(self.numerator), u64::from(self.denominator));
        (d > 0).then(|| ((n * 1000 + d / 2) / d) as u32)
    }

    /// Both counts added (a total over technicians).
    pub fn plus(self, other: Rate) -> Rate {
        Rate {
            numerator: self.numerator + other.numerator,
            denominator: self.denominator + other.denominator,
        }
    }
}

/// A calendar month. 月份
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Month {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
}

impl Month {
    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }
}

/// 回访完成率 of a set of follow-up items, two ways.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// Done, on time or late (已完成 + 逾期完成), over the items counted: 回访完成率.
    pub done: Rate,
    /// Done inside the window only (已完成), over the same items: 按时完成率.
    pub on_time: Rate,
}

impl Completion {
    /// Counts one item if it belongs to `month` (see [`completion`]).
    fn count(&mut self, item: &AgendaEntry<'_>, month: Month, now: NaiveDateTime) {
        let done = item.status.is_done();
        let due = item.due();
        if month.contains(due.date()) && (due <= now || done) {
            self.done.denominator += 1;
            self.on_time.denominator += 1;
            self.done.numerator += u32::from(done);
            self.on_time.numerator += u32::from(item.status == crate::policy::ItemStatus::Done);
        }
    }
}

/// 回访完成率 = visits done ÷ visits due (004 §七) in `month`, over agenda `items` computed at
/// `now` (China local time, as the engine's times are).
///
/// An item counts in the month its due time falls in, once it is due (`due <= now`) or done:
/// an item due later this month and not yet visited is not yet missed.
pub fn completion<'a, 'p: 'a>(
    items: impl IntoIterator<Item = &'a AgendaEntry<'p>>,
    month: Month,
    now: NaiveDateTime,
) -> Completion {
    let mut c = Completion::default();
    for item in items {
        c.count(item, month, now);
    }
    c
}

/// 客户满意度 = (very satisfied + satisfied) ÷ visits rated (004 §七), over visits in `month`.
pub fn satisfaction_rate(visits: &[VisitRecord], month: Month) -> Rate {
    let mut rate = Rate::default();
    // A customer not reached (空号/错号) rated nothing.
    for s in visits
        .iter()
        .filter(|v| month.contains(china_date(v.visited_at)))
        .filter_map(|v| v.satisfaction)
    {
        rate.denominator += 1;
        rate.numerator += u32::from(s.is_satisfied());
    }
    rate
}

/// One technician's line of the monthly report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TechnicianKpi {
    /// The technician.
    pub technician_id: UserId,
    /// Visits recorded in the month. 回访数
    pub visits: u32,
    /// 回访完成率 over the technician's customers (done on time or late).
    pub completion: Rate,
    /// 按时完成率: the same items, done inside their window only.
    pub on_time: Rate,
    /// 客户满意度 over the technician's visits.
    pub satisfaction: Rate,
}

/// The month's KPIs per technician, in the order of `technicians`, under the organisation's
/// policy at `now`: one engine run over all `customers`, `visits` and the lifecycle `events`
/// recorded apart from the customers (events, complaints); each item counts for the
/// technician the customer belongs to (whoever made the visit).
pub fn monthly_kpis(
    policy: &OrgPolicy,
    technicians: &[UserId],
    customers: &[Customer],
    visits: &[VisitRecord],
    events: impl IntoIterator<Item = LifecycleEvent>,
    month: Month,
    now: DateTime<Utc>,
) -> Vec<TechnicianKpi> {
    let mut input = EngineInput::from_records(customers, visits);
    input.events.extend(events);
    let all = agenda(
        &policy.profile,
        &policy.calendar,
        &input,
        now,
        Horizon::default(),
    );
    let now_local = now.with_timezone(&china()).naive_local();
    // Each customer's technician as an index into `technicians` (one small map; a technician
    // not listed gets no line).
    let owner: FxHashMap<CustomerId, u32> = customers
        .iter()
        .filter_map(|c| {
            let t = technicians.iter().position(|&t| t == c.technician_id)?;
            Some((c.id, t as u32))
        })
        .collect();
    let mut per_tech = vec![Completion::default(); technicians.len()];
    for item in all.items_unordered() {
        if let Some(&t) = owner.get(&item.customer.id) {
            per_tech[t as usize].count(item, month, now_local);
        }
    }
    technicians
        .iter()
        .zip(per_tech)
        .map(|(&t, c)| {
            let their_visits: Vec<VisitRecord> = visits
                .iter()
                .filter(|v| v.technician_id == t)
                .cloned()
                .collect();
            TechnicianKpi {
                technician_id: t,
                visits: their_visits
                    .iter()
                    .filter(|v| month.contains(china_date(v.visited_at)))
                    .count() as u32,
                completion: c.done,
                on_time: c.on_time,
                satisfaction: satisfaction_rate(&their_visits, month),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{customer::Tier, ids::CustomerId, visit::Satisfaction, visit::tests::sample_visit};
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn customer(n: u128, purchased: &str) -> Customer {
        Customer {
            id: CustomerId(Uuid::from_u128(1000 + n)),
            name: format!("客户{n}"),
            phone: String::new(),
            address: String::new(),
            tier: Tier::Normal,
            product: String::new(),
            purchased_on: d(purchased),
            installed_on: None,
            repaired_on: None,
            technician_id: UserId(Uuid::from_u128(7)),
        }
    }

    fn visit(n: u128, on: &str, s: Satisfaction) -> VisitRecord {
        let mut v = sample_visit(n);
        v.customer_id = CustomerId(Uuid::from_u128(1000 + n));
        v.visited_at = DateTime::parse_from_rfc3339(&format!("{on}T10:00:00+08:00"))
            .unwrap()
            .with_timezone(&Utc);
        v.satisfaction = Some(s);
        v.seal()
    }

    #[test]
    fn zero_over_zero_is_no_figure() {
        assert_eq!(Rate::default().percent(), None);
        assert_eq!(
            Rate {
                numerator: 3,
                denominator: 4
            }
            .percent(),
            Some(75.0)
        );
        let tenths = |numerator, denominator| {
            Rate {
                numerator,
                denominator,
            }
            .tenths_of_percent()
        };
        assert_eq!(tenths(0, 0), None);
        assert_eq!(tenths(2, 3), Some(667));
        assert_eq!(tenths(1, 3), Some(333));
        assert_eq!(tenths(1, 8), Some(125));
        assert_eq!(tenths(5, 5), Some(1000));
        assert_eq!(tenths(u32::MAX, u32::MAX), Some(1000));
    }

    /// First visit within 7 days of purchase (000 §B), nothing else.
    fn policy() -> OrgPolicy {
        let profile = crate::policy::PolicyProfile::parse(
            "test",
            r#"
                name = "测试"
                [[rule]]
                id = "首次回访"
                trigger = "purchase"
                kind = "first"
                due = "7 days"
                source = "000 §B"
            "#,
        )
        .unwrap();
        OrgPolicy {
            profile,
            calendar: crate::policy::WorkCalendar::default(),
        }
    }

    fn at(day: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{day}T12:00:00+08:00"))
            .unwrap()
            .to_utc()
    }

    fn nov() -> Month {
        Month {
            year: 2026,
            month: 11,
        }
    }

    fn rates(done: (u32, u32), on_time: (u32, u32)) -> (Rate, Rate) {
        let r = |(numerator, denominator)| Rate {
            numerator,
            denominator,
        };
        (r(done), r(on_time))
    }

    #[test]
    fn completion_counts_engine_items_due_so_far_this_month() {
        // 1 visited on time, 2 visited late, 3 is due on the 27th: not counted on the 22nd;
        // 4's first visit was due in October.
        let cs = [
            customer(1, "2026-11-01"),
            customer(2, "2026-11-02"),
            customer(3, "2026-11-20"),
            customer(4, "2026-10-20"),
        ];
        let visits = [
            visit(1, "2026-11-03", Satisfaction::VerySatisfied),
            visit(2, "2026-11-15", Satisfaction::Neutral),
        ];
        let tech = [UserId(Uuid::from_u128(7))];
        let kpi = |visits: &[VisitRecord], now: &str| {
            let k = &monthly_kpis(&policy(), &tech, &cs, visits, [], nov(), at(now))[0];
            (k.completion, k.on_time)
        };
        assert_eq!(kpi(&visits, "2026-11-22"), rates((2, 2), (1, 2)));
        assert_eq!(kpi(&visits[..1], "2026-11-22"), rates((1, 2), (1, 2)));
        assert_eq!(kpi(&visits, "2026-11-30"), rates((2, 3), (1, 3)));
        // A visit made early for an item not yet due counts as done.
        let early = [visit(3, "2026-11-21", Satisfaction::Satisfied)];
        assert_eq!(kpi(&early, "2026-11-22"), rates((1, 3), (1, 3)));
    }

    #[test]
    fn each_item_counts_for_the_customers_technician() {
        let mut other = customer(5, "2026-11-01");
        other.technician_id = UserId(Uuid::from_u128(8));
        let cs = [customer(1, "2026-11-01"), other];
        let visits = [visit(1, "2026-11-03", Satisfaction::VerySatisfied)];
        let tech = [UserId(Uuid::from_u128(7)), UserId(Uuid::from_u128(8))];
        let kpis = monthly_kpis(&policy(), &tech, &cs, &visits, [], nov(), at("2026-11-22"));
        assert_eq!(
            (kpis[0].completion, kpis[0].visits),
            (rates((1, 1), (0, 0)).0, 1)
        );
        assert_eq!(kpis[1].completion, rates((0, 1), (0, 0)).0);
        assert_eq!(kpis[1].visits, 0);
    }

    #[test]
    fn a_customer_not_reached_rated_nothing() {
        let mut blank = visit(5, "2026-11-06", Satisfaction::VerySatisfied);
        blank.channel = crate::visit::Channel::Phone;
        blank.signature = None;
        blank.reach = crate::visit::Reach::BlankNumber;
        blank.satisfaction = None;
        let blank = blank.seal();
        assert_eq!(blank.validate(), Ok(()));
        let visits = [visit(1, "2026-11-03", Satisfaction::Dissatisfied), blank];
        let november = Month {
            year: 2026,
            month: 11,
        };
        assert_eq!(
            satisfaction_rate(&visits, november),
            Rate {
                numerator: 0,
                denominator: 1
            }
        );
    }

    #[test]
    fn satisfaction_is_top_two_levels_over_all_rated() {
        let visits = [
            visit(1, "2026-11-03", Satisfaction::VerySatisfied),
            visit(2, "2026-11-04", Satisfaction::Satisfied),
            visit(3, "2026-11-05", Satisfaction::Neutral),
            visit(4, "2026-10-05", Satisfaction::Satisfied),
        ];
        assert_eq!(
            satisfaction_rate(
                &visits,
                Month {
                    year: 2026,
                    month: 11
                }
            ),
            Rate {
                numerator: 2,
                denominator: 3
            }
        );
    }
}
