//! Codes on the wire: why a request failed ([`ErrorCode`]) and why a pushed mutation was refused
//! ([`RejectCode`]). The client shows each in the user's language; the message beside it is
//! for logs and people reading the raw reply.

use serde::{Deserialize, Serialize};

/// Why a request failed; the `code` of every error reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed: bad JSON, unknown fields, wrong types.
    BadRequest,
    /// The body is larger than this route accepts.
    PayloadTooLarge,
    /// No valid session: log in again.
    Unauthorized,
    /// Wrong user name or password.
    InvalidCredentials,
    /// The account was deactivated by an administrator.
    AccountDisabled,
    /// The user must choose their own password first.
    PasswordChangeRequired,
    /// The user may not do this.
    Forbidden,
    /// The pushed device is not the session's.
    ForeignDevice,
    /// Only managers (and up) may do this.
    ManagerOnly,
    /// Only administrators may do this.
    AdminOnly,
    /// The current password given is wrong.
    WrongPassword,
    /// Another user's unsynced work is still on this device.
    DeviceTaken,
    /// No such route or resource.
    NotFound,
    /// The route exists, but not with this method.
    MethodNotAllowed,
    /// The client speaks another protocol version: reload the app.
    SchemaVersion,
    /// Too many failed attempts: wait `retry_after_secs`.
    TooManyAttempts,
    /// Well-formed but not acceptable (a field's value).
    Unprocessable,
    /// The uploaded bytes are not a type accepted here.
    UnsupportedMediaType,
    /// The uploaded bytes do not have the SHA-256 they were sent under.
    BlobMismatch,
    /// The request conflicts with the current state (a user name taken).
    Conflict,
    /// The request took too long.
    Timeout,
    /// The server cannot take more connections now: try again shortly.
    Unavailable,
    /// Something the client cannot fix; logged on the server.
    Internal,
    /// People: the login name is malformed (see `wire::check_username`).
    BadUsername,
    /// People: the login name belongs to someone already.
    UsernameTaken,
    /// People: the display name is empty or too long.
    BadName,
    /// People: the team name is too long.
    BadTeam,
    /// People: the change would leave the organisation without an active administrator.
    LastAdmin,
    /// People: an administrator cannot deactivate, demote or reset themselves here.
    OwnAccount,
    /// A code this client does not know (a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The spelling on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::PasswordChangeRequired => "password_change_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ForeignDevice => "foreign_device",
            ErrorCode::ManagerOnly => "manager_only",
            ErrorCode::AdminOnly => "admin_only",
            ErrorCode::WrongPassword => "wrong_password",
            ErrorCode::DeviceTaken => "device_taken",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::SchemaVersion => "schema_version",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Unprocessable => "unprocessable",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BlobMismatch => "blob_mismatch",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::BadUsername => "bad_username",
            ErrorCode::UsernameTaken => "username_taken",
            ErrorCode::BadName => "bad_name",
            ErrorCode::BadTeam => "bad_team",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::OwnAccount => "own_account",
            ErrorCode::Unknown => "unknown",
        }
    }
}

/// The body of every error reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    /// What went wrong, as a code the client words in the user's language.
    pub code: ErrorCode,
    /// The server's words, in English, for logs.
    pub message: String,
    /// For `too_many_attempts` and `unavailable`: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

/// Why a pushed mutation was refused for good (it is kept, on the device and the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The record fails validation (size, format, hash, an implausible time).
    Invalid,
    /// The record is outside what the user may write (another technician's customer).
    Forbidden,
    /// A record with the same id but other content exists, or the same seq came with other
    /// content; both are kept.
    Conflict,
    /// A kind of change (or a version of it) this server does not know: a newer client.
    Unsupported,
    /// The mutation alone is larger than the server accepts.
    TooLarge,
    /// A code this client does not know.
    #[serde(other)]
    Unknown,
}

impl RejectCode {
    /// Every code the server sends.
    pub const ALL: [RejectCode; 5] = [
        RejectCode::Invalid,
        RejectCode::Forbidden,
        RejectCode::Conflict,
        RejectCode::Unsupported,
        RejectCode::TooLarge,
    ];

    /// Its name on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Invalid => "invalid",
            RejectCode::Forbidden => "forbidden",
            RejectCode::Conflict => "conflict",
            RejectCode::Unsupported => "unsupported",
            RejectCode::TooLarge => "too_large",
            RejectCode::Unknown => "unknown",
        }
    }

    /// The code named `name` (as [`RejectCode::as_str`] writes it).
    pub fn parse(name: &str) -> Option<RejectCode> {
        RejectCode::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_spelled_once_and_unknown_ones_still_read() {
        for code in [
            ErrorCode::DeviceTaken,
            ErrorCode::TooManyAttempts,
            ErrorCode::Internal,
            ErrorCode::UsernameTaken,
            ErrorCode::LastAdmin,
        ] {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
        let newer: ApiError =
            serde_json::from_str(r#"{"code":"quantum_flux","message":"?"}"#).unwrap();
        assert_eq!(newer.code, ErrorCode::Unknown);
        for code in RejectCode::ALL {
            assert_eq!(RejectCode::parse(code.as_str()), Some(code));
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
