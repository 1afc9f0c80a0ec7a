//! A policy profile (回访策略): a named set of rules read from a TOML file and validated on load.

use std::collections::{HashMap, HashSet};

use chrono::NaiveTime;
use serde::Deserialize;

use super::{
    error::PolicyError,
    offset::Offset,
    rule::{Condition, FollowUpRule, RuleStart, VisitLevel, WarrantyStatus},
    trigger::Trigger,
};
use crate::visit::Channel;

/// The shipped profiles: (name, TOML text), embedded so the browser has them offline.
pub const BUILTIN_PROFILES: [(&str, &str); 7] = [
    ("general", include_str!("../../profiles/general.toml")),
    ("skeleton", include_str!("../../profiles/skeleton.toml")),
    (
        "installed-equipment",
        include_str!("../../profiles/installed-equipment.toml"),
    ),
    (
        "water-purifier",
        include_str!("../../profiles/water-purifier.toml"),
    ),
    ("furniture", include_str!("../../profiles/furniture.toml")),
    ("complaints", include_str!("../../profiles/complaints.toml")),
    (
        "decoration-warranty",
        include_str!("../../profiles/decoration-warranty.toml"),
    ),
];

/// A shipped profile by name (`general`, `installed-equipment`, …).
pub fn builtin(name: &str) -> Option<PolicyProfile> {
    let (_, text) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name)?;
    Some(PolicyProfile::parse(name, text).expect("shipped profiles are valid"))
}

/// A validated set of follow-up rules. 回访策略
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProfile {
    /// Display name, e.g. `设备售后`.
    pub name: String,
    /// Preferred call windows, China local time (e.g. 09:00–11:00, 15:00–17:00; 002 §12).
    pub call_windows: Vec<(NaiveTime, NaiveTime)>,
    /// The rules, in file order.
    pub rules: Vec<FollowUpRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    #[serde(default)]
    call_windows: Vec<String>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    trigger: Option<String>,
    after: Option<String>,
    kind: String,
    channel: Option<Channel>,
    #[serde(default = "one")]
    level: u8,
    earliest: Option<String>,
    due: String,
    deadline: Option<String>,
    every: Option<String>,
    until: Option<String>,
    #[serde(default)]
    repeat_after_done: bool,
    #[serde(default)]
    when: RawCondition,
    #[serde(default)]
    priority: i32,
    source: String,
}

fn one() -> u8 {
    1
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default)]
    tier: Vec<String>,
    #[serde(default)]
    category: Vec<String>,
    warranty: Option<WarrantyStatus>,
    #[serde(default)]
    channel: Vec<Channel>,
}

impl PolicyProfile {
    /// Parses and validates `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<PolicyProfile, PolicyError> {
        let err = |rule: Option<&str>, problem: String| PolicyError {
            file: file.to_string(),
            rule: rule.map(str::to_string),
            problem,
        };
        let raw: RawProfile = toml::from_str(text).map_err(|e| err(None, e.to_string()))?;
        let mut call_windows = Vec::new();
        for w in &raw.call_windows {
            let parsed = w.split_once('-').and_then(|(a, b)| {
                Some((
                    NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?,
                    NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?,
                ))
            });
            match parsed {
                Some((a, b)) if a < b => call_windows.push((a, b)),
                Some(_) => {
                    return Err(err(
                        None,
                        format!("call window {w:?} ends before it starts"),
                    ));
                }
                None => return Err(err(None, format!("call window {w:?} is not HH:MM-HH:MM"))),
            }
        }
        let mut rules = Vec::new();
        let mut seen = HashSet::new();
        for r in raw.rules {
            let id = r.id.as_str();
            if !seen.insert(r.id.clone()) {
                return Err(err(Some(id), "duplicate rule id".into()));
            }
            let offset = |t: &str| Offset::parse(t).map_err(|p| err(Some(id), p));
            let start = match (&r.trigger, &r.after) {
                (Some(t), None) => RuleStart::Event(
                    Trigger::from_code(t)
                        .ok_or_else(|| err(Some(id), format!("unknown trigger {t:?}")))?,
                ),
                (None, Some(a)) => RuleStart::After(a.clone()),
                _ => {
                    return Err(err(
                        Some(id),
                        "needs exactly one of `trigger` or `after`".into(),
                    ));
                }
            };
            let level = VisitLevel::from_number(r.level)
                .ok_or_else(|| err(Some(id), format!("level {} is not 1, 2 or 3", r.level)))?;
            let earliest = offset(r.earliest.as_deref().unwrap_or("0h"))?;
            let due = offset(&r.due)?;
            let deadline = match &r.deadline {
                Some(d) => offset(d)?,
                None => due,
            };
            if due.approx_hours() < earliest.approx_hours() {
                return Err(err(
                    Some(id),
                    format!("window ends ({due}) before it starts ({earliest})"),
                ));
            }
            if deadline.approx_hours() < due.approx_hours() {
                return Err(err(
                    Some(id),
                    format!("deadline {deadline} is before the due time {due}"),
                ));
            }
            let every = r.every.as_deref().map(offset).transpose()?;
            let until = r.until.as_deref().map(offset).transpose()?;
            if let Some(e) = every {
                if e.amount == 0 {
                    return Err(err(
                        Some(id),
                        "repeats every 0: it would generate unboundedly".into(),
                    ));
                }
                if e.unit != due.unit || deadline.unit != due.unit {
                    return Err(err(
                        Some(id),
                        "`every`, `due` and `deadline` must use the same unit".into(),
                    ));
                }
            }
            if let Some(u) = until {
                if every.is_none() {
                    return Err(err(Some(id), "`until` without `every`".into()));
                }
                if u.unit != due.unit || u.amount < due.amount {
                    return Err(err(
                        Some(id),
                        format!("`until` {u} ends before the first due time {due}"),
                    ));
                }
            }
            if r.repeat_after_done && every.is_some() {
                return Err(err(
                    Some(id),
                    "choose `every` or `repeat_after_done`, not both".into(),
                ));
            }
            rules.push(FollowUpRule {
                id: r.id.clone(),
                start,
                kind: r.kind,
                channel: r.channel,
                level,
                earliest,
                due,
                deadline,
                every,
                until,
                repeat_after_done: r.repeat_after_done,
                when: Condition {
                    tier: r.when.tier,
                    category: r.when.category,
                    warranty: r.when.warranty,
                    channel: r.when.channel,
                },
                priority: r.priority,
                source: r.source,
            });
        }
        check_sequences(&rules).map_err(|(rule, p)| err(Some(&rule), p))?;
        Ok(PolicyProfile {
            name: raw.name,
            call_windows,
            rules,
        })
    }

    /// The index of the rule named `id`.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }
}

/// `after` must name a known rule, and `after` links must not form a cycle: a cycle of
/// distinct rules would feed itself forever (a rule repeats itself only by `repeat_after_done`).
fn check_sequences(rules: &[FollowUpRule]) -> Result<(), (String, String)> {
    let by_id: HashMap<&str, &FollowUpRule> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    for r in rules {
        let mut path = vec![r.id.as_str()];
        let mut cur = r;
        while let RuleStart::After(prev) = &cur.start {
            let Some(next) = by_id.get(prev.as_str()) else {
                return Err((
                    cur.id.clone(),
                    format!("`after` names unknown rule {prev:?}"),
                ));
            };
            if path.contains(&prev.as_str()) {
                path.push(prev);
                return Err((
                    r.id.clone(),
                    format!(
                        "cycle of rules {} would generate unboundedly",
                        path.join(" → ")
                    ),
                ));
            }
            path.push(prev);
            cur = next;
        }
    }
    Ok(())
}
