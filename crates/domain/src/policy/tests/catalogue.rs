//! One table test per scheduling rule of the requirements catalogue (§3 of
//! `requirements-from-policies.md`) that a shipped profile carries, with the policy's own
//! numbers; each test is named after its source (`p000_b_…` is 000 §B). The rules no profile
//! carries are listed, with the reason, in `profiles/README.md`.

use super::{Case, at, check, input};
use crate::policy::{Horizon, VisitLevel, WorkCalendar, agenda, builtin};

/// The level of the first item of rule `rule` in `case`'s agenda.
fn level_of(case: Case, rule: &str) -> VisitLevel {
    let profile = case.policy();
    let data = input(&case);
    let a = agenda(
        &profile,
        &WorkCalendar::china(),
        &data,
        at(case.now),
        case.horizon(),
    );
    a.items().find(|i| i.rule() == rule).unwrap().level()
}

// ── 3.1 Purchase / delivery / order ─────────────────────────────────────────────────────

/// 000 §B (the same numbers in 000 §Q and 002 §15t): first visit within 1 week of purchase,
/// then at 1, 3 and 6 months; a purchase on Jan 31 is due a month later on Feb 28.
#[test]
fn p000_b_first_visit_within_a_week_then_at_1_3_and_6_months() {
    check(
        Case {
            events: &[("purchase", "2027-01-31 00:00")],
            now: "2027-02-05 09:00",
            horizon_days: 200,
            ..Case::default()
        },
        &[
            "首次回访 2027-02-07 23:59 Due",
            "购后1个月回访 2027-02-28 23:59 Upcoming",
            "购后3个月回访 2027-04-30 23:59 Upcoming",
            "购后6个月回访 2027-07-31 23:59 Upcoming",
        ],
    );
    check(
        Case {
            events: &[("purchase", "2028-01-31 00:00")],
            visits: &[("2028-02-03 10:00", "phone", "good")],
            now: "2028-02-03 12:00",
            horizon_days: 30,
            ..Case::default()
        },
        &[
            "购后1个月回访 2028-02-29 23:59 Upcoming",
            "首次回访 2028-02-07 23:59 Done",
        ],
    );
}

/// 000 §A: after the 6-month visit, VIP customers once a month and normal ones once a
/// quarter, from the last visit.
#[test]
fn p000_a_vip_monthly_and_normal_quarterly_after_the_last_visit() {
    let visits = &[
        ("2026-01-05 10:00", "phone", "good"),
        ("2026-02-01 10:00", "phone", "good"),
        ("2026-04-01 10:00", "phone", "good"),
        ("2026-07-01 10:00", "phone", "good"),
    ];
    let done = [
        "首次回访 2026-01-09 23:59 Done",
        "购后1个月回访 2026-02-02 23:59 Done",
        "购后3个月回访 2026-04-02 23:59 Done",
        "购后6个月回访 2026-07-02 23:59 Done",
    ];
    for (tier, next) in [
        ("vip", "定期回访-VIP 2026-08-01 23:59 Overdue"),
        ("normal", "定期回访-普通 2026-10-01 23:59 Upcoming"),
    ] {
        let mut expected = vec![next];
        expected.extend(done);
        check(
            Case {
                tier,
                events: &[("purchase", "2026-01-02 00:00")],
                visits,
                now: "2026-08-10 09:00",
                ..Case::default()
            },
            &expected,
        );
    }
}

/// 000 §I: first visit within 1 week of delivery, then each quarter.
#[test]
fn p000_i_first_visit_within_a_week_of_delivery_then_each_quarter() {
    check(
        Case {
            profile: "delivered-products",
            events: &[("delivery", "2026-03-02 10:00")],
            now: "2026-03-03 09:00",
            horizon_days: 100,
            ..Case::default()
        },
        &[
            "交付后首次回访 2026-03-09 23:59 Upcoming",
            "交付后每季度回访 2026-06-02 23:59 Upcoming",
            "交付后每季度回访 2026-09-02 23:59 Upcoming",
        ],
    );
}

/// 000 §O: the first phone visit on the day after the order takes effect (第二日), not the
/// same day.
#[test]
fn p000_o_first_phone_visit_the_day_after_the_order_takes_effect() {
    let case = |visits| Case {
        profile: "service-center",
        events: &[("order_effective", "2026-06-01 15:00")],
        visits,
        now: "2026-06-02 12:00",
        ..Case::default()
    };
    check(
        case(&[("2026-06-01 16:00", "phone", "good")]),
        &["首次回访-订单生效次日 2026-06-02 23:59 Due"],
    );
    check(
        case(&[("2026-06-02 10:00", "phone", "good")]),
        &["首次回访-订单生效次日 2026-06-02 23:59 Done"],
    );
}

/// 004 §五: new customers within [X] working days of buying (3 here), then every [X] months
/// (3 here) from the last visit. Bought on a Friday: due the Wednesday after.
#[test]
fn p004_5_new_customers_within_x_working_days_then_every_x_months() {
    check(
        Case {
            profile: "sales-visits",
            events: &[("purchase", "2026-01-30 10:00")],
            visits: &[("2026-02-03 10:00", "phone", "good")],
            now: "2026-02-05 09:00",
            horizon_days: 100,
            ..Case::default()
        },
        &[
            "老客户定期回访 2026-05-03 23:59 Upcoming",
            "新客户首次回访 2026-02-04 23:59 Done",
        ],
    );
}

// ── 3.2 Installation / technical support ────────────────────────────────────────────────

/// 000 §P: after installation, visits at 24 h and 48 h, a third within a week, then at least
/// twice a month (every 15 days).
#[test]
fn p000_p_installation_at_24h_48h_a_week_then_twice_a_month() {
    check(
        Case {
            profile: "installed-equipment",
            events: &[("installation_completed", "2026-03-01 10:00")],
            now: "2026-03-01 12:00",
            horizon_days: 30,
            ..Case::default()
        },
        &[
            "安装回访-24h 2026-03-02 10:00 Due",
            "安装回访-48h 2026-03-03 10:00 Due",
            "安装回访-1周 2026-03-08 23:59 Upcoming",
            "安装回访-每月两次 2026-03-23 23:59 Upcoming",
            "安装回访-每月两次 2026-04-07 23:59 Upcoming",
        ],
    );
}

/// 000 §P: technical support follows the same pattern.
#[test]
fn p000_p_technical_support_at_24h_48h_a_week_then_twice_a_month() {
    check(
        Case {
            profile: "installed-equipment",
            events: &[("technical_support_completed", "2026-03-01 10:00")],
            visits: &[
                ("2026-03-01 18:00", "phone", "good"),
                ("2026-03-02 15:00", "phone", "good"),
            ],
            now: "2026-03-03 09:00",
            horizon_days: 30,
            ..Case::default()
        },
        &[
            "技术支持回访-1周 2026-03-08 23:59 Upcoming",
            "技术支持回访-每月两次 2026-03-23 23:59 Upcoming",
            "技术支持回访-每月两次 2026-04-07 23:59 Upcoming",
            "技术支持回访-24h 2026-03-02 10:00 Done",
            "技术支持回访-48h 2026-03-03 10:00 Done",
        ],
    );
}

/// 000 §P: a result worse than normal is visited the next day, and every day until it is
/// resolved; a good visit ends the retries.
#[test]
fn p000_p_a_poor_result_is_visited_the_next_day_until_resolved() {
    let visits = [
        ("2026-07-21 10:00", "phone", "poor"),
        ("2026-07-22 10:00", "phone", "poor"),
        ("2026-07-23 10:00", "phone", "good"),
    ];
    let case = |visits| Case {
        profile: "installed-equipment",
        events: &[("repair_completed", "2026-07-20 16:00")],
        visits,
        now: "2026-07-24 09:00",
        ..Case::default()
    };
    check(
        case(&visits[..2]),
        &[
            "结果不佳-次日重访 2026-07-23 23:59 Overdue",
            "维修回访-1周 2026-07-27 23:59 Upcoming",
            "结果不佳-次日重访 2026-07-22 23:59 Done",
            "维修回访-48h 2026-07-22 16:00 Done",
        ],
    );
    check(
        case(&visits),
        &[
            "维修回访-1周 2026-07-27 23:59 Upcoming",
            "结果不佳-次日重访 2026-07-22 23:59 Done",
            "结果不佳-次日重访 2026-07-23 23:59 Done",
            "维修回访-48h 2026-07-22 16:00 Done",
        ],
    );
}

/// 000 §T: phone visits on the installation day, at 1 month, 6 months and 1 year; on-site
/// visits at 6 and 12 months.
#[test]
fn p000_t_phone_on_the_day_at_1_and_6_months_and_a_year_on_site_at_6_and_12_months() {
    check(
        Case {
            profile: "water-purifier",
            events: &[("installation_completed", "2026-01-10 14:00")],
            visits: &[
                ("2026-01-10 19:00", "phone", "good"),
                ("2026-02-09 10:00", "phone", "good"),
                ("2026-07-08 10:00", "on_site", "good"),
            ],
            now: "2026-07-09 09:00",
            horizon_days: 200,
            ..Case::default()
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

/// 001: a phone visit no later than 2 days after the first installation, then regular phone
/// visits past 1 year (yearly here).
#[test]
fn p001_phone_visit_within_2_days_of_installation_and_yearly_after_1_year() {
    check(
        Case {
            profile: "furniture",
            events: &[("installation_completed", "2026-05-06 11:00")],
            now: "2026-05-07 10:00",
            horizon_days: 400,
            ..Case::default()
        },
        &[
            "安装后2天电话回访 2026-05-08 23:59 Due",
            "安装1年电话回访 2027-05-06 23:59 Upcoming",
        ],
    );
}

/// 002 §9: equipment is visited one month after installation and commissioning, not before
/// the week up to it.
#[test]
fn p002_9_equipment_visited_a_month_after_installation() {
    check(
        Case {
            profile: "equipment-service",
            events: &[("installation_completed", "2026-06-01 10:00")],
            visits: &[("2026-06-10 10:00", "phone", "good")],
            now: "2026-06-26 09:00",
            ..Case::default()
        },
        &["安装调试后一个月回访 2026-07-01 23:59 Upcoming"],
    );
}

// ── 3.3 Repair / maintenance / service completion ───────────────────────────────────────

/// 000 §P: after a repair (and maintenance), the first visit within 48 hours, the second
/// within a week.
#[test]
fn p000_p_repair_and_maintenance_within_48h_then_within_a_week() {
    for (trigger, first, second) in [
        ("repair_completed", "维修回访-48h", "维修回访-1周"),
        ("maintenance_completed", "保养回访-48h", "保养回访-1周"),
    ] {
        check(
            Case {
                profile: "installed-equipment",
                events: &[(trigger, "2026-07-20 16:00")],
                now: "2026-07-21 09:00",
                ..Case::default()
            },
            &[
                &format!("{first} 2026-07-22 16:00 Due"),
                &format!("{second} 2026-07-27 23:59 Upcoming"),
            ],
        );
    }
}

/// 000 §N: after a service the first visit within 7 working days, on the holiday calendar:
/// from Thursday 2026-09-24, past the Mid-Autumn and National Day holidays and the make-up
/// Saturday 10-10, to 10-12; from Friday 2025-09-26, with the make-up Sunday 09-28, to 10-13.
#[test]
fn p000_n_first_visit_within_7_working_days_of_the_service() {
    for (done, due) in [
        ("2026-09-24 16:00", "2026-10-12"),
        ("2025-09-26 16:00", "2025-10-13"),
    ] {
        check(
            Case {
                profile: "vehicle-service",
                events: &[("service_completed", done)],
                now: done,
                horizon_days: 30,
                ..Case::default()
            },
            &[&format!("服务完成首次回访-7个工作日 {due} 23:59 Upcoming")],
        );
    }
}

/// 002 §2: after equipment maintenance, a visit in the first month.
#[test]
fn p002_2_maintenance_visit_in_the_first_month() {
    check(
        Case {
            profile: "equipment-service",
            events: &[("maintenance_completed", "2026-06-01 10:00")],
            now: "2026-06-02 09:00",
            ..Case::default()
        },
        &["维护后第一个月回访 2026-07-01 23:59 Upcoming"],
    );
}

/// 002 §8: repair works are visited within a month of completion.
#[test]
fn p002_8_repair_works_within_a_month() {
    check(
        Case {
            profile: "property-management",
            events: &[("repair_completed", "2026-06-01 10:00")],
            now: "2026-06-02 09:00",
            ..Case::default()
        },
        &["维修工程回访-1个月 2026-07-01 23:59 Upcoming"],
    );
}

/// 002 §14: within 10 days of a paid or warranty repair, and of a registration for
/// scheduled maintenance (登记定保).
#[test]
fn p002_14_within_10_days_of_a_repair_or_a_maintenance_registration() {
    check(
        Case {
            profile: "repair-station",
            events: &[
                ("repair_completed", "2026-06-01 10:00"),
                ("maintenance_registered", "2026-06-03 10:00"),
            ],
            now: "2026-06-05 09:00",
            ..Case::default()
        },
        &[
            "修理后回访-10日 2026-06-11 23:59 Upcoming",
            "登记定保后回访-10日 2026-06-13 23:59 Upcoming",
        ],
    );
}

/// 002 §10: yesterday's settled repairs and maintenance are called today (the day after
/// settlement, not the same day).
#[test]
fn p002_10_yesterdays_settled_repairs_are_called_today() {
    check(
        Case {
            profile: "car-repair-shop",
            events: &[
                ("repair_completed", "2026-06-01 17:00"),
                ("maintenance_completed", "2026-06-01 18:00"),
            ],
            visits: &[("2026-06-01 18:30", "phone", "good")],
            now: "2026-06-02 09:00",
            ..Case::default()
        },
        &[
            "维修结算次日回访 2026-06-02 23:59 Due",
            "保养结算次日回访 2026-06-02 23:59 Due",
        ],
    );
}

/// 003 §四: after a repair, a visit within [X] working days (3 here): from Thursday
/// 2026-06-18, past the Dragon Boat holiday (06-19 to 06-21), to Wednesday 06-24.
#[test]
fn p003_4_after_a_repair_within_x_working_days() {
    check(
        Case {
            profile: "service-plan",
            events: &[("repair_completed", "2026-06-18 15:00")],
            now: "2026-06-18 16:00",
            ..Case::default()
        },
        &["维修后回访 2026-06-24 23:59 Upcoming"],
    );
}

/// 002 §15t: a problem found at a visit is best handled on site the same or the next day
/// (the decoration profile's follow-up of a poor result).
#[test]
fn p002_4_15t_a_problem_found_at_a_visit_is_handled_on_site_the_next_day() {
    check(
        Case {
            profile: "decoration-warranty",
            events: &[("project_completed", "2026-05-10 10:00")],
            visits: &[("2026-05-12 10:00", "phone", "poor")],
            now: "2026-05-12 12:00",
            horizon_days: 5,
            ..Case::default()
        },
        &[
            "问题处理跟踪回访 2026-05-13 23:59 Due",
            "竣工回访-10天 2026-05-20 23:59 Done",
        ],
    );
}

// ── 3.4 Complaints ───────────────────────────────────────────────────────────────────────

/// 002 §1, §5, §8: a complaint's result tracked within 72 hours, as is a repair request's
/// (报修); a visit within 3 days after the complaint is handled.
#[test]
fn p002_1_5_8_complaints_tracked_in_72h_and_visited_within_3_days_of_handling() {
    check(
        Case {
            profile: "complaints",
            events: &[
                ("fault_reported", "2026-06-01 09:00"),
                ("complaint_received", "2026-06-01 10:00"),
                ("complaint_closed", "2026-06-02 17:00"),
            ],
            now: "2026-06-02 18:00",
            ..Case::default()
        },
        &[
            "投诉跟踪-72h 2026-06-04 10:00 Due",
            "报修工单跟踪-72h 2026-06-04 09:00 Due",
            "投诉处理后回访-3天 2026-06-05 23:59 Upcoming",
        ],
    );
}

/// 002 §8 (and §7): a customer still dissatisfied is visited a 2nd and a 3rd time, each
/// within 3 days here.
#[test]
fn p002_8_a_customer_still_dissatisfied_is_visited_again_and_again() {
    for profile in ["complaints", "property-management"] {
        check(
            Case {
                profile,
                events: &[("complaint_closed", "2026-06-02 17:00")],
                visits: &[
                    ("2026-06-03 10:00", "phone", "poor"),
                    ("2026-06-05 10:00", "phone", "poor"),
                ],
                now: "2026-06-05 12:00",
                ..Case::default()
            },
            &[
                "不满意再次回访 2026-06-08 23:59 Upcoming",
                "投诉处理后回访-3天 2026-06-05 23:59 Done",
                "不满意再次回访 2026-06-06 23:59 Done",
            ],
        );
    }
}

/// 000 §B, §O: a complaint is visited within a week of its handling (general) or of its
/// receipt (the service centre).
#[test]
fn p000_b_o_a_complaint_is_visited_within_a_week() {
    check(
        Case {
            events: &[("complaint_closed", "2026-11-20 16:00")],
            now: "2026-11-21 09:00",
            ..Case::default()
        },
        &["投诉回访 2026-11-27 23:59 Upcoming"],
    );
    check(
        Case {
            profile: "service-center",
            events: &[("complaint_received", "2026-06-01 10:00")],
            now: "2026-06-01 12:00",
            ..Case::default()
        },
        &["投诉回访-1周 2026-06-08 23:59 Upcoming"],
    );
}

/// 004 §五: a major project within [X] working days of completion (5 here), a complaint
/// within [X] (3) after its result is communicated, a market activity within [X] (3).
#[test]
fn p004_5_project_complaint_result_and_market_activity_within_x_working_days() {
    check(
        Case {
            profile: "sales-visits",
            events: &[
                ("project_completed", "2026-06-01 10:00"),
                ("complaint_closed", "2026-06-01 11:00"),
                ("market_activity", "2026-06-01 12:00"),
            ],
            now: "2026-06-01 13:00",
            ..Case::default()
        },
        &[
            "投诉处理结果回访 2026-06-04 23:59 Upcoming",
            "市场活动回访 2026-06-04 23:59 Upcoming",
            "重大项目回访 2026-06-08 23:59 Upcoming",
        ],
    );
}

/// 003 §五: a complaint is answered within [X] working days (3 here).
#[test]
fn p003_5_a_complaint_is_answered_within_x_working_days() {
    check(
        Case {
            profile: "service-plan",
            events: &[("complaint_received", "2026-06-18 15:00")],
            now: "2026-06-18 16:00",
            ..Case::default()
        },
        &["投诉答复 2026-06-24 23:59 Upcoming"],
    );
}

/// 003 §四: a customer not satisfied with the handling has it handled again, arranged by the
/// service manager (二级), until satisfied: each poor result starts it again.
#[test]
fn p003_4_a_customer_not_satisfied_has_it_handled_again_until_satisfied() {
    let case = Case {
        profile: "service-plan",
        events: &[("repair_completed", "2026-06-01 10:00")],
        visits: &[
            ("2026-06-02 10:00", "phone", "poor"),
            ("2026-06-03 10:00", "on_site", "poor"),
        ],
        now: "2026-06-03 12:00",
        ..Case::default()
    };
    check(
        case,
        &[
            "不满意-经理安排再次处理 2026-06-05 10:00 Due",
            "不满意-经理安排再次处理 2026-06-04 10:00 Done",
            "维修后回访 2026-06-04 23:59 Done",
        ],
    );
    assert_eq!(
        level_of(case, "不满意-经理安排再次处理"),
        VisitLevel::Manager
    );
}

// ── 3.5 Response-time SLAs ───────────────────────────────────────────────────────────────

/// 001: delivery and progress queries answered within 2 hours; technical ones within 4
/// hours, or with a reply agreed no later than the next day.
#[test]
fn p001_queries_answered_within_2h_and_4h_or_by_the_next_day() {
    check(
        Case {
            profile: "furniture",
            events: &[
                ("delivery_query", "2026-05-07 09:30"),
                ("technical_query", "2026-05-07 10:00"),
            ],
            now: "2026-05-07 15:00",
            ..Case::default()
        },
        &[
            "进度咨询答复-2h 2026-05-07 11:30 Overdue",
            "技术咨询答复-4h 2026-05-07 14:00 Due",
        ],
    );
}

/// 000 §T: letters from users are answered within 24 hours.
#[test]
fn p000_t_letters_are_answered_within_24_hours() {
    check(
        Case {
            profile: "water-purifier",
            events: &[("letter_received", "2026-05-06 09:00")],
            now: "2026-05-07 09:30",
            ..Case::default()
        },
        &["来信答复-24h 2026-05-07 09:00 Overdue"],
    );
}

/// 003 §五: an emergency fault is answered within 24 hours and an engineer is on site within
/// 48; a general fault is contacted within 48 hours and on site within [X] working days (3
/// here: from Wednesday 2026-09-30, past the National Day holiday, to the make-up Saturday
/// 10-10).
#[test]
fn p003_5_faults_answered_and_attended_in_time() {
    check(
        Case {
            profile: "service-plan",
            events: &[("emergency_fault_reported", "2026-06-01 10:00")],
            now: "2026-06-01 11:00",
            ..Case::default()
        },
        &[
            "紧急故障-24小时响应 2026-06-02 10:00 Due",
            "紧急故障-48小时到场 2026-06-03 10:00 Due",
        ],
    );
    check(
        Case {
            profile: "service-plan",
            events: &[("fault_reported", "2026-09-30 10:00")],
            now: "2026-09-30 11:00",
            ..Case::default()
        },
        &[
            "一般故障-48小时联系 2026-10-02 10:00 Due",
            "一般故障-到场维修 2026-10-10 23:59 Upcoming",
        ],
    );
}

/// 002 §14: a rescue in the city is on site within 2 hours.
#[test]
fn p002_14_a_city_rescue_is_on_site_within_2_hours() {
    check(
        Case {
            profile: "repair-station",
            events: &[("emergency_fault_reported", "2026-06-01 20:30")],
            now: "2026-06-01 21:00",
            ..Case::default()
        },
        &["市内救援-2小时到场 2026-06-01 22:30 Due"],
    );
}

/// 000 §O: a missed or unresolved call is called back as soon as possible: the same day,
/// overdue after the next.
#[test]
fn p000_o_a_missed_call_is_called_back_the_same_day() {
    for (now, status) in [("2026-06-02 09:00", "Due"), ("2026-06-03 09:00", "Overdue")] {
        check(
            Case {
                profile: "service-center",
                events: &[("missed_call", "2026-06-01 15:00")],
                now,
                ..Case::default()
            },
            &[&format!("来电回访 2026-06-01 23:59 {status}")],
        );
    }
}

/// 000 §C: customers below 极为满意 are called no later than the day after the list arrives;
/// a problem that needs the workshop gets the car back within 5 days.
#[test]
fn p000_c_a_low_rating_is_called_by_the_next_day_and_a_problem_back_in_5_days() {
    check(
        Case {
            profile: "vehicle-service",
            events: &[("rating_below_top", "2026-06-01 09:00")],
            now: "2026-06-01 10:00",
            ..Case::default()
        },
        &["未评极为满意回访-次日 2026-06-02 23:59 Due"],
    );
    check(
        Case {
            profile: "vehicle-service",
            events: &[("service_completed", "2026-06-01 10:00")],
            visits: &[("2026-06-02 10:00", "phone", "poor")],
            now: "2026-06-02 12:00",
            horizon_days: 10,
            ..Case::default()
        },
        &[
            "回厂解决-5天内 2026-06-07 23:59 Upcoming",
            "服务完成首次回访-7个工作日 2026-06-10 23:59 Done",
        ],
    );
}

// ── 3.6 Project / construction / warranty ────────────────────────────────────────────────

/// 002 §4: the early construction visit about 10 days after the start (days 8 to 12; a call
/// on day 3 does not count), the middle one within 3 days of the mid-stage payment.
#[test]
fn p002_4_construction_visits_about_10_days_in_and_after_the_mid_payment() {
    check(
        Case {
            profile: "decoration-warranty",
            events: &[
                ("construction_started", "2026-03-02 09:00"),
                ("mid_payment_received", "2026-04-15 14:00"),
            ],
            visits: &[
                ("2026-03-05 10:00", "phone", "good"),
                ("2026-03-11 10:00", "phone", "good"),
            ],
            now: "2026-04-16 09:00",
            ..Case::default()
        },
        &[
            "中期款后回访-3天 2026-04-18 23:59 Due",
            "开工前期回访 2026-03-12 23:59 Done",
        ],
    );
}

/// 002 §4: completion visited within 10 days; in the warranty quarterly in the first year,
/// half-yearly in the second, yearly after (from an Aug 31 completion, clamped to month ends
/// without drifting).
#[test]
fn p002_4_completion_within_10_days_then_quarterly_half_yearly_and_yearly() {
    let case = Case {
        profile: "decoration-warranty",
        events: &[("project_completed", "2025-08-31 10:00")],
        now: "2028-08-01 09:00",
        horizon_days: 60,
        ..Case::default()
    };
    let profile = case.policy();
    let data = input(&case);
    let got = agenda(
        &profile,
        &WorkCalendar::china(),
        &data,
        at(case.now),
        case.horizon(),
    );
    let mut dues: Vec<String> = got
        .items()
        .map(|i| format!("{} {}", i.due().format("%Y-%m-%d"), i.rule()))
        .collect();
    dues.sort();
    assert_eq!(
        dues,
        [
            "2025-09-10 竣工回访-10天",
            "2025-11-30 保修期回访-第1年每季度",
            "2026-02-28 保修期回访-第1年每季度",
            "2026-05-31 保修期回访-第1年每季度",
            "2026-08-31 保修期回访-第1年每季度",
            "2027-02-28 保修期回访-第2年每半年",
            "2027-08-31 保修期回访-第2年每半年",
            "2028-08-31 保修期后回访-每年",
            "2029-08-31 保修期后回访-每年",
        ]
    );
}

/// 002 §2: after a project's acceptance the first visit within the first month, then at
/// least every six months while the warranty lasts (to 2027-06-30 here), none after.
#[test]
fn p002_2_acceptance_first_month_then_every_half_year_in_the_warranty() {
    check(
        Case {
            profile: "equipment-service",
            warranty_until: Some("2027-06-30"),
            events: &[("project_completed", "2026-01-15 10:00")],
            now: "2026-01-16 09:00",
            horizon_days: 800,
            ..Case::default()
        },
        &[
            "项目验收后首次回访 2026-02-15 23:59 Upcoming",
            "保修期内每半年回访 2026-07-15 23:59 Upcoming",
            "保修期内每半年回访 2027-01-15 23:59 Upcoming",
        ],
    );
}

// ── 3.7 Sales leads (real estate) ────────────────────────────────────────────────────────

/// 002 §13: a caller is called back the same day; a good-quality one again within 3 days,
/// then weekly until they visit (the visit withdraws the weekly call).
#[test]
fn p002_13_callers_same_day_good_ones_within_3_days_then_weekly_until_they_visit() {
    let visits = &[
        ("2026-06-01 15:00", "phone", "good"),
        ("2026-06-03 10:00", "phone", "good"),
    ];
    check(
        Case {
            profile: "real-estate",
            tags: &["quality"],
            events: &[("inquiry_call", "2026-06-01 10:00")],
            visits,
            now: "2026-06-05 09:00",
            ..Case::default()
        },
        &[
            "优质来电每周邀约 2026-06-10 23:59 Upcoming",
            "来电当日回访 2026-06-01 23:59 Done",
            "优质来电三日内再邀约 2026-06-04 23:59 Done",
        ],
    );
    check(
        Case {
            profile: "real-estate",
            tags: &["quality"],
            events: &[
                ("inquiry_call", "2026-06-01 10:00"),
                ("walk_in", "2026-06-06 10:00"),
            ],
            visits,
            now: "2026-06-07 09:00",
            ..Case::default()
        },
        &[
            "来电当日回访 2026-06-01 23:59 Done",
            "优质来电三日内再邀约 2026-06-04 23:59 Done",
        ],
    );
}

/// 002 §13: A and B walk-ins are called the same day and again within 3 days; then key
/// customers every 3 days, those with resistance weekly; class C weekly.
#[test]
fn p002_13_walk_ins_same_day_within_3_days_then_by_class() {
    let visits = &[
        ("2026-06-01 16:00", "phone", "good"),
        ("2026-06-03 11:00", "phone", "good"),
    ];
    for (tier, tag, next) in [
        ("a", "key", "重点客户每三天回访 2026-06-06 23:59 Due"),
        (
            "b",
            "resistance",
            "抗性客户每周回访 2026-06-10 23:59 Upcoming",
        ),
    ] {
        check(
            Case {
                profile: "real-estate",
                tier,
                tags: &[tag],
                events: &[("walk_in", "2026-06-01 10:00")],
                visits,
                now: "2026-06-04 09:00",
                ..Case::default()
            },
            &[
                next,
                "来访当日回访 2026-06-01 23:59 Done",
                "来访三日内再回访 2026-06-04 23:59 Done",
            ],
        );
    }
    check(
        Case {
            profile: "real-estate",
            tier: "c",
            events: &[("walk_in", "2026-06-01 10:00")],
            now: "2026-06-02 09:00",
            horizon_days: 14,
            ..Case::default()
        },
        &[
            "C类客户每周回访 2026-06-08 23:59 Upcoming",
            "C类客户每周回访 2026-06-15 23:59 Upcoming",
            "C类客户每周回访 2026-06-22 23:59 Upcoming",
        ],
    );
}

/// 002 §13: a buyer gets a congratulation call the same day, then a call every half month;
/// a customer who dislikes calls, monthly (备注 2: lower the frequency). Milestones are
/// told within 3 days here.
#[test]
fn p002_13_buyers_same_day_then_half_monthly_or_monthly_if_they_dislike_calls() {
    let case = |tags| Case {
        profile: "real-estate",
        tags,
        events: &[("purchase", "2026-06-01 10:00")],
        visits: &[("2026-06-01 14:00", "phone", "good")],
        now: "2026-06-02 09:00",
        horizon_days: 20,
        ..Case::default()
    };
    check(
        case(&[]),
        &[
            "成交客户每半月回访 2026-06-16 23:59 Upcoming",
            "成交客户每半月回访 2026-07-01 23:59 Upcoming",
            "成交当日恭喜 2026-06-01 23:59 Done",
        ],
    );
    check(
        case(&["dislikes_calls"]),
        &[
            "成交客户每月回访-少打扰 2026-07-01 23:59 Upcoming",
            "成交当日恭喜 2026-06-01 23:59 Done",
        ],
    );
    check(
        Case {
            profile: "real-estate",
            events: &[("project_milestone", "2026-06-01 10:00")],
            now: "2026-06-01 12:00",
            ..Case::default()
        },
        &["项目节点回访 2026-06-04 23:59 Upcoming"],
    );
}

/// 002 §13 and §12: the preferred call windows.
#[test]
fn p002_12_13_call_windows() {
    let windows = |name: &str| {
        let p = builtin(name).unwrap();
        let data = Default::default();
        let a = agenda(
            &p,
            &WorkCalendar::china(),
            &data,
            at("2026-06-01 09:00"),
            Horizon::default(),
        );
        a.call_windows
    };
    assert_eq!(windows("real-estate"), ["10:00-11:30", "15:30-17:00"]);
    assert_eq!(windows("tourism"), ["09:00-11:00", "15:00-17:00"]);
    assert_eq!(windows("general"), ["09:00-11:00", "15:00-17:00"]);
}

// ── 3.8 Other time-based rules ───────────────────────────────────────────────────────────

/// 002 §10: a customer not back in the workshop for six months is called that day; coming
/// back for maintenance withdraws the call.
#[test]
fn p002_10_customers_not_back_for_6_months_are_called_unless_they_return() {
    check(
        Case {
            profile: "car-repair-shop",
            events: &[("repair_completed", "2026-01-05 17:00")],
            visits: &[("2026-01-06 10:00", "phone", "good")],
            now: "2026-07-04 09:00",
            ..Case::default()
        },
        &[
            "流失客户回访-维修后6个月 2026-07-05 23:59 Due",
            "维修结算次日回访 2026-01-06 23:59 Done",
        ],
    );
    check(
        Case {
            profile: "car-repair-shop",
            events: &[
                ("repair_completed", "2026-01-05 17:00"),
                ("maintenance_completed", "2026-04-10 10:00"),
            ],
            visits: &[
                ("2026-01-06 10:00", "phone", "good"),
                ("2026-04-11 10:00", "phone", "good"),
            ],
            now: "2026-07-04 09:00",
            ..Case::default()
        },
        &[
            "维修结算次日回访 2026-01-06 23:59 Done",
            "保养结算次日回访 2026-04-11 23:59 Done",
        ],
    );
}

/// 002 §12: tourists within 3 days after using the product and again a month after; makers
/// an on-site visit each month and a contact each half month.
#[test]
fn p002_12_tourists_after_use_and_makers_every_month() {
    check(
        Case {
            profile: "tourism",
            events: &[("service_completed", "2026-06-01 18:00")],
            now: "2026-06-02 09:00",
            ..Case::default()
        },
        &[
            "使用后体验回访-3天 2026-06-04 23:59 Due",
            "使用1个月需求回访 2026-07-01 23:59 Upcoming",
        ],
    );
    check(
        Case {
            profile: "tourism",
            tier: "maker",
            events: &[("order_effective", "2026-06-01 10:00")],
            now: "2026-06-01 12:00",
            horizon_days: 40,
            ..Case::default()
        },
        &[
            "创客每半月沟通 2026-06-16 23:59 Upcoming",
            "创客每月上门 2026-07-01 23:59 Upcoming",
            "创客每半月沟通 2026-07-01 23:59 Upcoming",
            "创客每半月沟通 2026-07-16 23:59 Upcoming",
            "创客每月上门 2026-08-01 23:59 Upcoming",
        ],
    );
}

/// 002 §8: a cultural or sports activity is visited within a month of its end; a handled
/// complaint within 3 days.
#[test]
fn p002_8_activities_within_a_month_and_complaints_within_3_days() {
    check(
        Case {
            profile: "property-management",
            events: &[
                ("complaint_closed", "2026-06-01 10:00"),
                ("market_activity", "2026-06-01 10:00"),
            ],
            now: "2026-06-01 12:00",
            ..Case::default()
        },
        &[
            "投诉处理后回访-3天 2026-06-04 23:59 Upcoming",
            "文体活动回访-1个月 2026-07-01 23:59 Upcoming",
        ],
    );
}

// ── Poor outcomes, per profile ───────────────────────────────────────────────────────────

/// 000 §I, §O (general): a poor result is visited again by the customer-service manager
/// (二级) by the next day.
#[test]
fn p000_i_o_a_poor_result_gets_a_level_2_visit_the_next_day() {
    let case = Case {
        events: &[("purchase", "2026-06-01 00:00")],
        visits: &[("2026-06-03 10:00", "phone", "poor")],
        now: "2026-06-04 09:00",
        horizon_days: 10,
        ..Case::default()
    };
    check(
        case,
        &[
            "不满意-二级回访 2026-06-04 23:59 Due",
            "首次回访 2026-06-08 23:59 Done",
        ],
    );
    assert_eq!(level_of(case, "不满意-二级回访"), VisitLevel::Manager);
}

/// 000 §T: a dissatisfied user is registered with priority and visited on site within 24
/// hours; the person in charge (二级) then confirms the result by the next day.
#[test]
fn p000_t_a_dissatisfied_user_gets_priority_on_site_service_then_the_result_confirmed() {
    let case = Case {
        profile: "water-purifier",
        events: &[("installation_completed", "2026-01-10 14:00")],
        visits: &[
            ("2026-01-10 19:00", "phone", "poor"),
            ("2026-01-11 10:00", "on_site", "good"),
        ],
        now: "2026-01-11 12:00",
        horizon_days: 10,
        ..Case::default()
    };
    check(
        case,
        &[
            "不满意-落实服务结果 2026-01-12 23:59 Due",
            "不满意-优先上门服务 2026-01-11 19:00 Done",
            "安装当天电话回访 2026-01-10 23:59 Done",
        ],
    );
    assert_eq!(level_of(case, "不满意-落实服务结果"), VisitLevel::Manager);
}

/// 001 (着重跟进), 000 §I, 000 §O, 002 §10, 002 §14, 004 §六: what a poor result starts in
/// the other profiles that say.
#[test]
fn a_poor_result_starts_each_profiles_follow_up() {
    for (profile, trigger, first, follow_up) in [
        (
            "furniture",
            "installation_completed",
            "安装后2天电话回访",
            "不满意跟进 2026-06-03 23:59 Due",
        ),
        (
            "delivered-products",
            "delivery",
            "交付后首次回访",
            "不满意-重点跟进 2026-06-03 23:59 Due",
        ),
        (
            "service-center",
            "order_effective",
            "首次回访-订单生效次日",
            "二级回访-不满意 2026-06-09 23:59 Upcoming",
        ),
        (
            "car-repair-shop",
            "repair_completed",
            "维修结算次日回访",
            "不满意-客户经理追踪 2026-07-02 23:59 Upcoming",
        ),
        (
            "repair-station",
            "repair_completed",
            "修理后回访-10日",
            "不满意-上报分管领导 2026-06-03 23:59 Due",
        ),
        // 004 §六 (三): the result told and satisfaction confirmed, within 3 working days
        // (the [X] of §五): from Tuesday 06-02 to Friday 06-05.
        (
            "sales-visits",
            "purchase",
            "新客户首次回访",
            "不满意-处理结果告知 2026-06-05 23:59 Upcoming",
        ),
    ] {
        let profile_rules = builtin(profile).unwrap();
        let case = Case {
            profile,
            events: &[(trigger, "2026-06-01 10:00")],
            visits: &[("2026-06-02 10:00", "phone", "poor")],
            now: "2026-06-02 12:00",
            horizon_days: 10,
            ..Case::default()
        };
        let data = input(&case);
        let got = agenda(
            &profile_rules,
            &WorkCalendar::china(),
            &data,
            at(case.now),
            case.horizon(),
        );
        let lines: Vec<String> = got.items().map(super::line).collect();
        assert_eq!(
            lines.first().map(String::as_str),
            Some(follow_up),
            "{profile}: {lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(first) && l.ends_with("Done")),
            "{profile}: {lines:?}"
        );
    }
}

/// Every shipped profile answers a poor result (不满意/非常不满意) with a follow-up of its
/// own, except the four whose policies say nothing a poor result starts (profiles/README.md:
/// tourism 002 §12, real-estate 002 §13, equipment-service 002 §2 and §9, and skeleton, the
/// walking skeleton's reference): a poor call or on-site visit, from any customer, starts an
/// item from the visit's time.
#[test]
fn every_shipped_profile_answers_a_poor_result_unless_its_policy_says_nothing() {
    use crate::policy::{BUILTIN_PROFILES, RuleStart, Trigger};
    const SILENT: [&str; 4] = ["skeleton", "tourism", "real-estate", "equipment-service"];
    for (name, _) in BUILTIN_PROFILES {
        let profile = builtin(name).unwrap();
        let poor_rules: Vec<_> = profile
            .rules
            .iter()
            .filter(|r| r.start == RuleStart::Event(Trigger::PoorOutcome))
            .collect();
        assert_eq!(poor_rules.is_empty(), SILENT.contains(&name), "{name}");
        for rule in poor_rules {
            let tier = rule.when.tier.first().map_or("normal", String::as_str);
            let channel = match rule.when.channel.first() {
                Some(crate::visit::Channel::OnSite) => "on_site",
                _ => "phone",
            };
            let visits = [("2026-06-02 10:00", channel, "poor")];
            let case = Case {
                profile: name,
                tier,
                events: &[("purchase", "2026-06-01 10:00")],
                visits: &visits,
                now: "2026-06-02 12:00",
                horizon_days: 10,
                ..Case::default()
            };
            let data = input(&case);
            let got = agenda(
                &profile,
                &WorkCalendar::china(),
                &data,
                at(case.now),
                case.horizon(),
            );
            let started = got
                .items()
                .any(|i| i.rule() == rule.id && i.key().start == at("2026-06-02 10:00"));
            assert!(
                started || rule.when.warranty.is_some() || !rule.when.tag.is_empty(),
                "{name}: {} not started by a poor {channel} visit",
                rule.id
            );
        }
    }
}
