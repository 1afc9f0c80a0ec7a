//! Login, passwords, and who a user is: roles and the public card others see.

use serde::{Deserialize, Serialize};

use crate::ids::{DeviceId, UserId};

/// `POST /api/auth/login`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password, checked against an argon2 hash.
    pub password: String,
    /// The device the token will be bound to (made by the client, UUIDv7).
    pub device_id: DeviceId,
}

/// Fewest characters of a password a user chooses.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest login name, in characters: the server refuses a longer one before it counts a
/// failed login for it.
pub const MAX_USERNAME_CHARS: usize = 64;

/// A user's request to change their own password. 修改密码
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password now, checked as at login.
    pub current_password: String,
    /// The new one: at least [`MIN_PASSWORD_CHARS`] characters, not the current one.
    pub new_password: String,
}

/// Reply to a successful login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginResponse {
    /// Bearer token bound to the user and the device.
    pub token: String,
    /// Who is logged in.
    pub user: SessionUser,
}

/// The logged-in user as the client shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionUser {
    /// User id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Their organisation's name.
    pub org_name: String,
    /// Their team (班组), if any.
    #[serde(default)]
    pub team: String,
    /// Their password is a one-time one: they must choose their own before anything else.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A user's role, as the policies name them. 角色
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 技术员: sees and visits their own customers, on the field app.
    Technician,
    /// 客服专员: the service desk; records complaints, handles general ones.
    ServiceAssistant,
    /// 主管: supervises visits; handles important complaints.
    Supervisor,
    /// 经理 (客服经理): reviews, spot-checks (二级回访), reports; handles major complaints.
    Manager,
    /// 总监: level-3 visits (三级回访) and the organisation's figures.
    Director,
    /// 管理员: everything a manager does, and people and policy.
    Admin,
}

impl Role {
    /// Every role, field first.
    pub const ALL: [Role; 6] = [
        Role::Technician,
        Role::ServiceAssistant,
        Role::Supervisor,
        Role::Manager,
        Role::Director,
        Role::Admin,
    ];

    /// The stable spelling used on the wire, in the database and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::ServiceAssistant => "service_assistant",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
            Role::Director => "director",
            Role::Admin => "admin",
        }
    }

    /// The role spelled `code`.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role sees the whole organisation rather than its own customers (everyone
    /// at the desk).
    pub fn sees_whole_org(self) -> bool {
        self != Role::Technician
    }

    /// Whether the role works in the desk app rather than the field app.
    pub fn uses_desk(self) -> bool {
        self != Role::Technician
    }

    /// Whether the role reviews records, spot-checks and adopts policies (manager and up).
    pub fn manages(self) -> bool {
        matches!(self, Role::Manager | Role::Director | Role::Admin)
    }

    /// Whether the role manages people: adds users, resets passwords, deactivates.
    pub fn administers(self) -> bool {
        self == Role::Admin
    }
}

/// The part of a user others may see. 用户名片
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCard {
    /// User id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team (班组), if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub team: String,
    /// False once an administrator has deactivated them.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_have_one_spelling_each() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.code())
            );
        }
        assert_eq!(Role::from_code("root"), None);
        assert!(!Role::Technician.sees_whole_org());
        assert!(Role::ServiceAssistant.sees_whole_org() && !Role::ServiceAssistant.manages());
        assert!(Role::Admin.administers() && !Role::Manager.administers());
    }
}
