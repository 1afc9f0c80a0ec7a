//! The organisation's follow-up policy as devices receive it by sync.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::policy::{CalendarSpec, OrgPolicy, PolicyError, ProfileSpec};

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
}
