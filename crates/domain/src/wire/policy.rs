//! The organisation's follow-up policy as devices receive it by sync.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::{CalendarSpec, CalendarYearProblem, OrgPolicy, PolicyError, ProfileSpec};

/// An organisation's follow-up policy as devices receive it: the profile and the working-day
/// calendar in their raw forms, validated on arrival by [`PolicyBundle::validate`]. 回访策略下发
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBundle {
    /// Hex SHA-256 of the profile and calendar (their JSON): a device sends it back on pull
    /// and gets the policy again only when it changed.
    pub fingerprint: String,
    /// The rules.
    pub profile: ProfileSpec,
    /// Weekends, holidays and make-up working days.
    pub calendar: CalendarSpec,
}

impl PolicyBundle {
    /// A bundle of `profile` and `calendar` with its fingerprint.
    pub fn new(profile: ProfileSpec, calendar: CalendarSpec) -> PolicyBundle {
        let json = serde_json::to_vec(&(&profile, &calendar)).expect("specs serialize");
        let fingerprint = Sha256::digest(json)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        PolicyBundle {
            fingerprint,
            profile,
            calendar,
        }
    }

    /// The policy the engine runs, validated exactly like a policy file.
    pub fn validate(&self) -> Result<OrgPolicy, PolicyError> {
        OrgPolicy::from_specs(self.profile.clone(), self.calendar.clone())
    }
}

/// A shipped profile as the desk offers it (`GET /api/policy/profiles`). 可选策略
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSummary {
    /// The file name that chooses it (`general`, `water-purifier`…).
    pub key: String,
    /// Its own name (`一般售后`).
    pub name: String,
    /// What it is for: the first line of the file's header comment.
    pub description: String,
    /// How many rules it has.
    pub rules: u32,
}

/// The policy an organisation follows now. 当前策略
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentPolicy {
    /// The shipped profile's key, or `None` for an uploaded policy file.
    pub shipped: Option<String>,
    /// The profile's own name.
    pub name: String,
    /// The fingerprint devices hold once they have it.
    pub fingerprint: String,
}

/// `GET /api/policy/profiles`: what the organisation follows and what it may choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyProfiles {
    /// The organisation's policy now.
    pub current: CurrentPolicy,
    /// Every shipped profile, in the server's order.
    pub profiles: Vec<ProfileSummary>,
}

/// A policy file's text (TOML), to check (`POST /api/policy/check`). 策略文件
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The file as written.
    pub toml: String,
}

/// Why a policy file cannot be used, and where (1-based line and column, when known). 策略文件错误
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFileProblem {
    /// The line at fault.
    pub line: Option<u32>,
    /// The column at fault (in characters).
    pub column: Option<u32>,
    /// The rule at fault, when the problem is in one rule.
    pub rule: Option<String>,
    /// What is wrong (the parser's or the validator's words, in English).
    pub message: String,
}

/// The answer to a policy file check: the policy devices would receive, or what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicyCheck {
    /// The file is valid: this is the bundle adopting it would send.
    Valid(Box<PolicyBundle>),
    /// The file cannot be used.
    Invalid(PolicyFileProblem),
}

/// What to adopt (`POST /api/policy/adopt`, managers and up). 采用策略
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AdoptPolicy {
    /// A shipped profile by its key.
    Shipped(String),
    /// A policy file's TOML, checked again and kept by the server.
    File(String),
}

/// One year an administrator enters at the desk (`POST /api/policy/calendar`): its holidays
/// and make-up working days as typed or pasted, read by `policy::year_entry`. 节假日录入
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearEntry {
    /// The year (2027).
    pub year: i32,
    /// 放假: dates and ranges (`2027-01-01, 2027-02-06~2027-02-12`).
    pub holidays: String,
    /// 调休上班: weekend days worked.
    pub make_up_working_days: String,
}

/// One year of the organisation's calendar as the desk shows it. 已录入年份
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYearInfo {
    /// The year.
    pub year: i32,
    /// Its holidays.
    #[serde(with = "crate::time::serde_as::dates")]
    pub holidays: Vec<NaiveDate>,
    /// Its make-up working days.
    #[serde(with = "crate::time::serde_as::dates")]
    pub make_up_working_days: Vec<NaiveDate>,
    /// Who entered it at the desk (login name), `None` for a year shipped with the app.
    pub entered_by: Option<String>,
    /// When, `None` for a shipped year.
    #[serde(with = "crate::time::serde_as::option_instant")]
    pub entered_at: Option<DateTime<Utc>>,
}

/// The organisation's working-day calendar (`GET /api/policy/calendar`): the years it covers,
/// and the fingerprint of the policy devices receive with it. 工作日历
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgCalendar {
    /// The covered years, in order.
    pub years: Vec<CalendarYearInfo>,
    /// The fingerprint of the organisation's policy with this calendar.
    pub fingerprint: String,
}

/// The answer to a year entered: the calendar as it now is, or what is wrong with the entry
/// (nothing stored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CalendarEntryReply {
    /// Stored: devices receive the new calendar at their next pull.
    Saved(OrgCalendar),
    /// Refused.
    Invalid(CalendarYearProblem),
}

#[cfg(feature = "toml")]
impl PolicyFile {
    /// Parses and validates the file with the shipped profiles' own code, on `calendar`: the
    /// bundle adopting it would send, or the problem with its line (the TOML parser's span,
    /// or the line of the faulty rule's `id`).
    pub fn check(&self, calendar: CalendarSpec) -> PolicyCheck {
        let text = &self.toml;
        let spec: ProfileSpec = match toml::from_str(text) {
            Ok(spec) => spec,
            Err(e) => {
                let (line, column) = e.span().map(|span| line_column(text, span.start)).unzip();
                return PolicyCheck::Invalid(PolicyFileProblem {
                    line,
                    column,
                    rule: None,
                    message: e.message().trim().to_owned(),
                });
            }
        };
        let bundle = PolicyBundle::new(spec, calendar);
        match bundle.validate() {
            Ok(_) => PolicyCheck::Valid(Box::new(bundle)),
            Err(e) => PolicyCheck::Invalid(PolicyFileProblem {
                line: e.rule.as_deref().and_then(|r| rule_line(text, r)),
                column: None,
                rule: e.rule,
                message: e.problem,
            }),
        }
    }
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
#[cfg(feature = "toml")]
fn line_column(text: &str, at: usize) -> (u32, u32) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, column as u32)
}

/// The 1-based line where rule `id` is named (`id = "…"`), if it is.
#[cfg(feature = "toml")]
fn rule_line(text: &str, id: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix("id").is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=')
                    && rest[1..].trim().trim_matches(|c| c == '"' || c == '\'') == id
            })
        })
        .map(|n| n as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn china_bundle(profile: &str) -> PolicyBundle {
        PolicyBundle::new(
            crate::policy::builtin_spec(profile).unwrap(),
            crate::policy::WorkCalendar::china().to_spec(),
        )
    }

    #[test]
    fn every_shipped_policy_round_trips_json_to_the_same_validated_policy() {
        for (name, _) in crate::policy::BUILTIN_PROFILES {
            let bundle = china_bundle(name);
            let json = serde_json::to_string(&bundle).unwrap();
            let back: PolicyBundle = serde_json::from_str(&json).unwrap();
            assert_eq!(back, bundle, "{name}");
            let policy = back.validate().unwrap();
            assert_eq!(
                policy.profile,
                crate::policy::builtin(name).unwrap(),
                "{name}"
            );
            assert_eq!(policy.calendar, crate::policy::WorkCalendar::china());
            assert_eq!(
                PolicyBundle::new(back.profile, back.calendar).fingerprint,
                bundle.fingerprint,
                "the same content gives the same fingerprint"
            );
        }
        assert_ne!(
            china_bundle("general").fingerprint,
            china_bundle("skeleton").fingerprint
        );
    }

    #[test]
    fn an_invalid_policy_is_refused_with_a_clear_error() {
        let good = china_bundle("general");

        let mut bad = good.clone();
        bad.profile.rules[1].due = "-3 days".into();
        let err = bad.validate().unwrap_err();
        assert_eq!(err.rule.as_deref(), Some("购后1个月回访"));
        assert_eq!(
            err.to_string(),
            "一般售后: rule 购后1个月回访: offset \"-3 days\" is negative"
        );

        let mut bad = good.clone();
        bad.profile.rules[0].trigger = Some("moon_landing".into());
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("unknown trigger \"moon_landing\""),
        );

        let mut bad = good.clone();
        let holiday = bad.calendar.holidays[0];
        bad.calendar.make_up_working_days.push(holiday);
        let err = bad.validate().unwrap_err();
        assert_eq!(err.file, "calendar");
        assert!(
            err.problem
                .contains("both a holiday and a make-up working day")
        );

        let mut json = serde_json::to_value(&good).unwrap();
        json["profile"]["rule"][0]["colour"] = "red".into();
        let err = serde_json::from_value::<PolicyBundle>(json).unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
    }

    #[test]
    fn a_policy_file_with_a_typo_is_refused_at_its_line() {
        let calendar = crate::policy::WorkCalendar::china().to_spec();
        let general = crate::policy::BUILTIN_PROFILES[0].1;
        let check = |text: &str| PolicyFile { toml: text.into() }.check(calendar.clone());

        let PolicyCheck::Valid(bundle) = check(general) else {
            panic!("the shipped file is valid")
        };
        assert_eq!(*bundle, china_bundle("general"));

        // A misspelt field on line 18 (the first rule's `kind`).
        let lines: Vec<&str> = general.lines().collect();
        let n = lines.iter().position(|l| l.starts_with("kind")).unwrap();
        let typo = general.replacen("kind = ", "knid = ", 1);
        let PolicyCheck::Invalid(problem) = check(&typo) else {
            panic!("a typo is refused")
        };
        assert_eq!(problem.line, Some(n as u32 + 1), "{problem:?}");
        assert_eq!(problem.column, Some(1));
        assert!(problem.message.contains("knid"), "{problem:?}");

        // A value the parser reads but the validator refuses: the rule's `id` line.
        let bad = general.replacen("due = \"1 month\"", "due = \"1 monht\"", 1);
        let PolicyCheck::Invalid(problem) = check(&bad) else {
            panic!("a bad offset is refused")
        };
        assert_eq!(problem.rule.as_deref(), Some("购后1个月回访"));
        let id_line = lines
            .iter()
            .position(|l| *l == "id = \"购后1个月回访\"")
            .unwrap();
        assert_eq!(problem.line, Some(id_line as u32 + 1));

        // Broken syntax: an unclosed string on its line.
        let PolicyCheck::Invalid(problem) = check("name = \"x\"\n\n[[rule]]\nid = \"a\n") else {
            panic!("broken TOML is refused")
        };
        assert_eq!(problem.line, Some(4), "{problem:?}");
    }
}
