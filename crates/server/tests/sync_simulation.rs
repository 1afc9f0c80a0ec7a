//! Sync under faults, as a deterministic simulation (the first tier of `shared/design/sync.md`):
//! ten devices follow the client's protocol (outbox with (device, seq), push then pull, the
//! cursor stored with the pulled rows) against the real router on a real SQLite file, while
//! a seeded generator drops requests, loses replies after the server committed, sends
//! requests twice, delivers old ones late, and restarts the server. After the network heals,
//! every device syncs until level and the test checks what the design promises: no visit lost,
//! none stored twice, each device's visits in the order it made them, every copy equal to the
//! server's within its scope, and no signature changed on the way.
//!
//! The devices here are the protocol, not the browser client's code (that is tested in
//! headless Chromium by the storage and end-to-end tests). A failing run prints its seed;
//! `REVISIT_SIM_SEEDS=first..last` and `REVISIT_SIM_STEPS=n` run others, or more.

use std::collections::{BTreeMap, BTreeSet};

use axum::{Router, http::StatusCode};
use chrono::{NaiveDate, Utc};
use http_body_util::BodyExt;
use revisit_domain::{
    Channel, CustomerId, DeviceId, Reach, Satisfaction, Signature, UserId, VisitId, VisitRecord,
    wire::{
        Entity, LoginResponse, Mutation, MutationOp, PullResponse, PushRequest, PushResponse, Role,
        SCHEMA_VERSION,
    },
};
use revisit_server::{AppState, Db, router, seed};
use serde::{Serialize, de::DeserializeOwned};
use tower::ServiceExt;
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

/// Requests per run when `REVISIT_SIM_STEPS` is not set.
const STEPS: usize = 1_500;
/// Seeds run when `REVISIT_SIM_SEEDS` is not set.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=4;
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
}

/// The server: a router over a database that outlives restarts (a SQLite file, or a
/// PostgreSQL database when `REVISIT_TEST_POSTGRES` is set).
struct Server {
    dir: tempfile::TempDir,
    url: String,
    db: Db,
    router: Router,
}

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

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> R {
        let body = body.map(|b| serde_json::to_vec(b).expect("JSON"));
        let req = request::request(method, uri, token, body);
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            status,
            StatusCode::OK,
            "{method} {uri}: {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn push(&self, token: &str, request: &PushRequest) -> PushResponse {
        self.call("POST", "/api/sync/push", Some(token), Some(request))
            .await
    }

    async fn pull(&self, token: &str, cursor: u64) -> PullResponse {
        let uri = format!("/api/sync/pull?cursor={cursor}&limit={PULL_LIMIT}");
        self.call::<(), _>("GET", &uri, Some(token), None).await
    }
}

/// A device as the client keeps it: what survives a reload (outbox, stored visits, cursor),
/// and the test's ledger of what it made.
struct Device {
    id: DeviceId,
    token: String,
    user: UserId,
    role: Role,
    /// Customers it may visit (a technician's own).
    customers: Vec<CustomerId>,
    next_seq: u64,
    outbox: Vec<Mutation>,
    visits: BTreeMap<VisitId, VisitRecord>,
    cursor: u64,
    /// Every visit made here, in the order made.
    made: Vec<VisitRecord>,
}

impl Device {
    async fn login(server: &Server, username: &str) -> Device {
        let id = DeviceId(Uuid::now_v7());
        let body = serde_json::json!({
            "username": username,
            "password": seed::DEMO_PASSWORD,
            "device_id": id,
        });
        let session: LoginResponse = server
            .call("POST", "/api/auth/login", None, Some(&body))
            .await;
        let mut device = Device {
            id,
            token: session.token,
            user: session.user.id,
            role: session.user.role,
            customers: Vec::new(),
            next_seq: 1,
            outbox: Vec::new(),
            visits: BTreeMap::new(),
            cursor: 0,
            made: Vec::new(),
        };
        // The first sync after login, before the network turns bad.
        while device.pull_page(server).await {}
        device
    }

    /// A signed visit to one of its customers, stored with its outbox entry (one IndexedDB
    /// transaction in the client).
    fn record_visit(&mut self, rng: &mut Rng) {
        let customer = self.customers[rng.below(self.customers.len())];
        let png = revisit_domain::image::tiny_png(300, 100, &rng.next().to_be_bytes());
        let visit = VisitRecord {
            id: VisitId(Uuid::now_v7()),
            customer_id: customer,
            technician_id: self.user,
            device_id: self.id,
            visited_at: Utc::now(),
            channel: Channel::OnSite,
            reach: Reach::Reached,
            satisfaction: Some(Satisfaction::Satisfied),
            notes: format!("模拟回访 {}", self.next_seq),
            signature: Some(Signature { png }),
            photos: Vec::new(),
            amends: None,
            sha256: String::new(),
        }
        .seal();
        self.visits.insert(visit.id, visit.clone());
        self.outbox.push(Mutation {
            seq: self.next_seq,
            op: MutationOp::CreateVisit(visit.clone()),
        });
        self.next_seq += 1;
        self.made.push(visit);
    }

    /// The next push: the oldest outbox entries, as the client batches them.
    fn push_request(&self) -> Option<PushRequest> {
        (!self.outbox.is_empty()).then(|| PushRequest {
            device_id: self.id,
            schema_version: SCHEMA_VERSION,
            mutations: self.outbox.iter().take(PUSH_BATCH).cloned().collect(),
        })
    }

    /// A push reply reached the device: drop what the server took.
    fn acknowledge(&mut self, reply: &PushResponse) {
        assert!(
            reply.rejected.is_empty(),
            "valid visits refused: {:?}",
            reply.rejected
        );
        self.outbox.retain(|m| m.seq > reply.last_applied_seq);
    }

    /// Pulls one page and stores it with the cursor; false when nothing more waits.
    async fn pull_page(&mut self, server: &Server) -> bool {
        let page = server.pull(&self.token, self.cursor).await;
        self.store(page)
    }

    fn store(&mut self, page: PullResponse) -> bool {
        for change in page.changes {
            match change.entity {
                Entity::Visit(v) => {
                    if let Some(held) = self.visits.get(&v.id) {
                        assert_eq!(held, &v, "a stored visit came back changed");
                    }
                    self.visits.insert(v.id, v);
                }
                Entity::Customer(c)
                    if self.role == Role::Technician && !self.customers.contains(&c.id) =>
                {
                    self.customers.push(c.id);
                }
                _ => {}
            }
        }
        assert!(page.cursor >= self.cursor, "the cursor never goes back");
        self.cursor = page.cursor;
        page.has_more
    }
}

/// A request the network holds back and delivers later, its reply lost.
struct Delayed {
    token: String,
    request: PushRequest,
}

async fn run(seed: u64, steps: usize) {
    eprintln!("seed {seed}: {steps} steps");
    let mut rng = Rng(seed);
    let mut server = Server::start().await;
    // The demo organisation's history, there before any device.
    let before = visits_on(&server).await;
    let mut devices = Vec::new();
    for username in [
        "tech1", "tech1", "tech1", "tech1", "tech2", "tech2", "tech2", "tech2",
    ] {
        devices.push(Device::login(&server, username).await);
    }
    for _ in 0..2 {
        devices.push(Device::login(&server, "manager").await);
    }
    let technicians: Vec<usize> = (0..devices.len())
        .filter(|&d| devices[d].role == Role::Technician)
        .collect();
    assert!(
        technicians
            .iter()
            .all(|&d| !devices[d].customers.is_empty())
    );
    let mut delayed: Vec<Delayed> = Vec::new();
    let mut faults = BTreeMap::<&str, usize>::new();

    for _ in 0..steps {
        if !delayed.is_empty() && rng.chance(20) {
            let late = delayed.swap_remove(rng.below(delayed.len()));
            server.push(&late.token, &late.request).await;
            *faults.entry("delivered late").or_default() += 1;
        }
        if rng.chance(2) {
            server.restart().await;
            *faults.entry("server restarts").or_default() += 1;
            continue;
        }
        match rng.below(100) {
            0..40 => {
                let d = technicians[rng.below(technicians.len())];
                devices[d].record_visit(&mut rng);
            }
            40..75 => {
                let d = technicians[rng.below(technicians.len())];
                let device = &mut devices[d];
                let Some(request) = device.push_request() else {
                    continue;
                };
                match rng.below(100) {
                    0..10 => *faults.entry("pushes dropped").or_default() += 1,
                    10..15 => {
                        delayed.push(Delayed {
                            token: device.token.clone(),
                            request,
                        });
                        *faults.entry("pushes held back").or_default() += 1;
                    }
                    15..25 => {
                        server.push(&device.token, &request).await;
                        *faults.entry("push replies lost").or_default() += 1;
                    }
                    25..30 => {
                        server.push(&device.token, &request).await;
                        let reply = server.push(&device.token, &request).await;
                        device.acknowledge(&reply);
                        *faults.entry("pushes sent twice").or_default() += 1;
                    }
                    _ => {
                        let reply = server.push(&device.token, &request).await;
                        device.acknowledge(&reply);
                    }
                }
            }
            _ => {
                let d = rng.below(devices.len());
                let device = &mut devices[d];
                let page = server.pull(&device.token, device.cursor).await;
                if rng.chance(10) {
                    *faults.entry("pull replies lost").or_default() += 1;
                } else {
                    device.store(page);
                }
            }
        }
    }

    // The network heals: what was held back arrives, then every device syncs until level.
    for late in delayed.drain(..) {
        server.push(&late.token, &late.request).await;
    }
    for device in &mut devices {
        while let Some(request) = device.push_request() {
            let reply = server.push(&device.token, &request).await;
            device.acknowledge(&reply);
        }
    }
    for device in &mut devices {
        while device.pull_page(&server).await {}
    }
    check(seed, &server, &devices, &before).await;
    eprintln!(
        "seed {seed}: {} visits by {} devices over {steps} steps; {faults:?}",
        devices.iter().map(|d| d.made.len()).sum::<usize>(),
        technicians.len(),
    );
}

/// The visits on the server, in version order: (device id, visit).
async fn visits_on(server: &Server) -> Vec<(String, VisitRecord)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT device_id, data FROM records WHERE kind = 'visit' ORDER BY version")
            .fetch_all(&server.db.read)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(device, data)| (device, serde_json::from_str(&data).unwrap()))
        .collect()
}

async fn check(seed: u64, server: &Server, devices: &[Device], before: &[(String, VisitRecord)]) {
    let made: Vec<&VisitRecord> = devices.iter().flat_map(|d| &d.made).collect();
    assert!(!made.is_empty(), "seed {seed}: no visit was made");
    let stored = visits_on(server).await;
    assert_eq!(
        stored.len(),
        before.len() + made.len(),
        "seed {seed}: lost or doubled visits"
    );
    assert_eq!(
        &stored[..before.len()],
        before,
        "seed {seed}: the history changed"
    );
    let conflicts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM edit_conflicts")
        .fetch_one(&server.db.read)
        .await
        .unwrap();
    assert_eq!(
        conflicts, 0,
        "seed {seed}: a resend was taken for a conflict"
    );
    let refused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rejected_mutations")
        .fetch_one(&server.db.read)
        .await
        .unwrap();
    assert_eq!(refused, 0, "seed {seed}: a valid visit was refused");
    let on_server: BTreeMap<VisitId, &VisitRecord> =
        stored.iter().map(|(_, v)| (v.id, v)).collect();
    for v in &made {
        assert_eq!(
            on_server.get(&v.id),
            Some(v),
            "seed {seed}: visit {} missing or changed on the server (signature included)",
            v.id.0
        );
    }
    for device in devices {
        // In the order made, and the server knows every mutation of the device.
        let order: Vec<VisitId> = stored
            .iter()
            .filter(|(d, _)| *d == device.id.to_string())
            .map(|(_, v)| v.id)
            .collect();
        let expected: Vec<VisitId> = device.made.iter().map(|v| v.id).collect();
        assert_eq!(
            order, expected,
            "seed {seed}: a device's visits out of order"
        );
        let last_seq: i64 = sqlx::query_scalar(
            server
                .db
                .sql("SELECT last_seq FROM device_streams WHERE device_id = ?"),
        )
        .bind(device.id.to_string())
        .fetch_one(&server.db.read)
        .await
        .unwrap();
        assert_eq!(last_seq as u64, device.next_seq - 1, "seed {seed}");
        assert!(device.outbox.is_empty());
        // Its copy equals the server's within its scope: the visits of a technician's own
        // customers, the whole organisation's for a manager.
        let scope: BTreeSet<VisitId> = stored
            .iter()
            .map(|(_, v)| v)
            .filter(|v| device.role.sees_whole_org() || device.customers.contains(&v.customer_id))
            .map(|v| v.id)
            .collect();
        let held: BTreeSet<VisitId> = device.visits.keys().copied().collect();
        let missing: Vec<_> = scope.difference(&held).take(3).collect();
        let extra: Vec<_> = held.difference(&scope).take(3).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}: a device's copy differs from its scope: {} missing (e.g. {missing:?}), \
             {} not for it (e.g. {extra:?})",
            scope.difference(&held).count(),
            held.difference(&scope).count(),
        );
        for (id, v) in &device.visits {
            assert_eq!(Some(&v), on_server.get(id), "seed {seed}: a copy differs");
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
async fn no_visit_is_lost_doubled_reordered_or_changed_under_faults() {
    let steps = std::env::var("REVISIT_SIM_STEPS").map_or(STEPS, |s| s.parse().expect("a count"));
    for seed in seeds() {
        run(seed, steps).await;
    }
}
