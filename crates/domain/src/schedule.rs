//! The walking skeleton's first follow-up rule set, to be replaced by the policy engine.
//!
//! Rules: a first visit within 7 days of purchase (000 §B); after that, VIP customers
//! monthly and normal customers quarterly after the last visit (000 §A).
//! Any visit made on or after an item's anchor date satisfies it; done after the due
//! date counts as done late.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{
    customer::{Customer, Tier},
    ids::{CustomerId, VisitId},
    time::china_date,
    visit::VisitRecord,
};

/// Days after purchase within which the first visit is due (000 §B).
pub const FIRST_VISIT_DAYS: u64 = 7;

/// Which rule produced a follow-up item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// 首次回访: within 7 days of purchase.
    First,
    /// 定期回访: VIP monthly, normal quarterly.
    Periodic,
}

/// One visit a customer is owed under the rules. 回访计划项
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The customer owed the visit.
    pub customer_id: CustomerId,
    /// The rule that created the item.
    pub kind: FollowUpKind,
    /// The earliest date a visit counts for this item (the trigger).
    pub anchor_on: NaiveDate,
    /// The last day the visit is on time.
    pub due_on: NaiveDate,
    /// The visit that satisfied the item, and its date in China.
    pub done_by: Option<(VisitId, NaiveDate)>,
}

/// Where an item stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// Past its due date and not done. 已逾期
    Overdue,
    /// Due within the agenda's look-ahead. 待回访
    Due,
    /// Due later. 未到期
    Upcoming,
    /// Done on time. 已完成
    Done,
    /// Done after the due date. 逾期完成
    DoneLate,
}

impl FollowUp {
    /// The item's status on `today`, looking `lookahead_days` ahead for "due".
    pub fn status(&self, today: NaiveDate, lookahead_days: u64) -> FollowUpStatus {
        match self.done_by {
            Some((_, on)) if on <= self.due_on => FollowUpStatus::Done,
            Some(_) => FollowUpStatus::DoneLate,
            None if today > self.due_on => FollowUpStatus::Overdue,
            None if self.due_on <= today + chrono::Days::new(lookahead_days) => FollowUpStatus::Due,
            None => FollowUpStatus::Upcoming,
        }
    }
}

/// Every follow-up item of one customer whose anchor is on or before `until`.
///
/// `visits` may hold any customers' visits, in any order; only this customer's count.
/// The chain stops at the first item not yet done, so the output is bounded.
pub fn follow_ups(customer: &Customer, visits: &[VisitRecord], until: NaiveDate) -> Vec<FollowUp> {
    VisitIndex::new(visits).follow_ups(customer, until)
}

/// Visits grouped by customer and sorted by date, built once for many customers.
#[derive(Debug, Default)]
pub struct VisitIndex {
    by_customer: HashMap<CustomerId, Vec<(NaiveDate, VisitId)>>,
}

impl VisitIndex {
    /// Indexes `visits` by customer, each customer's visits in date order.
    pub fn new(visits: &[VisitRecord]) -> Self {
        let mut by_customer: HashMap<CustomerId, Vec<(NaiveDate, VisitId)>> = HashMap::new();
        for v in visits {
            by_customer
                .entry(v.customer_id)
                .or_default()
                .push((china_date(v.visited_at), v.id));
        }
        for dates in by_customer.values_mut() {
            dates.sort_unstable();
        }
        VisitIndex { by_customer }
    }

    /// Every follow-up item of `customer` whose anchor is on or before `until`.
    pub fn follow_ups(&self, customer: &Customer, until: NaiveDate) -> Vec<FollowUp> {
        let dates = self
            .by_customer
            .get(&customer.id)
            .map_or(&[][..], Vec::as_slice);
        let cadence = match customer.tier {
            Tier::Vip => Months::new(1),
            Tier::Normal => Months::new(3),
        };
        let mut items = Vec::new();
        let mut kind = FollowUpKind::First;
        let mut anchor_on = customer.purchased_on;
        let mut due_on = anchor_on + chrono::Days::new(FIRST_VISIT_DAYS);
        let mut next_visit = 0;
        while anchor_on <= until {
            while next_visit < dates.len() && dates[next_visit].0 < anchor_on {
                next_visit += 1;
            }
            let done_by = dates.get(next_visit).map(|&(on, id)| (id, on));
            items.push(FollowUp {
                customer_id: customer.id,
                kind,
                anchor_on,
                due_on,
                done_by,
            });
            let Some((_, done_on)) = done_by else { break };
            next_visit += 1;
            kind = FollowUpKind::Periodic;
            // The next periodic visit counts from the day after the last one.
            anchor_on = done_on + chrono::Days::new(1);
            due_on = done_on
                .checked_add_months(cadence)
                .unwrap_or(NaiveDate::MAX);
        }
        items
    }
}

/// One line of a technician's agenda. 回访日程
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// The customer to visit.
    pub customer_id: CustomerId,
    /// Which rule asks for the visit.
    pub kind: FollowUpKind,
    /// The last day the visit is on time.
    pub due_on: NaiveDate,
    /// Overdue or due.
    pub status: FollowUpStatus,
}

/// The open items due by `today + lookahead_days`, overdue first, then VIP, then by due date.
pub fn agenda(
    customers: &[Customer],
    visits: &[VisitRecord],
    today: NaiveDate,
    lookahead_days: u64,
) -> Vec<AgendaItem> {
    let index = VisitIndex::new(visits);
    let mut items: Vec<(AgendaItem, Tier)> = customers
        .iter()
        .filter_map(|c| {
            let last = index.follow_ups(c, today).pop()?;
            let status = last.status(today, lookahead_days);
            matches!(status, FollowUpStatus::Overdue | FollowUpStatus::Due).then(|| {
                let item = AgendaItem {
                    customer_id: c.id,
                    kind: last.kind,
                    due_on: last.due_on,
                    status,
                };
                (item, c.tier)
            })
        })
        .collect();
    items.sort_by_key(|(item, tier)| {
        (
            item.status,
            *tier != Tier::Vip,
            item.due_on,
            item.customer_id,
        )
    });
    items.into_iter().map(|(item, _)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ids::UserId, visit::tests::sample_visit};
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn customer(n: u128, tier: Tier, purchased: &str) -> Customer {
        Customer {
            id: CustomerId(Uuid::from_u128(1000 + n)),
            name: format!("客户{n}"),
            phone: "13800000000".into(),
            address: "上海".into(),
            tier,
            product: "净水器".into(),
            purchased_on: d(purchased),
            installed_on: None,
            repaired_on: None,
            technician_id: UserId(Uuid::from_u128(7)),
        }
    }

    /// A visit to customer `n` at a China-local date, 10:00 there.
    fn visit(n: u128, serial: u128, on: &str) -> VisitRecord {
        let mut v = sample_visit(serial);
        v.customer_id = CustomerId(Uuid::from_u128(1000 + n));
        v.visited_at = DateTime::parse_from_rfc3339(&format!("{on}T10:00:00+08:00"))
            .unwrap()
            .with_timezone(&Utc);
        v.seal()
    }

    /// Renders a customer's items as `kind anchor..due status` lines on `today`.
    fn check(c: &Customer, visits: &[VisitRecord], today: &str, expected: &[&str]) {
        let got: Vec<String> = follow_ups(c, visits, d(today))
            .iter()
            .map(|f| {
                format!(
                    "{:?} {}..{} {:?}",
                    f.kind,
                    f.anchor_on,
                    f.due_on,
                    f.status(d(today), 0)
                )
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn first_visit_is_due_seven_days_after_purchase() {
        let c = customer(1, Tier::Normal, "2026-11-01");
        check(
            &c,
            &[],
            "2026-11-05",
            &["First 2026-11-01..2026-11-08 Upcoming"],
        );
        check(
            &c,
            &[],
            "2026-11-09",
            &["First 2026-11-01..2026-11-08 Overdue"],
        );
    }

    #[test]
    fn vip_monthly_normal_quarterly_after_last_visit() {
        let vip = customer(1, Tier::Vip, "2026-01-02");
        check(
            &vip,
            &[visit(1, 1, "2026-01-05")],
            "2026-02-10",
            &[
                "First 2026-01-02..2026-01-09 Done",
                "Periodic 2026-01-06..2026-02-05 Overdue",
            ],
        );
        let normal = customer(2, Tier::Normal, "2026-01-02");
        check(
            &normal,
            &[visit(2, 2, "2026-01-05")],
            "2026-02-10",
            &[
                "First 2026-01-02..2026-01-09 Done",
                "Periodic 2026-01-06..2026-04-05 Upcoming",
            ],
        );
    }

    #[test]
    fn month_end_clamps() {
        let vip = customer(1, Tier::Vip, "2028-01-25");
        check(
            &vip,
            &[visit(1, 1, "2028-01-31")],
            "2028-02-01",
            &[
                "First 2028-01-25..2028-02-01 Done",
                "Periodic 2028-02-01..2028-02-29 Upcoming",
            ],
        );
    }

    #[test]
    fn late_visit_counts_as_done_late() {
        let c = customer(1, Tier::Normal, "2026-11-01");
        check(
            &c,
            &[visit(1, 1, "2026-11-10")],
            "2026-11-11",
            &[
                "First 2026-11-01..2026-11-08 DoneLate",
                "Periodic 2026-11-11..2027-02-10 Upcoming",
            ],
        );
    }

    #[test]
    fn visits_before_purchase_and_of_other_customers_do_not_count() {
        let c = customer(1, Tier::Normal, "2026-11-01");
        let visits = [visit(1, 1, "2026-10-30"), visit(2, 2, "2026-11-02")];
        check(
            &c,
            &visits,
            "2026-11-03",
            &["First 2026-11-01..2026-11-08 Upcoming"],
        );
    }

    #[test]
    fn agenda_puts_overdue_first_then_vip() {
        let customers = [
            customer(1, Tier::Normal, "2026-11-18"),
            customer(2, Tier::Vip, "2026-11-18"),
            customer(3, Tier::Normal, "2026-11-01"),
            customer(4, Tier::Normal, "2026-11-19"),
        ];
        let visits = [visit(4, 4, "2026-11-19")];
        let got: Vec<(u128, FollowUpStatus)> = agenda(&customers, &visits, d("2026-11-22"), 3)
            .into_iter()
            .map(|a| (a.customer_id.0.as_u128() - 1000, a.status))
            .collect();
        assert_eq!(
            got,
            [
                (3, FollowUpStatus::Overdue),
                (2, FollowUpStatus::Due),
                (1, FollowUpStatus::Due)
            ]
        );
    }
}
