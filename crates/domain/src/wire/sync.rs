//! Push, pull, blobs, and what the server keeps for managers (refused mutations, edit conflicts).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::{auth::UserCard, codes::RejectCode, policy::PolicyBundle};
use crate::{
    complaint::{Complaint, ComplaintChange, ComplaintEdit},
    customer::{Customer, CustomerChange, CustomerEdit},
    event::CustomerEvent,
    ids::{CustomerId, DeviceId, UserId},
    image::ImageType,
    issue::{IssueChange, IssueEdit, OpenIssue},
    review::VisitReview,
    visit::VisitRecord,
};

/// Version of this protocol; the server refuses any other (the client reloads to update).
pub const SCHEMA_VERSION: u32 = 2;
/// Most mutations accepted in one push.
pub const MAX_MUTATIONS_PER_PUSH: usize = 500;
/// Most changes returned by one pull.
pub const MAX_CHANGES_PER_PULL: u32 = 500;
/// Largest push body the server accepts, in bytes. A device cuts its pushes to fit
/// ([`push_batch_len`]); one visit at its largest (a 512 KB signature, the longest notes) fits.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;
/// Largest single mutation, as JSON: a larger one is refused alone (`too_large`), the rest of
/// its push goes on.
pub const MAX_MUTATION_BYTES: usize = 1024 * 1024;
/// A pull page stops adding changes once this many bytes of records are in it (at least one
/// change is always sent).
pub const MAX_PULL_BYTES: usize = 2 * 1024 * 1024;
/// Largest blob (a photo) accepted by `PUT /api/blobs/{sha256}`.
pub const MAX_BLOB_BYTES: usize = 8 * 1024 * 1024;

/// The kinds of record that sync; one spelling each, on the wire and in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 客户
    Customer,
    /// 回访记录
    Visit,
    /// 客户事件
    Event,
    /// 投诉
    Complaint,
    /// 遗留问题
    Issue,
    /// 质检记录
    Review,
    /// 用户
    User,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Customer,
        RecordKind::Visit,
        RecordKind::Event,
        RecordKind::Complaint,
        RecordKind::Issue,
        RecordKind::Review,
        RecordKind::User,
    ];

    /// The stable spelling.
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Customer => "customer",
            RecordKind::Visit => "visit",
            RecordKind::Event => "event",
            RecordKind::Complaint => "complaint",
            RecordKind::Issue => "issue",
            RecordKind::Review => "review",
            RecordKind::User => "user",
        }
    }

    /// The kind spelled `code`.
    pub fn from_code(code: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.code() == code)
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

/// A push as the server first reads it: each mutation kept as raw JSON and decoded on its
/// own, so one it cannot read (too large, a kind from a newer client) is refused alone and
/// kept, while the rest of the push goes on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushEnvelope {
    /// As [`PushRequest::device_id`].
    pub device_id: DeviceId,
    /// As [`PushRequest::schema_version`].
    pub schema_version: u32,
    /// As [`PushRequest::mutations`], undecoded.
    pub mutations: Vec<Box<RawValue>>,
}

/// The one part of a mutation read even when the rest is not understood.
#[derive(Debug, Deserialize)]
pub struct MutationHead {
    /// As [`Mutation::seq`].
    pub seq: u64,
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

/// The kinds of change a device can push, one per kind of write people make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum MutationOp {
    /// A new visit record (create-only; its hash covers its signature).
    CreateVisit(VisitRecord),
    /// A customer created or changed, field by field.
    EditCustomer(CustomerEdit),
    /// A lifecycle event recorded (create-only).
    RecordEvent(CustomerEvent),
    /// A complaint recorded or changed.
    EditComplaint(ComplaintEdit),
    /// An open issue (遗留问题) recorded or changed.
    EditIssue(IssueEdit),
    /// A quality review of a visit record (create-only).
    CreateReview(VisitReview),
}

impl MutationOp {
    /// The kind of record it writes.
    pub fn kind(&self) -> RecordKind {
        match self {
            MutationOp::CreateVisit(_) => RecordKind::Visit,
            MutationOp::EditCustomer(_) => RecordKind::Customer,
            MutationOp::RecordEvent(_) => RecordKind::Event,
            MutationOp::EditComplaint(_) => RecordKind::Complaint,
            MutationOp::EditIssue(_) => RecordKind::Issue,
            MutationOp::CreateReview(_) => RecordKind::Review,
        }
    }

    /// The id of the record it writes.
    pub fn record_id(&self) -> Uuid {
        match self {
            MutationOp::CreateVisit(v) => v.id.0,
            MutationOp::EditCustomer(e) => e.id.0,
            MutationOp::RecordEvent(e) => e.id.0,
            MutationOp::EditComplaint(e) => e.id.0,
            MutationOp::EditIssue(e) => e.id.0,
            MutationOp::CreateReview(r) => r.id.0,
        }
    }

    /// The SHA-256 of every blob (photo) the record refers to: the server must hold them
    /// before it applies the mutation.
    pub fn blobs(&self) -> Vec<&str> {
        match self {
            MutationOp::CreateVisit(v) => v.photos.iter().map(|p| p.sha256.as_str()).collect(),
            MutationOp::EditIssue(e) => e
                .changes
                .iter()
                .flat_map(|c| match c {
                    IssueChange::Photos(p) => p.iter().map(|p| p.sha256.as_str()).collect(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// An upper bound of its size as JSON, without encoding it: every byte of text as if
    /// escaped (six bytes), a signature as base64, a kilobyte for the rest.
    pub fn size_bound(&self) -> usize {
        const PHOTO: usize = 512;
        let text = |s: &str| 6 * s.len();
        1024 + match self {
            MutationOp::CreateVisit(v) => {
                text(&v.notes)
                    + v.signature
                        .as_ref()
                        .map_or(0, |s| s.png.len().div_ceil(3) * 4)
                    + PHOTO * v.photos.len()
            }
            MutationOp::EditCustomer(e) => e
                .changes
                .iter()
                .map(|c| match c {
                    CustomerChange::Name(s)
                    | CustomerChange::Phone(s)
                    | CustomerChange::Address(s)
                    | CustomerChange::Product(s) => 64 + text(s),
                    _ => 64,
                })
                .sum(),
            MutationOp::RecordEvent(e) => text(&e.note) + text(&e.label),
            MutationOp::EditComplaint(e) => e
                .changes
                .iter()
                .map(|c| match c {
                    ComplaintChange::Summary(s)
                    | ComplaintChange::Cause(s)
                    | ComplaintChange::CorrectiveAction(s) => 64 + text(s),
                    _ => 96,
                })
                .sum(),
            MutationOp::EditIssue(e) => e
                .changes
                .iter()
                .map(|c| match c {
                    IssueChange::Description(s)
                    | IssueChange::LeadDepartment(s)
                    | IssueChange::Resolution(s) => 64 + text(s),
                    IssueChange::CoDepartments(d) => {
                        64 + d.iter().map(|s| 8 + text(s)).sum::<usize>()
                    }
                    IssueChange::Photos(p) => 64 + PHOTO * p.len(),
                    _ => 96,
                })
                .sum(),
            MutationOp::CreateReview(r) => text(&r.comment) + text(&r.sample),
        }
    }
}

/// How many of `mutations`, from the first, one push may carry: at most
/// [`MAX_MUTATIONS_PER_PUSH`], and no more than fit in [`MAX_REQUEST_BYTES`] as JSON by
/// [`MutationOp::size_bound`]. Never zero while there is a mutation, so an outbox of large
/// signed visits drains a few at a time instead of being refused whole at every try.
pub fn push_batch_len<'a>(mutations: impl IntoIterator<Item = &'a MutationOp>) -> usize {
    // The request's own fields.
    let mut room = MAX_REQUEST_BYTES - 1024;
    let mut n = 0;
    for op in mutations.into_iter().take(MAX_MUTATIONS_PER_PUSH) {
        let size = op.size_bound();
        if n > 0 && size > room {
            break;
        }
        room = room.saturating_sub(size);
        n += 1;
    }
    n
}

/// Reply to a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// Every mutation up to this one is applied or refused for good; the client may drop them.
    pub last_applied_seq: u64,
    /// Mutations the server will never apply; the client keeps them for a manager.
    pub rejected: Vec<RejectedMutation>,
    /// The push stopped at a mutation naming photos the server does not hold: upload these
    /// (`PUT /api/blobs/{sha256}`) and push again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_blobs: Vec<String>,
}

/// A mutation refused for good, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedMutation {
    /// Its sequence number.
    pub seq: u64,
    /// Why, as a code the client words in the user's language.
    pub code: RejectCode,
    /// The server's words, for logs and managers.
    pub message: String,
}

/// `GET /api/sync/rejected?after=N&limit=M` (desk): the organisation's refused mutations,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// The server's words.
    pub message: String,
    /// When the server received it.
    #[serde(with = "crate::time::serde_as::instant")]
    pub received_at: DateTime<Utc>,
    /// The mutation as the device sent it (a [`Mutation`]: its seq and its op), when the
    /// server could keep it (`null` past the organisation's quota: the device still holds it).
    pub op: serde_json::Value,
    /// Its size as sent, in bytes.
    pub bytes: u64,
}

/// Reply to `GET /api/sync/rejected`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedPage {
    /// Oldest first.
    pub rejected: Vec<RejectedRecord>,
    /// More wait: ask again with `after` the last one's id.
    pub has_more: bool,
}

/// `GET /api/sync/conflicts?after=N&limit=M` (desk): concurrent edits that replaced a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictQuery {
    /// The last number already seen; 0 for everything.
    #[serde(default)]
    pub after: u64,
    /// At most this many (capped at [`MAX_CHANGES_PER_PULL`]).
    pub limit: Option<u32>,
    /// Only those not yet resolved.
    #[serde(default)]
    pub open: bool,
}

/// Two values written to one field of one record by different devices that had not seen each
/// other's: the later one was kept, the other is here, until a manager picks. 编辑冲突
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditConflict {
    /// Its number on the server.
    pub id: u64,
    /// The record's kind.
    pub kind: RecordKind,
    /// The record.
    pub record_id: Uuid,
    /// The field, as its change names it.
    pub field: String,
    /// The value that was replaced, as a change that would set it back.
    pub replaced: serde_json::Value,
    /// The device that had written it.
    pub replaced_device: DeviceId,
    /// The value that was kept, as its change.
    pub kept: serde_json::Value,
    /// The device that wrote the kept value.
    pub kept_device: DeviceId,
    /// The user who wrote the kept value.
    pub kept_user: UserId,
    /// When the server saw the two meet.
    #[serde(with = "crate::time::serde_as::instant")]
    pub at: DateTime<Utc>,
    /// Once a manager picked: the value they chose, as a change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_with: Option<serde_json::Value>,
}

/// `POST /api/sync/conflicts/{id}/resolve` (managers): which of the two values stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveConflict {
    /// The value chosen.
    pub pick: ConflictPick,
}

/// One of a conflict's two values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPick {
    /// Set the field back to the value that was replaced.
    Replaced,
    /// Keep the current value.
    Kept,
}

/// Reply to `GET /api/sync/conflicts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictPage {
    /// Oldest first.
    pub conflicts: Vec<EditConflict>,
    /// More wait.
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
    /// Also count the changes that wait after this page (for a progress bar).
    #[serde(default)]
    pub count: bool,
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
    /// The cursor is older than what the server can answer incrementally (removals pruned,
    /// or this user's scope changed wholesale, e.g. a new role): push the outbox, drop the
    /// pulled data, and pull again from 0. The reply carries no changes then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset_required: bool,
    /// When asked (`count`): how many changes wait after this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

/// A row as it stands on the server after a write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Monotonic server version, assigned inside the write transaction: an edit of the record
    /// sends it back as its `base_version`.
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
    /// A customer.
    Customer(Customer),
    /// A visit record.
    Visit(VisitRecord),
    /// A user's public card, so people can be named offline.
    User(UserCard),
    /// A lifecycle event.
    Event(CustomerEvent),
    /// A complaint.
    Complaint(Complaint),
    /// An open issue.
    Issue(OpenIssue),
    /// A quality review.
    Review(VisitReview),
    /// A customer left this user's scope (reassigned): drop it and everything of it that is
    /// not waiting in the outbox.
    Removed(Removal),
}

impl Entity {
    /// The kind of record, or `None` for a removal.
    pub fn kind(&self) -> Option<RecordKind> {
        Some(match self {
            Entity::Customer(_) => RecordKind::Customer,
            Entity::Visit(_) => RecordKind::Visit,
            Entity::User(_) => RecordKind::User,
            Entity::Event(_) => RecordKind::Event,
            Entity::Complaint(_) => RecordKind::Complaint,
            Entity::Issue(_) => RecordKind::Issue,
            Entity::Review(_) => RecordKind::Review,
            Entity::Removed(_) => return None,
        })
    }
}

/// A customer that left a device's scope. 移出范围
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// The customer.
    pub customer_id: CustomerId,
}

/// Reply to `PUT /api/blobs/{sha256}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobReceipt {
    /// Its SHA-256, checked.
    pub sha256: String,
    /// What the bytes are, read from them.
    pub mime: ImageType,
    /// Its size.
    pub bytes: u64,
    /// When the server first received it (the proof a photo existed by then).
    #[serde(with = "crate::time::serde_as::instant")]
    pub received_at: DateTime<Utc>,
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
            png: crate::image::tiny_png(300, 100, &vec![7; png.saturating_sub(57)]),
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
            for m in &outbox {
                let alone = serde_json::to_vec(&m).unwrap().len();
                prop_assert!(alone <= m.op.size_bound());
                prop_assert!(alone <= MAX_MUTATION_BYTES);
            }
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
    fn push_round_trips_refuses_unknown_fields_and_reads_each_mutation_apart() {
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
        assert!(serde_json::from_value::<PushRequest>(extra.clone()).is_err());
        // The server's first read keeps each mutation whole and undecoded.
        let envelope: PushEnvelope = serde_json::from_value(extra).unwrap();
        assert_eq!(envelope.mutations.len(), 1);
        let head: MutationHead = serde_json::from_str(envelope.mutations[0].get()).unwrap();
        assert_eq!(head.seq, 1);
        assert!(serde_json::from_str::<Mutation>(envelope.mutations[0].get()).is_err());
        let mut extra = json;
        extra["admin"] = true.into();
        assert!(serde_json::from_value::<PushRequest>(extra).is_err());
    }

    #[test]
    fn every_kind_has_one_spelling() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.code())
            );
        }
    }
}
