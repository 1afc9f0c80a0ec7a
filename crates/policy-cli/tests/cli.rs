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

/// An agenda that looks into a year the shipped calendar does not know says so on stderr,
/// leaving stdout as it was (JSON stays JSON); an organisation calendar with the year does not.
#[test]
fn a_horizon_beyond_the_known_holidays_is_pointed_out() {
    let later = "2026-11-30T09:00:00+08:00";
    let out = command(&agenda("general", later, &["--format", "json"]));
    assert!(out.status.success());
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("stdout is the JSON agenda");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "注意：工作日历没有 2027 年的法定节假日与调休安排，这些年份按周末计算工作日；可用 --calendar 补充。\n"
    );

    let dir = std::env::temp_dir().join(format!("revisit-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let org = dir.join("2027.toml");
    std::fs::write(&org, "years = [2027]\nholidays = [2027-01-01]\n").unwrap();
    let out = command(&agenda(
        "general",
        later,
        &["--format", "json", "--calendar", org.to_str().unwrap()],
    ));
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}
