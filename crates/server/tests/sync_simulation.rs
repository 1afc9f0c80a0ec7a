//! Sync under faults, as a deterministic simulation (the first tier of `shared/design/sync.md`):
//! technicians' tablets and the desk's laptops follow the client's protocol (outbox with
//! (device, seq), blobs uploaded by hash, push then pull, the cursor stored with the pulled
//! rows) against the real router on a real database, writing every kind of record — visits
//! with photos, customers edited from several devices at once, events, complaints, open
//! issues, reviews — while the desk moves customers between technicians and an administrator
//! deactivates a technician for a while. A seeded generator drops requests, loses replies
//! after the server committed, sends requests twice, delivers old ones late, loses or repeats
//! blob uploads, and restarts the server.
//!
//! A model follows every mutation in the order the server applied it and says beforehand
//! whether it must land or be refused (a technician writing for a customer moved away, a user
//! named who is deactivated): the server must agree on each. After the network heals and every
//! device syncs until level, the test checks what the design promises: every mutation applied
//! or refused exactly once and each refusal kept verbatim; every created record on the server
//! as made; each field holding the value written last, and each value a concurrent edit
//! replaced listed by the conflicts endpoint — no more, no fewer; every photo held with its
//! bytes; every device's copy equal to the server's within its scope (a moved customer gone
//! from the old tablet, there on the new one).
//!
//! The devices here are the protocol, not the browser client's code (that is tested in
//! headless Chromium). A failing run names its seed; `REVISIT_SIM_SEEDS=first..last` and
//! `REVISIT_SIM_STEPS=n` run others, or more (`cargo xtask soak` runs a thousand).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use axum::{Router, http::StatusCode};
use chrono::{Duration, NaiveDate, Utc};
use http_body_util::BodyExt;
use revisit_domain::{
    Channel, Complaint, ComplaintChange, ComplaintId, ComplaintStatus, Customer, CustomerChange,
    CustomerEvent, CustomerId, DeviceId, EventId, IssueChange, IssueId, IssueStatus, PhotoRef,
    ProblemCategory, Reach, ReviewId, Satisfaction, Severity, Signature, Tier, UserId, Verdict,
    VisitId, VisitRecord, VisitReview,
    complaint::ComplaintChannel,
    edit::{Edit, FieldChange, FieldStamps},
    image::ImageType,
    wire::{
        BlobReceipt, ConflictPage, Entity, LoginResponse, Mutation, MutationOp, PullResponse,
        PushRequest, PushResponse, RejectCode, RejectedPage, Role, SCHEMA_VERSION, UserCard,
    },
};
use revisit_server::{AppState, Db, admin, router, seed};
use serde::Serialize;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

/// Requests per run when `REVISIT_SIM_STEPS` is not set.
const STEPS: usize = 1_200;
/// Seeds run when `REVISIT_SIM_SEEDS` is not set.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=3;
/// Outbox entries per push, as the client sends them.
const PUSH_BATCH: usize = 100;
/// Changes per pull page: small, so that pulls span pages while pushes land between them.
const PULL_LIMIT: u32 = 25;

/// A seeded generator (SplitMix64): the same seed, the same requests and faults (ids and
/// clock readings are the real ones).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// The server: a router over a database that outlives restarts (a SQLite file, or a
/// PostgreSQL database when `REVISIT_TEST_POSTGRES` is set).
struct Server {
    dir: tempfile::TempDir,
    url: String,
    db: Db,
    router: Router,
}

/// A reply other than 200 that the caller may expect: 401 for a token that has ended.
type Reply<T> = Result<T, StatusCode>;

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let (db, url) = support::fresh_db(dir.path()).await;
        seed::seed(&db, true, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
            .await
            .unwrap();
        let router = router(AppState::new(db.clone(), dir.path().join("no-dist")));
        Server {
            dir,
            url,
            db,
            router,
        }
    }

    /// Closes the database and opens it again: what survives is what was committed.
    async fn restart(&mut self) {
        self.db.read.close().await;
        self.db.write.close().await;
        self.db = Db::connect(&self.url).await.unwrap();
        self.router = router(AppState::new(
            self.db.clone(),
            self.dir.path().join("no-dist"),
        ));
    }

    /// A call whose reply is 200 with a `R`, or 401 (returned); anything else fails the run.
    async fn call<R: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply<R> {
        let req = request::request(method, uri, token, body);
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        match status {
            StatusCode::OK => Ok(serde_json::from_slice(&bytes).unwrap()),
            StatusCode::UNAUTHORIZED => Err(status),
            _ => panic!(
                "{method} {uri}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }

    async fn push(&self, token: &str, request: &PushRequest) -> Reply<PushResponse> {
        let body = serde_json::to_vec(request).unwrap();
        self.call("POST", "/api/sync/push", Some(token), Some(body))
            .await
    }

    async fn pull(&self, token: &str, cursor: u64) -> Reply<PullResponse> {
        let uri = format!("/api/sync/pull?cursor={cursor}&limit={PULL_LIMIT}");
        self.call("GET", &uri, Some(token), None).await
    }

    async fn upload(&self, token: &str, sha256: &str, bytes: &[u8]) -> Reply<BlobReceipt> {
        let uri = format!("/api/blobs/{sha256}");
        let receipt: BlobReceipt = self
            .call("PUT", &uri, Some(token), Some(bytes.to_vec()))
            .await?;
        assert_eq!(receipt.sha256, sha256);
        assert_eq!(receipt.bytes, bytes.len() as u64);
        Ok(receipt)
    }

    async fn login(&self, username: &str, device: DeviceId) -> LoginResponse {
        let body = serde_json::json!({
            "username": username,
            "password": seed::DEMO_PASSWORD,
            "device_id": device,
        });
        self.call(
            "POST",
            "/api/auth/login",
            None,
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await
        .expect("an active user logs in")
    }
}

/// The id of a synced row, by kind.
fn key_of(entity: &Entity) -> (&'static str, Uuid) {
    match entity {
        Entity::Customer(c) => ("customer", c.id.0),
        Entity::Visit(v) => ("visit", v.id.0),
        Entity::User(u) => ("user", u.id.0),
        Entity::Event(e) => ("event", e.id.0),
        Entity::Complaint(c) => ("complaint", c.id.0),
        Entity::Issue(i) => ("issue", i.id.0),
        Entity::Review(r) => ("review", r.id.0),
        Entity::Removed(r) => ("removed", r.customer_id.0),
    }
}

/// The customer a row belongs to.
fn customer_of(entity: &Entity) -> Option<CustomerId> {
    match entity {
        Entity::Customer(c) => Some(c.id),
        Entity::Visit(v) => Some(v.customer_id),
        Entity::Event(e) => Some(e.customer_id),
        Entity::Complaint(c) => Some(c.customer_id),
        Entity::Issue(i) => Some(i.customer_id),
        Entity::Review(r) => Some(r.customer_id),
        Entity::User(_) | Entity::Removed(_) => None,
    }
}

/// A stored row as the entity devices receive.
fn entity_of(kind: &str, data: &str) -> Entity {
    let entity = match kind {
        "customer" => serde_json::from_str(data).map(Entity::Customer),
        "visit" => serde_json::from_str(data).map(Entity::Visit),
        "user" => serde_json::from_str(data).map(Entity::User),
        "event" => serde_json::from_str(data).map(Entity::Event),
        "complaint" => serde_json::from_str(data).map(Entity::Complaint),
        "issue" => serde_json::from_str(data).map(Entity::Issue),
        "review" => serde_json::from_str(data).map(Entity::Review),
        other => panic!("a row of kind {other}"),
    };
    entity.unwrap()
}

/// A device as the client keeps it: what survives a reload (outbox, pulled rows, cursor,
/// photos not yet on the server).
struct Device {
    username: &'static str,
    id: DeviceId,
    /// `None` once the server said 401: logged out until the user logs in again.
    token: Option<String>,
    /// Its token was ended by a deactivation: a 401 is expected.
    token_ended: bool,
    user: UserId,
    role: Role,
    next_seq: u64,
    outbox: Vec<Mutation>,
    /// Rows as last pulled, by (kind, id), with their version.
    rows: BTreeMap<(&'static str, Uuid), (u64, Entity)>,
    cursor: u64,
    /// Photos taken here, by hash.
    photos: BTreeMap<String, Vec<u8>>,
    /// Those the device does not know to be on the server.
    unsent: BTreeSet<String>,
    /// Issues it recorded, with their customer, until they come back in a pull.
    own_issues: Vec<(IssueId, CustomerId)>,
    /// Refusals the server answered, kept for a manager.
    refused: Vec<u64>,
}

impl Device {
    fn token(&self) -> &str {
        self.token.as_deref().expect("logged in")
    }

    fn customers(&self) -> Vec<(u64, Customer)> {
        self.rows
            .values()
            .filter_map(|(v, e)| match e {
                Entity::Customer(c) => Some((*v, c.clone())),
                _ => None,
            })
            .collect()
    }

    /// Active users by role, as this device's copy of the cards says.
    fn cards(&self) -> Vec<UserCard> {
        self.rows
            .values()
            .filter_map(|(_, e)| match e {
                Entity::User(u) if u.active => Some(u.clone()),
                _ => None,
            })
            .collect()
    }

    /// Stores a change with its outbox entry (one IndexedDB transaction in the client).
    fn write(&mut self, op: MutationOp) {
        self.outbox.push(Mutation {
            seq: self.next_seq,
            op,
        });
        self.next_seq += 1;
    }

    /// The next push: the oldest outbox entries, as the client batches them.
    fn push_request(&self) -> Option<PushRequest> {
        (!self.outbox.is_empty()).then(|| PushRequest {
            device_id: self.id,
            schema_version: SCHEMA_VERSION,
            mutations: self.outbox.iter().take(PUSH_BATCH).cloned().collect(),
        })
    }

    /// A push reply reached the device: drop what the server took, keep what it refused,
    /// and note the photos it lacks.
    fn acknowledge(&mut self, reply: &PushResponse) {
        self.refused.extend(reply.rejected.iter().map(|r| r.seq));
        self.outbox.retain(|m| m.seq > reply.last_applied_seq);
        self.unsent.extend(reply.missing_blobs.iter().cloned());
        // Photos no waiting change names are done with.
        let named: BTreeSet<String> = self
            .outbox
            .iter()
            .flat_map(|m| m.op.blobs().into_iter().map(str::to_owned))
            .collect();
        self.photos.retain(|sha, _| named.contains(sha));
        self.unsent.retain(|sha| named.contains(sha));
    }

    /// Stores a pulled page with its cursor; false when nothing more waits.
    fn store(&mut self, page: PullResponse) -> bool {
        assert!(!page.reset_required, "no reset is expected here");
        for change in page.changes {
            assert!(change.version > self.cursor, "versions only grow");
            match change.entity {
                Entity::Removed(r) => {
                    assert_eq!(self.role, Role::Technician, "only technicians get removals");
                    self.rows
                        .retain(|_, (_, e)| customer_of(e) != Some(r.customer_id));
                    self.own_issues.retain(|(_, c)| *c != r.customer_id);
                }
                entity => {
                    if let Entity::Visit(v) = &entity
                        && let Some((_, Entity::Visit(held))) = self.rows.get(&key_of(&entity))
                    {
                        assert_eq!(held, v, "a stored visit came back changed");
                    }
                    if let Entity::Issue(i) = &entity {
                        self.own_issues.retain(|(id, _)| *id != i.id);
                    }
                    self.rows.insert(key_of(&entity), (change.version, entity));
                }
            }
        }
        assert!(page.cursor >= self.cursor, "the cursor never goes back");
        self.cursor = page.cursor;
        page.has_more
    }
}

/// A push the network holds back and delivers later, its reply lost.
struct Delayed {
    token: String,
    request: PushRequest,
    user: UserId,
    role: Role,
}

/// A value the model saw written to a field: by which device, at which server version.
struct Written {
    value: Value,
    device: DeviceId,
    /// `None` until read back after the push that wrote it.
    version: Option<u64>,
}

/// What the server must hold, followed mutation by mutation in the order it applied them.
#[derive(Default)]
struct Model {
    /// The technician in charge of each customer.
    owner: HashMap<CustomerId, UserId>,
    /// (customer, technician) pairs where the technician lost the customer.
    moved_from: HashSet<(CustomerId, UserId)>,
    active: HashSet<UserId>,
    complaints: HashMap<ComplaintId, CustomerId>,
    issues: HashMap<IssueId, CustomerId>,
    /// The last seq the server took from each (device, user).
    server_seq: HashMap<(DeviceId, UserId), u64>,
    last_write: HashMap<(Uuid, &'static str), Written>,
    /// (record, field, replaced, kept) of every value a concurrent edit replaced.
    conflicts: Vec<(Uuid, String, Value, Value)>,
    applied: BTreeSet<(DeviceId, u64)>,
    refused: BTreeMap<(DeviceId, u64), Mutation>,
    /// Create-only records that landed.
    created: Vec<MutationOp>,
    photos: BTreeSet<String>,
    /// Figures for the run's summary line.
    counts: BTreeMap<&'static str, usize>,
}

impl Model {
    /// Whether the server must apply `op` from `user` (or refuse it), given what it holds now.
    fn must_apply(&self, user: UserId, role: Role, op: &MutationOp) -> bool {
        let tech = role == Role::Technician;
        let mine = |c: CustomerId| self.owner.get(&c) == Some(&user);
        let active = |u: &UserId| self.active.contains(u);
        match op {
            MutationOp::CreateVisit(v) => {
                !tech || mine(v.customer_id) || self.moved_from.contains(&(v.customer_id, user))
            }
            MutationOp::EditCustomer(e) => {
                if tech {
                    mine(e.id)
                } else {
                    e.changes.iter().all(|c| match c {
                        CustomerChange::Technician(t) => active(t),
                        _ => true,
                    })
                }
            }
            MutationOp::RecordEvent(e) => !tech || mine(e.customer_id),
            MutationOp::EditComplaint(e) => {
                let assignees_active = e.changes.iter().all(|c| match c {
                    ComplaintChange::Assignee(Some(u)) => active(u),
                    _ => true,
                });
                let allowed = match self.complaints.get(&e.id) {
                    Some(_) => !tech,
                    None => e.changes.iter().any(|c| match c {
                        ComplaintChange::Customer(c) => !tech || mine(*c),
                        _ => false,
                    }),
                };
                allowed && assignees_active
            }
            MutationOp::EditIssue(e) => match self.issues.get(&e.id) {
                Some(c) => !tech || mine(*c),
                None => e.changes.iter().any(|c| match c {
                    IssueChange::Customer(c) => !tech || mine(*c),
                    _ => false,
                }),
            },
            MutationOp::CreateReview(_) => true,
        }
    }

    /// Notes a field change: a concurrent edit (another device, not seen by this one) that
    /// replaces a different value must leave a conflict behind.
    fn write<C: FieldChange + Serialize>(
        &mut self,
        id: Uuid,
        change: &C,
        device: DeviceId,
        base: u64,
    ) {
        let field = change.field();
        let value = serde_json::to_value(change).unwrap();
        if let Some(prev) = self.last_write.get(&(id, field)) {
            // A version not read back yet is this push's own, from this device.
            if !change.monotonic()
                && prev.device != device
                && prev.version.is_some_and(|v| v > base)
                && prev.value != value
            {
                self.conflicts
                    .push((id, field.to_owned(), prev.value.clone(), value.clone()));
            }
        }
        self.last_write.insert(
            (id, field),
            Written {
                value,
                device,
                version: None,
            },
        );
    }

    /// Applies `m` from `device` to the model.
    fn apply(&mut self, device: DeviceId, user: UserId, m: &Mutation) {
        match &m.op {
            MutationOp::CreateVisit(v) => {
                if self.owner.get(&v.customer_id) != Some(&user) && v.technician_id == user {
                    *self
                        .counts
                        .entry("visits of moved customers landed")
                        .or_default() += 1;
                }
                self.photos
                    .extend(v.photos.iter().map(|p| p.sha256.clone()));
                self.created.push(m.op.clone());
            }
            MutationOp::RecordEvent(_) | MutationOp::CreateReview(_) => {
                self.created.push(m.op.clone());
            }
            MutationOp::EditCustomer(e) => {
                for c in &e.changes {
                    self.write(e.id.0, c, device, e.base_version);
                    if let CustomerChange::Technician(t) = c
                        && let Some(before) = self.owner.insert(e.id, *t)
                        && before != *t
                    {
                        self.moved_from.insert((e.id, before));
                        *self.counts.entry("reassignments").or_default() += 1;
                    }
                }
            }
            MutationOp::EditComplaint(e) => {
                for c in &e.changes {
                    if let ComplaintChange::Customer(customer) = c {
                        self.complaints.insert(e.id, *customer);
                    }
                    self.write(e.id.0, c, device, e.base_version);
                }
            }
            MutationOp::EditIssue(e) => {
                for c in &e.changes {
                    match c {
                        IssueChange::Customer(customer) => {
                            self.issues.insert(e.id, *customer);
                        }
                        IssueChange::Photos(p) => {
                            self.photos.extend(p.iter().map(|p| p.sha256.clone()));
                        }
                        _ => {}
                    }
                    self.write(e.id.0, c, device, e.base_version);
                }
            }
        }
    }
}

fn phone(rng: &mut Rng) -> String {
    format!("139{:08}", rng.next() % 100_000_000)
}

fn photo(rng: &mut Rng, device: &mut Device) -> PhotoRef {
    let png = revisit_domain::image::tiny_png(64, 48, &rng.next().to_be_bytes());
    let sha256 = revisit_server::auth::sha256_hex(&png);
    let photo = PhotoRef {
        sha256: sha256.clone(),
        mime: ImageType::Png,
        bytes: png.len() as u32,
        taken_at: Utc::now(),
        from_gallery: false,
        place: None,
    };
    device.photos.insert(sha256.clone(), png);
    device.unsent.insert(sha256);
    photo
}

/// The whole run: the server, the devices, the network's held-back pushes, and the model.
struct World {
    seed: u64,
    rng: Rng,
    server: Server,
    devices: Vec<Device>,
    delayed: Vec<Delayed>,
    faults: BTreeMap<&'static str, usize>,
    model: Model,
    /// The customer everyone edits at once (the desk and its technician).
    hot: CustomerId,
}

impl World {
    fn fault(&mut self, what: &'static str) {
        *self.faults.entry(what).or_default() += 1;
    }

    /// A reply of 401 is only expected for a token a deactivation ended.
    fn logged_out(&mut self, d: usize) {
        let device = &mut self.devices[d];
        assert!(
            device.token_ended,
            "seed {}: {} was logged out without being deactivated",
            self.seed, device.username
        );
        device.token = None;
        self.fault("devices logged out by a deactivation");
    }

    /// Logs a device in again once its user is active again (the same device id: its
    /// outbox and its copy wait on it).
    async fn relogin(&mut self, d: usize) -> bool {
        let device = &self.devices[d];
        if device.token.is_some() {
            return true;
        }
        if !self.model.active.contains(&device.user) {
            return false;
        }
        let session = self.server.login(device.username, device.id).await;
        let device = &mut self.devices[d];
        device.token = Some(session.token);
        device.token_ended = false;
        true
    }

    /// Follows a push the server answered, whether or not the device hears the reply: each
    /// mutation it took for the first time is checked against the model, then applied to it.
    async fn observe(
        &mut self,
        user: UserId,
        role: Role,
        request: &PushRequest,
        reply: &PushResponse,
    ) {
        let device = request.device_id;
        let before = self
            .model
            .server_seq
            .get(&(device, user))
            .copied()
            .unwrap_or(0);
        let refused: BTreeMap<u64, RejectCode> =
            reply.rejected.iter().map(|r| (r.seq, r.code)).collect();
        let mut edited = BTreeSet::new();
        for m in &request.mutations {
            if m.seq <= before || m.seq > reply.last_applied_seq {
                continue;
            }
            let must = self.model.must_apply(user, role, &m.op);
            let code = refused.get(&m.seq);
            assert_eq!(
                must,
                code.is_none(),
                "seed {}: the model says {} for seq {} of {role:?} {device}, the server {:?}: {:?}",
                self.seed,
                if must { "apply" } else { "refuse" },
                m.seq,
                code,
                m.op
            );
            if let Some(code) = code {
                assert!(
                    matches!(code, RejectCode::Forbidden | RejectCode::Invalid),
                    "seed {}: refused as {code:?}",
                    self.seed
                );
                self.model.refused.insert((device, m.seq), m.clone());
                *self
                    .model
                    .counts
                    .entry("refused (moved or deactivated)")
                    .or_default() += 1;
            } else {
                self.model.applied.insert((device, m.seq));
                self.model.apply(device, user, m);
                if matches!(
                    m.op,
                    MutationOp::EditCustomer(_)
                        | MutationOp::EditComplaint(_)
                        | MutationOp::EditIssue(_)
                ) {
                    edited.insert(m.op.record_id());
                }
            }
        }
        if reply.last_applied_seq > before {
            self.model
                .server_seq
                .insert((device, user), reply.last_applied_seq);
        }
        // The versions these edits got, from the stamps the server keeps beside each record.
        for id in edited {
            let stamps: Option<String> = sqlx::query_scalar(
                self.server
                    .db
                    .sql("SELECT field_stamps FROM records WHERE id = ?"),
            )
            .bind(id.to_string())
            .fetch_one(&self.server.db.read)
            .await
            .unwrap();
            let stamps: FieldStamps = serde_json::from_str(&stamps.unwrap()).unwrap();
            for ((record, field), written) in &mut self.model.last_write {
                if *record == id && written.version.is_none() {
                    let stamp = stamps[*field];
                    assert_eq!(stamp.device, written.device, "seed {}", self.seed);
                    written.version = Some(stamp.version);
                }
            }
        }
    }

    /// Uploads the device's photos the server may lack, under the network's faults.
    async fn upload(&mut self, d: usize, faults: bool) {
        let unsent: Vec<String> = self.devices[d].unsent.iter().cloned().collect();
        for sha in unsent {
            let bytes = self.devices[d].photos[&sha].clone();
            let token = self.devices[d].token().to_owned();
            let fate = if faults { self.rng.below(100) } else { 99 };
            if fate < 10 {
                self.fault("uploads dropped");
                continue;
            }
            let mut sends = 1;
            if fate < 15 {
                sends = 2;
                self.fault("uploads sent twice");
            }
            for _ in 0..sends {
                if self.server.upload(&token, &sha, &bytes).await.is_err() {
                    self.logged_out(d);
                    return;
                }
            }
            if fate < 25 && sends == 1 {
                self.fault("upload replies lost");
                continue;
            }
            self.devices[d].unsent.remove(&sha);
        }
    }

    /// One push of device `d` under the network's faults (none when `faults` is false).
    async fn push(&mut self, d: usize, faults: bool) {
        if !self.relogin(d).await {
            return;
        }
        // The client uploads photos first; sometimes it does not know it must (its note was
        // lost), and the server's `missing_blobs` tells it.
        if !faults || self.rng.chance(60) {
            self.upload(d, faults).await;
            if self.devices[d].token.is_none() {
                return;
            }
        }
        let device = &self.devices[d];
        let Some(request) = device.push_request() else {
            return;
        };
        let (token, user, role) = (device.token().to_owned(), device.user, device.role);
        let fate = if faults { self.rng.below(100) } else { 99 };
        if fate < 10 {
            self.fault("pushes dropped");
            return;
        }
        if fate < 15 {
            self.delayed.push(Delayed {
                token,
                request,
                user,
                role,
            });
            self.fault("pushes held back");
            return;
        }
        let Ok(reply) = self.server.push(&token, &request).await else {
            self.logged_out(d);
            return;
        };
        self.observe(user, role, &request, &reply).await;
        if !reply.missing_blobs.is_empty() {
            self.fault("pushes answered missing_blobs");
        }
        if fate < 25 {
            self.fault("push replies lost");
            return;
        }
        if fate < 30 {
            let again = self.server.push(&token, &request).await.unwrap();
            self.observe(user, role, &request, &again).await;
            self.fault("pushes sent twice");
            self.devices[d].acknowledge(&again);
            return;
        }
        self.devices[d].acknowledge(&reply);
    }

    /// Pulls one page for device `d`; false when nothing more waits (or it is logged out).
    async fn pull(&mut self, d: usize, lose: bool) -> bool {
        if !self.relogin(d).await {
            return false;
        }
        let device = &self.devices[d];
        let Ok(page) = self.server.pull(device.token(), device.cursor).await else {
            self.logged_out(d);
            return false;
        };
        if lose {
            self.fault("pull replies lost");
            return true;
        }
        self.devices[d].store(page)
    }

    /// Device `d` writes something its role writes.
    fn make(&mut self, d: usize) {
        let rng = &mut self.rng;
        let device = &mut self.devices[d];
        let customers = device.customers();
        if customers.is_empty() {
            return;
        }
        let me = device.user;
        let now = Utc::now();
        let today = now.date_naive();
        // Often the customer everyone is editing, to make concurrent edits meet.
        let (base, customer) = match customers.iter().find(|(_, c)| c.id == self.hot) {
            Some(hot) if rng.chance(35) => hot.clone(),
            _ => customers[rng.below(customers.len())].clone(),
        };
        let roll = rng.below(100);
        let op = if device.role == Role::Technician {
            match roll {
                0..40 => {
                    let photos = if rng.chance(30) {
                        vec![photo(rng, device)]
                    } else {
                        Vec::new()
                    };
                    let png = revisit_domain::image::tiny_png(300, 100, &rng.next().to_be_bytes());
                    MutationOp::CreateVisit(
                        VisitRecord {
                            id: VisitId(Uuid::now_v7()),
                            customer_id: customer.id,
                            technician_id: me,
                            device_id: device.id,
                            visited_at: now,
                            channel: Channel::OnSite,
                            reach: Reach::Reached,
                            satisfaction: Some(Satisfaction::Satisfied),
                            notes: format!("模拟回访 {}", device.next_seq),
                            signature: Some(Signature { png }),
                            photos,
                            amends: None,
                            sha256: String::new(),
                        }
                        .seal(),
                    )
                }
                40..60 => {
                    let change = if rng.chance(60) {
                        CustomerChange::Phone(phone(rng))
                    } else {
                        CustomerChange::Address(format!("上海市徐汇区模拟路{}号", rng.below(999)))
                    };
                    MutationOp::EditCustomer(Edit {
                        id: customer.id,
                        base_version: base,
                        changes: vec![change],
                    })
                }
                60..70 => MutationOp::RecordEvent(event(rng, customer.id, me)),
                70..75 => MutationOp::EditComplaint(new_complaint(rng, customer.id, me)),
                75..88 => {
                    let id = IssueId(Uuid::now_v7());
                    let mut changes = vec![
                        IssueChange::Customer(customer.id),
                        IssueChange::ReportedBy(me),
                        IssueChange::ReportedAt(now),
                        IssueChange::PromisedOn(today + Duration::days(7)),
                        IssueChange::Category(rng.pick(&ProblemCategory::ALL)),
                        IssueChange::Description("滤芯漏水，需更换配件".into()),
                        IssueChange::LeadDepartment("售后服务部".into()),
                    ];
                    if rng.chance(30) {
                        changes.push(IssueChange::Photos(vec![photo(rng, device)]));
                    }
                    device.own_issues.push((id, customer.id));
                    MutationOp::EditIssue(Edit {
                        id,
                        base_version: 0,
                        changes,
                    })
                }
                _ => {
                    let Some(edit) = issue_edit(rng, device) else {
                        return;
                    };
                    MutationOp::EditIssue(edit)
                }
            }
        } else {
            let manager = device.role.manages();
            let cards = device.cards();
            let technicians: Vec<UserId> = cards
                .iter()
                .filter(|c| c.role == Role::Technician)
                .map(|c| c.id)
                .collect();
            match roll {
                0..25 => {
                    let change = match rng.below(4) {
                        0 | 1 => CustomerChange::Phone(phone(rng)),
                        2 => CustomerChange::Address(format!(
                            "上海市闵行区协同路{}号",
                            rng.below(999)
                        )),
                        _ => CustomerChange::Tier(rng.pick(&Tier::ALL)),
                    };
                    MutationOp::EditCustomer(Edit {
                        id: customer.id,
                        base_version: base,
                        changes: vec![change],
                    })
                }
                25..33 if !technicians.is_empty() => {
                    // 改派: the customer moves to another technician (maybe one just deactivated
                    // that this desk has not heard of yet).
                    let to = rng.pick(&technicians);
                    MutationOp::EditCustomer(Edit {
                        id: customer.id,
                        base_version: base,
                        changes: vec![CustomerChange::Technician(to)],
                    })
                }
                33..36 if !technicians.is_empty() => MutationOp::EditCustomer(Edit {
                    id: CustomerId(Uuid::now_v7()),
                    base_version: 0,
                    changes: vec![
                        CustomerChange::Name(format!("新客户{}", rng.below(9999))),
                        CustomerChange::Phone(phone(rng)),
                        CustomerChange::PurchasedOn(today - Duration::days(30)),
                        CustomerChange::Technician(rng.pick(&technicians)),
                    ],
                }),
                36..45 => MutationOp::RecordEvent(event(rng, customer.id, me)),
                45..55 => {
                    let mut edit = new_complaint(rng, customer.id, me);
                    if rng.chance(50) && !cards.is_empty() {
                        edit.changes.push(ComplaintChange::Assignee(Some(
                            cards[rng.below(cards.len())].id,
                        )));
                    }
                    MutationOp::EditComplaint(edit)
                }
                55..75 => {
                    let Some(edit) = complaint_edit(rng, device, &cards) else {
                        return;
                    };
                    MutationOp::EditComplaint(edit)
                }
                75..85 => {
                    let Some(edit) = issue_edit(rng, device) else {
                        return;
                    };
                    MutationOp::EditIssue(edit)
                }
                _ if manager => {
                    let visits: Vec<VisitRecord> = device
                        .rows
                        .values()
                        .filter_map(|(_, e)| match e {
                            Entity::Visit(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    if visits.is_empty() {
                        return;
                    }
                    let v = &visits[rng.below(visits.len())];
                    let returned = rng.chance(30);
                    MutationOp::CreateReview(VisitReview {
                        id: ReviewId(Uuid::now_v7()),
                        visit_id: v.id,
                        customer_id: v.customer_id,
                        technician_id: v.technician_id,
                        reviewer: me,
                        reviewed_at: now,
                        verdict: if returned {
                            Verdict::Returned
                        } else {
                            Verdict::Accurate
                        },
                        comment: if returned {
                            "签名不清晰，请补充".into()
                        } else {
                            String::new()
                        },
                        hash_verified: true,
                        sample: String::new(),
                    })
                }
                _ => return,
            }
        };
        device.write(op);
    }

    async fn deactivate(&mut self, username: &'static str, active: bool) {
        admin::set_active(&self.server.db, username, active)
            .await
            .unwrap();
        let user = self
            .devices
            .iter()
            .find(|d| d.username == username)
            .unwrap()
            .user;
        if active {
            self.model.active.insert(user);
            self.fault("users reactivated");
        } else {
            self.model.active.remove(&user);
            for device in self.devices.iter_mut().filter(|d| d.user == user) {
                device.token_ended = true;
            }
            self.fault("users deactivated");
        }
    }
}

fn event(rng: &mut Rng, customer: CustomerId, me: UserId) -> CustomerEvent {
    let kinds: Vec<_> = CustomerEvent::recordable_kinds().collect();
    CustomerEvent {
        id: EventId(Uuid::now_v7()),
        customer_id: customer,
        kind: rng.pick(&kinds),
        at: Utc::now(),
        recorded_by: me,
        label: String::new(),
        note: "模拟事件".into(),
    }
}

fn new_complaint(
    rng: &mut Rng,
    customer: CustomerId,
    me: UserId,
) -> Edit<ComplaintId, ComplaintChange> {
    Edit {
        id: ComplaintId(Uuid::now_v7()),
        base_version: 0,
        changes: vec![
            ComplaintChange::Customer(customer),
            ComplaintChange::ReceivedAt(Utc::now()),
            ComplaintChange::TakenBy(me),
            ComplaintChange::Summary("客户反映净水器噪音大".into()),
            ComplaintChange::Channel(rng.pick(&ComplaintChannel::ALL)),
            ComplaintChange::Category(rng.pick(&ProblemCategory::ALL)),
            ComplaintChange::Severity(rng.pick(&[Severity::General, Severity::Important])),
        ],
    }
}

/// A desk's change of a complaint it holds that is still open.
fn complaint_edit(
    rng: &mut Rng,
    device: &Device,
    cards: &[UserCard],
) -> Option<Edit<ComplaintId, ComplaintChange>> {
    let open: Vec<(u64, Complaint)> = device
        .rows
        .values()
        .filter_map(|(v, e)| match e {
            Entity::Complaint(c) if c.status != ComplaintStatus::Closed => Some((*v, c.clone())),
            _ => None,
        })
        .collect();
    if open.is_empty() {
        return None;
    }
    let (base, c) = &open[rng.below(open.len())];
    let now = Utc::now();
    let changes = match rng.below(4) {
        0 => vec![ComplaintChange::Summary(format!(
            "客户反映净水器噪音大（第{}次）",
            rng.below(9)
        ))],
        1 if !cards.is_empty() => vec![ComplaintChange::Assignee(Some(
            cards[rng.below(cards.len())].id,
        ))],
        2 => vec![
            ComplaintChange::Status(ComplaintStatus::Replied),
            ComplaintChange::RepliedAt(Some(now)),
        ],
        _ => vec![
            ComplaintChange::Status(ComplaintStatus::Closed),
            ComplaintChange::ClosedAt(Some(now)),
            ComplaintChange::Cause("安装不规范".into()),
            ComplaintChange::CorrectiveAction("重新安装并回访".into()),
        ],
    };
    Some(Edit {
        id: c.id,
        base_version: *base,
        changes,
    })
}

/// A change of an open issue the device holds (or recorded and has not pulled back yet).
fn issue_edit(rng: &mut Rng, device: &mut Device) -> Option<Edit<IssueId, IssueChange>> {
    let mut held: Vec<(u64, IssueId)> = device
        .rows
        .values()
        .filter_map(|(v, e)| match e {
            Entity::Issue(i) if i.status != IssueStatus::Closed => Some((*v, i.id)),
            _ => None,
        })
        .collect();
    held.extend(device.own_issues.iter().map(|(id, _)| (0, *id)));
    if held.is_empty() {
        return None;
    }
    let (base, id) = held[rng.below(held.len())];
    let changes = match rng.below(5) {
        0 => vec![IssueChange::Description(format!(
            "滤芯漏水，第{}次上门",
            rng.below(9)
        ))],
        1 => vec![IssueChange::LeadDepartment(
            rng.pick(&["售后服务部", "质量部"]).into(),
        )],
        2 => vec![IssueChange::Photos(vec![photo(rng, device)])],
        3 => vec![
            IssueChange::Status(IssueStatus::Resolved),
            IssueChange::Resolution("已更换滤芯".into()),
        ],
        _ => vec![
            IssueChange::Status(IssueStatus::Closed),
            IssueChange::ClosedAt(Some(Utc::now())),
            IssueChange::Resolution("已更换滤芯，客户确认".into()),
            IssueChange::CustomerSatisfied(true),
        ],
    };
    Some(Edit {
        id,
        base_version: base,
        changes,
    })
}

async fn run(seed: u64, steps: usize) {
    eprintln!("seed {seed}: {steps} steps");
    let server = Server::start().await;
    // A third technician, with no customers until the desk moves some to them.
    let org: String = sqlx::query_scalar("SELECT id FROM organisations")
        .fetch_one(&server.db.read)
        .await
        .unwrap();
    let mut tx = server.db.begin_write().await.unwrap();
    seed::insert_user(
        &server.db,
        &mut tx,
        org.parse().unwrap(),
        "tech3",
        "王强",
        Role::Technician,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut model = Model::default();
    let users: Vec<(String, i64)> = sqlx::query_as("SELECT id, active FROM users")
        .fetch_all(&server.db.read)
        .await
        .unwrap();
    model.active = users
        .iter()
        .filter(|(_, a)| *a != 0)
        .map(|(id, _)| UserId(id.parse().unwrap()))
        .collect();
    let customers: Vec<String> =
        sqlx::query_scalar("SELECT data FROM records WHERE kind = 'customer'")
            .fetch_all(&server.db.read)
            .await
            .unwrap();
    for data in &customers {
        let c: Customer = serde_json::from_str(data).unwrap();
        model.owner.insert(c.id, c.technician_id);
    }
    for (kind, data) in sqlx::query_as::<_, (String, String)>(
        "SELECT kind, data FROM records WHERE kind IN ('complaint', 'issue')",
    )
    .fetch_all(&server.db.read)
    .await
    .unwrap()
    {
        match entity_of(&kind, &data) {
            Entity::Complaint(c) => {
                model.complaints.insert(c.id, c.customer_id);
            }
            Entity::Issue(i) => {
                model.issues.insert(i.id, i.customer_id);
            }
            _ => unreachable!(),
        }
    }

    let mut devices = Vec::new();
    for username in [
        "tech1", "tech1", "tech1", "tech2", "tech2", "tech3", "tech3", "manager", "manager", "desk",
    ] {
        let id = DeviceId(Uuid::now_v7());
        let session = server.login(username, id).await;
        devices.push(Device {
            username,
            id,
            token: Some(session.token),
            token_ended: false,
            user: session.user.id,
            role: session.user.role,
            next_seq: 1,
            outbox: Vec::new(),
            rows: BTreeMap::new(),
            cursor: 0,
            photos: BTreeMap::new(),
            unsent: BTreeSet::new(),
            own_issues: Vec::new(),
            refused: Vec::new(),
        });
    }
    let tech1 = devices[0].user;
    let hot = *model
        .owner
        .iter()
        .filter(|(_, t)| **t == tech1)
        .map(|(c, _)| c)
        .min()
        .unwrap();
    let mut world = World {
        seed,
        rng: Rng(seed),
        server,
        devices,
        delayed: Vec::new(),
        faults: BTreeMap::new(),
        model,
        hot,
    };
    // The first sync after login, before the network turns bad.
    for d in 0..world.devices.len() {
        while world.pull(d, false).await {}
    }
    // One technician is deactivated for a stretch of the run, then let back in.
    let off = world.rng.below(steps / 2 + 1);
    let on = off + world.rng.below(steps / 2 + 1);
    let who = world.rng.pick(&["tech1", "tech2", "tech3"]);

    for step in 0..steps {
        if step == off {
            world.deactivate(who, false).await;
        }
        if step == on {
            world.deactivate(who, true).await;
        }
        if !world.delayed.is_empty() && world.rng.chance(20) {
            let n = world.rng.below(world.delayed.len());
            let late = world.delayed.swap_remove(n);
            if let Ok(reply) = world.server.push(&late.token, &late.request).await {
                world
                    .observe(late.user, late.role, &late.request, &reply)
                    .await;
            }
            world.fault("delivered late");
        }
        if world.rng.chance(2) {
            world.server.restart().await;
            world.fault("server restarts");
            continue;
        }
        let d = world.rng.below(world.devices.len());
        match world.rng.below(100) {
            0..45 => {
                if world.devices[d].token.is_some()
                    || world.model.active.contains(&world.devices[d].user)
                {
                    world.make(d);
                }
            }
            45..75 => world.push(d, true).await,
            _ => {
                let lose = world.rng.chance(10);
                world.pull(d, lose).await;
            }
        }
    }

    // The network heals: what was held back arrives, everyone is let back in, then every
    // device syncs until level.
    for late in std::mem::take(&mut world.delayed) {
        if let Ok(reply) = world.server.push(&late.token, &late.request).await {
            world
                .observe(late.user, late.role, &late.request, &reply)
                .await;
        }
    }
    if !world.model.active.contains(
        &world
            .devices
            .iter()
            .find(|d| d.username == who)
            .unwrap()
            .user,
    ) {
        world.deactivate(who, true).await;
    }
    for d in 0..world.devices.len() {
        for round in 0.. {
            if world.devices[d].outbox.is_empty() {
                break;
            }
            assert!(round < 100, "seed {seed}: an outbox does not drain");
            world.push(d, false).await;
        }
    }
    for d in 0..world.devices.len() {
        while world.pull(d, false).await {}
    }
    check(&world).await;
    let made: u64 = world.devices.iter().map(|d| d.next_seq - 1).sum();
    eprintln!(
        "seed {seed}: {made} mutations by {} devices over {steps} steps; {:?}; {} conflicts; {:?}",
        world.devices.len(),
        world.model.counts,
        world.model.conflicts.len(),
        world.faults,
    );
}

/// The server's rows (removals aside): (kind, id) → (technician in charge, entity).
async fn rows_on(server: &Server) -> BTreeMap<(&'static str, Uuid), (Option<String>, Entity)> {
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT kind, technician_id, data FROM records WHERE kind <> 'removed'")
            .fetch_all(&server.db.read)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(kind, tech, data)| {
            let entity = entity_of(&kind, &data);
            (key_of(&entity), (tech, entity))
        })
        .collect()
}

/// A field's value on the server, as the change that would set it.
fn current<C>(record: &C::Record, like: &Value) -> Option<Value>
where
    C: FieldChange + Serialize + serde::de::DeserializeOwned,
{
    let change: C = serde_json::from_value(like.clone()).ok()?;
    (!change.monotonic()).then(|| serde_json::to_value(change.current(record)).unwrap())
}

async fn check(world: &World) {
    let seed = world.seed;
    let server = &world.server;
    let db = &server.db;
    let model = &world.model;
    let on_server = rows_on(server).await;

    // Every mutation applied or refused, exactly once; the server knows each device's last.
    for device in &world.devices {
        assert!(
            device.outbox.is_empty(),
            "seed {seed}: an outbox did not drain"
        );
        let made: BTreeSet<(DeviceId, u64)> =
            (1..device.next_seq).map(|s| (device.id, s)).collect();
        let taken: BTreeSet<(DeviceId, u64)> = model
            .applied
            .iter()
            .chain(model.refused.keys())
            .filter(|(d, _)| *d == device.id)
            .copied()
            .collect();
        assert_eq!(made, taken, "seed {seed}: {}'s mutations", device.username);
        let applied: Vec<i64> = sqlx::query_scalar(
            db.sql("SELECT seq FROM device_mutations WHERE device_id = ? ORDER BY seq"),
        )
        .bind(device.id.to_string())
        .fetch_all(&db.read)
        .await
        .unwrap();
        let expected: Vec<i64> = (1..device.next_seq as i64).collect();
        assert_eq!(
            applied, expected,
            "seed {seed}: each seq once, none missing"
        );
        let mine: BTreeSet<u64> = device.refused.iter().copied().collect();
        let kept: BTreeSet<u64> = model
            .refused
            .keys()
            .filter(|(d, _)| *d == device.id)
            .map(|(_, s)| *s)
            .collect();
        assert!(
            mine.is_subset(&kept),
            "seed {seed}: the device was told of refusals the server does not keep"
        );
    }

    // Each refusal kept verbatim, and listed for the desk.
    let manager = world
        .devices
        .iter()
        .find(|d| d.role == Role::Manager)
        .unwrap();
    let mut listed = BTreeMap::new();
    let mut after = 0;
    loop {
        let page: RejectedPage = server
            .call(
                "GET",
                &format!("/api/sync/rejected?after={after}"),
                Some(manager.token()),
                None,
            )
            .await
            .unwrap();
        for r in &page.rejected {
            assert!(
                listed.insert((r.device_id, r.seq), r.op.clone()).is_none(),
                "seed {seed}: a refusal listed twice"
            );
            after = r.id;
        }
        if !page.has_more {
            break;
        }
    }
    assert_eq!(
        listed.len(),
        model.refused.len(),
        "seed {seed}: refusals kept"
    );
    for (key, m) in &model.refused {
        assert_eq!(
            listed.get(key),
            Some(&serde_json::to_value(m).unwrap()),
            "seed {seed}: a refusal not kept as sent"
        );
    }

    // Create-only records as made, once each.
    for op in &model.created {
        let (kind, id) = match op {
            MutationOp::CreateVisit(v) => ("visit", v.id.0),
            MutationOp::RecordEvent(e) => ("event", e.id.0),
            MutationOp::CreateReview(r) => ("review", r.id.0),
            _ => unreachable!(),
        };
        let held = on_server.get(&(kind, id)).map(|(_, e)| e);
        let expected = match op {
            MutationOp::CreateVisit(v) => Entity::Visit(v.clone()),
            MutationOp::RecordEvent(e) => Entity::Event(e.clone()),
            MutationOp::CreateReview(r) => Entity::Review(r.clone()),
            _ => unreachable!(),
        };
        assert_eq!(
            held,
            Some(&expected),
            "seed {seed}: a {kind} lost or changed"
        );
    }

    // Each field holds the value written last.
    for ((id, field), written) in &model.last_write {
        let value = match on_server
            .iter()
            .find(|((_, i), _)| i == id)
            .map(|(_, (_, e))| e)
        {
            Some(Entity::Customer(c)) => current::<CustomerChange>(c, &written.value),
            Some(Entity::Complaint(c)) => current::<ComplaintChange>(c, &written.value),
            Some(Entity::Issue(i)) => current::<revisit_domain::IssueChange>(i, &written.value),
            other => panic!("seed {seed}: edited record {id} is {other:?}"),
        };
        if let Some(value) = value {
            assert_eq!(
                value, written.value,
                "seed {seed}: {field} of {id} lost its last write"
            );
        }
    }

    // Every value a concurrent edit replaced is listed, and nothing else.
    let mut conflicts = Vec::new();
    let mut after = 0;
    loop {
        let page: ConflictPage = server
            .call(
                "GET",
                &format!("/api/sync/conflicts?after={after}"),
                Some(manager.token()),
                None,
            )
            .await
            .unwrap();
        for c in page.conflicts {
            after = c.id;
            conflicts.push((c.record_id, c.field, c.replaced, c.kept));
        }
        if !page.has_more {
            break;
        }
    }
    let mut expected = model.conflicts.clone();
    let order = |v: &mut Vec<(Uuid, String, Value, Value)>| {
        v.sort_by_key(|(id, f, r, k)| (*id, f.clone(), r.to_string(), k.to_string()));
    };
    order(&mut conflicts);
    order(&mut expected);
    assert_eq!(conflicts, expected, "seed {seed}: conflicts kept");

    // Every photo a landed record names, with its bytes.
    for sha in &model.photos {
        let data: Vec<u8> = sqlx::query_scalar(db.sql("SELECT data FROM blobs WHERE sha256 = ?"))
            .bind(sha)
            .fetch_one(&db.read)
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: photo {sha} missing: {e}"));
        assert_eq!(&revisit_server::auth::sha256_hex(&data), sha, "seed {seed}");
    }

    // Every copy equals the server's within its scope.
    for device in &world.devices {
        let me = device.user.to_string();
        let scope: BTreeMap<(&'static str, Uuid), &Entity> = on_server
            .iter()
            .filter(|((kind, _), (tech, _))| {
                device.role.sees_whole_org() || *kind == "user" || tech.as_deref() == Some(&me)
            })
            .map(|(k, (_, e))| (*k, e))
            .collect();
        let held: BTreeMap<(&'static str, Uuid), &Entity> =
            device.rows.iter().map(|(k, (_, e))| (*k, e)).collect();
        let missing: Vec<_> = scope
            .keys()
            .filter(|k| !held.contains_key(k))
            .take(3)
            .collect();
        let extra: Vec<_> = held
            .keys()
            .filter(|k| !scope.contains_key(k))
            .take(3)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}: {}'s copy differs from its scope: missing {missing:?}, not for it {extra:?}",
            device.username
        );
        for (k, e) in &scope {
            assert_eq!(
                Some(e),
                held.get(k),
                "seed {seed}: {}'s copy of {k:?}",
                device.username
            );
        }
    }
}

fn seeds() -> std::ops::RangeInclusive<u64> {
    match std::env::var("REVISIT_SIM_SEEDS") {
        Ok(range) => {
            let (first, last) = range.split_once("..").unwrap_or((&range, &range));
            first.parse().expect("a seed")..=last.parse().expect("a seed")
        }
        Err(_) => SEEDS,
    }
}

#[tokio::test]
async fn every_write_lands_once_or_is_kept_refused_and_every_copy_converges_under_faults() {
    let steps = std::env::var("REVISIT_SIM_STEPS").map_or(STEPS, |s| s.parse().expect("a count"));
    for seed in seeds() {
        run(seed, steps).await;
    }
}
