//! Tests of the engine's semantics and of the shipped profiles, through one `check`:
//! windows, half-open boundaries, which item a visit answers, outcomes that leave an item
//! owed, the calendar mark. `catalogue` holds one table test per scheduling rule of the
//! requirements catalogue (§3), named after its source paragraph, with the policy's numbers.

mod catalogue;

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
#[derive(Clone, Copy)]
struct Case<'a> {
    /// A shipped profile's name, or a profile's TOML text.
    profile: &'a str,
    tier: &'a str,
    tags: &'a [&'a str],
    /// The warranty's last day, `YYYY-MM-DD`.
    warranty_until: Option<&'a str>,
    /// (trigger code, China-local time)
    events: &'a [(&'a str, &'a str)],
    /// (China-local time, `phone`/`on_site`, outcome): `good`, `poor`, `unreachable`,
    /// `not_home`, `refused` or `rescheduled YYYY-MM-DD HH:MM`; then optionally ` for ` and the
    /// items the visit answers as `rule@YYYY-MM-DD HH:MM` (the start; `#k` for a repeat),
    /// separated by `; `.
    visits: &'a [(&'a str, &'a str, &'a str)],
    now: &'a str,
    horizon_days: u32,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Case {
            profile: "general",
            tier: "normal",
            tags: &[],
            warranty_until: None,
            events: &[],
            visits: &[],
            now: "2026-11-22 09:00",
            horizon_days: 90,
        }
    }
}

impl Case<'_> {
    fn policy(&self) -> PolicyProfile {
        if self.profile.contains("[[rule]]") {
            PolicyProfile::parse("test.toml", self.profile).unwrap()
        } else {
            builtin(self.profile).unwrap()
        }
    }

    fn horizon(&self) -> Horizon {
        Horizon {
            days: self.horizon_days,
            lookahead_days: 3,
        }
    }
}

/// A visit's outcome and the items it names, as [`Case::visits`] writes them.
fn outcome(text: &str) -> (Outcome, Vec<ItemKey>) {
    let (outcome, named) = text.split_once(" for ").unwrap_or((text, ""));
    let outcome = match outcome {
        "good" => Outcome::Good,
        "poor" => Outcome::Poor,
        "unreachable" => Outcome::Unreachable,
        "not_home" => Outcome::NotCompleted(NotCompletedReason::NotHome),
        "refused" => Outcome::NotCompleted(NotCompletedReason::Refused),
        other => Outcome::Rescheduled {
            to: at(other.strip_prefix("rescheduled ").expect("an outcome")),
        },
    };
    let keys = named
        .split("; ")
        .filter(|k| !k.is_empty())
        .map(|k| {
            let (rule, start) = k.split_once('@').expect("rule@start");
            let (start, occurrence) = start.split_once('#').unwrap_or((start, "0"));
            ItemKey {
                rule: rule.into(),
                start: at(start),
                occurrence: occurrence.parse().unwrap(),
            }
        })
        .collect();
    (outcome, keys)
}

fn input(case: &Case) -> EngineInput {
    EngineInput {
        customers: vec![CustomerFacts {
            id: cid(),
            tier: case.tier.into(),
            category: String::new(),
            warranty_until: case.warranty_until.map(|d| d.parse().unwrap()),
            tags: case.tags.iter().map(|t| t.to_string()).collect(),
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
            .map(|(n, (a, ch, out))| {
                let (outcome, answers) = outcome(out);
                VisitFact {
                    id: VisitId(Uuid::from_u128(100 + n as u128)),
                    customer_id: cid(),
                    at: at(a),
                    channel: if *ch == "phone" {
                        Channel::Phone
                    } else {
                        Channel::OnSite
                    },
                    outcome,
                    answers,
                }
            })
            .collect(),
    }
}

/// An item as `rule due status`, and ` rescheduled` / ` outside-calendar` when it is.
fn line(i: &AgendaEntry<'_>) -> String {
    format!(
        "{} {} {:?}{}{}",
        i.rule(),
        i.due().format("%Y-%m-%d %H:%M"),
        i.status,
        if i.rescheduled { " rescheduled" } else { "" },
        if i.outside_calendar {
            " outside-calendar"
        } else {
            ""
        }
    )
}

/// The agenda of `case` (every item, done ones too) as [`line`]s in agenda order.
fn check(case: Case, expected: &[&str]) {
    let profile = case.policy();
    let input = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(case.now),
        case.horizon(),
    );
    let lines: Vec<String> = got.items().map(line).collect();
    assert_eq!(lines, expected);
}

/// A rule due within 24 hours of a repair at 16:00, with nothing else.
const WITHIN_24H: &str = "name = \"t\"\n[[rule]]\nid = \"r\"\ntrigger = \"repair_completed\"\nkind = \"k\"\ndue = \"24h\"\nsource = \"s\"\n";

/// A rule due within 7 days of a purchase, with nothing else.
const WITHIN_7_DAYS: &str = "name = \"t\"\n[[rule]]\nid = \"r\"\ntrigger = \"purchase\"\nkind = \"k\"\ndue = \"7 days\"\nsource = \"s\"\n";

/// "Within 24 hours" ends at +24 h: a visit a minute before is on time, one at +24 h is late.
#[test]
fn within_24_hours_ends_at_plus_24_hours() {
    let case = |visit| Case {
        profile: WITHIN_24H,
        events: &[("repair_completed", "2026-07-20 16:00")],
        visits: visit,
        now: "2026-07-22 09:00",
        ..Case::default()
    };
    check(
        case(&[("2026-07-21 15:59", "phone", "good")]),
        &["r 2026-07-21 16:00 Done"],
    );
    check(
        case(&[("2026-07-21 16:00", "phone", "good")]),
        &["r 2026-07-21 16:00 DoneLate"],
    );
}

/// "Within 7 days" is read as the end of the seventh calendar day after the trigger's day,
/// China time (the policies count days as dates: 当天, 次日, 7日内): a purchase at 10:00 on
/// Nov 1 is visited on time through Nov 8, 23:59:59.
#[test]
fn within_7_days_covers_the_whole_seventh_day() {
    let case = |visit| Case {
        profile: WITHIN_7_DAYS,
        events: &[("purchase", "2026-11-01 10:00")],
        visits: visit,
        now: "2026-11-09 09:00",
        horizon_days: 0,
        ..Case::default()
    };
    check(
        case(&[("2026-11-08 23:30", "phone", "good")]),
        &["r 2026-11-08 23:59 Done"],
    );
    check(
        case(&[("2026-11-09 00:00", "phone", "good")]),
        &["r 2026-11-08 23:59 DoneLate"],
    );
}

/// 000 §P: the 48-hour window opens where the 24-hour one closes. A visit at exactly +24 h
/// is on time for the 48-hour step and late for the 24-hour one: it answers the step it is on
/// time for, and the 24-hour step stays owed.
#[test]
fn touching_windows_are_half_open_a_visit_at_the_boundary_is_the_later_step() {
    check(
        Case {
            profile: "installed-equipment",
            events: &[("installation_completed", "2026-03-02 10:00")],
            visits: &[("2026-03-03 10:00", "phone", "good")],
            now: "2026-03-03 12:00",
            horizon_days: 3,
            ..Case::default()
        },
        &[
            "安装回访-24h 2026-03-03 10:00 Overdue",
            "安装回访-1周 2026-03-09 23:59 Upcoming",
            "安装回访-48h 2026-03-04 10:00 Done",
        ],
    );
}

/// 000 §B: the visit "at 3 months" opens near 3 months. A call seven weeks after the
/// purchase answers no step (the 1-month one is done, the 3-month one not yet open).
#[test]
fn a_step_at_3_months_opens_near_3_months_not_at_the_purchase() {
    check(
        Case {
            events: &[("purchase", "2026-01-02 00:00")],
            visits: &[
                ("2026-01-05 10:00", "phone", "good"),
                ("2026-02-01 10:00", "phone", "good"),
                ("2026-02-20 10:00", "phone", "good"),
            ],
            now: "2026-03-25 09:00",
            ..Case::default()
        },
        &[
            "购后3个月回访 2026-04-02 23:59 Upcoming",
            "购后6个月回访 2026-07-02 23:59 Upcoming",
            "首次回访 2026-01-09 23:59 Done",
            "购后1个月回访 2026-02-02 23:59 Done",
        ],
    );
}

/// One call while a first visit and a complaint follow-up are both owed answers one of them,
/// the complaint (higher priority); the first visit stays owed.
#[test]
fn one_call_answers_one_item_the_complaint_first() {
    check(
        Case {
            events: &[
                ("purchase", "2026-06-01 00:00"),
                ("complaint_closed", "2026-06-03 15:00"),
            ],
            visits: &[("2026-06-04 10:00", "phone", "good")],
            now: "2026-06-04 12:00",
            horizon_days: 10,
            ..Case::default()
        },
        &[
            "首次回访 2026-06-08 23:59 Upcoming",
            "投诉回访 2026-06-10 23:59 Done",
        ],
    );
}

/// A visit that names the item it was made for counts for that item alone.
#[test]
fn a_visit_naming_its_item_counts_for_it_alone() {
    check(
        Case {
            events: &[
                ("purchase", "2026-06-01 00:00"),
                ("complaint_closed", "2026-06-03 15:00"),
            ],
            visits: &[(
                "2026-06-04 10:00",
                "phone",
                "good for 首次回访@2026-06-01 00:00",
            )],
            now: "2026-06-04 12:00",
            horizon_days: 10,
            ..Case::default()
        },
        &[
            "投诉回访 2026-06-10 23:59 Upcoming",
            "首次回访 2026-06-08 23:59 Done",
        ],
    );
}

/// A named item counts only once its window has opened, like any visit: a call naming the
/// 3-month step seven weeks after the purchase answers nothing.
#[test]
fn a_named_item_is_not_answered_before_its_window_opens() {
    check(
        Case {
            events: &[("purchase", "2026-01-02 00:00")],
            visits: &[(
                "2026-02-20 10:00",
                "phone",
                "good for 购后3个月回访@2026-01-02 00:00",
            )],
            now: "2026-02-21 09:00",
            ..Case::default()
        },
        &[
            "首次回访 2026-01-09 23:59 Overdue",
            "购后1个月回访 2026-02-02 23:59 Overdue",
            "购后3个月回访 2026-04-02 23:59 Upcoming",
        ],
    );
}

/// A key whose start no longer matches (the purchase date was corrected at the desk) finds
/// the same rule's open item; a key of a rule this profile does not have (a profile changed
/// since) leaves the visit to be matched by window.
#[test]
fn named_keys_fall_back_to_their_rule_then_to_the_window() {
    for named in [
        "good for 首次回访@2026-06-01 00:00",
        "good for 旧规则@2026-06-02 00:00",
    ] {
        check(
            Case {
                events: &[("purchase", "2026-06-02 00:00")],
                visits: &[("2026-06-04 10:00", "phone", named)],
                now: "2026-06-04 12:00",
                horizon_days: 10,
                ..Case::default()
            },
            &["首次回访 2026-06-09 23:59 Done"],
        );
    }
}

/// Rules that say so (`shares_visit`) let one visit answer all their open items, and only
/// theirs.
#[test]
fn rules_that_share_visits_are_answered_together() {
    let profile = "name = \"同访\"\n[[rule]]\nid = \"a\"\ntrigger = \"purchase\"\nkind = \"k\"\ndue = \"7 days\"\nshares_visit = true\nsource = \"s\"\n[[rule]]\nid = \"b\"\ntrigger = \"purchase\"\nkind = \"k\"\ndue = \"7 days\"\nshares_visit = true\nsource = \"s\"\n[[rule]]\nid = \"c\"\ntrigger = \"purchase\"\nkind = \"k\"\ndue = \"7 days\"\nsource = \"s\"\n";
    check(
        Case {
            profile,
            events: &[("purchase", "2026-06-01 00:00")],
            visits: &[("2026-06-02 10:00", "phone", "good")],
            now: "2026-06-02 12:00",
            ..Case::default()
        },
        &[
            "c 2026-06-08 23:59 Upcoming",
            "a 2026-06-08 23:59 Done",
            "b 2026-06-08 23:59 Done",
        ],
    );
    // Naming a sharing and a non-sharing item: the first named one only.
    check(
        Case {
            profile,
            events: &[("purchase", "2026-06-01 00:00")],
            visits: &[(
                "2026-06-02 10:00",
                "phone",
                "good for c@2026-06-01 00:00; a@2026-06-01 00:00",
            )],
            now: "2026-06-02 12:00",
            ..Case::default()
        },
        &[
            "a 2026-06-08 23:59 Upcoming",
            "b 2026-06-08 23:59 Upcoming",
            "c 2026-06-08 23:59 Done",
        ],
    );
}

/// 001's 未完原因: not home (客户不在家) and refused (拒访) leave the item owed.
#[test]
fn not_home_and_refused_leave_the_item_owed() {
    check(
        Case {
            events: &[("purchase", "2026-06-01 00:00")],
            visits: &[
                ("2026-06-02 10:00", "on_site", "not_home"),
                ("2026-06-03 10:00", "phone", "refused"),
            ],
            now: "2026-06-10 09:00",
            horizon_days: 10,
            ..Case::default()
        },
        &["首次回访 2026-06-08 23:59 Overdue"],
    );
}

/// 002 §4, §8: a customer who cannot talk now agrees another time (改约); the item is due
/// then (overdue after that day), explained as rescheduled, and a visit that day answers it.
#[test]
fn a_rescheduled_item_is_due_at_the_agreed_time() {
    let case = |visits, now| Case {
        events: &[("purchase", "2026-06-01 00:00")],
        visits,
        now,
        horizon_days: 10,
        ..Case::default()
    };
    let moved = ("2026-06-03 10:00", "phone", "rescheduled 2026-06-12 15:00");
    let only = [moved];
    let then_visited = [moved, ("2026-06-12 16:00", "phone", "good")];
    check(
        case(&only, "2026-06-10 09:00"),
        &["首次回访 2026-06-12 15:00 Due rescheduled"],
    );
    check(
        case(&only, "2026-06-13 09:00"),
        &["首次回访 2026-06-12 15:00 Overdue rescheduled"],
    );
    check(
        case(&then_visited, "2026-06-13 09:00"),
        &["首次回访 2026-06-12 15:00 Done rescheduled"],
    );
    let c = case(&only, "2026-06-10 09:00");
    let profile = c.policy();
    let input = input(&c);
    let a = agenda(
        &profile,
        &WorkCalendar::china(),
        &input,
        at(c.now),
        c.horizon(),
    );
    let why = a.items().next().unwrap().explain(Lang::Zh);
    assert_eq!(
        why,
        "购买 2026-06-01 00:00 + 7天（已改约），规则 首次回访，政策 一般售后（000 §B）"
    );
}

/// The key an entry gives (in its JSON too) is what a visit names to answer it.
#[test]
fn an_entrys_key_names_it_for_a_visit() {
    let case = Case {
        events: &[
            ("purchase", "2026-06-01 09:30"),
            ("complaint_closed", "2026-06-02 15:00"),
        ],
        now: "2026-06-03 09:00",
        horizon_days: 10,
        ..Case::default()
    };
    let profile = case.policy();
    let mut data = input(&case);
    let a = agenda(
        &profile,
        &WorkCalendar::china(),
        &data,
        at(case.now),
        case.horizon(),
    );
    let first = a.items().find(|i| i.rule() == "首次回访").unwrap();
    let json = serde_json::to_value(first).unwrap();
    assert_eq!(
        json["key"],
        serde_json::json!({"rule": "首次回访", "start": "2026-06-01T01:30:00Z", "occurrence": 0})
    );
    let key: ItemKey = serde_json::from_value(json["key"].clone()).unwrap();
    assert_eq!(key, first.key());
    data.visits.push(VisitFact {
        id: VisitId(Uuid::from_u128(9)),
        customer_id: cid(),
        at: at("2026-06-03 08:00"),
        channel: Channel::Phone,
        outcome: Outcome::Good,
        answers: vec![key],
    });
    let a = agenda(
        &profile,
        &WorkCalendar::china(),
        &data,
        at(case.now),
        case.horizon(),
    );
    let lines: Vec<String> = a.items().map(line).collect();
    assert_eq!(
        lines,
        [
            "投诉回访 2026-06-09 23:59 Upcoming",
            "首次回访 2026-06-08 23:59 Done"
        ]
    );
}

/// 000 §N counted in working days across New Year 2027, a year whose holidays the shipped
/// calendar does not know: the entry says so (and its JSON); a calendar that knows 2027
/// does not. One counted inside 2026 is not marked.
#[test]
fn an_entry_counted_past_the_calendars_years_says_so() {
    let case = Case {
        profile: "vehicle-service",
        events: &[("service_completed", "2026-12-28 10:00")],
        now: "2026-12-28 12:00",
        horizon_days: 30,
        ..Case::default()
    };
    check(
        case,
        &["服务完成首次回访-7个工作日 2027-01-06 23:59 Upcoming outside-calendar"],
    );
    let profile = case.policy();
    let data = input(&case);
    let a = agenda(
        &profile,
        &WorkCalendar::china(),
        &data,
        at(case.now),
        case.horizon(),
    );
    let json = serde_json::to_value(a.items().next().unwrap()).unwrap();
    assert_eq!(json["outside_calendar"], true);
    let with_2027 = WorkCalendar::china().overridden_by(
        &WorkCalendar::from_toml("years = [2027]\nholidays = [2027-01-01]").unwrap(),
    );
    let a = agenda(&profile, &with_2027, &data, at(case.now), case.horizon());
    assert_eq!(
        a.items().map(line).collect::<Vec<_>>(),
        ["服务完成首次回访-7个工作日 2027-01-07 23:59 Upcoming"]
    );
    check(
        Case {
            events: &[("service_completed", "2026-09-24 16:00")],
            now: "2026-09-24 17:00",
            ..case
        },
        &["服务完成首次回访-7个工作日 2026-10-12 23:59 Upcoming"],
    );
}

/// Every trigger's policy-file code is its JSON name, so recorded events and profiles agree.
#[test]
fn every_trigger_is_spelled_the_same_in_files_and_json() {
    for t in Trigger::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), t.code(), "{t:?}");
        assert_eq!(Trigger::from_code(t.code()), Some(t));
    }
}

/// The outcomes in JSON, as the CLI's input and the wire carry them.
#[test]
fn outcomes_are_written_as_documented() {
    for (outcome, json) in [
        (Outcome::Good, serde_json::json!("good")),
        (
            Outcome::NotCompleted(NotCompletedReason::NotHome),
            serde_json::json!({"not_completed": "not_home"}),
        ),
        (
            Outcome::Rescheduled {
                to: at("2026-12-03 15:00"),
            },
            serde_json::json!({"rescheduled": {"to": "2026-12-03T07:00:00Z"}}),
        ),
    ] {
        assert_eq!(serde_json::to_value(outcome).unwrap(), json);
        assert_eq!(serde_json::from_value::<Outcome>(json).unwrap(), outcome);
    }
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
fn asia_shanghai_day_boundary() {
    // A purchase at 23:30 UTC on Oct 31 is Nov 1 in China: the first visit is due by Nov 8.
    let case = Case {
        profile: "skeleton",
        now: "2026-11-02 09:00",
        ..Case::default()
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
        events: &[("repair_completed", "2026-07-20 16:00")],
        now: "2026-07-21 09:00",
        ..Case::default()
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

/// Every rule of every shipped profile fires from recorded data: lifecycle events as a person
/// records them (one of each trigger the profile uses) and visits as technicians make them
/// (each overdue item visited just after its window opens, naming it; each customer's first
/// such visit poor, so the poor-outcome rules start), round after round as answered items
/// start their sequences. One customer per rule, carrying what the rule's conditions ask.
#[test]
fn every_rule_of_every_shipped_profile_fires_from_recorded_data() {
    use std::collections::HashSet;
    let start = at("2026-03-02 09:00");
    let now = start + chrono::Duration::days(1_100);
    let horizon = Horizon {
        days: 400,
        lookahead_days: 3,
    };
    for (name, _) in BUILTIN_PROFILES {
        let profile = builtin(name).unwrap();
        let mut triggers: Vec<Trigger> = Vec::new();
        for rule in &profile.rules {
            if let RuleStart::Event(t) = rule.start
                && t != Trigger::PoorOutcome
                && !triggers.contains(&t)
            {
                triggers.push(t);
            }
        }
        let mut input = EngineInput::default();
        for (n, rule) in profile.rules.iter().enumerate() {
            let id = CustomerId(Uuid::from_u128(n as u128 + 1));
            let when = &rule.when;
            input.customers.push(CustomerFacts {
                id,
                tier: when
                    .tier
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "normal".into()),
                category: when.category.first().cloned().unwrap_or_default(),
                warranty_until: match when.warranty {
                    Some(WarrantyStatus::In) => "2030-12-31".parse().ok(),
                    Some(WarrantyStatus::Out) => "2020-12-31".parse().ok(),
                    None => None,
                },
                tags: when.tag.first().cloned().into_iter().collect(),
            });
            input
                .events
                .extend(triggers.iter().map(|&kind| LifecycleEvent {
                    customer_id: id,
                    kind,
                    at: start,
                }));
        }
        let mut poor: HashSet<CustomerId> = HashSet::new();
        for _ in 0..40 {
            let a = agenda(&profile, &WorkCalendar::china(), &input, now, horizon);
            let mut visits = Vec::new();
            for item in a.items().filter(|i| i.status == ItemStatus::Overdue) {
                let when = item
                    .earliest()
                    .and_local_timezone(china())
                    .unwrap()
                    .to_utc()
                    + chrono::Duration::minutes(1);
                visits.push(VisitFact {
                    id: VisitId(Uuid::from_u128(
                        10_000 + (input.visits.len() + visits.len()) as u128,
                    )),
                    customer_id: item.customer_id(),
                    at: when,
                    channel: item.channel().unwrap_or(Channel::Phone),
                    outcome: if poor.insert(item.customer_id()) {
                        Outcome::Poor
                    } else {
                        Outcome::Good
                    },
                    answers: vec![item.key()],
                });
            }
            if visits.is_empty() {
                break;
            }
            input.visits.extend(visits);
        }
        let a = agenda(&profile, &WorkCalendar::china(), &input, now, horizon);
        let fired: HashSet<&str> = a.items().map(|i| i.rule()).collect();
        for rule in &profile.rules {
            assert!(
                fired.contains(rule.id.as_str()),
                "{name}: rule {} never fires",
                rule.id
            );
        }
    }
}

/// A visit record answered by an amendment (a returned record corrected) is one visit: the
/// engine reads the amendment only, so the pair never answers two items.
#[test]
fn an_amended_visit_counts_once_as_amended() {
    use crate::visit::tests::sample_visit;
    let original = sample_visit(1);
    let amendment = crate::visit::VisitRecord {
        amends: Some(original.id),
        notes: "补充：滤芯已更换".into(),
        ..sample_visit(2)
    }
    .seal();
    let other = sample_visit(3);
    let input = EngineInput::from_records(&[], &[original, amendment.clone(), other.clone()]);
    let ids: Vec<_> = input.visits.iter().map(|v| v.id).collect();
    assert_eq!(ids, [amendment.id, other.id]);
}

/// A made id (UUIDv7 layout) numbered `n`, as a device would make it.
fn made(n: u128) -> Uuid {
    Uuid::from_u128(n | (0x7 << 76) | (0b10 << 62))
}

/// The rules that need a customer mark the customer record does not carry: its tier is VIP or
/// normal only, and it has no tags (002 §13's classes A–D, good-quality callers, key
/// customers, customers with resistance or who dislike calls; 002 §12's makers). Each is
/// fired from events in the test above, with the mark given as engine input.
const NEEDS_A_MARK_THE_CUSTOMER_RECORD_LACKS: [(&str, &str); 10] = [
    ("tourism", "创客每月上门"),
    ("tourism", "创客每半月沟通"),
    ("real-estate", "优质来电三日内再邀约"),
    ("real-estate", "优质来电每周邀约"),
    ("real-estate", "来访当日回访"),
    ("real-estate", "来访三日内再回访"),
    ("real-estate", "重点客户每三天回访"),
    ("real-estate", "抗性客户每周回访"),
    ("real-estate", "C类客户每周回访"),
    ("real-estate", "成交客户每月回访-少打扰"),
];

/// Every rule of every shipped profile fires from the records people make in the product and
/// nothing else: customer records (tier, product, purchase date), events as the desk, the
/// tablet or an import records them (each checked as the server checks it), complaints
/// (received and closed) and visit records as the visit form saves them (dissatisfied ones
/// start the poor-outcome rules), read by `event::recorded_input`. Visit records do not name
/// their items, so each is matched by its window. Only the rules that test a mark the
/// customer record cannot carry stay silent, and they are named.
#[test]
fn every_rule_fires_from_the_records_people_make() {
    use std::collections::HashSet;

    use crate::{
        complaint::{Complaint, ComplaintStatus, tests::sample_complaint},
        customer::{Customer, Tier},
        edit::Editable,
        event::{CustomerEvent, recorded_input, tests::sample_event},
        ids::{ComplaintId, EventId},
        visit::{Satisfaction, VisitRecord, tests::sample_visit},
    };
    let start = at("2026-03-02 09:00");
    let now = start + chrono::Duration::days(1_100);
    let horizon = Horizon {
        days: 400,
        lookahead_days: 3,
    };
    let mut silent: Vec<(&str, String)> = Vec::new();
    for (name, _) in BUILTIN_PROFILES {
        let profile = builtin(name).unwrap();
        let mut triggers: Vec<Trigger> = Vec::new();
        for rule in &profile.rules {
            if let RuleStart::Event(t) = rule.start
                && !matches!(t, Trigger::PoorOutcome | Trigger::Purchase)
                && !triggers.contains(&t)
            {
                triggers.push(t);
            }
        }
        let (mut customers, mut events, mut complaints) = (Vec::new(), Vec::new(), Vec::new());
        for (n, rule) in profile.rules.iter().enumerate() {
            let id = CustomerId(Uuid::from_u128(n as u128 + 1));
            let when = &rule.when;
            // In the warranty (one year from purchase) on the start date, or long out of it.
            let purchased_on = match when.warranty {
                Some(WarrantyStatus::Out) => "2024-01-10",
                _ => "2026-03-02",
            };
            customers.push(Customer {
                id,
                name: "客户".into(),
                phone: "13800000000".into(),
                address: "上海".into(),
                tier: if when.tier.iter().any(|t| t == "vip") {
                    Tier::Vip
                } else {
                    Tier::Normal
                },
                product: when.category.first().cloned().unwrap_or_default(),
                purchased_on: purchased_on.parse().unwrap(),
                installed_on: None,
                repaired_on: None,
                technician_id: crate::ids::UserId(Uuid::from_u128(7)),
            });
            for (k, &kind) in triggers.iter().enumerate() {
                let serial = (n as u128) << 8 | k as u128;
                match kind {
                    Trigger::ComplaintReceived | Trigger::ComplaintClosed => {
                        let complaint = Complaint {
                            id: ComplaintId(made(serial)),
                            customer_id: id,
                            received_at: start,
                            status: ComplaintStatus::Closed,
                            closed_at: Some(start),
                            cause: "接口松动".into(),
                            corrective_action: "更换接口".into(),
                            ..sample_complaint()
                        };
                        assert_eq!(complaint.check(), Ok(()));
                        if !complaints.iter().any(|c: &Complaint| c.customer_id == id) {
                            complaints.push(complaint);
                        }
                    }
                    kind => {
                        assert!(CustomerEvent::recordable(kind), "{name}: {kind:?}");
                        let event = CustomerEvent {
                            id: EventId(made(serial)),
                            customer_id: id,
                            kind,
                            at: start,
                            ..sample_event()
                        };
                        assert_eq!(event.check(), Ok(()), "{name}: {kind:?}");
                        events.push(event);
                    }
                }
            }
        }
        let mut visits: Vec<VisitRecord> = Vec::new();
        let mut poor: HashSet<CustomerId> = HashSet::new();
        for _ in 0..60 {
            let input = recorded_input(&customers, &events, &complaints, &visits);
            let a = agenda(&profile, &WorkCalendar::china(), &input, now, horizon);
            let mut made_now = Vec::new();
            for item in a.items().filter(|i| i.status == ItemStatus::Overdue) {
                let channel = item.channel().unwrap_or(Channel::Phone);
                let mut visit = sample_visit(10_000 + (visits.len() + made_now.len()) as u128);
                visit.customer_id = item.customer_id();
                visit.visited_at = item
                    .earliest()
                    .and_local_timezone(china())
                    .unwrap()
                    .to_utc()
                    + chrono::Duration::minutes(1);
                visit.channel = channel;
                visit.satisfaction = Some(if poor.insert(item.customer_id()) {
                    Satisfaction::Dissatisfied
                } else {
                    Satisfaction::Satisfied
                });
                if channel == Channel::Phone {
                    visit.signature = None;
                }
                let visit = visit.seal();
                assert_eq!(visit.validate(), Ok(()));
                made_now.push(visit);
            }
            if made_now.is_empty() {
                break;
            }
            visits.extend(made_now);
        }
        let input = recorded_input(&customers, &events, &complaints, &visits);
        let a = agenda(&profile, &WorkCalendar::china(), &input, now, horizon);
        let fired: HashSet<&str> = a.items().map(|i| i.rule()).collect();
        silent.extend(
            profile
                .rules
                .iter()
                .filter(|r| !fired.contains(r.id.as_str()))
                .map(|r| (name, r.id.clone())),
        );
    }
    let expected: Vec<(&str, String)> = NEEDS_A_MARK_THE_CUSTOMER_RECORD_LACKS
        .iter()
        .map(|(p, r)| (*p, r.to_string()))
        .collect();
    assert_eq!(silent, expected);
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
        &rule(
            "trigger = \"purchase\"\nearliest = \"1 day\"\nwindow = \"3 days\"\ndue = \"1 month\"",
        ),
        "bad.toml: rule r: choose `earliest` or `window`, not both",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\nwindow = \"1 month\"\ndue = \"3 months\""),
        "bad.toml: rule r: window 1 month is not a positive number of hours, days or weeks",
    );
    check_rejected(
        &rule("trigger = \"purchase\"\ndue = \"6 months\"\ncancelled_by = [\"return\"]"),
        "bad.toml: rule r: unknown trigger \"return\" in `cancelled_by`",
    );
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
