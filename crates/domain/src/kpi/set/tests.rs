//! The KPI set on a small organisation whose every numerator and denominator is worked out by
//! hand below, for a month, a week crossing into the next month, an empty day and a cut by
//! technician; and the targets' statuses with the policies' numbers.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::*;
use crate::{
    complaint::tests::sample_complaint,
    customer::Tier,
    ids::EventId,
    kpi::{Period, PeriodKind},
    policy::{PolicyProfile, Targets},
    problem::ProblemCategory,
    visit::{Reach, tests::sample_visit},
};

const T7: UserId = UserId(Uuid::from_u128(7));
const T8: UserId = UserId(Uuid::from_u128(8));

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}:00+08:00"))
        .unwrap()
        .to_utc()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn cid(n: u128) -> CustomerId {
    CustomerId(Uuid::from_u128(1000 + n))
}

fn customer(n: u128, purchased: &str, technician: UserId) -> Customer {
    Customer {
        id: cid(n),
        name: format!("客户{n}"),
        phone: String::new(),
        address: String::new(),
        tier: Tier::Normal,
        product: String::new(),
        purchased_on: day(purchased),
        installed_on: None,
        repaired_on: None,
        technician_id: technician,
    }
}

fn visit(n: u128, customer: u128, when: &str, by: UserId, s: Option<Satisfaction>) -> VisitRecord {
    let mut v = sample_visit(n);
    v.customer_id = cid(customer);
    v.technician_id = by;
    v.visited_at = at(when);
    v.satisfaction = s;
    v
}

fn fault(n: u128, customer: u128, when: &str) -> CustomerEvent {
    CustomerEvent {
        id: EventId(Uuid::from_u128(n)),
        customer_id: cid(customer),
        kind: Trigger::FaultReported,
        at: at(when),
        recorded_by: T7,
        label: String::new(),
        note: String::new(),
    }
}

fn complaint(n: u128, customer: u128, received: &str, closed: Option<&str>) -> Complaint {
    let mut c = sample_complaint();
    c.id = ComplaintId(Uuid::from_u128(n));
    c.customer_id = cid(customer);
    c.received_at = at(received);
    c.closed_at = closed.map(at);
    c.status = if closed.is_some() {
        crate::complaint::ComplaintStatus::Closed
    } else {
        crate::complaint::ComplaintStatus::Open
    };
    c
}

fn issue(n: u128, customer: u128, reported: &str, status: IssueStatus) -> OpenIssue {
    OpenIssue {
        id: IssueId(Uuid::from_u128(n)),
        customer_id: cid(customer),
        visit_id: None,
        reported_by: T7,
        reported_at: at(reported),
        category: ProblemCategory::ProductQuality,
        description: "漏水".into(),
        photos: Vec::new(),
        lead_department: "售后部".into(),
        co_departments: Vec::new(),
        promised_on: day("2026-12-31"),
        status,
        closed_at: None,
        resolution: String::new(),
        customer_satisfied: false,
    }
}

/// First visit within 7 days of purchase (000 §B); a fault attended on site within 48 hours
/// (003 §五); complaints closed within 72 hours.
fn policy() -> OrgPolicy {
    let profile = PolicyProfile::parse(
        "test",
        r#"
            name = "测试"
            [[rule]]
            id = "首次回访"
            trigger = "purchase"
            kind = "first"
            due = "7 days"
            source = "000 §B"
            [[rule]]
            id = "故障到场"
            trigger = "fault_reported"
            kind = "fault"
            channel = "on_site"
            due = "48h"
            priority = 10
            source = "003 §五"
            [targets]
            complaint_clock = "72h"
            average_score = "4.5"
        "#,
    )
    .unwrap();
    OrgPolicy {
        profile,
        calendar: WorkCalendar::default(),
    }
}

/// The organisation, T7 with customers 1, 2, 6 and T8 with 3, 4, 5, 7:
/// - 1 bought Nov 1 (first visit due Nov 8), visited Nov 3, very satisfied: on time;
/// - 2 bought Nov 2 (due Nov 9), visited Nov 15 (neutral: late) and again Nov 20 (satisfied);
/// - 3 bought Nov 20 (due Nov 27), only a call on Nov 25 that hit a blank number (空号);
/// - 4 bought Oct 20 (due Oct 27): October's, not November's;
/// - 5 bought Nov 28 (due Dec 5), never visited;
/// - 6 bought in September; a fault on Nov 10 10:00, attended on site Nov 11 (satisfied);
/// - 7 bought in September; a fault on Nov 29 20:00 (due Dec 1 20:00), attended Nov 30 15:00.
struct Org {
    customers: Vec<Customer>,
    events: Vec<CustomerEvent>,
    complaints: Vec<Complaint>,
    issues: Vec<OpenIssue>,
    visits: Vec<VisitRecord>,
}

fn org() -> Org {
    use Satisfaction::*;
    let mut blank = visit(4, 3, "2026-11-25T10:00", T8, None);
    blank.channel = Channel::Phone;
    blank.reach = Reach::BlankNumber;
    Org {
        customers: vec![
            customer(1, "2026-11-01", T7),
            customer(2, "2026-11-02", T7),
            customer(3, "2026-11-20", T8),
            customer(4, "2026-10-20", T8),
            customer(5, "2026-11-28", T8),
            customer(6, "2026-09-01", T7),
            customer(7, "2026-09-01", T8),
        ],
        events: vec![
            fault(1, 6, "2026-11-10T10:00"),
            fault(2, 7, "2026-11-29T20:00"),
        ],
        // Clock 72 h: 1 closed in 47 h (on time); 2 closed after 96 h (late); 4 still open
        // past its clock (late); 3 received Nov 30 09:00, open, its clock ends Dec 3 09:00.
        complaints: vec![
            complaint(1, 1, "2026-11-05T10:00", Some("2026-11-07T09:00")),
            complaint(2, 2, "2026-11-10T10:00", Some("2026-11-14T10:00")),
            complaint(3, 3, "2026-11-30T09:00", None),
            complaint(4, 3, "2026-11-20T10:00", None),
        ],
        issues: vec![
            issue(1, 1, "2026-11-03T11:00", IssueStatus::Closed),
            issue(2, 2, "2026-11-15T11:00", IssueStatus::Resolved),
            issue(3, 3, "2026-11-25T11:00", IssueStatus::Open),
            issue(4, 4, "2026-10-30T11:00", IssueStatus::Open),
        ],
        visits: vec![
            visit(1, 1, "2026-11-03T10:00", T7, Some(VerySatisfied)),
            visit(2, 2, "2026-11-15T10:00", T7, Some(Neutral)),
            visit(3, 2, "2026-11-20T10:00", T7, Some(Satisfied)),
            blank,
            visit(5, 6, "2026-11-11T10:00", T7, Some(Satisfied)),
            visit(6, 7, "2026-11-30T15:00", T8, Some(Satisfied)),
        ],
    }
}

impl Org {
    fn records(&self) -> Records<'_> {
        Records {
            customers: &self.customers,
            events: &self.events,
            complaints: &self.complaints,
            issues: &self.issues,
            visits: &self.visits,
        }
    }
}

fn rate(numerator: u32, denominator: u32) -> Rate {
    Rate {
        numerator,
        denominator,
    }
}

/// Each KPI's (numerator, denominator) in `cut`, in [`Kpi::ALL`]'s order.
fn check(ledger: &KpiLedger<'_>, period: Period, cut: Cut<'_>, expected: [(u32, u32); 8]) {
    let got: Vec<(Kpi, Rate)> = ledger
        .figures(period)
        .iter()
        .map(|f| (f.kpi, f.rate_in(&cut)))
        .collect();
    let want: Vec<(Kpi, Rate)> = Kpi::ALL
        .iter()
        .zip(expected)
        .map(|(&k, (n, d))| (k, rate(n, d)))
        .collect();
    assert_eq!(got, want, "{period:?} {cut:?}");
}

#[test]
fn november_counted_by_hand() {
    let org = org();
    let ledger = KpiLedger::new(&policy(), org.records(), at("2026-11-30T18:00"));
    let november = Period::of(PeriodKind::Month, day("2026-11-30"));
    check(
        &ledger,
        november,
        Cut::Organisation,
        [
            // Customers due: 1 (done), 2 (done late), 3 (missed), 6 (done); 5 and 7 are due
            // in December and not done by Nov 30 — 7's fault call was attended early (Nov
            // 30) but is due on Dec 1, so it counts in December.
            (3, 4),
            // Items: 1's on time, 2's late, 3's missed, 6's fault on time.
            (2, 4),
            // Customers rated: 1 very satisfied, 2 satisfied at its latest visit, 6 and 7
            // satisfied; 3's blank-number call rated nothing.
            (4, 4),
            // Issues reported in November: 1 closed, 2 resolved, 3 open; 4 is October's.
            (2, 3),
            // Complaints: 1 on time, 2 and 4 late; 3 is still within its clock.
            (1, 3),
            // Fault calls attended on site: 6's, within 48 h.
            (1, 1),
            // Visits: six attempts, the blank number not a success.
            (5, 6),
            // Points of the rated visits: 5 + 3 + 4 + 4 + 4 = 20 over 5.
            (20, 5),
        ],
    );
    check(
        &ledger,
        november,
        Cut::Technician(T8),
        // 3's item and complaint, 3's issue, 7's rating, the blank call and 7's visit.
        [
            (0, 1),
            (0, 1),
            (1, 1),
            (0, 1),
            (0, 1),
            (0, 0),
            (1, 2),
            (4, 1),
        ],
    );
    check(
        &ledger,
        november,
        Cut::Team(&[T7]),
        [
            (3, 3),
            (2, 3),
            (3, 3),
            (2, 2),
            (1, 2),
            (1, 1),
            (4, 4),
            (16, 4),
        ],
    );
}

#[test]
fn a_week_across_the_month_end_counts_what_fell_due_in_it() {
    let org = org();
    let ledger = KpiLedger::new(&policy(), org.records(), at("2026-12-06T12:00"));
    // Monday Nov 30 to Sunday Dec 6.
    let week = Period::of(PeriodKind::Week, day("2026-12-01"));
    assert_eq!(
        (week.first(), week.last()),
        (day("2026-11-30"), day("2026-12-06"))
    );
    check(
        &ledger,
        week,
        Cut::Organisation,
        [
            // 5's first visit (Dec 5) missed; 7's fault (Dec 1 20:00) attended in time.
            (1, 2),
            (1, 2),
            // 7's visit on Nov 30, satisfied.
            (1, 1),
            (0, 0),
            // Complaint 3, received Nov 30 09:00, still open after its clock (Dec 3 09:00).
            (0, 1),
            (1, 1),
            (1, 1),
            (4, 1),
        ],
    );
}

#[test]
fn an_empty_period_has_no_figure_and_no_status() {
    let org = org();
    let ledger = KpiLedger::new(&policy(), org.records(), at("2026-11-30T18:00"));
    let quiet = Period::of(PeriodKind::Day, day("2026-11-02"));
    for f in ledger.figures(quiet) {
        assert_eq!(f.rate(), Rate::default(), "{:?}", f.kpi);
        assert_eq!((f.kpi.value(f.rate()), f.status(f.rate())), (None, None));
        assert_eq!(f.kpi.format(f.rate()), "—");
    }
    let nothing = Records {
        customers: &[],
        events: &[],
        complaints: &[],
        issues: &[],
        visits: &[],
    };
    let empty = KpiLedger::new(&policy(), nothing, at("2026-11-30T18:00"));
    let month = Period::of(PeriodKind::Month, day("2026-11-30"));
    assert!(empty.figures(month).iter().all(|f| f.counted.is_empty()));
}

#[test]
fn the_records_behind_a_figure_are_the_ones_it_counted() {
    let org = org();
    let ledger = KpiLedger::new(&policy(), org.records(), at("2026-11-30T18:00"));
    let november = Period::of(PeriodKind::Month, day("2026-11-30"));
    let complaints = ledger.figure(Kpi::ComplaintTimeliness, november);
    let ids: Vec<(ComplaintId, bool)> = complaints
        .counted
        .iter()
        .map(|c| match c.record {
            Record::Complaint { id, .. } => (id, c.hit),
            other => panic!("{other:?}"),
        })
        .collect();
    let k = |n| ComplaintId(Uuid::from_u128(n));
    // By the day received.
    assert_eq!(ids, [(k(1), true), (k(2), false), (k(4), false)]);
    let Record::Complaint { deadline, .. } = complaints.counted[0].record else {
        unreachable!()
    };
    assert_eq!(
        deadline,
        at("2026-11-08T10:00").with_timezone(&china()).naive_local()
    );
    let items = ledger.figure(Kpi::OnTime, november);
    let rules: Vec<&str> = items
        .counted
        .iter()
        .map(|c| match c.record {
            Record::Item { rule, .. } => ledger.rule_id(rule),
            _ => "",
        })
        .collect();
    assert_eq!(rules, ["首次回访", "首次回访", "故障到场", "首次回访"]);
    let completion = ledger.figure(Kpi::VisitCompletion, november);
    assert_eq!(
        completion
            .counted
            .last()
            .map(|c| (c.customer, c.record, c.hit)),
        Some((cid(3), Record::Customer { due: 1, done: 0 }, false))
    );
}

#[test]
fn the_complaint_clock_is_the_targets_else_the_complaint_rule_else_72_hours() {
    let org = org();
    let now = at("2026-11-30T18:00");
    assert_eq!(
        KpiLedger::new(&policy(), org.records(), now).complaint_clock(),
        Offset::parse("72h").unwrap()
    );
    let service_plan = OrgPolicy {
        profile: crate::policy::builtin("service-plan").unwrap(),
        calendar: WorkCalendar::china(),
    };
    assert_eq!(
        KpiLedger::new(&service_plan, org.records(), now).complaint_clock(),
        Offset::parse("3 working days").unwrap()
    );
    let general = OrgPolicy {
        profile: crate::policy::builtin("skeleton").unwrap(),
        calendar: WorkCalendar::china(),
    };
    let skeleton = KpiLedger::new(&general, org.records(), now);
    assert_eq!(skeleton.complaint_clock(), DEFAULT_COMPLAINT_CLOCK);
    // skeleton has no rule for attending a fault on site: no 维修及时率 to count on.
    assert!(!skeleton.counts_repairs());
    assert!(KpiLedger::new(&service_plan, org.records(), now).counts_repairs());
    assert!(KpiLedger::new(&policy(), org.records(), now).counts_repairs());
}

#[test]
fn targets_and_statuses_with_the_policies_numbers() {
    let t = Targets::default();
    // 003 §二: satisfaction ≥ 90 %, problems ≥ 95 %, complaints 100 %, repairs ≥ 90 %.
    let status = |kpi: Kpi, n, d| kpi.status(rate(n, d), kpi.target(&t));
    assert_eq!(
        status(Kpi::Satisfaction, 9, 10),
        Some(TargetStatus::AtOrAbove)
    );
    assert_eq!(status(Kpi::Satisfaction, 17, 20), Some(TargetStatus::Close));
    assert_eq!(status(Kpi::Satisfaction, 8, 10), Some(TargetStatus::Below));
    assert_eq!(
        status(Kpi::ProblemResolution, 19, 20),
        Some(TargetStatus::AtOrAbove)
    );
    assert_eq!(
        status(Kpi::ProblemResolution, 18, 20),
        Some(TargetStatus::Close)
    );
    assert_eq!(
        status(Kpi::ProblemResolution, 17, 20),
        Some(TargetStatus::Below)
    );
    assert_eq!(
        status(Kpi::ComplaintTimeliness, 20, 20),
        Some(TargetStatus::AtOrAbove)
    );
    assert_eq!(
        status(Kpi::ComplaintTimeliness, 19, 20),
        Some(TargetStatus::Close)
    );
    assert_eq!(
        status(Kpi::RepairTimeliness, 9, 10),
        Some(TargetStatus::AtOrAbove)
    );
    // 000 §C: more than 80 % of calls reach the customer.
    assert_eq!(
        status(Kpi::ContactSuccess, 4, 5),
        Some(TargetStatus::AtOrAbove)
    );
    assert_eq!(status(Kpi::ContactSuccess, 3, 5), Some(TargetStatus::Below));
    // No policy sets an average score: no target, no status.
    assert_eq!(status(Kpi::AverageScore, 20, 5), None);
    // The test profile sets 4.5: 4.3 is close, 4.0 below.
    let set = policy().profile.targets;
    assert_eq!(Kpi::AverageScore.target(&set), Some(45));
    let score = |n, d| Kpi::AverageScore.status(rate(n, d), Kpi::AverageScore.target(&set));
    assert_eq!(score(43, 10), Some(TargetStatus::Close));
    assert_eq!(score(20, 5), Some(TargetStatus::Below));
    assert_eq!(score(9, 2), Some(TargetStatus::AtOrAbove));
    assert_eq!(Kpi::AverageScore.format(rate(43, 10)), "4.3");
    assert_eq!(Kpi::Satisfaction.format(rate(2, 3)), "66.7%");
    assert_eq!(Kpi::ProblemResolution.format_target(950), "95%");
    assert_eq!(Kpi::AverageScore.format_target(45), "4.5");
}
