//! KPI formulas, exactly as the policies write them (004 §七).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    customer::Customer, ids::UserId, schedule::VisitIndex, time::china_date, visit::VisitRecord,
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

/// 回访完成率 = customers visited ÷ customers due for a visit (004 §七).
///
/// The items counted are those due in `month` up to `today` (an item due later this
/// month is not yet missed); an item is visited when done, on time or late, by `today`.
pub fn completion_rate(
    customers: &[&Customer],
    visits: &[VisitRecord],
    month: Month,
    today: NaiveDate,
) -> Rate {
    let index = VisitIndex::new(visits);
    let mut rate = Rate::default();
    for c in customers {
        for item in index.follow_ups(c, today) {
            if month.contains(item.due_on) && item.due_on <= today {
                rate.denominator += 1;
                if item.done_by.is_some_and(|(_, on)| on <= today) {
                    rate.numerator += 1;
                }
            }
        }
    }
    rate
}

/// 客户满意度 = (very satisfied + satisfied) ÷ visits rated (004 §七), over visits in `month`.
pub fn satisfaction_rate(visits: &[VisitRecord], month: Month) -> Rate {
    let mut rate = Rate::default();
    for v in visits
        .iter()
        .filter(|v| month.contains(china_date(v.visited_at)))
    {
        rate.denominator += 1;
        rate.numerator += u32::from(v.satisfaction.is_satisfied());
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
    /// 回访完成率 over the technician's customers.
    pub completion: Rate,
    /// 客户满意度 over the technician's visits.
    pub satisfaction: Rate,
}

/// The month's KPIs per technician, in the order of `technicians`.
pub fn monthly_kpis(
    technicians: &[UserId],
    customers: &[Customer],
    visits: &[VisitRecord],
    month: Month,
    today: NaiveDate,
) -> Vec<TechnicianKpi> {
    technicians
        .iter()
        .map(|&t| {
            let theirs: Vec<&Customer> =
                customers.iter().filter(|c| c.technician_id == t).collect();
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
                completion: completion_rate(&theirs, visits, month, today),
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
        v.satisfaction = s;
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
    }

    #[test]
    fn completion_counts_items_due_so_far_this_month() {
        let cs = [
            customer(1, "2026-11-01"),
            customer(2, "2026-11-02"),
            customer(3, "2026-11-20"),
        ];
        let refs: Vec<&Customer> = cs.iter().collect();
        // 1 visited on time, 2 visited late, 3 is due on the 27th: not counted on the 22nd.
        let visits = [
            visit(1, "2026-11-03", Satisfaction::VerySatisfied),
            visit(2, "2026-11-15", Satisfaction::Neutral),
        ];
        let month = Month {
            year: 2026,
            month: 11,
        };
        assert_eq!(
            completion_rate(&refs, &visits, month, d("2026-11-22")),
            Rate {
                numerator: 2,
                denominator: 2
            }
        );
        assert_eq!(
            completion_rate(&refs, &visits[..1], month, d("2026-11-22")),
            Rate {
                numerator: 1,
                denominator: 2
            }
        );
        assert_eq!(
            completion_rate(&refs, &visits, month, d("2026-11-30")).denominator,
            3
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
