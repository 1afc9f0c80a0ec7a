//! The dry-run commands behind `revisit-policy`: load a policy and data, print an agenda or a diff.
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use revisit_domain::{
    CustomerId,
    policy::{
        Agenda, AgendaEntry, EngineInput, Horizon, ItemKey, ItemStatus, Lang, PolicyProfile,
        WorkCalendar, agenda, builtin,
    },
};

/// A built-in profile name (`general`, `installed-equipment`, …) or a path to a TOML file.
pub fn load_policy(spec: &str) -> Result<PolicyProfile> {
    if let Some(p) = builtin(spec) {
        return Ok(p);
    }
    let text = std::fs::read_to_string(spec)
        .with_context(|| format!("{spec} is neither a built-in profile nor a readable file"))?;
    Ok(PolicyProfile::parse(spec, &text)?)
}

/// Reads the engine input (customers, events, visits) from a JSON file: an `EngineInput` in
/// JSON, the format `README.md` documents.
pub fn load_data(path: &Path) -> Result<EngineInput> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// The China calendar, overridden by an organisation's file if one is given.
pub fn load_calendar(org: Option<&Path>) -> Result<WorkCalendar> {
    let base = WorkCalendar::china();
    let Some(path) = org else { return Ok(base) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let org =
        WorkCalendar::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(base.overridden_by(&org))
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON document.
    Json,
    /// A fixed-width table.
    Table,
}

/// Renders an agenda as JSON (with explanations) or as a table. An entry counted in working
/// days through a year the calendar does not cover carries `outside_calendar` in JSON and a
/// ※ in the table, explained under it.
pub fn render_agenda(a: &Agenda<'_>, format: Format, lang: Lang) -> String {
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = a
                .items()
                .map(|i| {
                    let mut v = serde_json::to_value(i).expect("entries serialise");
                    v["explanation"] = i.explain(lang).into();
                    v
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "policy": a.policy,
                "call_windows": a.call_windows,
                "data_corrections": a.data_corrections,
                "items": items,
            }))
            .expect("json")
        }
        Format::Table => {
            let t = Texts::of(lang);
            let mut out = format!(
                "{}  {}  {}  {}\n",
                pad(t.status, STATUS_WIDTH),
                pad(t.due, 16),
                pad(t.customer, 36),
                t.why
            );
            let mut outside = false;
            for i in a.items() {
                outside |= i.outside_calendar;
                out += &format!(
                    "{}  {}  {}  {}{}\n",
                    pad(status(i.status, lang), STATUS_WIDTH),
                    i.due().format("%Y-%m-%d %H:%M"),
                    i.customer_id().0,
                    i.explain(lang),
                    if i.outside_calendar { " ※" } else { "" }
                );
            }
            if outside {
                out += t.outside_calendar;
                out += "\n";
            }
            if !a.call_windows.is_empty() {
                out += &format!("{}{}\n", t.call_windows, a.call_windows.join(t.separator));
            }
            for c in &a.data_corrections {
                out += &format!("{}{}\n", t.fix_number, c.0);
            }
            out
        }
    }
}

/// Display columns of the status column: the longest status, 逾期完成 (four wide characters).
const STATUS_WIDTH: usize = 9;

/// `text` padded with spaces to `width` terminal columns (a Chinese character takes two).
fn pad(text: &str, width: usize) -> String {
    let columns: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

/// An item's status in the output language: the policies' words in Chinese.
fn status(s: ItemStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.zh(),
        Lang::En => s.en(),
    }
}

/// The table's words.
struct Texts {
    status: &'static str,
    due: &'static str,
    customer: &'static str,
    why: &'static str,
    call_windows: &'static str,
    separator: &'static str,
    fix_number: &'static str,
    outside_calendar: &'static str,
}

impl Texts {
    fn of(lang: Lang) -> Texts {
        match lang {
            Lang::Zh => Texts {
                status: "状态",
                due: "应回访",
                customer: "客户",
                why: "依据",
                call_windows: "宜致电时段：",
                separator: "、",
                fix_number: "需更正号码（空号/错号）：",
                outside_calendar: "※ 按工作日计算时经过了工作日历未收录法定节假日的年份：该年只按周末计算，日期可能偏早（可用 --calendar 补充该年）。",
            },
            Lang::En => Texts {
                status: "status",
                due: "due",
                customer: "customer",
                why: "why",
                call_windows: "call windows: ",
                separator: ", ",
                fix_number: "fix phone number (空号/错号): ",
                outside_calendar: "※ counted in working days through a year whose official holidays the calendar does not hold: only weekends were skipped there, so the date may be early (add the year with --calendar).",
            },
        }
    }
}

/// The `agenda` command.
pub fn agenda_command(
    policy: &PolicyProfile,
    calendar: &WorkCalendar,
    data: &EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
    format: Format,
    lang: Lang,
) -> String {
    render_agenda(&agenda(policy, calendar, data, now, horizon), format, lang)
}

/// An item of a customer, the same under two policies when its rule id, start and repeat are.
type Key = (CustomerId, ItemKey);

fn key(i: &AgendaEntry<'_>) -> Key {
    (i.customer_id(), i.key())
}

/// The `diff` command: items that appear under `other`, vanish from `policy`, or move (due or status).
pub fn diff_command(
    policy: &PolicyProfile,
    other: &PolicyProfile,
    calendar: &WorkCalendar,
    data: &EngineInput,
    now: DateTime<Utc>,
    horizon: Horizon,
    lang: Lang,
) -> String {
    let a = agenda(policy, calendar, data, now, horizon);
    let b = agenda(other, calendar, data, now, horizon);
    let index = |x: &Agenda<'_>| -> BTreeMap<Key, usize> {
        x.items().enumerate().map(|(n, i)| (key(i), n)).collect()
    };
    let (ia, ib) = (index(&a), index(&b));
    let (items_a, items_b): (Vec<_>, Vec<_>) = (a.items().collect(), b.items().collect());
    let mut out = String::new();
    for (k, &n) in &ia {
        let i = items_a[n];
        match ib.get(k) {
            None => {
                out += &format!(
                    "- {} {} {}\n",
                    i.customer_id().0,
                    i.due().format("%Y-%m-%d %H:%M"),
                    i.explain(lang)
                )
            }
            Some(&m) => {
                let j = items_b[m];
                if i.due() != j.due() || i.status != j.status {
                    out += &format!(
                        "~ {} {} {} -> {} {} {}\n",
                        i.customer_id().0,
                        i.due().format("%Y-%m-%d %H:%M"),
                        status(i.status, lang),
                        j.due().format("%Y-%m-%d %H:%M"),
                        status(j.status, lang),
                        j.explain(lang)
                    );
                }
            }
        }
    }
    for (k, &m) in &ib {
        if !ia.contains_key(k) {
            let j = items_b[m];
            out += &format!(
                "+ {} {} {}\n",
                j.customer_id().0,
                j.due().format("%Y-%m-%d %H:%M"),
                j.explain(lang)
            );
        }
    }
    out
}
