//! The client half of sync, and the login call: the only code that talks to the network.
//!
//! Order per run: push the outbox (oldest first, in batches), then pull until the server
//! has nothing more; repeat while the outbox grew meanwhile. Outbox rows are deleted only
//! after the server's reply; pulled rows are stored together with their cursor, and with the
//! organisation's follow-up policy when the server sends a new one (validated first).

pub mod people;

use revisit_domain::{
    DeviceId,
    wire::{
        AdoptPolicy, ApiError, CalendarEntryReply, CalendarYearEntry, ChangePasswordRequest,
        ConflictPage, ConflictPick, CurrentPolicy, EditConflict, ErrorCode, LoginRequest,
        LoginResponse, MAX_CHANGES_PER_PULL, Mutation, OrgCalendar, PolicyBundle, PolicyCheck,
        PolicyFile, PolicyProfiles, PullResponse, PushRequest, PushResponse, RejectedPage,
        ResolveConflict, SCHEMA_VERSION, SessionUser, push_batch_len,
    },
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use crate::storage::{Storage, StorageError};

/// Mutations sent per push request.
const PUSH_BATCH: u32 = 100;
/// Push-then-pull rounds per run at most (the outbox may grow while we sync).
const MAX_ROUNDS: usize = 3;

/// A logged-in user on this device, as kept in IndexedDB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Bearer token, bound to this user and device.
    pub token: String,
    /// Who is logged in.
    pub user: SessionUser,
    /// This browser's device id.
    pub device_id: DeviceId,
}

/// Why a request or a sync run failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The server cannot be reached (no network, or the server is down).
    #[error("the server cannot be reached: {0}")]
    Offline(String),
    /// The token is no longer valid: log in again (local data is kept).
    #[error("not logged in")]
    Unauthorized,
    /// The server refused the request.
    #[error("{message} ({})", code.as_str())]
    Server {
        /// What went wrong, shown in the user's language.
        code: ErrorCode,
        /// What the server said (English, for logs).
        message: String,
    },
    /// The exchange itself went wrong on this side (see [`Problem`]).
    #[error("{problem:?}: {detail}")]
    Protocol {
        /// What went wrong, shown in the user's language.
        problem: Problem,
        /// Details, for logs.
        detail: String,
    },
    /// Local storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What can go wrong in an exchange that the server did not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The server's reply is not what this version understands.
    BadReply,
    /// A request could not be encoded.
    Encode,
    /// The server holds fewer of this device's changes than the device has sent.
    SeqGap,
    /// The organisation's policy arrived and failed validation (the previous one stays).
    InvalidPolicy,
    /// Photos the server asked for are no longer on this device.
    MissingBlobs,
}

impl SyncError {
    fn protocol(problem: Problem, detail: impl Into<String>) -> SyncError {
        SyncError::Protocol {
            problem,
            detail: detail.into(),
        }
    }
}

/// What a successful sync run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Outbox entries the server took (applied or refused for good).
    pub pushed: usize,
    /// Changes stored from the server.
    pub pulled: usize,
    /// Whether a new follow-up policy was stored (pages built on the old one are stale).
    pub new_policy: bool,
}

/// Logs in (online) and binds the token to this device.
pub async fn login(
    username: &str,
    password: &str,
    device_id: DeviceId,
) -> Result<LoginResponse, SyncError> {
    let body = LoginRequest {
        username: username.into(),
        password: password.into(),
        device_id,
    };
    call("POST", "/api/auth/login", None, Some(&body)).await
}

/// Changes the logged-in user's password (an online action); the session stays, the user's
/// other sessions end.
pub async fn change_password(
    session: &Session,
    current_password: String,
    new_password: String,
) -> Result<(), SyncError> {
    let body = ChangePasswordRequest {
        current_password,
        new_password,
    };
    call::<_, serde::de::IgnoredAny>(
        "POST",
        "/api/auth/password",
        Some(&session.token),
        Some(&body),
    )
    .await
    .map(|_| ())
}

/// Ends the session on the server; failures are ignored (the token expires anyway).
pub async fn logout(token: &str) {
    let _ = call::<(), serde::de::IgnoredAny>("POST", "/api/auth/logout", Some(token), None).await;
}

/// The organisation's refused mutations kept on the server, oldest first, after `after` (the
/// desk; an online action).
pub async fn refused_on_server(session: &Session, after: u64) -> Result<RejectedPage, SyncError> {
    let url = format!("/api/sync/rejected?after={after}");
    call::<(), _>("GET", &url, Some(&session.token), None).await
}

/// The organisation's edit conflicts (only the open ones when `open`), oldest first.
pub async fn conflicts_on_server(session: &Session, open: bool) -> Result<ConflictPage, SyncError> {
    let url = format!("/api/sync/conflicts?open={open}");
    call::<(), _>("GET", &url, Some(&session.token), None).await
}

/// Settles conflict `id` with the value `pick` (managers; an online action).
pub async fn resolve_conflict(
    session: &Session,
    id: u64,
    pick: ConflictPick,
) -> Result<EditConflict, SyncError> {
    let url = format!("/api/sync/conflicts/{id}/resolve");
    let body = ResolveConflict { pick };
    call("POST", &url, Some(&session.token), Some(&body)).await
}

/// The organisation's policy now and the shipped profiles it may choose (the desk; online).
pub async fn policy_profiles(session: &Session) -> Result<PolicyProfiles, SyncError> {
    call::<(), _>("GET", "/api/policy/profiles", Some(&session.token), None).await
}

/// A shipped profile's bundle, to try it before adopting it.
pub async fn policy_profile(session: &Session, key: &str) -> Result<PolicyBundle, SyncError> {
    let url = format!(
        "/api/policy/profiles/{}",
        String::from(js_sys::encode_uri_component(key))
    );
    call::<(), _>("GET", &url, Some(&session.token), None).await
}

/// A policy file checked by the server (the browser has no TOML parser): its bundle, or what
/// is wrong and where.
pub async fn check_policy(session: &Session, toml: String) -> Result<PolicyCheck, SyncError> {
    let body = PolicyFile { toml };
    call(
        "POST",
        "/api/policy/check",
        Some(&session.token),
        Some(&body),
    )
    .await
}

/// Makes the organisation follow `choice` (managers and up); devices get it at their next pull.
pub async fn adopt_policy(
    session: &Session,
    choice: &AdoptPolicy,
) -> Result<CurrentPolicy, SyncError> {
    call(
        "POST",
        "/api/policy/adopt",
        Some(&session.token),
        Some(choice),
    )
    .await
}

/// The organisation's working-day calendar: the years it covers (the desk's policy page).
pub async fn calendar(session: &Session) -> Result<OrgCalendar, SyncError> {
    call::<(), _>("GET", "/api/policy/calendar", Some(&session.token), None).await
}

/// Enters one year's holidays and make-up working days (administrators): the calendar as it
/// now is, or what is wrong with the entry. Devices get it at their next pull.
pub async fn enter_calendar_year(
    session: &Session,
    entry: &CalendarYearEntry,
) -> Result<CalendarEntryReply, SyncError> {
    call(
        "POST",
        "/api/policy/calendar",
        Some(&session.token),
        Some(entry),
    )
    .await
}

/// How far a pull from the start (a first sync, or one after a reset) has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PullProgress {
    /// Changes stored so far in this run.
    pub received: u64,
    /// All the changes this run has to store, as the server counted them at its first page.
    pub total: u64,
}

/// One full sync: push the outbox, then pull, until both sides are level. A pull from the
/// start calls `on_page` after each page it stores, so a first sync can show its progress and
/// its data before the end.
pub async fn sync_once(
    db: &Storage,
    session: &Session,
    on_page: &mut dyn FnMut(PullProgress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    for _ in 0..MAX_ROUNDS {
        report.pushed += push_all(db, session).await?;
        let (pulled, new_policy) = pull_all(db, session, on_page).await?;
        report.pulled += pulled;
        report.new_policy |= new_policy;
        if db.outbox_len().await? == 0 {
            break;
        }
    }
    Ok(report)
}

async fn push_all(db: &Storage, session: &Session) -> Result<usize, SyncError> {
    let mut pushed = 0;
    loop {
        let batch = db.outbox(PUSH_BATCH).await?;
        // Signed visits are large: as many as fit in one request, the rest next round.
        let fit = push_batch_len(batch.iter().map(|e| &e.op));
        let (Some(first), Some(last)) = (
            batch.first().map(|e| e.seq),
            batch.get(fit.wrapping_sub(1)).map(|e| e.seq),
        ) else {
            return Ok(pushed);
        };
        let request = PushRequest {
            device_id: session.device_id,
            schema_version: SCHEMA_VERSION,
            mutations: batch
                .into_iter()
                .take(fit)
                .map(|e| Mutation {
                    seq: e.seq,
                    op: e.op,
                })
                .collect(),
        };
        let reply: PushResponse = call(
            "POST",
            "/api/sync/push",
            Some(&session.token),
            Some(&request),
        )
        .await?;
        db.acknowledge(reply.last_applied_seq, &reply.rejected)
            .await?;
        if !reply.missing_blobs.is_empty() {
            // Photos are uploaded before the visit that names them; one the server lacks and
            // this device no longer holds cannot be sent (the entry stays in the outbox).
            return Err(SyncError::protocol(
                Problem::MissingBlobs,
                reply.missing_blobs.join(", "),
            ));
        }
        if reply.last_applied_seq < first {
            // The server is missing earlier changes of this device: stop rather than loop.
            return Err(SyncError::protocol(
                Problem::SeqGap,
                format!(
                    "the server has changes up to {} but this device sends from {first}",
                    reply.last_applied_seq
                ),
            ));
        }
        pushed += (reply.last_applied_seq.min(last) - first + 1) as usize;
        if reply.last_applied_seq < last {
            return Ok(pushed);
        }
    }
}

/// Pulls until the server has nothing more: how many changes were stored, and whether a new
/// policy was. A pull from the start reports its progress to `on_page` after each page.
async fn pull_all(
    db: &Storage,
    session: &Session,
    on_page: &mut dyn FnMut(PullProgress),
) -> Result<(usize, bool), SyncError> {
    let mut cursor: u64 = db.meta(crate::storage::meta::CURSOR).await?.unwrap_or(0);
    // The policy this device holds: the server sends the organisation's only when it differs.
    let mut held = db.policy().await?.map(|p| p.fingerprint);
    let mut refused = None;
    let mut pulled = 0;
    let mut reset = false;
    let mut new_policy = false;
    // From the start, the first page asks how many changes follow it (one count on the
    // server), so the person sees how far the first sync has come.
    let mut progress: Option<PullProgress> = None;
    loop {
        let mut url = format!("/api/sync/pull?cursor={cursor}&limit={MAX_CHANGES_PER_PULL}");
        if cursor == 0 {
            url.push_str("&count=true");
        }
        if let Some(fingerprint) = &held {
            url.push_str("&policy=");
            url.push_str(&String::from(js_sys::encode_uri_component(fingerprint)));
        }
        let page: PullResponse = call::<(), _>("GET", &url, Some(&session.token), None).await?;
        if page.reset_required {
            // This user's scope changed wholesale (or the cursor is too old): the outbox was
            // pushed first, so drop what was pulled and start again, once per run.
            if reset || cursor == 0 {
                return Err(SyncError::protocol(Problem::BadReply, "reset asked twice"));
            }
            reset = true;
            db.reset_pulled().await?;
            cursor = 0;
            progress = None;
            continue;
        }
        // A policy is checked by the same domain code as the server's files before it is
        // kept; a bad one is not stored (the previous one stays) and the run reports it.
        let policy = page.policy.filter(|p| match p.validate() {
            Ok(_) => true,
            Err(e) => {
                refused = Some(e);
                false
            }
        });
        db.apply_changes(&page.changes, page.cursor, policy.as_ref())
            .await?;
        if let Some(p) = policy {
            held = Some(p.fingerprint);
            new_policy = true;
        }
        pulled += page.changes.len();
        if cursor == 0 {
            progress = page.remaining.map(|remaining| PullProgress {
                received: 0,
                total: page.changes.len() as u64 + remaining,
            });
        }
        if let Some(p) = progress.as_mut() {
            p.received = (p.received + page.changes.len() as u64).min(p.total);
            on_page(*p);
        }
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    match refused {
        Some(e) => Err(SyncError::protocol(Problem::InvalidPolicy, e.to_string())),
        None => Ok((pulled, new_policy)),
    }
}

/// One JSON request with `fetch`; every failure becomes a [`SyncError`] a person can act on.
///
/// Only the encoding and decoding are generic; the request itself is [`fetch_json`], compiled
/// once rather than once per request type (kilobytes of the browser bundle).
async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<T, SyncError> {
    let body = match body {
        Some(body) => Some(
            body.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
                .map_err(|e| SyncError::protocol(Problem::Encode, e.to_string()))?,
        ),
        None => None,
    };
    let value = fetch_json(method, url, token, body).await?;
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| SyncError::protocol(Problem::BadReply, e.to_string()))
}

/// Sends `body` (already a JS value) as JSON and returns the successful reply's JSON.
async fn fetch_json(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<JsValue>,
) -> Result<JsValue, SyncError> {
    let js = |e: JsValue| format!("{e:?}");
    let headers = Headers::new().map_err(|e| SyncError::Offline(js(e)))?;
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(|e| SyncError::Offline(js(e)))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(value) = body {
        let text = js_sys::JSON::stringify(&value).map_err(|e| SyncError::Offline(js(e)))?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|e| SyncError::Offline(js(e)))?;
        init.set_body(&text);
    }
    init.set_headers(&headers);
    let request =
        Request::new_with_str_and_init(url, &init).map_err(|e| SyncError::Offline(js(e)))?;
    let window = web_sys::window().ok_or_else(|| SyncError::Offline("no window".into()))?;
    // A rejected fetch means no answer at all: no network, or the server is down.
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| SyncError::Offline(js(e)))?
        .unchecked_into();
    let status = response.status();
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let api_error = || {
        json.clone()
            .and_then(|j| serde_wasm_bindgen::from_value::<ApiError>(j).ok())
    };
    match status {
        200..=299 => json.ok_or_else(|| SyncError::protocol(Problem::BadReply, "not JSON")),
        401 => match api_error() {
            Some(e) if e.code == ErrorCode::InvalidCredentials => Err(SyncError::Server {
                code: e.code,
                message: e.message,
            }),
            _ => Err(SyncError::Unauthorized),
        },
        // A proxy or a server that is starting answers like this: treat it as unreachable.
        502..=504 => Err(SyncError::Offline(format!("HTTP {status}"))),
        _ => Err(match api_error() {
            Some(e) => SyncError::Server {
                code: e.code,
                message: e.message,
            },
            None => SyncError::protocol(Problem::BadReply, format!("HTTP {status}")),
        }),
    }
}
