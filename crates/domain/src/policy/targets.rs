//! The KPI targets a profile sets (考核目标, `[targets]` in a profile file): each rate's
//! floor in percent, the average score's, and the clock a complaint must be closed within.
//! What a profile leaves out takes the catalogue's default, the policies' own numbers.

use serde::{Deserialize, Serialize};

use crate::policy::offset::Offset;

/// `[targets]` as written: percents (0 to 100), the average score as `"4.5"` on the 5-level
/// scale, the complaint clock as an offset (`"72h"`, `"3 working days"`). Every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct TargetsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_completion: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_resolution: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_timeliness: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair_timeliness: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_success: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_score: Option<String>,
    /// A complaint is handled on time when closed within this long of its receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_clock: Option<String>,
}

impl TargetsSpec {
    /// Whether nothing is set (then the profile's raw form does not write the table).
    pub fn is_empty(&self) -> bool {
        *self == TargetsSpec::default()
    }
}

/// Validated targets, in tenths of a percent (rates) and tenths of a point (the average
/// score); `None` where the profile sets none and the catalogue has no default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    /// 回访完成率: 100 % (000 §O, §T: every visit due is made; 002 §5).
    pub visit_completion: Option<u32>,
    /// 按时完成率: 100 % within the set time (000 §T).
    pub on_time: Option<u32>,
    /// 客户满意度: ≥ 90 % (003 §二, §八; 002 §1's bonus band).
    pub satisfaction: Option<u32>,
    /// 问题解决率: ≥ 95 % (003 §二).
    pub problem_resolution: Option<u32>,
    /// 投诉处理及时率: 100 % (003 §二).
    pub complaint_timeliness: Option<u32>,
    /// 维修及时率: ≥ 90 % (003 §二, §五).
    pub repair_timeliness: Option<u32>,
    /// 回访成功率: > 80 % (000 §C).
    pub contact_success: Option<u32>,
    /// 平均满意度得分: no policy sets one on the 5-level scale.
    pub average_score: Option<u32>,
    /// The complaint clock, when the profile sets one (else the profile's first rule started
    /// by a complaint's receipt, else 72 h: 002 §1).
    pub complaint_clock: Option<Offset>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            visit_completion: Some(1000),
            on_time: Some(1000),
            satisfaction: Some(900),
            problem_resolution: Some(950),
            complaint_timeliness: Some(1000),
            repair_timeliness: Some(900),
            contact_success: Some(800),
            average_score: None,
            complaint_clock: None,
        }
    }
}

impl Targets {
    /// Validates `[targets]`; the error names the field.
    pub fn from_spec(spec: &TargetsSpec) -> Result<Targets, String> {
        let d = Targets::default();
        let percent = |name: &str, v: Option<u32>, default: Option<u32>| match v {
            None => Ok(default),
            Some(p) if p <= 100 => Ok(Some(p * 10)),
            Some(p) => Err(format!("target {name} = {p}: a percent from 0 to 100")),
        };
        let average_score = match &spec.average_score {
            None => d.average_score,
            Some(text) => Some(score_tenths(text).ok_or_else(|| {
                format!("target average_score = {text:?}: a score from 0 to 5, e.g. \"4.5\"")
            })?),
        };
        let complaint_clock = match &spec.complaint_clock {
            None => None,
            Some(t) => Some(Offset::parse(t).map_err(|p| format!("target complaint_clock: {p}"))?),
        };
        Ok(Targets {
            visit_completion: percent(
                "visit_completion",
                spec.visit_completion,
                d.visit_completion,
            )?,
            on_time: percent("on_time", spec.on_time, d.on_time)?,
            satisfaction: percent("satisfaction", spec.satisfaction, d.satisfaction)?,
            problem_resolution: percent(
                "problem_resolution",
                spec.problem_resolution,
                d.problem_resolution,
            )?,
            complaint_timeliness: percent(
                "complaint_timeliness",
                spec.complaint_timeliness,
                d.complaint_timeliness,
            )?,
            repair_timeliness: percent(
                "repair_timeliness",
                spec.repair_timeliness,
                d.repair_timeliness,
            )?,
            contact_success: percent("contact_success", spec.contact_success, d.contact_success)?,
            average_score,
            complaint_clock,
        })
    }
}

/// `"4.5"` (or `"4"`) as 45 tenths, at most 5.0.
fn score_tenths(text: &str) -> Option<u32> {
    let (whole, tenth) = text.trim().split_once('.').unwrap_or((text.trim(), "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() != 1 || tenth.len() != 1 || !all_digits(whole) || !all_digits(tenth) {
        return None;
    }
    let t = whole.parse::<u32>().ok()? * 10 + tenth.parse::<u32>().ok()?;
    (t <= 50).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_targets_are_the_policies_numbers() {
        let t = Targets::from_spec(&TargetsSpec::default()).unwrap();
        assert_eq!(t, Targets::default());
        assert_eq!(
            (t.satisfaction, t.problem_resolution, t.complaint_timeliness),
            (Some(900), Some(950), Some(1000))
        );
        assert_eq!(t.repair_timeliness, Some(900));
    }

    #[test]
    fn a_profile_sets_its_own_and_bad_ones_are_named() {
        let spec = TargetsSpec {
            satisfaction: Some(85),
            average_score: Some("4.5".into()),
            complaint_clock: Some("3 working days".into()),
            ..TargetsSpec::default()
        };
        let t = Targets::from_spec(&spec).unwrap();
        assert_eq!((t.satisfaction, t.average_score), (Some(850), Some(45)));
        assert_eq!(
            t.complaint_clock,
            Some(Offset::parse("3 working days").unwrap())
        );
        assert_eq!(t.on_time, Some(1000));
        let bad = |spec: TargetsSpec| Targets::from_spec(&spec).unwrap_err();
        assert!(
            bad(TargetsSpec {
                on_time: Some(101),
                ..TargetsSpec::default()
            })
            .contains("on_time")
        );
        for s in ["5.1", "4.55", "x", "", "45"] {
            assert!(
                bad(TargetsSpec {
                    average_score: Some(s.into()),
                    ..TargetsSpec::default()
                })
                .contains("average_score"),
                "{s:?}"
            );
        }
        assert!(
            bad(TargetsSpec {
                complaint_clock: Some("soon".into()),
                ..TargetsSpec::default()
            })
            .contains("complaint_clock")
        );
    }
}
