//! The sync and auth wire types: defined once here, used by the client and the server.
//!
//! Every request type refuses unknown fields, so a typo or a client from another
//! version gets a clear 4xx instead of silently dropped data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    customer::Customer,
    ids::{DeviceId, UserId},
    policy::{CalendarSpec, OrgPolicy, PolicyError, ProfileSpec},
    visit::VisitRecord,
};

/// Version of this protocol; the server refuses any other.
pub const SCHEMA_VERSION: u32 = 1;
/// Most mutations accepted in one push.
pub const MAX_MUTATIONS_PER_PUSH: usize = 500;
/// Most changes returned by one pull.
pub const MAX_CHANGES_PER_PULL: u32 = 500;
/// Largest request body the server accepts, in bytes. A device cuts its pushes to fit
/// ([`push_batch_len`]); one visit at its largest (a 512 KB signature, the longest notes) fits.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;
/// Largest blob (a photo, an attachment) one upload may carry, in bytes: the limit of
/// `PUT /api/blobs/{sha256}`, apart from the push's, since a push is not a photo.
pub const MAX_BLOB_BYTES: usize = 8 * 1024 * 1024;
/// Longest login name, in characters: the server refuses a longer one before it counts a
/// failed login for it.
pub const MAX_USERNAME_CHARS: usize = 64;

/// How many of `mutations`, from the first, one push may carry: at most
/// [`MAX_MUTATIONS_PER_PUSH`], and no more than fit in [`MAX_REQUEST_BYTES`] as JSON by a
/// generous estimate (a signature as base64, every byte of notes as if escaped). Never zero
/// while there is a mutation, so an outbox of large signed visits drains a few at a time
/// instead of being refused whole at every try.
pub fn push_batch_len<'a>(mutations: impl IntoIterator<Item = &'a MutationOp>) -> usize {
    // The request's own fields.
    let mut room = MAX_REQUEST_BYTES - 1024;
    let mut n = 0;
    for op in mutations.into_iter().take(MAX_MUTATIONS_PER_PUSH) {
        let MutationOp::CreateVisit(v) = op;
        let size = 1024
            + 6 * v.notes.len()
            + v.signature
                .as_ref()
                .map_or(0, |s| s.png.len().div_ceil(3) * 4);
        if n > 0 && size > room {
            break;
        }
        room = room.saturating_sub(size);
        n += 1;
    }
    n
}

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
}

/// A user's role. 角色
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 技术员: sees and visits their own customers.
    Technician,
    /// 客服经理: sees everything in the organisation, reviews and reports.
    Manager,
    /// 管理员: like a manager, and manages users.
    Admin,
}

impl Role {
    /// Whether the role sees the whole organisation rather than its own customers.
    pub fn sees_whole_org(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

/// `POST /api/sync/push`: the device's outbox, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Must be the device the token is bound to.
    pub device_id: DeviceId,
    /// Must equal [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Mutations with consecutive `seq` numbers.
    pub mutations: Vec<Mutation>,
}

/// One change made on a device, numbered by the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutation {
    /// Per-device sequence number, starting at 1, without gaps.
    pub seq: u64,
    /// What changed.
    pub op: MutationOp,
}

/// The kinds of change a device can push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum MutationOp {
    /// A new, signed visit record (create-only).
    CreateVisit(VisitRecord),
}

/// Reply to a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// Every mutation up to this one is applied or rejected; the client may drop them.
    pub last_applied_seq: u64,
    /// Mutations the server will never apply; the client keeps them for a manager.
    pub rejected: Vec<RejectedMutation>,
}

/// A mutation refused for good, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedMutation {
    /// Its sequence number.
    pub seq: u64,
    /// Machine-readable reason.
    pub code: RejectCode,
    /// What a person reads.
    pub message: String,
}

/// Why a mutation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The record fails validation (size, format, hash).
    Invalid,
    /// The record names a customer the user may not write to.
    Forbidden,
    /// A record with the same id but other content exists; both are kept.
    Conflict,
}

impl RejectCode {
    /// Its name on the wire (`invalid`, `forbidden`, `conflict`).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Invalid => "invalid",
            RejectCode::Forbidden => "forbidden",
            RejectCode::Conflict => "conflict",
        }
    }

    /// The code named `name` (as [`RejectCode::as_str`] writes it).
    pub fn parse(name: &str) -> Option<RejectCode> {
        [
            RejectCode::Invalid,
            RejectCode::Forbidden,
            RejectCode::Conflict,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// `GET /api/sync/rejected?after=N&limit=M` (managers): the organisation's refused mutations,
/// oldest first, after the one numbered `after`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedQuery {
    /// The last number already seen; 0 for everything.
    #[serde(default)]
    pub after: u64,
    /// At most this many (capped at [`MAX_CHANGES_PER_PULL`]).
    pub limit: Option<u32>,
}

/// A mutation the server refused for good, as it keeps it for the organisation's managers.
/// 被拒绝的同步记录
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedRecord {
    /// Its number on the server (the paging cursor).
    pub id: u64,
    /// The device that sent it.
    pub device_id: DeviceId,
    /// The user signed in on that device.
    pub user_id: UserId,
    /// Its sequence number on the device.
    pub seq: u64,
    /// Why it was refused.
    pub code: RejectCode,
    /// What a person reads.
    pub message: String,
    /// When the server received it.
    #[serde(with = "crate::time::serde_as::instant")]
    pub received_at: DateTime<Utc>,
    /// The mutation as the device sent it.
    pub op: MutationOp,
}

/// Reply to `GET /api/sync/rejected`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedPage {
    /// Oldest first.
    pub rejected: Vec<RejectedRecord>,
    /// More wait: ask again with `after` the last one's id.
    pub has_more: bool,
}

/// `GET /api/sync/pull?cursor=N&limit=M`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The last cursor the client stored; 0 for everything.
    pub cursor: u64,
    /// At most this many changes (capped at [`MAX_CHANGES_PER_PULL`]).
    pub limit: Option<u32>,
    /// The fingerprint of the policy the device holds; the reply carries the organisation's
    /// policy when it differs (or when absent).
    pub policy: Option<String>,
}

/// Reply to a pull: changes after the cursor, in commit order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    /// Changes the user may see, oldest first.
    pub changes: Vec<Change>,
    /// Store this with the changes, in the same transaction.
    pub cursor: u64,
    /// The last mutation of this device the server has applied.
    pub last_applied_seq: u64,
    /// More changes wait: pull again.
    pub has_more: bool,
    /// The organisation's follow-up policy, when the device's fingerprint is not its own.
    /// Store it with the changes, in the same transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyBundle>,
}

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

/// A row as it stands on the server after a write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Monotonic server version, assigned inside the write transaction.
    pub version: u64,
    /// The row.
    pub entity: Entity,
}

/// The kinds of row that sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum Entity {
    /// A customer (server-managed in this version).
    Customer(Customer),
    /// A visit record.
    Visit(VisitRecord),
    /// A user's public card, so a manager can name technicians offline.
    User(UserCard),
}

/// The part of a user others may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCard {
    /// User id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// The body of every error reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    /// Machine-readable code, e.g. `payload_too_large`.
    pub code: String,
    /// What a person reads.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::visit::{MAX_NOTES_CHARS, MAX_SIGNATURE_BYTES, Signature, tests::sample_visit};

    /// A visit with a signature of `png` bytes and `notes` characters of notes (the widest
    /// to escape: control characters, six bytes each in JSON).
    fn visit_of(n: u128, png: usize, notes: usize) -> Mutation {
        let mut v = sample_visit(n);
        v.signature = (png > 0).then(|| Signature {
            png: [crate::visit::PNG_MAGIC, &vec![7; png.saturating_sub(8)]].concat(),
        });
        v.notes = "\u{1}".repeat(notes);
        Mutation {
            seq: n as u64,
            op: MutationOp::CreateVisit(v.seal()),
        }
    }

    fn body_bytes(mutations: &[Mutation]) -> usize {
        serde_json::to_vec(&PushRequest {
            device_id: crate::DeviceId(uuid::Uuid::nil()),
            schema_version: SCHEMA_VERSION,
            mutations: mutations.to_vec(),
        })
        .unwrap()
        .len()
    }

    proptest! {
        // Each case seals and serialises up to a dozen visits of up to 512 KB.
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the outbox holds, the batch cut from it fits the server's limit as JSON,
        /// and is never empty.
        #[test]
        fn a_push_batch_fits_the_request_limit(
            sizes in proptest::collection::vec((0usize..MAX_SIGNATURE_BYTES, 0usize..MAX_NOTES_CHARS), 1..12),
        ) {
            let outbox: Vec<Mutation> = sizes
                .iter()
                .enumerate()
                .map(|(n, &(png, notes))| visit_of(n as u128 + 1, png, notes))
                .collect();
            let n = push_batch_len(outbox.iter().map(|m| &m.op));
            prop_assert!(n >= 1);
            prop_assert!(body_bytes(&outbox[..n]) <= MAX_REQUEST_BYTES);
        }
    }

    #[test]
    fn calls_go_a_full_batch_at_a_time_signed_visits_as_many_as_fit() {
        let calls: Vec<Mutation> = (1..=600).map(|n| visit_of(n, 0, 200)).collect();
        assert_eq!(push_batch_len(calls[..100].iter().map(|m| &m.op)), 100);
        assert_eq!(
            push_batch_len(calls.iter().map(|m| &m.op)),
            MAX_MUTATIONS_PER_PUSH
        );
        // 20 KB signatures (27 KB as base64): a hundred would not fit in 2 MiB.
        let signed: Vec<Mutation> = (1..=100).map(|n| visit_of(n, 20_000, 40)).collect();
        let n = push_batch_len(signed.iter().map(|m| &m.op));
        assert!((60..100).contains(&n), "{n}");
        assert!(body_bytes(&signed[..n]) <= MAX_REQUEST_BYTES);
        assert!(body_bytes(&signed) > MAX_REQUEST_BYTES);
        let largest = [visit_of(1, MAX_SIGNATURE_BYTES, MAX_NOTES_CHARS)];
        assert_eq!(push_batch_len(largest.iter().map(|m| &m.op)), 1);
        assert!(body_bytes(&largest) <= MAX_REQUEST_BYTES);
        assert_eq!(push_batch_len([]), 0);
    }

    #[test]
    fn push_round_trips_and_refuses_unknown_fields() {
        let push = PushRequest {
            device_id: sample_visit(1).device_id,
            schema_version: SCHEMA_VERSION,
            mutations: vec![Mutation {
                seq: 1,
                op: MutationOp::CreateVisit(sample_visit(1)),
            }],
        };
        let json = serde_json::to_value(&push).unwrap();
        assert_eq!(json["mutations"][0]["op"]["kind"], "create_visit");
        assert_eq!(
            serde_json::from_value::<PushRequest>(json.clone()).unwrap(),
            push
        );
        let mut extra = json.clone();
        extra["mutations"][0]["op"]["data"]["role"] = "manager".into();
        assert!(serde_json::from_value::<PushRequest>(extra).is_err());
        let mut extra = json;
        extra["admin"] = true.into();
        assert!(serde_json::from_value::<PushRequest>(extra).is_err());
    }

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
