//! Table tests of the shipped profiles against the policies' own numbers, through one `check`.

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use super::*;
use crate::{
    ids::{CustomerId, VisitId},
    time::china,
    visit::Channel,
};

/// A China-local `YYYY-MM-DD HH:MM` as an instant.
fn at(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_local_timezone(china())
        .unwrap()
        .to_utc()
}

fn cid() -> CustomerId {
    CustomerId(Uuid::from_u128(1))
}

/// One customer's story under a profile.
struct Case<'a> {
    profile: &'a str,
    tier: &'a str,
    events: &'a [(&'a str, &'a str)],
    /// (China-local time, channel `phone`/`on_site`, outcome `good`/`poor`/`unreachable`)
    visits: &'a [(&'a str, &'a str, &'a str)],
    now: &'a str,
}

fn input(case: &Case) -> EngineInput {
    EngineInput {
        customers: vec![CustomerFacts {
            id: cid(),
            tier: case.tier.into(),
            category: String::new(),
            warranty_until: None,
        }],
        events: case
            .events
            .iter()
            .map(|(t, a)| LifecycleEvent {
                customer_id: cid(),
                kind: Trigger::from_code(t).unwrap(),
                at: at(a),
            })
            .collect(),
        visits: case
            .visits
            .iter()
            .enumerate()
            .map(|(n, (a, ch, out))| VisitFact {
                id: VisitId(Uuid::from_u128(100 + n as u128)),
                customer_id: cid(),
                at: at(a),
                channel: if *ch == "phone" {
                    Channel::Phone
                } else {
                    Channel::OnSite
                },
                outcome: match *out {
                    "good" => Outcome::Good,
                    "poor" => Outcome::Poor,
                    _ => Outcome::Unreachable,
                },
            })
            .collect(),
    }
}

/// Renders the agenda as `rule due status` lines, in agenda order.
fn check(case: Case, expected: &[&str]) {
    let profile = builtin(case.profile).unwrap();
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        Horizon::default(),
    );
    let lines: Vec<String> = got
        .items()
        .map(|i| {
            format!(
                "{} {} {:?}",
                i.rule(),
                i.due().format("%Y-%m-%d %H:%M"),
                i.status
            )
        })
        .collect();
    assert_eq!(lines, expected);
}

#[test]
fn first_visit_within_a_week_then_1_3_6_months_with_month_end_clamp() {
    // 000 §B: purchase on Jan 31; one month later is Feb 28 (2027 is not a leap year).
    check(
        Case {
            profile: "general",
            tier: "normal",
            events: &[("purchase", "2027-01-31 00:00")],
            visits: &[],
            now: "2027-02-05 09:00",
        },
        &[
            "首次回访 2027-02-07 23:59 Due",
            "购后1个月回访 2027-02-28 23:59 Upcoming",
            "购后3个月回访 2027-04-30 23:59 Upcoming",
            "购后6个月回访 2027-07-31 23:59 Upcoming",
        ],
    );
}

#[test]
fn one_month_after_jan_31_is_feb_29_in_a_leap_year() {
    check(
        Case {
            profile: "general",
            tier: "normal",
            events: &[("purchase", "2028-01-31 00:00")],
            visits: &[("2028-02-03 10:00", "phone", "good")],
            now: "2028-02-03 12:00",
        },
        &[
            "购后1个月回访 2028-02-29 23:59 Upcoming",
            "购后3个月回访 2028-04-30 23:59 Upcoming",
            "购后6个月回访 2028-07-31 23:59 Upcoming",
            "首次回访 2028-02-07 23:59 Done",
        ],
    );
}

#[test]
fn vip_monthly_after_the_six_month_visit() {
    // 000 §A: VIP once a month after the last visit.
    check(
        Case {
            profile: "general",
            tier: "vip",
            events: &[("purchase", "2026-01-02 00:00")],
            visits: &[
                ("2026-01-05 10:00", "phone", "good"),
                ("2026-02-01 10:00", "phone", "good"),
                ("2026-04-01 10:00", "phone", "good"),
                ("2026-07-01 10:00", "phone", "good"),
            ],
            now: "2026-08-10 09:00",
        },
        &[
            "定期回访-VIP 2026-08-01 23:59 Overdue",
            "首次回访 2026-01-09 23:59 Done",
            "购后1个月回访 2026-02-02 23:59 Done",
            "购后3个月回访 2026-04-02 23:59 Done",
            "购后6个月回访 2026-07-02 23:59 Done",
        ],
    );
}

#[test]
fn normal_quarterly_after_the_six_month_visit() {
    check(
        Case {
            profile: "general",
            tier: "normal",
            events: &[("purchase", "2026-01-02 00:00")],
            visits: &[
                ("2026-01-05 10:00", "phone", "good"),
                ("2026-02-01 10:00", "phone", "good"),
                ("2026-04-01 10:00", "phone", "good"),
                ("2026-07-01 10:00", "phone", "good"),
            ],
            now: "2026-08-10 09:00",
        },
        &[
            "定期回访-普通 2026-10-01 23:59 Upcoming",
            "首次回访 2026-01-09 23:59 Done",
            "购后1个月回访 2026-02-02 23:59 Done",
            "购后3个月回访 2026-04-02 23:59 Done",
            "购后6个月回访 2026-07-02 23:59 Done",
        ],
    );
}

#[test]
fn late_visit_counts_as_done_late() {
    check(
        Case {
            profile: "skeleton",
            tier: "normal",
            events: &[("purchase", "2026-11-01 00:00")],
            visits: &[("2026-11-10 10:00", "phone", "good")],
            now: "2026-11-11 09:00",
        },
        &[
            "定期回访-普通 2027-02-10 23:59 Upcoming",
            "首次回访 2026-11-08 23:59 DoneLate",
        ],
    );
}

#[test]
fn repair_followed_up_within_48h_then_within_a_week() {
    // 000 §P: repair completed 2026-07-20 16:00 → first visit by 07-22 16:00, second within 1 week.
    check(
        Case {
            profile: "installed-equipment",
            tier: "normal",
            events: &[("repair_completed", "2026-07-20 16:00")],
            visits: &[],
            now: "2026-07-21 09:00",
        },
        &[
            "维修回访-48h 2026-07-22 16:00 Due",
            "维修回访-1周 2026-07-27 23:59 Upcoming",
        ],
    );
}

#[test]
fn installation_24h_48h_a_week_then_twice_a_month() {
    // 000 §P; the horizon (90 days) bounds the twice-a-month grid.
    let case = Case {
        profile: "installed-equipment",
        tier: "normal",
        events: &[("installation_completed", "2026-03-01 10:00")],
        visits: &[],
        now: "2026-03-01 12:00",
    };
    let profile = builtin(case.profile).unwrap();
    let short = Horizon {
        days: 30,
        lookahead_days: 3,
    };
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        short,
    );
    let lines: Vec<String> = got
        .items()
        .map(|i| format!("{} {}", i.rule(), i.due().format("%m-%d %H:%M")))
        .collect();
    assert_eq!(
        lines,
        [
            "安装回访-24h 03-02 10:00",
            "安装回访-48h 03-03 10:00",
            "安装回访-1周 03-08 23:59",
            "安装回访-每月两次 03-23 23:59",
            "安装回访-每月两次 04-07 23:59"
        ]
    );
}

#[test]
fn technical_support_same_pattern() {
    check(
        Case {
            profile: "installed-equipment",
            tier: "normal",
            events: &[("technical_support_completed", "2026-03-01 10:00")],
            visits: &[
                ("2026-03-01 18:00", "phone", "good"),
                ("2026-03-02 15:00", "phone", "good"),
            ],
            now: "2026-03-03 09:00",
        },
        &[
            "技术支持回访-1周 2026-03-08 23:59 Upcoming",
            "技术支持回访-每月两次 2026-03-23 23:59 Upcoming",
            "技术支持回访-每月两次 2026-04-07 23:59 Upcoming",
            "技术支持回访-每月两次 2026-04-22 23:59 Upcoming",
            "技术支持回访-每月两次 2026-05-07 23:59 Upcoming",
            "技术支持回访-每月两次 2026-05-22 23:59 Upcoming",
            "技术支持回访-每月两次 2026-06-06 23:59 Upcoming",
            "技术支持回访-24h 2026-03-02 10:00 Done",
            "技术支持回访-48h 2026-03-03 10:00 Done",
        ],
    );
}

#[test]
fn poor_outcome_retried_next_day_until_good() {
    // 000 §P: worse than normal → visit the next day, and every day until resolved. The
    // second visit is the first retry; it is poor too, so another retry is owed on 07-23.
    // Both visits came before the one-week window opened (48 h after the repair).
    check(
        Case {
            profile: "installed-equipment",
            tier: "normal",
            events: &[("repair_completed", "2026-07-20 16:00")],
            visits: &[
                ("2026-07-21 10:00", "phone", "poor"),
                ("2026-07-22 10:00", "phone", "poor"),
            ],
            now: "2026-07-24 09:00",
        },
        &[
            "结果不佳-次日重访 2026-07-23 23:59 Overdue",
            "维修回访-1周 2026-07-27 23:59 Upcoming",
            "结果不佳-次日重访 2026-07-22 23:59 Done",
            "维修回访-48h 2026-07-22 16:00 Done",
        ],
    );
}

#[test]
fn unreachable_number_keeps_the_visit_open_and_flags_the_customer() {
    let case = Case {
        profile: "skeleton",
        tier: "vip",
        events: &[("purchase", "2026-11-01 00:00")],
        visits: &[("2026-11-03 10:00", "phone", "unreachable")],
        now: "2026-11-04 09:00",
    };
    check(Case { ..case }, &["首次回访 2026-11-08 23:59 Upcoming"]);
    let case = Case {
        profile: "skeleton",
        tier: "vip",
        events: &[("purchase", "2026-11-01 00:00")],
        visits: &[("2026-11-03 10:00", "phone", "unreachable")],
        now: "2026-11-04 09:00",
    };
    let profile = builtin("skeleton").unwrap();
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        Horizon::default(),
    );
    assert_eq!(got.data_corrections, [cid()]);
    assert!(got.items().next().unwrap().needs_data_correction);
}

/// A complaint recorded for the customer reaches the engine: closed 2026-11-20 16:00, the
/// general profile's 投诉回访 is due a week later, explained from the closing; an open complaint
/// starts the complaints profile's 72-hour tracking; a visit after the closing satisfies the
/// follow-up.
#[test]
fn a_recorded_complaint_starts_the_complaint_rules() {
    use crate::{
        complaint::{Complaint, ComplaintStatus, tests::sample_complaint},
        customer::{Customer, Tier},
    };
    let customer = Customer {
        id: cid(),
        name: "客户".into(),
        phone: "13800000000".into(),
        address: "上海".into(),
        tier: Tier::Normal,
        product: "净水器".into(),
        purchased_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        installed_on: None,
        repaired_on: None,
        technician_id: crate::ids::UserId(Uuid::from_u128(7)),
    };
    let complaints = [
        Complaint {
            customer_id: cid(),
            received_at: at("2026-11-18 10:00"),
            status: ComplaintStatus::Closed,
            closed_at: Some(at("2026-11-20 16:00")),
            summary: "漏水".into(),
            cause: "接口松动".into(),
            corrective_action: "更换接口".into(),
            ..sample_complaint()
        },
        Complaint {
            customer_id: cid(),
            received_at: at("2026-11-25 09:30"),
            summary: "异味".into(),
            ..sample_complaint()
        },
    ];
    let now = at("2026-11-26 09:00");
    let agenda_of = |profile: &str, visits: &[crate::visit::VisitRecord]| {
        let profile = builtin(profile).unwrap();
        let mut input = EngineInput::from_records(std::slice::from_ref(&customer), visits);
        input
            .events
            .extend(complaints.iter().flat_map(Complaint::lifecycle));
        let agenda = open_agenda(
            &profile,
            &WorkCalendar::china(),
            &input,
            now,
            Horizon::default(),
        );
        agenda
            .items()
            .map(|i| {
                (
                    i.rule().to_string(),
                    i.due().format("%Y-%m-%d %H:%M").to_string(),
                    i.explain(Lang::Zh),
                )
            })
            .collect::<Vec<_>>()
    };
    let general = agenda_of("general", &[]);
    let follow_up = general
        .iter()
        .find(|(rule, _, _)| rule == "投诉回访")
        .expect("a complaint follow-up");
    assert_eq!(follow_up.1, "2026-11-27 23:59");
    assert!(follow_up.2.contains("2026-11-20 16:00"), "{}", follow_up.2);
    let tracked = agenda_of("complaints", &[]);
    assert!(
        tracked
            .iter()
            .any(|(_, due, why)| due == "2026-11-28 09:30" && why.contains("2026-11-25 09:30")),
        "{tracked:?}"
    );
    let mut call = crate::visit::tests::sample_visit(5);
    call.customer_id = cid();
    call.visited_at = at("2026-11-24 10:00");
    assert!(
        agenda_of("general", &[call.seal()])
            .iter()
            .all(|(rule, _, _)| rule != "投诉回访")
    );
}

/// A visit record of a blank or wrong number (空号/错号), as the visit form saves it, reaches
/// the engine as unreachable: the first visit stays open and the number is flagged.
#[test]
fn a_recorded_blank_number_keeps_the_visit_open_and_flags_the_customer() {
    use crate::visit::{Reach, tests::sample_visit};
    let customer = crate::customer::Customer {
        id: cid(),
        name: "客户".into(),
        phone: "13800000000".into(),
        address: "上海".into(),
        tier: crate::customer::Tier::Vip,
        product: "净水器".into(),
        purchased_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        installed_on: None,
        repaired_on: None,
        technician_id: crate::ids::UserId(Uuid::from_u128(7)),
    };
    let mut call = sample_visit(5);
    call.customer_id = cid();
    call.visited_at = at("2026-11-03 10:00");
    let records = |reach: Reach| {
        let visit = crate::visit::VisitRecord {
            channel: Channel::Phone,
            reach,
            satisfaction: reach
                .is_reached()
                .then_some(crate::visit::Satisfaction::Satisfied),
            signature: None,
            ..call.clone()
        }
        .seal();
        assert_eq!(visit.validate(), Ok(()));
        EngineInput::from_records(std::slice::from_ref(&customer), &[visit])
    };
    let profile = builtin("skeleton").unwrap();
    let run = |input: &EngineInput| {
        open_agenda(
            &profile,
            &WorkCalendar::china(),
            input,
            at("2026-11-04 09:00"),
            Horizon::default(),
        )
        .items()
        .map(|i| (i.rule().to_string(), i.needs_data_correction))
        .collect::<Vec<_>>()
    };
    assert_eq!(
        run(&records(Reach::BlankNumber)),
        [("首次回访".to_string(), true)]
    );
    assert_eq!(
        run(&records(Reach::WrongNumber)),
        [("首次回访".to_string(), true)]
    );
    assert!(
        run(&records(Reach::Reached))
            .iter()
            .all(|(rule, flagged)| rule != "首次回访" && !flagged),
        "a reached call satisfies the first visit and flags nothing"
    );
}

#[test]
fn water_purifier_phone_and_on_site_visits() {
    // 000 §T: phone on the day, at 1 month, 6 months, 1 year; on site at 6 and 12 months.
    check(
        Case {
            profile: "water-purifier",
            tier: "normal",
            events: &[("installation_completed", "2026-01-10 14:00")],
            visits: &[
                ("2026-01-10 19:00", "phone", "good"),
                ("2026-02-09 10:00", "phone", "good"),
                ("2026-07-08 10:00", "on_site", "good"),
            ],
            now: "2026-07-09 09:00",
        },
        &[
            "6个月电话回访 2026-07-10 23:59 Due",
            "1年电话回访 2027-01-10 23:59 Upcoming",
            "12个月上门回访 2027-01-10 23:59 Upcoming",
            "安装当天电话回访 2026-01-10 23:59 Done",
            "1个月电话回访 2026-02-10 23:59 Done",
            "6个月上门回访 2026-07-10 23:59 Done",
        ],
    );
}

#[test]
fn furniture_phone_visit_within_2_days_and_query_answer_times() {
    // 001: phone visit no later than 2 days after first installation; delivery queries in 2 h,
    // technical queries in 4 h with a reply agreed no later than the next day.
    check(
        Case {
            profile: "furniture",
            tier: "normal",
            events: &[
                ("installation_completed", "2026-05-06 11:00"),
                ("delivery_query", "2026-05-07 09:30"),
                ("technical_query", "2026-05-07 10:00"),
            ],
            visits: &[],
            now: "2026-05-07 10:00",
        },
        &[
            "进度咨询答复-2h 2026-05-07 11:30 Due",
            "技术咨询答复-4h 2026-05-07 14:00 Due",
            "安装后2天电话回访 2026-05-08 23:59 Due",
            "安装1年电话回访 2027-05-06 23:59 Upcoming",
        ],
    );
}

#[test]
fn complaints_tracked_in_72h_and_visited_3_days_after_closing_before_other_work() {
    // 002 §1/§5: result tracked within 72 h; §8: visit within 3 days of handling.
    check(
        Case {
            profile: "complaints",
            tier: "normal",
            events: &[
                ("repair_completed", "2026-06-01 09:00"),
                ("complaint_received", "2026-06-01 10:00"),
                ("complaint_closed", "2026-06-02 17:00"),
            ],
            visits: &[],
            now: "2026-06-02 18:00",
        },
        &[
            "投诉跟踪-72h 2026-06-04 10:00 Due",
            "维修工单跟踪-72h 2026-06-04 09:00 Due",
            "投诉处理后回访-3天 2026-06-05 23:59 Upcoming",
        ],
    );
}

#[test]
fn dissatisfied_complaint_visit_is_visited_again() {
    check(
        Case {
            profile: "complaints",
            tier: "normal",
            events: &[("complaint_closed", "2026-06-02 17:00")],
            visits: &[("2026-06-03 10:00", "phone", "poor")],
            now: "2026-06-03 12:00",
        },
        &[
            "不满意再次回访 2026-06-06 23:59 Upcoming",
            "投诉处理后回访-3天 2026-06-05 23:59 Done",
        ],
    );
}

#[test]
fn warranty_cadence_quarterly_then_half_yearly_then_yearly() {
    // 002 §4, clamped from the completion date Aug 31 (never drifting to the 28th). The
    // horizon ends 2028-09-30: the 2029 item's window opens on 2028-08-31, inside it.
    let case = Case {
        profile: "decoration-warranty",
        tier: "normal",
        events: &[("project_milestone", "2025-08-31 10:00")],
        visits: &[],
        now: "2028-08-01 09:00",
    };
    let profile = builtin(case.profile).unwrap();
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        Horizon {
            days: 60,
            lookahead_days: 0,
        },
    );
    let mut dues: Vec<String> = got
        .items()
        .map(|i| i.due().format("%Y-%m-%d").to_string())
        .collect();
    dues.sort();
    assert_eq!(
        dues,
        [
            "2025-11-30",
            "2026-02-28",
            "2026-05-31",
            "2026-08-31",
            "2027-02-28",
            "2027-08-31",
            "2028-08-31",
            "2029-08-31"
        ]
    );
}

#[test]
fn working_days_skip_holidays_and_count_make_up_days() {
    // 000 §N: within 7 working days. Service completed Fri 2025-09-26: Sun 09-28 is a
    // make-up working day (调休), 10-01..10-08 are the National Day holiday, Sat 10-11 is
    // worked: 09-28, 29, 30, 10-09, 10, 11, 13.
    let cal = WorkCalendar::china();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(cal.add_working_days(d("2025-09-26"), 7), d("2025-10-13"));
    assert!(cal.is_working_day(d("2025-09-28")));
    assert!(!cal.is_working_day(d("2025-10-08")));
    assert!(cal.is_working_day(d("2025-10-11")));
    // 2026 Spring Festival: 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked.
    assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
    assert_eq!(cal.add_working_days(d("2026-02-14"), 1), d("2026-02-24"));
    let org = WorkCalendar::from_toml("holidays = [2026-02-24]").unwrap();
    assert_eq!(
        cal.overridden_by(&org).add_working_days(d("2026-02-14"), 1),
        d("2026-02-25")
    );
}

#[test]
fn the_years_without_an_official_schedule_are_named() {
    // The shipped calendar knows 2025 and 2026; an agenda made now looks 90 days into 2027.
    let cal = WorkCalendar::china();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        cal.uncovered_years(d("2026-11-30"), d("2027-02-28")),
        [2027]
    );
    assert_eq!(
        cal.uncovered_years(d("2025-01-01"), d("2026-12-31")),
        [0i32; 0]
    );
    assert_eq!(
        cal.uncovered_years(d("2024-06-01"), d("2028-01-01")),
        [2024, 2027, 2028]
    );
    // An organisation that adds a year's holidays covers it.
    let org = WorkCalendar::from_toml("years = [2027]\nholidays = [2027-01-01]").unwrap();
    let merged = cal.overridden_by(&org);
    assert_eq!(
        merged.uncovered_years(d("2026-11-30"), d("2027-02-28")),
        [0i32; 0]
    );
}

#[test]
fn asia_shanghai_day_boundary() {
    // A purchase at 23:30 UTC on Oct 31 is Nov 1 in China: the first visit is due by Nov 8.
    let case = Case {
        profile: "skeleton",
        tier: "normal",
        events: &[],
        visits: &[],
        now: "2026-11-02 09:00",
    };
    let mut inp = input(&case);
    inp.events.push(LifecycleEvent {
        customer_id: cid(),
        kind: Trigger::Purchase,
        at: "2026-10-31T23:30:00Z".parse().unwrap(),
    });
    let profile = builtin("skeleton").unwrap();
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &inp,
        at(case.now),
        Horizon::default(),
    );
    assert_eq!(
        got.items().next().unwrap().due().to_string(),
        "2026-11-08 23:59:59"
    );
}

#[test]
fn explanations_in_both_languages() {
    let case = Case {
        profile: "installed-equipment",
        tier: "normal",
        events: &[("repair_completed", "2026-07-20 16:00")],
        visits: &[],
        now: "2026-07-21 09:00",
    };
    let profile = builtin(case.profile).unwrap();
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        Horizon::default(),
    );
    assert_eq!(
        got.items().next().unwrap().explain(Lang::En),
        "repair completed 2026-07-20 16:00 + 48 h, rule 维修回访-48h, policy 设备售后 (000 §P)"
    );
    assert_eq!(
        got.items().next().unwrap().explain(Lang::Zh),
        "维修完成 2026-07-20 16:00 + 48小时，规则 维修回访-48h，政策 设备售后（000 §P）"
    );
}

/// Loads `rules` as a profile and expects the error text.
fn check_rejected(rules: &str, expected: &str) {
    let text = format!("name = \"t\"\n{rules}");
    let err = PolicyProfile::parse("bad.toml", &text).unwrap_err();
    assert_eq!(err.to_string(), expected);
}

#[test]
fn bad_policies_are_rejected_naming_file_rule_and_problem() {
    let rule = |body: &str| format!("[[rule]]\nid = \"r\"\nkind = \"k\"\nsource = \"s\"\n{body}\n");
    check_rejected(
        &rule("trigger = \"birthday\"\ndue = \"1 day\""),
        "bad.toml: rule r: unknown trigger \"birthday\"",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\ndue = \"-3 days\""),
        "bad.toml: rule r: offset \"-3 days\" is negative",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\nearliest = \"2 weeks\"\ndue = \"1 week\""),
        "bad.toml: rule r: window ends (1 week) before it starts (2 weeks)",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\ndue = \"1 week\"\ndeadline = \"2 days\""),
        "bad.toml: rule r: deadline 2 days is before the due time 1 week",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\ndue = \"1 month\"\nevery = \"0 months\""),
        "bad.toml: rule r: repeats every 0: it would generate unboundedly",
    );
    let cycle = "[[rule]]\nid = \"a\"\nafter = \"b\"\nkind = \"k\"\ndue = \"1 day\"\nsource = \"s\"\n[[rule]]\nid = \"b\"\nafter = \"a\"\nkind = \"k\"\ndue = \"1 day\"\nsource = \"s\"\n";
    check_rejected(
        cycle,
        "bad.toml: rule a: cycle of rules a → b → a would generate unboundedly",
    );
    let many: String = (0..=super::profile::MAX_RULES)
        .map(|n| format!("[[rule]]\nid = \"r{n}\"\nkind = \"k\"\ntrigger = \"purchase\"\ndue = \"1 day\"\nsource = \"s\"\n"))
        .collect();
    check_rejected(&many, "bad.toml: 65536 rules: at most 65535 in one profile");
    check_rejected(
        "call_windows = [\"17:00-15:00\"]",
        "bad.toml: call window \"17:00-15:00\" ends before it starts",
    );
}

#[test]
fn every_shipped_profile_loads() {
    for (name, _) in BUILTIN_PROFILES {
        assert!(!builtin(name).unwrap().rules.is_empty(), "{name}");
    }
}
