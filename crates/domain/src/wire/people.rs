//! People (人员管理): the desk's list of an organisation's users and an administrator's
//! requests to add one, reset a password, change a role or team, deactivate and reactivate.
//! These are online actions: the server answers at once (a one-time password is shown once).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::{MAX_USERNAME_CHARS, Role};
use crate::ids::UserId;

/// Longest display name or team name, in characters.
pub const MAX_PERSON_TEXT_CHARS: usize = 64;

/// A user as the desk's people page shows them. 人员
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// User id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team (班组), if any.
    #[serde(default)]
    pub team: String,
    /// False once deactivated: they cannot log in and their sessions have ended.
    pub active: bool,
    /// Their password is a one-time one they have not replaced yet.
    pub must_change_password: bool,
    /// Their latest login still on record, if any.
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub last_login: Option<DateTime<Utc>>,
    /// When one of their devices last synced, if any.
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub last_sync: Option<DateTime<Utc>>,
}

/// `POST /api/people`: a new user, who gets a one-time password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Login name: see [`check_username`].
    pub username: String,
    /// Display name, e.g. 张伟.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team (班组), may be empty.
    #[serde(default)]
    pub team: String,
}

/// `PATCH /api/people/{id}`: what changes; an absent field stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonChange {
    /// A new role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A new team (empty: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Deactivate (`false`: their sessions end) or reactivate (`true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// Reply to adding a user or resetting a password: the one-time password, shown once; the
/// user chooses their own at first login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneTimePassword {
    /// The user, as now stored.
    pub person: Person,
    /// The password to hand over; the server keeps only its hash.
    pub password: String,
}

/// Which field of a person a refusal is about, so the desk shows it next to that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PersonProblem {
    /// The login name is empty, too long or has characters other than letters, digits and
    /// `. _ - @`.
    #[error(
        "a login name has 1 to {MAX_USERNAME_CHARS} characters: letters a-z, digits, and . _ - @"
    )]
    Username,
    /// The display name is empty, too long or has control characters.
    #[error("a name is needed, at most {MAX_PERSON_TEXT_CHARS} characters")]
    Name,
    /// The team name is too long or has control characters.
    #[error("a team name has at most {MAX_PERSON_TEXT_CHARS} characters")]
    Team,
}

/// Checks a login name: 1 to [`MAX_USERNAME_CHARS`] ASCII letters, digits and `. _ - @`, so
/// it can be typed on any keyboard and read out over the phone.
pub fn check_username(username: &str) -> Result<(), PersonProblem> {
    let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if username.is_empty() || username.len() > MAX_USERNAME_CHARS || !username.chars().all(fine) {
        return Err(PersonProblem::Username);
    }
    Ok(())
}

fn text_ok(text: &str) -> bool {
    text.chars().count() <= MAX_PERSON_TEXT_CHARS && !text.chars().any(char::is_control)
}

impl NewPerson {
    /// The request with its texts trimmed, or the first field that is wrong.
    pub fn checked(&self) -> Result<NewPerson, PersonProblem> {
        let username = self.username.trim();
        check_username(username)?;
        let name = self.name.trim();
        if name.is_empty() || !text_ok(name) {
            return Err(PersonProblem::Name);
        }
        let team = self.team.trim();
        if !text_ok(team) {
            return Err(PersonProblem::Team);
        }
        Ok(NewPerson {
            username: username.into(),
            name: name.into(),
            role: self.role,
            team: team.into(),
        })
    }
}

impl PersonChange {
    /// The change with its team trimmed, or the field that is wrong.
    pub fn checked(&self) -> Result<PersonChange, PersonProblem> {
        let team = self.team.as_deref().map(str::trim);
        if team.is_some_and(|t| !text_ok(t)) {
            return Err(PersonProblem::Team);
        }
        Ok(PersonChange {
            role: self.role,
            team: team.map(str::to_owned),
            active: self.active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(username: &str, name: &str, team: &str) -> Result<NewPerson, PersonProblem> {
        NewPerson {
            username: username.into(),
            name: name.into(),
            role: Role::Technician,
            team: team.into(),
        }
        .checked()
    }

    #[test]
    fn a_new_person_is_trimmed_and_each_bad_field_is_named() {
        let ok = person(" zhang.wei ", " 张伟 ", " 一组 ").unwrap();
        assert_eq!(
            (ok.username.as_str(), ok.name.as_str(), ok.team.as_str()),
            ("zhang.wei", "张伟", "一组")
        );
        assert_eq!(person("tech-3@sh", "李", "").unwrap().team, "");
        for bad in [
            "",
            "two words",
            "张伟",
            "a/b",
            &"x".repeat(MAX_USERNAME_CHARS + 1),
        ] {
            assert_eq!(
                person(bad, "张伟", ""),
                Err(PersonProblem::Username),
                "{bad:?}"
            );
        }
        assert!(person(&"x".repeat(MAX_USERNAME_CHARS), "张伟", "").is_ok());
        assert_eq!(person("zw", "  ", ""), Err(PersonProblem::Name));
        assert_eq!(person("zw", "a\u{7}b", ""), Err(PersonProblem::Name));
        assert_eq!(
            person("zw", "张伟", &"组".repeat(65)),
            Err(PersonProblem::Team)
        );
        let change = PersonChange {
            team: Some(" 二组 ".into()),
            ..PersonChange::default()
        };
        assert_eq!(change.checked().unwrap().team.as_deref(), Some("二组"));
    }

    #[test]
    fn requests_refuse_unknown_fields_and_a_change_may_name_one_thing() {
        assert!(
            serde_json::from_str::<NewPerson>(
                r#"{"username":"a","name":"b","role":"technician","admin":true}"#
            )
            .is_err()
        );
        let change: PersonChange = serde_json::from_str(r#"{"active":false}"#).unwrap();
        assert_eq!(change.active, Some(false));
        assert_eq!((change.role, change.team), (None, None));
        assert!(serde_json::from_str::<PersonChange>(r#"{"role":"root"}"#).is_err());
    }
}
