//! A policy profile (回访策略): a named set of rules, validated on load.
//!
//! A profile travels as a [`ProfileSpec`], its raw serde form: written as TOML in
//! `profiles/*.toml` (feature `toml`), sent to devices as JSON inside the sync wire types.
//! Either way [`PolicyProfile::from_spec`] validates it, so a browser that receives a
//! profile checks it with exactly the code that checked the file.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    error::PolicyError,
    offset::{Offset, OffsetUnit},
    rule::{Condition, FollowUpRule, RuleStart, VisitLevel, WarrantyStatus},
    targets::{Targets, TargetsSpec},
    trigger::Trigger,
};
use crate::{time::china, visit::Channel};

/// The shipped profiles: (name, TOML text), embedded so the server can offer them offline.
/// `profiles/README.md` documents the format and which policy rules each one carries.
#[cfg(feature = "toml")]
pub const BUILTIN_PROFILES: [(&str, &str); 18] = [
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
    (
        "delivered-products",
        include_str!("../../profiles/delivered-products.toml"),
    ),
    (
        "service-center",
        include_str!("../../profiles/service-center.toml"),
    ),
    (
        "vehicle-service",
        include_str!("../../profiles/vehicle-service.toml"),
    ),
    (
        "car-repair-shop",
        include_str!("../../profiles/car-repair-shop.toml"),
    ),
    (
        "repair-station",
        include_str!("../../profiles/repair-station.toml"),
    ),
    (
        "service-plan",
        include_str!("../../profiles/service-plan.toml"),
    ),
    (
        "sales-visits",
        include_str!("../../profiles/sales-visits.toml"),
    ),
    (
        "property-management",
        include_str!("../../profiles/property-management.toml"),
    ),
    ("tourism", include_str!("../../profiles/tourism.toml")),
    (
        "real-estate",
        include_str!("../../profiles/real-estate.toml"),
    ),
    (
        "equipment-service",
        include_str!("../../profiles/equipment-service.toml"),
    ),
];

/// A shipped profile by name (`general`, `installed-equipment`, …).
#[cfg(feature = "toml")]
pub fn builtin(name: &str) -> Option<PolicyProfile> {
    let spec = builtin_spec(name)?;
    Some(PolicyProfile::from_spec(name, spec).expect("shipped profiles are valid"))
}

/// A shipped profile's raw form by name, as the server sends it to devices.
#[cfg(feature = "toml")]
pub fn builtin_spec(name: &str) -> Option<ProfileSpec> {
    let (_, text) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name)?;
    Some(ProfileSpec::from_toml(name, text).expect("shipped profiles parse"))
}

/// What a shipped profile is for: the first sentence of its file's header comment.
#[cfg(feature = "toml")]
pub fn builtin_description(name: &str) -> Option<String> {
    let (_, text) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name)?;
    let mut out = String::new();
    for line in text.lines().map_while(|l| l.strip_prefix('#')) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line.trim());
        if let Some(end) = out.find(". ") {
            out.truncate(end + 1);
        }
        if out.ends_with('.') {
            break;
        }
    }
    Some(out)
}

/// Where a moment stands against a profile's preferred call windows (宜致电时段).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTime {
    /// Inside a window that lasts until this time.
    Now {
        /// The end of the window (of the latest-ending one, if windows overlap).
        until: NaiveTime,
    },
    /// Between windows; the next one opens at this time.
    Later {
        /// When the next window opens.
        from: NaiveTime,
    },
    /// Every window of the day is over.
    Over,
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
    /// The KPI targets (the catalogue's defaults where the file sets none).
    pub targets: Targets,
}

/// A profile as written (TOML file) or sent (sync), before validation. 策略原文
///
/// Offsets are kept as text (`"48h"`, `"3 months"`, `"next day"`); unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Display name.
    pub name: String,
    /// Preferred call windows, `HH:MM-HH:MM`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_windows: Vec<String>,
    /// The rules, `[[rule]]` in TOML.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    /// KPI targets, `[targets]` in TOML; absent when none is set, so profiles without one
    /// keep their form (and their fingerprint) on the wire.
    #[serde(default, skip_serializing_if = "TargetsSpec::is_empty")]
    pub targets: TargetsSpec,
}

/// One rule as written, before validation (see [`FollowUpRule`] for the meaning).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RuleSpec {
    pub id: String,
    /// A trigger code (`repair_completed`); exactly one of `trigger` and `after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Another rule's id: this rule starts from the visit that satisfied it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// 1, 2 or 3 (一级/二级/三级回访).
    #[serde(default = "one")]
    pub level: u8,
    /// The window opens this long after the start; default: at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<String>,
    /// Instead of `earliest`: the window opens this long before the due time (hours, days or
    /// weeks), for steps the policy puts at a point ("at 3 months").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    pub due: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat_after_done: bool,
    /// One visit may answer this rule's item and other sharing items at once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shares_visit: bool,
    /// Trigger codes whose events withdraw the rule's unanswered items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled_by: Vec<String>,
    #[serde(default)]
    pub when: ConditionSpec,
    #[serde(default)]
    pub priority: i32,
    pub source: String,
}

impl Default for RuleSpec {
    /// What a rule without the optional fields means (level 1, no conditions, priority 0);
    /// the required ones (`id`, `kind`, `due`, `source`) are empty, for the caller to fill.
    fn default() -> RuleSpec {
        RuleSpec {
            id: String::new(),
            trigger: None,
            after: None,
            kind: String::new(),
            channel: None,
            level: one(),
            earliest: None,
            window: None,
            due: String::new(),
            deadline: None,
            every: None,
            until: None,
            repeat_after_done: false,
            shares_visit: false,
            cancelled_by: Vec::new(),
            when: ConditionSpec::default(),
            priority: 0,
            source: String::new(),
        }
    }
}

fn one() -> u8 {
    1
}

/// A rule's conditions as written; empty means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ConditionSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tier: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty: Option<WarrantyStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without_tag: Vec<String>,
}

impl ProfileSpec {
    /// Reads a policy file's TOML (not yet validated); `file` names it in errors.
    #[cfg(feature = "toml")]
    pub fn from_toml(file: &str, text: &str) -> Result<ProfileSpec, PolicyError> {
        toml::from_str(text).map_err(|e| PolicyError {
            file: file.to_string(),
            rule: None,
            problem: e.to_string(),
        })
    }
}

/// The most rules one profile may hold (the engine numbers them with `u16`).
pub const MAX_RULES: usize = u16::MAX as usize;

impl PolicyProfile {
    /// Where `now` (China local time) stands against the preferred call windows; `None` when
    /// the policy names none.
    pub fn call_time(&self, now: DateTime<Utc>) -> Option<CallTime> {
        let t = now.with_timezone(&china()).time();
        let windows = &self.call_windows;
        let until = windows
            .iter()
            .filter(|(a, b)| *a <= t && t < *b)
            .map(|w| w.1)
            .max();
        let from = windows.iter().map(|w| w.0).filter(|a| *a > t).min();
        match (until, from) {
            _ if windows.is_empty() => None,
            (Some(until), _) => Some(CallTime::Now { until }),
            (None, Some(from)) => Some(CallTime::Later { from }),
            (None, None) => Some(CallTime::Over),
        }
    }

    /// Parses and validates a policy file's TOML; `file` names it in errors.
    #[cfg(feature = "toml")]
    pub fn parse(file: &str, text: &str) -> Result<PolicyProfile, PolicyError> {
        PolicyProfile::from_spec(file, ProfileSpec::from_toml(file, text)?)
    }

    /// Validates a profile's raw form: the one check every path goes through (a file on
    /// the server, a profile received by a device). `file` names the source in errors.
    pub fn from_spec(file: &str, raw: ProfileSpec) -> Result<PolicyProfile, PolicyError> {
        let err = |rule: Option<&str>, problem: String| PolicyError {
            file: file.to_string(),
            rule: rule.map(str::to_string),
            problem,
        };
        let mut call_windows = Vec::new();
        for w in &raw.call_windows {
            let parsed = w
                .split_once('-')
                .and_then(|(a, b)| Some((hh_mm(a.trim())?, hh_mm(b.trim())?)));
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
        // Profiles hold tens of rules: linear searches here keep hash tables out of the
        // browser bundle, which runs this validation too.
        // The engine numbers rules with `u16` to keep agenda entries small.
        if raw.rules.len() > MAX_RULES {
            return Err(err(
                None,
                format!(
                    "{} rules: at most {MAX_RULES} in one profile",
                    raw.rules.len()
                ),
            ));
        }
        let mut rules: Vec<FollowUpRule> = Vec::new();
        for r in raw.rules {
            let id = r.id.as_str();
            if rules.iter().any(|seen| seen.id == id) {
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
            let window = r.window.as_deref().map(offset).transpose()?;
            let due = offset(&r.due)?;
            if let Some(w) = window {
                if r.earliest.is_some() {
                    return Err(err(
                        Some(id),
                        "choose `earliest` or `window`, not both".into(),
                    ));
                }
                if w.amount == 0
                    || !matches!(
                        w.unit,
                        OffsetUnit::Hours | OffsetUnit::Days | OffsetUnit::Weeks
                    )
                {
                    return Err(err(
                        Some(id),
                        format!("window {w} is not a positive number of hours, days or weeks"),
                    ));
                }
            }
            let cancelled_by = r
                .cancelled_by
                .iter()
                .map(|t| {
                    Trigger::from_code(t).ok_or_else(|| {
                        err(Some(id), format!("unknown trigger {t:?} in `cancelled_by`"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
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
                window,
                due,
                deadline,
                every,
                until,
                repeat_after_done: r.repeat_after_done,
                shares_visit: r.shares_visit,
                cancelled_by,
                when: Condition {
                    tier: r.when.tier,
                    category: r.when.category,
                    warranty: r.when.warranty,
                    channel: r.when.channel,
                    tag: r.when.tag,
                    without_tag: r.when.without_tag,
                },
                priority: r.priority,
                source: r.source,
            });
        }
        check_sequences(&rules).map_err(|(rule, p)| err(Some(&rule), p))?;
        let targets = Targets::from_spec(&raw.targets).map_err(|p| err(None, p))?;
        Ok(PolicyProfile {
            name: raw.name,
            call_windows,
            rules,
            targets,
        })
    }

    /// The index of the rule named `id`.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }
}

/// `09:00` as a time of day. (By hand rather than with chrono's format parser, which would
/// add several kilobytes to the browser bundle for this one use.)
fn hh_mm(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once(':')?;
    let digits = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(digits(h, 2)?, digits(m, 2)?, 0)
}

/// `after` must name a known rule, and `after` links must not form a cycle: a cycle of
/// distinct rules would feed itself forever (a rule repeats itself only by `repeat_after_done`).
fn check_sequences(rules: &[FollowUpRule]) -> Result<(), (String, String)> {
    let by_id = |id: &str| rules.iter().find(|r| r.id == id);
    for r in rules {
        let mut path = vec![r.id.as_str()];
        let mut cur = r;
        while let RuleStart::After(prev) = &cur.start {
            let Some(next) = by_id(prev) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_window_times_are_hh_mm() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(hh_mm("09:00"), t(9, 0));
        assert_eq!(hh_mm("9:30"), t(9, 30));
        assert_eq!(hh_mm("23:59"), t(23, 59));
        for bad in [
            "24:00", "09:60", "0900", "+9:00", "09:0", "09:000", ":00", "", "a9:00",
        ] {
            assert_eq!(hh_mm(bad), None, "{bad:?}");
        }
    }

    /// 002 §12: calls 09:00–11:00 and 15:00–17:00, China time, whatever the clock's zone.
    #[test]
    fn call_time_against_the_windows_of_002() {
        let spec = ProfileSpec {
            name: "约电".into(),
            call_windows: vec![
                "15:00-17:00".into(),
                "09:00-11:00".into(),
                "10:00-11:30".into(),
            ],
            rules: Vec::new(),
            targets: TargetsSpec::default(),
        };
        let profile = PolicyProfile::from_spec("t", spec).unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        // China is UTC+8: 09:00 there is 01:00 UTC.
        let at = |h: i64, m: i64| {
            "2026-11-30T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
                + chrono::Duration::minutes((h - 8) * 60 + m)
        };
        for (h, m, expected) in [
            (8, 59, CallTime::Later { from: t(9, 0) }),
            (9, 0, CallTime::Now { until: t(11, 0) }),
            // Overlapping windows: the call may go on until the later end.
            (10, 30, CallTime::Now { until: t(11, 30) }),
            (11, 30, CallTime::Later { from: t(15, 0) }),
            (16, 59, CallTime::Now { until: t(17, 0) }),
            (17, 0, CallTime::Over),
            (23, 59, CallTime::Over),
        ] {
            assert_eq!(profile.call_time(at(h, m)), Some(expected), "{h}:{m}");
        }
        let none = PolicyProfile::from_spec(
            "t",
            ProfileSpec {
                name: "无".into(),
                call_windows: Vec::new(),
                rules: Vec::new(),
                targets: TargetsSpec::default(),
            },
        )
        .unwrap();
        assert_eq!(none.call_time(at(10, 0)), None);
    }
}
