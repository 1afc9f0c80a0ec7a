//! Runs the `revisit-policy` binary on the shipped example data.

use std::process::{Command, Output};

/// Runs `revisit-policy` in the package directory (where `examples/` is).
fn command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_revisit-policy"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Runs it, expecting success; what it printed.
fn run(args: &[&str]) -> String {
    let out = command(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `agenda --policy <policy> --data examples/data.json --now <now>`, then `extra`.
fn agenda<'a>(policy: &'a str, now: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "agenda",
        "--policy",
        policy,
        "--data",
        "examples/data.json",
        "--now",
        now,
    ];
    args.extend_from_slice(extra);
    args
}

const NOW: &str = "2026-11-22T09:00:00+08:00";

#[test]
fn agenda_as_a_table_puts_the_overdue_vip_visit_first() {
    let out = run(&agenda("general", NOW, &["--lang", "en"]));
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("status     due  "));
    let first = lines.next().unwrap();
    assert!(first.starts_with("overdue    2026-11-09 23:59"), "{first}");
    assert!(
        first.contains("rule 定期回访-VIP, policy 一般售后 (000 §A)"),
        "{first}"
    );
}

/// Chinese by default: the policies' words for statuses, columns aligned for wide characters.
#[test]
fn agenda_as_a_table_in_chinese_by_default() {
    let out = run(&agenda("general", NOW, &[]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("状态       应回访            客户{}依据", " ".repeat(34))
    );
    assert!(
        lines[1].starts_with("已逾期     2026-11-09 23:59  00000000-0000-0000-0000-000000000001  上次回访（购后6个月回访） 2026-10-09 10:00 + 1个月"),
        "{}",
        lines[1]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("已完成     2026-04-17 23:59"))
    );
    assert_eq!(lines.last(), Some(&"宜致电时段：09:00-11:00、15:00-17:00"));
}

#[test]
fn agenda_as_json_carries_explanations() {
    let out = run(&agenda("installed-equipment", NOW, &["--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v["items"][0];
    assert_eq!(first["rule"], "结果不佳-次日重访");
    assert_eq!(first["status"], "due");
    assert_eq!(
        first["explanation"],
        "回访结果不佳 2026-11-21 10:00 + 1天，规则 结果不佳-次日重访，政策 设备售后（000 §P）"
    );
}

#[test]
fn diff_shows_the_vip_visit_moving_when_vip_goes_every_two_weeks() {
    let out = run(&[
        "diff",
        "--policy",
        "general",
        "--other",
        "examples/general-vip-biweekly.toml",
        "--data",
        "examples/data.json",
        "--now",
        NOW,
        "--lang",
        "en",
    ]);
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with('~'))
            .collect::<Vec<_>>(),
        [
            "~ 00000000-0000-0000-0000-000000000001 2026-11-09 23:59 overdue -> 2026-10-23 23:59 overdue previous visit (购后6个月回访) 2026-10-09 10:00 + 2 weeks, rule 定期回访-VIP, policy 一般售后-VIP两周 (000 §A)"
        ]
    );
}

#[test]
fn a_bad_policy_file_is_reported_with_file_rule_and_problem() {
    let dir = std::env::temp_dir().join(format!("revisit-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\n[[rule]]\nid = \"r1\"\ntrigger = \"birthday\"\nkind = \"k\"\ndue = \"1 day\"\nsource = \"s\"\n").unwrap();
    let out = command(&agenda(bad.to_str().unwrap(), NOW, &[]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: rule r1: unknown trigger \"birthday\""),
        "{err}"
    );
}

/// An entry counted in working days into 2027, whose holidays the shipped calendar does not
/// know, is marked in the table (explained under it) and in the JSON, and nothing goes to
/// stderr; an organisation calendar that knows 2027 drops the mark.
#[test]
fn an_entry_past_the_calendars_years_is_marked_in_its_row() {
    let dir = std::env::temp_dir().join(format!("revisit-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("service.json");
    std::fs::write(
        &data,
        r#"{"customers": [{"id": "00000000-0000-0000-0000-000000000009", "tier": "normal"}],
            "events": [{"customer_id": "00000000-0000-0000-0000-000000000009",
                        "kind": "service_completed", "at": "2026-12-28T02:00:00Z"}],
            "visits": []}"#,
    )
    .unwrap();
    let run_with = |extra: &[&str]| {
        let mut args = vec![
            "agenda",
            "--policy",
            "vehicle-service",
            "--data",
            data.to_str().unwrap(),
            "--now",
            "2026-12-28T12:00:00+08:00",
            "--lang",
            "en",
        ];
        args.extend_from_slice(extra);
        let out = command(&args);
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run_with(&[]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[1].starts_with("upcoming   2027-01-06 23:59"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(" ※"), "{}", lines[1]);
    assert!(
        lines[2].starts_with("※ counted in working days through a year"),
        "{}",
        lines[2]
    );
    let json: serde_json::Value = serde_json::from_str(&run_with(&["--format", "json"])).unwrap();
    assert_eq!(json["items"][0]["outside_calendar"], true);

    let org = dir.join("2027.toml");
    std::fs::write(&org, "years = [2027]\nholidays = [2027-01-01]\n").unwrap();
    let table = run_with(&["--calendar", org.to_str().unwrap()]);
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("upcoming   2027-01-07 23:59"),
        "{table}"
    );
    assert!(!table.contains('※'), "{table}");
}

/// The fixture shared with the tablet's agenda page (`tests/fixtures/shared-agenda.json`):
/// an organisation's records as the tablet stores them, made into the CLI's input the way the
/// tablet makes its agenda's input (`EngineInput::from_records`), give the open items listed
/// in `shared-agenda.expected`: the lines the agenda page's test reads off its cards for the
/// same records, policy, calendar and "now".
#[test]
fn the_shared_fixture_gives_the_agenda_the_tablet_shows() {
    use revisit_domain::{
        Customer, VisitRecord,
        complaint::Complaint,
        event::recorded_lifecycle,
        policy::{CalendarSpec, EngineInput, ProfileSpec, WorkCalendar, builtin_spec},
    };
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/shared-agenda.json")).unwrap();
    let part = |name: &str| fixture[name].clone();
    let policy = part("policy").as_str().unwrap().to_string();
    let profile: ProfileSpec = serde_json::from_value(part("profile")).unwrap();
    assert_eq!(
        Some(profile),
        builtin_spec(&policy),
        "the fixture's profile is the shipped {policy}: copy it again if that changed"
    );
    let calendar: CalendarSpec = serde_json::from_value(part("calendar")).unwrap();
    assert_eq!(
        calendar,
        WorkCalendar::china().to_spec(),
        "the fixture's calendar is the shipped one: copy it again if that changed"
    );
    let customers: Vec<Customer> = serde_json::from_value(part("customers")).unwrap();
    let visits: Vec<VisitRecord> = serde_json::from_value(part("visits")).unwrap();
    let complaints: Vec<Complaint> = serde_json::from_value(part("complaints")).unwrap();
    let mut input = EngineInput::from_records(&customers, &visits);
    input.events.extend(recorded_lifecycle(&[], &complaints));
    let dir = std::env::temp_dir().join(format!("revisit-shared-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("input.json");
    std::fs::write(&data, serde_json::to_string(&input).unwrap()).unwrap();
    let now = part("now").as_str().unwrap().to_string();
    let out = run(&[
        "agenda",
        "--policy",
        &policy,
        "--data",
        data.to_str().unwrap(),
        "--now",
        &now,
        "--format",
        "json",
    ]);
    let agenda: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lines: Vec<String> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !matches!(i["status"].as_str(), Some("done" | "done_late")))
        .map(|i| {
            format!(
                "{} {} {} {}{}",
                i["customer_id"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
                i["due"].as_str().unwrap()[..16].replace('T', " "),
                i["explanation"].as_str().unwrap(),
                if i["outside_calendar"] == true {
                    " ※"
                } else {
                    ""
                }
            )
        })
        .collect();
    let expected: Vec<&str> = include_str!("fixtures/shared-agenda.expected")
        .lines()
        .collect();
    assert_eq!(lines, expected);
}
