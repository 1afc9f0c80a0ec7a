//! The sync and auth wire types: defined once here, used by the client and the server.
//!
//! Every request type refuses unknown fields, so a typo or a client from another version gets
//! a clear 4xx instead of silently dropped data. Codes (errors, refusals, roles, record kinds)
//! are enums with one spelling each, matched by the client and shown in the user's language.

mod auth;
mod codes;
mod people;
mod policy;
mod sync;

pub use auth::{
    ChangePasswordRequest, LoginRequest, LoginResponse, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    Role, SessionUser, UserCard,
};
pub use codes::{ApiError, ErrorCode, RejectCode};
pub use people::{
    MAX_PERSON_TEXT_CHARS, NewPerson, OneTimePassword, Person, PersonChange, PersonProblem,
    check_username,
};
pub use policy::{
    AdoptPolicy, CalendarEntryReply, CalendarYearEntry, CalendarYearInfo, CurrentPolicy,
    OrgCalendar, PolicyBundle, PolicyCheck, PolicyFile, PolicyFileProblem, PolicyProfiles,
    ProfileSummary,
};
pub use sync::{
    BlobReceipt, Change, ConflictPage, ConflictPick, ConflictQuery, EditConflict, Entity,
    MAX_BLOB_BYTES, MAX_CHANGES_PER_PULL, MAX_MUTATION_BYTES, MAX_MUTATIONS_PER_PUSH,
    MAX_PULL_BYTES, MAX_REQUEST_BYTES, Mutation, MutationHead, MutationOp, PullQuery, PullResponse,
    PushEnvelope, PushRequest, PushResponse, RecordKind, RejectedMutation, RejectedPage,
    RejectedQuery, RejectedRecord, Removal, ResolveConflict, SCHEMA_VERSION, push_batch_len,
};
