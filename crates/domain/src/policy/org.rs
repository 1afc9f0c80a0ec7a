//! An organisation's policy (机构回访策略): its validated profile and working-day calendar.

use super::{
    calendar::{CalendarSpec, WorkCalendar},
    error::PolicyError,
    profile::{PolicyProfile, ProfileSpec},
};

/// What the engine needs from an organisation: the profile it follows and its calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgPolicy {
    /// The follow-up rules.
    pub profile: PolicyProfile,
    /// Working days (weekends, holidays, 调休).
    pub calendar: WorkCalendar,
}

impl OrgPolicy {
    /// Validates both raw forms with the same code that validates the shipped files.
    /// Errors name the profile (or `calendar`), the rule and the problem.
    pub fn from_specs(
        profile: ProfileSpec,
        calendar: CalendarSpec,
    ) -> Result<OrgPolicy, PolicyError> {
        let name = profile.name.clone();
        let profile = PolicyProfile::from_spec(&name, profile)?;
        let calendar = WorkCalendar::from_spec(calendar).map_err(|problem| PolicyError {
            file: "calendar".into(),
            rule: None,
            problem,
        })?;
        Ok(OrgPolicy { profile, calendar })
    }
}
