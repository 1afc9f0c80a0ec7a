//! A corpus of hostile requests, one table: bodies too large, nested too deep, not UTF-8, with
//! duplicate keys, unknown fields, wrong types, NaN and huge numbers; ids and seqs negative,
//! huge, foreign or replayed; tokens missing, forged, ended, expired, of a deactivated user or
//! of another device; technicians writing outside their customers; a manager of another
//! organisation; blobs not what they claim; instants no real visit has; path traversal.
//!
//! Each case gets a clear 4xx JSON error with its code — or, inside a push, a refusal of that
//! one mutation, kept verbatim for the desk — and stores nothing else: the records, blobs,
//! conflicts, sessions and sequences are compared before and after. After each case the server
//! answers an honest request, and now and then takes an honest push.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::Utc;
use http_body_util::BodyExt;
use revisit_domain::{
    Channel, CustomerId, DeviceId, Reach, Satisfaction, Signature, UserId, VisitId, VisitRecord,
    wire::{Entity, LoginResponse, RejectCode, Role, SCHEMA_VERSION},
};
use revisit_server::{AppState, admin, auth::sha256_hex, router, seed};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

use support::{TestApp, device};

/// Who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    Tech1,
    Tech2,
    Manager,
    Desk,
    /// A manager of another organisation.
    Stranger,
    /// A token whose session was logged out.
    Ended,
    /// A token past its expiry.
    Expired,
    /// A token of a user deactivated since.
    Deactivated,
    /// This `Authorization` header, as is.
    Header(&'static str),
}

/// What a case's body is.
enum Body_ {
    None,
    Raw(Vec<u8>),
    Json(Value),
    /// One mutation's op, sent by the case's sender from their device with their next seq.
    Op(Value),
    /// The same, its text as is.
    RawOp(String),
    /// The mutations array, sent as is by the case's sender from their device.
    Mutations(Value),
}

/// What must come back.
enum Expect {
    /// This status, and this code in the JSON body.
    Error(StatusCode, &'static str),
    /// A push answered 200 with its one mutation refused with this code, and kept.
    Refused(RejectCode),
    /// A push answered 200 that applies and keeps nothing (a gap, a replay, a seq out of
    /// range).
    Ignored,
    /// A static path: never a file outside `dist/`; a 4xx or the app's page.
    Page,
}

struct Case {
    name: String,
    method: &'static str,
    uri: String,
    who: Who,
    body: Body_,
    expect: Expect,
}

fn case(
    name: impl Into<String>,
    method: &'static str,
    uri: impl Into<String>,
    who: Who,
    body: Body_,
    expect: Expect,
) -> Case {
    Case {
        name: name.into(),
        method,
        uri: uri.into(),
        who,
        body,
        expect,
    }
}

fn error(status: u16, code: &'static str) -> Expect {
    Expect::Error(StatusCode::from_u16(status).unwrap(), code)
}

/// A signed visit, sealed, as JSON.
fn visit(tech: UserId, device: DeviceId, customer: CustomerId) -> VisitRecord {
    VisitRecord {
        id: VisitId(Uuid::now_v7()),
        customer_id: customer,
        technician_id: tech,
        device_id: device,
        visited_at: Utc::now(),
        channel: Channel::OnSite,
        reach: Reach::Reached,
        satisfaction: Some(Satisfaction::Satisfied),
        notes: "设备运行正常".into(),
        signature: Some(Signature {
            png: revisit_domain::image::tiny_png(300, 100, b"signature"),
        }),
        photos: Vec::new(),
        amends: None,
        sha256: String::new(),
    }
    .seal()
}

fn op(kind: &str, data: Value) -> Value {
    json!({"kind": kind, "data": data})
}

/// The place `part` (a key, or an index in an array) inside `at`.
fn step<'a>(at: &'a mut Value, part: &str) -> &'a mut Value {
    match (at.is_array(), part.parse::<usize>()) {
        (true, Ok(i)) => &mut at[i],
        _ => &mut at[part],
    }
}

/// `v` with `path` (dot-separated keys and indexes) set to `to`.
fn with(mut v: Value, path: &str, to: Value) -> Value {
    let mut at = &mut v;
    for part in path.split('.') {
        at = step(at, part);
    }
    *at = to;
    v
}

/// `v` without the field at `path`.
fn without(mut v: Value, path: &str) -> Value {
    let mut at = &mut v;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        at = &mut at[*p];
    }
    at.as_object_mut().unwrap().remove(parts[parts.len() - 1]);
    v
}

/// Instants no real record has: the first two were accepted once and broke every pull.
const IMPLAUSIBLE: &[&str] = &[
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "1900-01-01T00:00:00Z",
    "2999-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-02-30T12:00:00Z",
    "2026-11-20T25:00:00Z",
    "2026-11-20",
    "yesterday",
    "",
];

/// The world the cases run in: the demo organisation, a second one, and tokens of every kind.
struct World {
    app: TestApp,
    router: Router,
    tech1: (LoginResponse, DeviceId),
    tech2: (LoginResponse, DeviceId),
    manager: (LoginResponse, DeviceId),
    desk: (LoginResponse, DeviceId),
    stranger: (LoginResponse, DeviceId),
    ended: String,
    expired: String,
    deactivated: String,
    seqs: std::collections::HashMap<DeviceId, u64>,
    c1: CustomerId,
    c2: CustomerId,
    foreign_customer: CustomerId,
    visit1: VisitRecord,
    /// A technician deactivated since they logged in.
    leaver: UserId,
    /// A technician of the other organisation.
    their_tech: UserId,
}

impl World {
    fn token(&self, who: Who) -> Option<String> {
        match who {
            Who::Nobody | Who::Header(_) => None,
            Who::Tech1 => Some(self.tech1.0.token.clone()),
            Who::Tech2 => Some(self.tech2.0.token.clone()),
            Who::Manager => Some(self.manager.0.token.clone()),
            Who::Desk => Some(self.desk.0.token.clone()),
            Who::Stranger => Some(self.stranger.0.token.clone()),
            Who::Ended => Some(self.ended.clone()),
            Who::Expired => Some(self.expired.clone()),
            Who::Deactivated => Some(self.deactivated.clone()),
        }
    }

    fn device(&self, who: Who) -> DeviceId {
        match who {
            Who::Tech2 => self.tech2.1,
            Who::Manager => self.manager.1,
            Who::Desk => self.desk.1,
            Who::Stranger => self.stranger.1,
            _ => self.tech1.1,
        }
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        who: Who,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Vec<u8>, Option<String>) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = self.token(who) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Who::Header(h) = who {
            req = req.header(header::AUTHORIZATION, h);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let ctype = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, bytes, ctype)
    }

    /// What must not change under a refused request: every record's version, the blobs, the
    /// conflicts, sessions, users, sequences and refusals.
    async fn snapshot(&self) -> Vec<String> {
        let db = &self.app.db;
        let mut out: Vec<String> = sqlx::query_scalar(
            "SELECT kind || ':' || id || ':' || CAST(version AS TEXT) FROM records ORDER BY kind, id",
        )
        .fetch_all(&db.read)
        .await
        .unwrap();
        for table in [
            "SELECT COUNT(*) FROM blobs",
            "SELECT COUNT(*) FROM blob_refs",
            "SELECT COUNT(*) FROM edit_conflicts",
            "SELECT COUNT(*) FROM sessions",
            "SELECT COUNT(*) FROM users WHERE active = 1",
            "SELECT COUNT(*) FROM device_mutations",
            "SELECT COUNT(*) FROM rejected_mutations",
            "SELECT COUNT(*) FROM organisations",
            "SELECT CAST(COALESCE(SUM(last_seq), 0) AS BIGINT) FROM device_streams",
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM organisations",
        ] {
            let n: i64 = sqlx::query_scalar(table).fetch_one(&db.read).await.unwrap();
            out.push(format!("{table}: {n}"));
        }
        out
    }

    /// An honest request must still be answered.
    async fn honest(&mut self, n: usize) {
        let (status, body, _) = self
            .send("GET", "/api/sync/pull?cursor=0&limit=1", Who::Tech1, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        if n.is_multiple_of(20) {
            let dev = self.tech2.1;
            let seq = self.seqs[&dev] + 1;
            let v = visit(self.tech2.0.user.id, dev, self.c2);
            let push = json!({"device_id": dev, "schema_version": SCHEMA_VERSION,
                "mutations": [{"seq": seq, "op": op("create_visit", serde_json::to_value(&v).unwrap())}]});
            let (status, body, _) = self
                .send(
                    "POST",
                    "/api/sync/push",
                    Who::Tech2,
                    Some(push.to_string().into_bytes()),
                )
                .await;
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(
                body["last_applied_seq"], seq,
                "an honest push after case {n}: {body}"
            );
            assert_eq!(body["rejected"], json!([]));
            self.seqs.insert(dev, seq);
        }
    }
}

async fn login(app: &TestApp, username: &str) -> (LoginResponse, DeviceId) {
    let dev = device();
    (app.login(username, dev).await, dev)
}

async fn world() -> World {
    let app = support::app(true).await;
    // A client to serve, and a file beside it that must never be sent.
    let dist = app.dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>回访</title>",
    )
    .unwrap();
    std::fs::write(app.dir.path().join("secret.txt"), "outside dist").unwrap();
    let router = router(AppState::new(app.db.clone(), dist));

    // Another organisation with its manager and a customer.
    let other = Uuid::now_v7();
    let mut tx = app.db.begin_write().await.unwrap();
    sqlx::query(app.db.sql(
        "INSERT INTO organisations (id, name, created_at) VALUES (?, '别家公司', '2026-01-01T00:00:00.000000Z')",
    ))
    .bind(other.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    seed::insert_user(
        &app.db,
        &mut tx,
        other,
        "stranger",
        "外人",
        Role::Manager,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    let their_tech = seed::insert_user(
        &app.db,
        &mut tx,
        other,
        "stranger-tech",
        "外人技师",
        Role::Technician,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    let foreign_customer = revisit_domain::Customer {
        id: CustomerId(Uuid::now_v7()),
        name: "别家客户".into(),
        phone: "13800000000".into(),
        address: "北京".into(),
        tier: revisit_domain::Tier::Normal,
        product: "X".into(),
        purchased_on: support::today(),
        installed_on: None,
        repaired_on: None,
        technician_id: their_tech,
    };
    seed::insert_customer(&app.db, &mut tx, other, &foreign_customer)
        .await
        .unwrap();
    let leaver = seed::insert_user(
        &app.db,
        &mut tx,
        app_org(&app).await,
        "leaver",
        "离职者",
        Role::Technician,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let tech1 = login(&app, "tech1").await;
    let tech2 = login(&app, "tech2").await;
    let manager = login(&app, "manager").await;
    let desk = login(&app, "desk").await;
    let stranger = login(&app, "stranger").await;
    let ended = login(&app, "tech1").await.0.token;
    let (status, _) = app
        .call("POST", "/api/auth/logout", Some(&ended), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let expired = login(&app, "tech2").await.0.token;
    sqlx::query(
        app.db
            .sql("UPDATE sessions SET expires_at = ? WHERE token_sha256 = ?"),
    )
    .bind("2000-01-01T00:00:00.000000Z")
    .bind(sha256_hex(expired.as_bytes()))
    .execute(&app.db.write)
    .await
    .unwrap();
    let deactivated = login(&app, "leaver").await.0.token;
    admin::set_active(&app.db, "leaver", false).await.unwrap();

    let first = |entities: Vec<Entity>| {
        entities
            .into_iter()
            .find_map(|e| match e {
                Entity::Customer(c) => Some(c.id),
                _ => None,
            })
            .unwrap()
    };
    let c1 = first(app.pull_all(&tech1.0.token, 500).await);
    let c2 = first(app.pull_all(&tech2.0.token, 500).await);
    // One visit of tech1's on the server, to review and to replay.
    let visit1 = visit(tech1.0.user.id, tech1.1, c1);
    let push = json!({"device_id": tech1.1, "schema_version": SCHEMA_VERSION,
        "mutations": [{"seq": 1, "op": op("create_visit", serde_json::to_value(&visit1).unwrap())}]});
    let (status, body) = app
        .json("POST", "/api/sync/push", Some(&tech1.0.token), push)
        .await;
    assert_eq!(
        (status, &body["last_applied_seq"]),
        (StatusCode::OK, &json!(1)),
        "{body}"
    );
    let seqs = [
        (tech1.1, 1),
        (tech2.1, 0),
        (manager.1, 0),
        (desk.1, 0),
        (stranger.1, 0),
    ]
    .into_iter()
    .collect();
    World {
        app,
        router,
        tech1,
        tech2,
        manager,
        desk,
        stranger,
        ended,
        expired,
        deactivated,
        seqs,
        c1,
        c2,
        foreign_customer: foreign_customer.id,
        visit1,
        leaver,
        their_tech,
    }
}

async fn app_org(app: &TestApp) -> Uuid {
    let id: String = sqlx::query_scalar("SELECT id FROM organisations ORDER BY created_at LIMIT 1")
        .fetch_one(&app.db.read)
        .await
        .unwrap();
    id.parse().unwrap()
}

/// Every case of the corpus.
fn corpus(w: &World) -> Vec<Case> {
    use Body_::{Json, Mutations, None as NoBody, Op, Raw, RawOp};
    use Who::*;
    let mut cases = Vec::new();
    let t1 = w.tech1.0.user.id;
    let d1 = w.tech1.1;
    let good = serde_json::to_value(visit(t1, d1, w.c1)).unwrap();
    let refused = |c: RejectCode| Expect::Refused(c);
    let invalid = || Expect::Refused(RejectCode::Invalid);
    let forbidden = || Expect::Refused(RejectCode::Forbidden);

    // --- Tokens, on every authenticated route.
    let routes: &[(&str, &str)] = &[
        ("GET", "/api/sync/pull?cursor=0"),
        ("POST", "/api/sync/push"),
        ("GET", "/api/sync/rejected"),
        ("GET", "/api/sync/conflicts"),
        ("POST", "/api/sync/conflicts/1/resolve"),
        ("GET", "/api/reports/monthly"),
        ("GET", "/api/auth/me"),
        ("POST", "/api/auth/logout"),
        (
            "PUT",
            "/api/blobs/0000000000000000000000000000000000000000000000000000000000000000",
        ),
        (
            "GET",
            "/api/blobs/0000000000000000000000000000000000000000000000000000000000000000",
        ),
    ];
    let long = Box::leak(format!("Bearer {}", "A".repeat(6000)).into_boxed_str());
    let tokens: &[(&str, Who)] = &[
        ("no token", Nobody),
        ("a token logged out", Ended),
        ("an expired token", Expired),
        ("a deactivated user's token", Deactivated),
        (
            "a forged token",
            Header("Bearer 5f0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"),
        ),
        ("an empty bearer", Header("Bearer ")),
        ("basic auth", Header("Basic dGVjaDE6ZGVtbw==")),
        ("a token of 6000 characters", Header(long)),
    ];
    for (method, uri) in routes {
        for (what, who) in tokens {
            let body = match *method {
                "POST" | "PUT" => Raw(b"{}".to_vec()),
                _ => NoBody,
            };
            cases.push(case(
                format!("{method} {uri} with {what}"),
                method,
                *uri,
                *who,
                body,
                error(401, "unauthorized"),
            ));
        }
    }

    // --- Roles and organisations.
    for (method, uri, body) in [
        ("GET", "/api/sync/rejected", None),
        ("GET", "/api/sync/conflicts", None),
        (
            "POST",
            "/api/sync/conflicts/1/resolve",
            Some(json!({"pick": "kept"})),
        ),
        ("GET", "/api/reports/monthly", None),
    ] {
        let b = || body.clone().map_or(NoBody, Json);
        cases.push(case(
            format!("a technician asks {uri}"),
            method,
            uri,
            Tech1,
            b(),
            error(403, "manager_only"),
        ));
    }
    cases.push(case(
        "the desk resolves a conflict",
        "POST",
        "/api/sync/conflicts/1/resolve",
        Desk,
        Json(json!({"pick": "kept"})),
        error(403, "manager_only"),
    ));
    cases.push(case(
        "a manager of another organisation resolves this one's conflict",
        "POST",
        "/api/sync/conflicts/1/resolve",
        Stranger,
        Json(json!({"pick": "kept"})),
        error(404, "not_found"),
    ));
    cases.push(case(
        "a conflict that does not exist",
        "POST",
        "/api/sync/conflicts/999999/resolve",
        Manager,
        Json(json!({"pick": "kept"})),
        error(404, "not_found"),
    ));
    cases.push(case(
        "a conflict id that is not a number",
        "POST",
        "/api/sync/conflicts/abc/resolve",
        Manager,
        Json(json!({"pick": "kept"})),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a conflict id past i64",
        "POST",
        "/api/sync/conflicts/99999999999999999999/resolve",
        Manager,
        Json(json!({"pick": "kept"})),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a pick that is not one",
        "POST",
        "/api/sync/conflicts/1/resolve",
        Manager,
        Json(json!({"pick": "both"})),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a pick with an extra field",
        "POST",
        "/api/sync/conflicts/1/resolve",
        Manager,
        Json(json!({"pick": "kept", "force": true})),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a push naming another user's device",
        "POST",
        "/api/sync/push",
        Tech1,
        Json(json!({"device_id": w.tech2.1, "schema_version": SCHEMA_VERSION, "mutations": []})),
        error(403, "foreign_device"),
    ));
    cases.push(case(
        "a push naming a device of another organisation",
        "POST",
        "/api/sync/push",
        Tech1,
        Json(json!({"device_id": w.stranger.1, "schema_version": SCHEMA_VERSION, "mutations": []})),
        error(403, "foreign_device"),
    ));
    cases.push(case(
        "a push naming a device nobody has",
        "POST",
        "/api/sync/push",
        Tech1,
        Json(json!({"device_id": device(), "schema_version": SCHEMA_VERSION, "mutations": []})),
        error(403, "foreign_device"),
    ));
    cases.push(case(
        "a push naming the nil device",
        "POST",
        "/api/sync/push",
        Tech1,
        Json(json!({"device_id": Uuid::nil(), "schema_version": SCHEMA_VERSION, "mutations": []})),
        error(403, "foreign_device"),
    ));

    // --- Bodies of a push.
    let deep_array = "[".repeat(100_000) + &"]".repeat(100_000);
    let deep_object = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    let raw_bodies: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("a body of 3 MB", vec![b' '; 3 * 1024 * 1024], error(413, "payload_too_large")),
        ("a body of 3 MB of valid JSON", {
            let mut b = b"[\"".to_vec();
            b.extend(vec![b'x'; 3 * 1024 * 1024]);
            b.extend(b"\"]");
            b
        }, error(413, "payload_too_large")),
        ("an array nested 100,000 deep", deep_array.into_bytes(), error(400, "bad_request")),
        ("an object nested 10,000 deep", deep_object.into_bytes(), error(400, "bad_request")),
        ("bytes that are not UTF-8", vec![0xff, 0xfe, 0xfd], error(400, "bad_request")),
        ("a string that is not UTF-8", b"{\"device_id\": \"\xff\xfe\"}".to_vec(), error(400, "bad_request")),
        ("a lone surrogate escape", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[],\"x\":\"\\ud800\"}}").into_bytes(), error(400, "bad_request")),
        ("UTF-16 with a byte-order mark", b"\xff\xfe{\0}\0".to_vec(), error(400, "bad_request")),
        ("UTF-8 with a byte-order mark", b"\xef\xbb\xbf{}".to_vec(), error(400, "bad_request")),
        ("an empty body", Vec::new(), error(400, "bad_request")),
        ("null", b"null".to_vec(), error(400, "bad_request")),
        ("an array", b"[]".to_vec(), error(400, "bad_request")),
        ("a number", b"42".to_vec(), error(400, "bad_request")),
        ("a string", b"\"push\"".to_vec(), error(400, "bad_request")),
        ("NaN", b"NaN".to_vec(), error(400, "bad_request")),
        ("a cut-off body", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[").into_bytes(), error(400, "bad_request")),
        ("trailing garbage", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[]}} x").into_bytes(), error(400, "bad_request")),
        ("two documents", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[]}}{{}}").into_bytes(), error(400, "bad_request")),
        ("a duplicate device_id", format!("{{\"device_id\":\"{d1}\",\"device_id\":\"{}\",\"schema_version\":2,\"mutations\":[]}}", w.tech2.1).into_bytes(), error(400, "bad_request")),
        ("a duplicate mutations key", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[],\"mutations\":[]}}").into_bytes(), error(400, "bad_request")),
        ("a duplicate seq in a mutation", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[{{\"seq\":2,\"seq\":3,\"op\":{{}}}}]}}").into_bytes(), error(400, "bad_request")),
        ("a NaN seq", format!("{{\"device_id\":\"{d1}\",\"schema_version\":2,\"mutations\":[{{\"seq\":NaN,\"op\":{{}}}}]}}").into_bytes(), error(400, "bad_request")),
        ("an Infinity schema version", format!("{{\"device_id\":\"{d1}\",\"schema_version\":Infinity,\"mutations\":[]}}").into_bytes(), error(400, "bad_request")),
        ("a comment in the JSON", format!("{{\"device_id\":\"{d1}\", /* hi */ \"schema_version\":2,\"mutations\":[]}}").into_bytes(), error(400, "bad_request")),
        ("single quotes", format!("{{'device_id':'{d1}','schema_version':2,'mutations':[]}}").into_bytes(), error(400, "bad_request")),
    ];
    for (what, bytes, expect) in raw_bodies {
        cases.push(case(
            format!("a push of {what}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Raw(bytes),
            expect,
        ));
    }
    let envelopes: Vec<(&str, Value, Expect)> = vec![
        (
            "an unknown field",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION, "mutations": [], "admin": true}),
            error(400, "bad_request"),
        ),
        (
            "no device",
            json!({"schema_version": SCHEMA_VERSION, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "no schema version",
            json!({"device_id": d1, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "no mutations",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION}),
            error(400, "bad_request"),
        ),
        (
            "a device that is a number",
            json!({"device_id": 7, "schema_version": SCHEMA_VERSION, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a device that is not a UUID",
            json!({"device_id": "tablet-1", "schema_version": SCHEMA_VERSION, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a schema version as text",
            json!({"device_id": d1, "schema_version": "2", "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a negative schema version",
            json!({"device_id": d1, "schema_version": -2, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a fractional schema version",
            json!({"device_id": d1, "schema_version": 2.5, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a schema version past u32",
            json!({"device_id": d1, "schema_version": 1u64 << 40, "mutations": []}),
            error(400, "bad_request"),
        ),
        (
            "a huge float schema version",
            Value::from(1e300)
                .pipe(|v| json!({"device_id": d1, "schema_version": v, "mutations": []})),
            error(400, "bad_request"),
        ),
        (
            "an older schema version",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION - 1, "mutations": []}),
            error(409, "schema_version"),
        ),
        (
            "a newer schema version",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION + 1, "mutations": []}),
            error(409, "schema_version"),
        ),
        (
            "the largest schema version",
            json!({"device_id": d1, "schema_version": u32::MAX, "mutations": []}),
            error(409, "schema_version"),
        ),
        (
            "mutations that are an object",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION, "mutations": {"1": {}}}),
            error(400, "bad_request"),
        ),
        (
            "mutations that are null",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION, "mutations": null}),
            error(400, "bad_request"),
        ),
        (
            "501 mutations",
            json!({"device_id": d1, "schema_version": SCHEMA_VERSION, "mutations": vec![json!({"seq": 1, "op": {}}); 501]}),
            error(422, "unprocessable"),
        ),
    ];
    for (what, body, expect) in envelopes {
        cases.push(case(
            format!("a push with {what}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Json(body),
            expect,
        ));
    }
    // Seqs: the whole push is refused when one cannot be read, stops at a gap, skips a replay.
    let m = |seq: Value| json!([{"seq": seq, "op": op("create_visit", good.clone())}]);
    for (what, seq) in [
        ("negative", json!(-1)),
        ("fractional", json!(2.5)),
        ("text", json!("2")),
        ("null", Value::Null),
        ("past u64", json!(1e20)),
        ("a huge float", json!(1e300)),
        ("an object", json!({"n": 2})),
    ] {
        cases.push(case(
            format!("a push with a seq that is {what}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Mutations(m(seq)),
            error(400, "bad_request"),
        ));
    }
    cases.push(case(
        "a push with a mutation without seq",
        "POST",
        "/api/sync/push",
        Tech1,
        Mutations(json!([{"op": op("create_visit", good.clone())}])),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a push with a mutation that is a string",
        "POST",
        "/api/sync/push",
        Tech1,
        Mutations(json!(["create_visit"])),
        error(400, "bad_request"),
    ));
    for (what, seq) in [
        ("zero", json!(0)),
        ("replayed, the same", json!(1)),
        ("a gap ahead", json!(50)),
        ("i64::MAX", json!(i64::MAX)),
        ("past i64", json!(u64::MAX)),
    ] {
        let expect = Expect::Ignored;
        let body = if what == "replayed, the same" {
            Mutations(
                json!([{"seq": 1, "op": op("create_visit", serde_json::to_value(&w.visit1).unwrap())}]),
            )
        } else {
            Mutations(m(seq))
        };
        cases.push(case(
            format!("a push with a seq that is {what}"),
            "POST",
            "/api/sync/push",
            Tech1,
            body,
            expect,
        ));
    }
    cases.push(case(
        "a replayed seq with other content",
        "POST",
        "/api/sync/push",
        Tech1,
        Mutations(m(json!(1))),
        refused(RejectCode::Conflict),
    ));

    // --- One mutation, refused alone and kept.
    cases.push(case(
        "an op of a kind from a newer client",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(op("teleport_customer", json!({}))),
        refused(RejectCode::Unsupported),
    ));
    cases.push(case(
        "an op nested 5,000 deep",
        "POST",
        "/api/sync/push",
        Tech1,
        RawOp("[".repeat(5_000) + &"]".repeat(5_000)),
        invalid(),
    ));
    cases.push(case(
        "an op with a duplicate kind",
        "POST",
        "/api/sync/push",
        Tech1,
        RawOp(format!(
            "{{\"kind\":\"create_visit\",\"kind\":\"create_review\",\"data\":{good}}}"
        )),
        invalid(),
    ));
    cases.push(case(
        "a visit with a duplicate notes key",
        "POST",
        "/api/sync/push",
        Tech1,
        RawOp(format!(
            "{{\"kind\":\"create_visit\",\"data\":{}}}",
            good.to_string().replacen('{', "{\"notes\":\"a\",", 1)
        )),
        invalid(),
    ));
    cases.push(case(
        "a visit with a NaN inside",
        "POST",
        "/api/sync/push",
        Tech1,
        RawOp(format!(
            "{{\"kind\":\"create_visit\",\"data\":{}}}",
            good.to_string().replacen('{', "{\"x\":NaN,", 1)
        )),
        error(400, "bad_request"),
    ));
    cases.push(case(
        "an op that is a string",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(json!("create_visit")),
        invalid(),
    ));
    cases.push(case(
        "an op without data",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(json!({"kind": "create_visit"})),
        invalid(),
    ));
    cases.push(case(
        "an op with an extra field",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(json!({"kind": "create_visit", "data": good.clone(), "urgent": true})),
        invalid(),
    ));
    cases.push(case(
        "a mutation of more than 1 MB",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(op(
            "create_visit",
            with(good.clone(), "notes", json!("x".repeat(1_100_000))),
        )),
        refused(RejectCode::TooLarge),
    ));
    let visit_cases: Vec<(&str, Value, Expect)> = vec![
        (
            "an unknown field",
            with(good.clone(), "approved_by", json!("manager")),
            invalid(),
        ),
        ("no id", without(good.clone(), "id"), invalid()),
        (
            "the nil id",
            with(good.clone(), "id", json!(Uuid::nil())),
            invalid(),
        ),
        (
            "a version-4 id",
            with(
                good.clone(),
                "id",
                json!(Uuid::parse_str("9c5b94b1-35ad-49bb-b118-8e8fc24abf80").unwrap()),
            ),
            invalid(),
        ),
        (
            "an id that is not a UUID",
            with(good.clone(), "id", json!("visit-1")),
            invalid(),
        ),
        (
            "an id that is a number",
            with(good.clone(), "id", json!(12)),
            invalid(),
        ),
        (
            "a customer that is not a UUID",
            with(good.clone(), "customer_id", json!("c1")),
            invalid(),
        ),
        (
            // An enum value this server does not know may be a newer client's.
            "a satisfaction nobody knows",
            with(good.clone(), "satisfaction", json!("ecstatic")),
            refused(RejectCode::Unsupported),
        ),
        (
            "a channel nobody knows",
            with(good.clone(), "channel", json!("telepathy")),
            refused(RejectCode::Unsupported),
        ),
        (
            "a signature that is not base64",
            with(good.clone(), "signature", json!({"png": "!!!"})),
            invalid(),
        ),
        (
            "a signature that is not a PNG",
            with(
                good.clone(),
                "signature",
                json!({"png": "aGVsbG8gd29ybGQ="}),
            ),
            invalid(),
        ),
        (
            "a signature that is only a PNG's first 8 bytes",
            with(good.clone(), "signature", json!({"png": "iVBORw0KGgo="})),
            invalid(),
        ),
        (
            "a hash that does not match",
            with(good.clone(), "sha256", json!("0".repeat(64))),
            invalid(),
        ),
        (
            "a hash in capitals",
            with(
                good.clone(),
                "sha256",
                json!(good["sha256"].as_str().unwrap().to_uppercase()),
            ),
            invalid(),
        ),
        (
            "notes of 20,000 characters",
            with(good.clone(), "notes", json!("记".repeat(20_000))),
            invalid(),
        ),
        (
            "no satisfaction though reached",
            with(good.clone(), "satisfaction", Value::Null),
            invalid(),
        ),
        (
            "a photo with a bad hash",
            with(
                good.clone(),
                "photos",
                json!([{"sha256": "xyz", "mime": "image/png", "bytes": 10, "taken_at": "2026-11-20T10:00:00Z"}]),
            ),
            invalid(),
        ),
        (
            "a photo of 0 bytes",
            with(
                good.clone(),
                "photos",
                json!([{"sha256": "a".repeat(64), "mime": "image/png", "bytes": 0, "taken_at": "2026-11-20T10:00:00Z"}]),
            ),
            invalid(),
        ),
        (
            "a photo of a type not accepted",
            with(
                good.clone(),
                "photos",
                json!([{"sha256": "a".repeat(64), "mime": "image/svg+xml", "bytes": 10, "taken_at": "2026-11-20T10:00:00Z"}]),
            ),
            refused(RejectCode::Unsupported),
        ),
        (
            "a photo off the Earth",
            with(
                good.clone(),
                "photos",
                json!([{"sha256": "a".repeat(64), "mime": "image/png", "bytes": 10, "taken_at": "2026-11-20T10:00:00Z", "place": {"lat_e6": 95_000_000, "lon_e6": 0, "accuracy_m": 5}}]),
            ),
            invalid(),
        ),
        (
            "a photo with a negative size",
            with(
                good.clone(),
                "photos",
                json!([{"sha256": "a".repeat(64), "mime": "image/png", "bytes": -5, "taken_at": "2026-11-20T10:00:00Z"}]),
            ),
            invalid(),
        ),
        (
            "another technician named",
            with(good.clone(), "technician_id", json!(w.tech2.0.user.id)),
            invalid(),
        ),
        (
            "another device named",
            with(good.clone(), "device_id", json!(w.tech2.1)),
            invalid(),
        ),
    ];
    for (what, data, expect) in visit_cases {
        cases.push(case(
            format!("a visit with {what}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Op(op("create_visit", data)),
            expect,
        ));
    }
    for at in IMPLAUSIBLE {
        cases.push(case(
            format!("a visit at {at:?}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Op(op(
                "create_visit",
                with(good.clone(), "visited_at", json!(at)),
            )),
            invalid(),
        ));
    }
    // Sealed, so that only the scope is wrong.
    let sealed = |v: VisitRecord| op("create_visit", serde_json::to_value(v).unwrap());
    let mut other_device = visit(t1, w.tech2.1, w.c1);
    other_device.notes = "另一台设备".into();
    cases.push(case(
        "a sealed visit naming another device",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(other_device.seal())),
        forbidden(),
    ));
    cases.push(case(
        "a sealed visit naming another technician",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(visit(w.tech2.0.user.id, d1, w.c1))),
        forbidden(),
    ));
    cases.push(case(
        "a visit of another technician's customer",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(visit(t1, d1, w.c2))),
        forbidden(),
    ));
    cases.push(case(
        "a visit of another organisation's customer",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(visit(t1, d1, w.foreign_customer))),
        forbidden(),
    ));
    cases.push(case(
        "a visit of a customer nobody has",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(visit(t1, d1, CustomerId(Uuid::now_v7())))),
        forbidden(),
    ));
    let mut later = visit(t1, d1, w.c1);
    later.visited_at = Utc::now() + chrono::Duration::days(30);
    cases.push(case(
        "a visit a month in the future",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(later.seal())),
        invalid(),
    ));
    let mut same_id = visit(t1, d1, w.c1);
    same_id.id = w.visit1.id;
    same_id.notes = "改写".into();
    cases.push(case(
        "a visit rewriting one already stored",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(same_id.seal())),
        refused(RejectCode::Conflict),
    ));
    let mut amends = visit(t1, d1, w.c1);
    amends.amends = Some(VisitId(Uuid::now_v7()));
    cases.push(case(
        "an amendment of a record that does not exist",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(amends.seal())),
        invalid(),
    ));
    let mut missing_photo = visit(t1, d1, w.c1);
    missing_photo.photos = vec![revisit_domain::PhotoRef {
        sha256: "b".repeat(64),
        mime: revisit_domain::image::ImageType::Png,
        bytes: 100,
        taken_at: Utc::now(),
        from_gallery: false,
        place: None,
    }];
    cases.push(case(
        "a manager pushing a visit as if a technician",
        "POST",
        "/api/sync/push",
        Manager,
        Op(sealed(visit(t1, w.manager.1, w.c1))),
        forbidden(),
    ));
    cases.push(case(
        "a visit naming a photo the server lacks",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(sealed(missing_photo.seal())),
        Expect::Ignored,
    ));

    // Customers.
    let edit = |id: CustomerId, base: u64, changes: Value| {
        op(
            "edit_customer",
            json!({"id": id, "base_version": base, "changes": changes}),
        )
    };
    let customer_cases: Vec<(&str, Who, Value, Expect)> = vec![
        (
            "a technician changing the tier",
            Tech1,
            edit(w.c1, 1, json!([{"tier": "vip"}])),
            forbidden(),
        ),
        (
            "a technician moving their customer",
            Tech1,
            edit(w.c1, 1, json!([{"technician": w.tech2.0.user.id}])),
            forbidden(),
        ),
        (
            "a technician changing another's customer",
            Tech1,
            edit(w.c2, 1, json!([{"phone": "13900000000"}])),
            forbidden(),
        ),
        (
            "a technician creating a customer",
            Tech1,
            edit(
                CustomerId(Uuid::now_v7()),
                0,
                json!([{"name": "新"}, {"phone": "13900000000"}, {"purchased_on": "2026-01-01"}, {"technician": t1}]),
            ),
            forbidden(),
        ),
        (
            "a phone that is not one",
            Tech1,
            edit(w.c1, 1, json!([{"phone": "call me"}])),
            invalid(),
        ),
        (
            "a name of 1,000 characters",
            Tech1,
            edit(w.c1, 1, json!([{"name": "名".repeat(1000)}])),
            invalid(),
        ),
        (
            "an empty name",
            Tech1,
            edit(w.c1, 1, json!([{"name": "   "}])),
            invalid(),
        ),
        (
            "a name with control characters",
            Tech1,
            edit(w.c1, 1, json!([{"name": "王\u{0007}五"}])),
            invalid(),
        ),
        ("no changes", Tech1, edit(w.c1, 1, json!([])), invalid()),
        (
            "one field changed twice",
            Tech1,
            edit(
                w.c1,
                1,
                json!([{"phone": "13900000000"}, {"phone": "13900000001"}]),
            ),
            invalid(),
        ),
        (
            "a field nobody knows",
            Tech1,
            edit(w.c1, 1, json!([{"credit_limit": 1000000}])),
            refused(RejectCode::Unsupported),
        ),
        (
            "a change with two fields in one",
            Tech1,
            edit(w.c1, 1, json!([{"phone": "13900000000", "name": "x"}])),
            invalid(),
        ),
        (
            "a negative base version",
            Tech1,
            edit(w.c1, 0, json!([{"phone": "13900000000"}]))
                .pipe(|v| with(v, "data.base_version", json!(-1))),
            invalid(),
        ),
        (
            "a manager moving a customer to a manager",
            Manager,
            edit(w.c1, 1, json!([{"technician": w.manager.0.user.id}])),
            invalid(),
        ),
        (
            "a manager moving a customer to nobody",
            Manager,
            edit(w.c1, 1, json!([{"technician": Uuid::now_v7()}])),
            invalid(),
        ),
        (
            "a manager moving a customer to a deactivated technician",
            Manager,
            edit(w.c1, 1, json!([{"technician": w.leaver}])),
            invalid(),
        ),
        (
            "a manager moving a customer to another organisation's technician",
            Manager,
            edit(w.c1, 1, json!([{"technician": w.their_tech}])),
            invalid(),
        ),
        (
            "a manager creating a customer with a version-4 id",
            Manager,
            edit(
                CustomerId(Uuid::parse_str("9c5b94b1-35ad-49bb-b118-8e8fc24abf80").unwrap()),
                0,
                json!([{"name": "新"}, {"phone": "13900000000"}, {"purchased_on": "2026-01-01"}, {"technician": t1}]),
            ),
            invalid(),
        ),
        (
            "a manager creating a customer bought in year 0",
            Manager,
            edit(
                CustomerId(Uuid::now_v7()),
                0,
                json!([{"name": "新"}, {"phone": "13900000000"}, {"purchased_on": "0000-01-01"}, {"technician": t1}]),
            ),
            invalid(),
        ),
        (
            "a manager creating a customer bought in 9999",
            Manager,
            edit(
                CustomerId(Uuid::now_v7()),
                0,
                json!([{"name": "新"}, {"phone": "13900000000"}, {"purchased_on": "9999-12-31"}, {"technician": t1}]),
            ),
            invalid(),
        ),
        (
            "a manager creating a customer without a phone",
            Manager,
            edit(
                CustomerId(Uuid::now_v7()),
                0,
                json!([{"name": "新"}, {"purchased_on": "2026-01-01"}, {"technician": t1}]),
            ),
            invalid(),
        ),
        (
            "a manager changing a customer that does not exist",
            Manager,
            edit(
                CustomerId(Uuid::now_v7()),
                5,
                json!([{"phone": "13900000000"}]),
            ),
            invalid(),
        ),
        (
            "a manager of another organisation changing this one's customer",
            Stranger,
            edit(w.c1, 1, json!([{"phone": "13900000000"}])),
            invalid(),
        ),
    ];
    for (what, who, body, expect) in customer_cases {
        cases.push(case(what, "POST", "/api/sync/push", who, Op(body), expect));
    }

    // Events.
    let event = |customer: CustomerId, by: UserId, kind: &str, at: &str| {
        op(
            "record_event",
            json!({"id": Uuid::now_v7(), "customer_id": customer, "kind": kind, "at": at, "recorded_by": by}),
        )
    };
    let now = Utc::now().to_rfc3339();
    cases.push(case(
        "an event of another technician's customer",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(event(w.c2, t1, "installation_completed", &now)),
        forbidden(),
    ));
    cases.push(case(
        "an event recorded as someone else",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(event(
            w.c1,
            w.tech2.0.user.id,
            "installation_completed",
            &now,
        )),
        forbidden(),
    ));
    cases.push(case(
        "an event that is a complaint",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(event(w.c1, t1, "complaint_received", &now)),
        invalid(),
    ));
    cases.push(case(
        "an event of a kind nobody knows",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(event(w.c1, t1, "alien_visit", &now)),
        refused(RejectCode::Unsupported),
    ));
    cases.push(case(
        "an event next month",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(event(
            w.c1,
            t1,
            "installation_completed",
            &(Utc::now() + chrono::Duration::days(40)).to_rfc3339(),
        )),
        invalid(),
    ));
    cases.push(case(
        "an event with a label of 500 characters",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(with(
            event(w.c1, t1, "installation_completed", &now),
            "data.label",
            json!("节".repeat(500)),
        )),
        invalid(),
    ));
    cases.push(case(
        "an event of another organisation's customer",
        "POST",
        "/api/sync/push",
        Stranger,
        Op(event(
            w.c1,
            w.stranger.0.user.id,
            "installation_completed",
            &now,
        )),
        forbidden(),
    ));
    for at in IMPLAUSIBLE {
        cases.push(case(
            format!("an event at {at:?}"),
            "POST",
            "/api/sync/push",
            Tech1,
            Op(event(w.c1, t1, "installation_completed", at)),
            invalid(),
        ));
    }

    // Complaints and issues.
    let complaint = |customer: CustomerId, by: UserId, extra: Vec<Value>| {
        let mut changes = vec![
            json!({"customer": customer}),
            json!({"received_at": Utc::now().to_rfc3339()}),
            json!({"taken_by": by}),
            json!({"summary": "噪音大"}),
        ];
        changes.extend(extra);
        op(
            "edit_complaint",
            json!({"id": Uuid::now_v7(), "base_version": 0, "changes": changes}),
        )
    };
    cases.push(case(
        "a complaint taken in someone else's name",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(complaint(w.c1, w.tech2.0.user.id, vec![])),
        forbidden(),
    ));
    cases.push(case(
        "a complaint of another technician's customer",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(complaint(w.c2, t1, vec![])),
        forbidden(),
    ));
    cases.push(case(
        "a complaint closed without its cause",
        "POST",
        "/api/sync/push",
        Manager,
        Op(complaint(
            w.c1,
            w.manager.0.user.id,
            vec![
                json!({"status": "closed"}),
                json!({"closed_at": Utc::now().to_rfc3339()}),
            ],
        )),
        invalid(),
    ));
    cases.push(case(
        "a complaint assigned to nobody known",
        "POST",
        "/api/sync/push",
        Manager,
        Op(complaint(
            w.c1,
            w.manager.0.user.id,
            vec![json!({"assignee": Uuid::now_v7()})],
        )),
        invalid(),
    ));
    cases.push(case(
        "a complaint assigned to a deactivated user",
        "POST",
        "/api/sync/push",
        Manager,
        Op(complaint(
            w.c1,
            w.manager.0.user.id,
            vec![json!({"assignee": w.leaver})],
        )),
        invalid(),
    ));
    cases.push(case(
        "a complaint received in 9999",
        "POST",
        "/api/sync/push",
        Manager,
        Op(with(
            complaint(w.c1, w.manager.0.user.id, vec![]),
            "data.changes.1",
            json!({"received_at": "9999-12-31T23:59:59-23:59"}),
        )),
        invalid(),
    ));
    cases.push(case(
        "a complaint of another organisation's customer",
        "POST",
        "/api/sync/push",
        Stranger,
        Op(complaint(w.c1, w.stranger.0.user.id, vec![])),
        forbidden(),
    ));
    let issue = |customer: CustomerId, by: UserId, extra: Vec<Value>| {
        let mut changes = vec![
            json!({"customer": customer}),
            json!({"reported_by": by}),
            json!({"reported_at": Utc::now().to_rfc3339()}),
            json!({"promised_on": "2026-12-31"}),
            json!({"description": "漏水"}),
            json!({"lead_department": "售后"}),
        ];
        changes.extend(extra);
        op(
            "edit_issue",
            json!({"id": Uuid::now_v7(), "base_version": 0, "changes": changes}),
        )
    };
    cases.push(case(
        "an issue reported in someone else's name",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(issue(w.c1, w.tech2.0.user.id, vec![])),
        forbidden(),
    ));
    cases.push(case(
        "an issue of another technician's customer",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(issue(w.c2, t1, vec![])),
        forbidden(),
    ));
    cases.push(case(
        "an issue with 100 co-departments",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(issue(
            w.c1,
            t1,
            vec![json!({"co_departments": vec!["部"; 100]})],
        )),
        invalid(),
    ));
    cases.push(case(
        "an issue resolved without a resolution",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(issue(w.c1, t1, vec![json!({"status": "resolved"})])),
        invalid(),
    ));
    cases.push(case("an issue with a photo of a bad hash", "POST", "/api/sync/push", Tech1,
        Op(issue(w.c1, t1, vec![json!({"photos": [{"sha256": "Z".repeat(64), "mime": "image/png", "bytes": 9, "taken_at": "2026-11-20T10:00:00Z"}]})])), invalid()));
    cases.push(case(
        "an issue promised for year 0",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(with(
            issue(w.c1, t1, vec![]),
            "data.changes.3",
            json!({"promised_on": "0000-01-01"}),
        )),
        invalid(),
    ));
    cases.push(case(
        "an edit of an issue that does not exist",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(op(
            "edit_issue",
            json!({"id": Uuid::now_v7(), "base_version": 3, "changes": [{"description": "x"}]}),
        )),
        invalid(),
    ));

    // Reviews.
    let review = |by: UserId, technician: UserId, visit: VisitId| {
        op(
            "create_review",
            json!({"id": Uuid::now_v7(), "visit_id": visit, "customer_id": w.c1, "technician_id": technician,
            "reviewer": by, "reviewed_at": Utc::now().to_rfc3339(), "verdict": "accurate", "hash_verified": true}),
        )
    };
    let m_id = w.manager.0.user.id;
    cases.push(case(
        "a technician reviewing a visit",
        "POST",
        "/api/sync/push",
        Tech1,
        Op(review(t1, t1, w.visit1.id)),
        forbidden(),
    ));
    cases.push(case(
        "the desk reviewing a visit",
        "POST",
        "/api/sync/push",
        Desk,
        Op(review(w.desk.0.user.id, t1, w.visit1.id)),
        forbidden(),
    ));
    cases.push(case(
        "a review in someone else's name",
        "POST",
        "/api/sync/push",
        Manager,
        Op(review(w.desk.0.user.id, t1, w.visit1.id)),
        forbidden(),
    ));
    cases.push(case(
        "a review of a visit that does not exist",
        "POST",
        "/api/sync/push",
        Manager,
        Op(review(m_id, t1, VisitId(Uuid::now_v7()))),
        invalid(),
    ));
    cases.push(case(
        "a review naming another technician",
        "POST",
        "/api/sync/push",
        Manager,
        Op(review(m_id, w.tech2.0.user.id, w.visit1.id)),
        invalid(),
    ));
    cases.push(case(
        "a review returned without a comment",
        "POST",
        "/api/sync/push",
        Manager,
        Op(with(
            review(m_id, t1, w.visit1.id),
            "data.verdict",
            json!("returned"),
        )),
        invalid(),
    ));
    cases.push(case(
        "a review by a manager of another organisation",
        "POST",
        "/api/sync/push",
        Stranger,
        Op(review(w.stranger.0.user.id, t1, w.visit1.id)),
        invalid(),
    ));

    // --- Pull queries.
    for (what, query) in [
        ("a negative cursor", "cursor=-1"),
        ("a cursor past u64", "cursor=18446744073709551616"),
        ("a cursor past i64", "cursor=9223372036854775808"),
        ("a cursor that is text", "cursor=latest"),
        ("no cursor", "limit=5"),
        ("a fractional cursor", "cursor=1.5"),
        ("a negative limit", "cursor=0&limit=-5"),
        ("a limit past u32", "cursor=0&limit=99999999999"),
        ("an unknown parameter", "cursor=0&all=true"),
        ("a count that is not a boolean", "cursor=0&count=maybe"),
        ("a duplicate cursor", "cursor=0&cursor=5"),
        ("a cursor in hex", "cursor=0x10"),
    ] {
        cases.push(case(
            format!("a pull with {what}"),
            "GET",
            format!("/api/sync/pull?{query}"),
            Tech1,
            NoBody,
            error(400, "bad_request"),
        ));
    }
    for (what, query) in [
        ("a negative after", "after=-1"),
        ("a limit that is text", "limit=all"),
        ("an unknown parameter", "sql=1"),
    ] {
        cases.push(case(
            format!("the refused list with {what}"),
            "GET",
            format!("/api/sync/rejected?{query}"),
            Manager,
            NoBody,
            error(400, "bad_request"),
        ));
        cases.push(case(
            format!("the conflicts with {what}"),
            "GET",
            format!("/api/sync/conflicts?{query}"),
            Manager,
            NoBody,
            error(400, "bad_request"),
        ));
    }
    for month in [
        "2026-13",
        "0000-01",
        "9999-12",
        "november",
        "2026-11-01",
        "%00",
    ] {
        cases.push(case(
            format!("a report for month {month:?}"),
            "GET",
            format!("/api/reports/monthly?month={month}"),
            Manager,
            NoBody,
            error(400, "bad_request"),
        ));
    }

    // --- Blobs.
    let png = revisit_domain::image::tiny_png(10, 10, b"photo");
    let png_sha = sha256_hex(&png);
    let text = b"not an image at all".to_vec();
    let fake_png = [&b"\x89PNG\r\n\x1a\n"[..], b"garbage after the magic"].concat();
    let blob = |sha: &str| format!("/api/blobs/{sha}");
    let blob_cases: Vec<(&str, String, Who, Vec<u8>, Expect)> = vec![
        (
            "bytes under another hash",
            blob(&"a".repeat(64)),
            Tech1,
            png.clone(),
            error(422, "blob_mismatch"),
        ),
        (
            "a name in capitals",
            blob(&png_sha.to_uppercase()),
            Tech1,
            png.clone(),
            error(400, "bad_request"),
        ),
        (
            "a name of 63 digits",
            blob(&png_sha[..63]),
            Tech1,
            png.clone(),
            error(400, "bad_request"),
        ),
        (
            "a name that is not hex",
            blob(&"g".repeat(64)),
            Tech1,
            png.clone(),
            error(400, "bad_request"),
        ),
        (
            "a name with a traversal",
            "/api/blobs/..%2f..%2fsecret.txt".into(),
            Tech1,
            png.clone(),
            error(400, "bad_request"),
        ),
        (
            "text, under its own hash",
            blob(&sha256_hex(&text)),
            Tech1,
            text.clone(),
            error(415, "unsupported_media_type"),
        ),
        (
            "a PNG that is only its magic",
            blob(&sha256_hex(&fake_png)),
            Tech1,
            fake_png.clone(),
            error(415, "unsupported_media_type"),
        ),
        (
            "an empty body",
            blob(&sha256_hex(b"")),
            Tech1,
            Vec::new(),
            error(415, "unsupported_media_type"),
        ),
        (
            "9 MB",
            blob(&"c".repeat(64)),
            Tech1,
            vec![0u8; 9 * 1024 * 1024],
            error(413, "payload_too_large"),
        ),
    ];
    for (what, uri, who, bytes, expect) in blob_cases {
        cases.push(case(
            format!("a blob upload of {what}"),
            "PUT",
            uri,
            who,
            Raw(bytes),
            expect,
        ));
    }
    cases.push(case(
        "a blob nobody uploaded",
        "GET",
        blob(&"d".repeat(64)),
        Manager,
        NoBody,
        error(404, "not_found"),
    ));
    cases.push(case(
        "a blob name with a traversal",
        "GET",
        "/api/blobs/..%2F..%2Fetc%2Fpasswd",
        Manager,
        NoBody,
        error(400, "bad_request"),
    ));
    cases.push(case(
        "a blob by POST",
        "POST",
        blob(&png_sha),
        Tech1,
        Raw(png.clone()),
        error(405, "method_not_allowed"),
    ));
    cases.push(case(
        "a blob by DELETE",
        "DELETE",
        blob(&png_sha),
        Manager,
        NoBody,
        error(405, "method_not_allowed"),
    ));

    // --- Login.
    let login_cases: Vec<(&str, Value, Expect)> = vec![
        (
            "an unknown field",
            json!({"username": "tech1", "password": "x", "device_id": device(), "role": "admin"}),
            error(400, "bad_request"),
        ),
        (
            "a name of 10,000 characters",
            json!({"username": "u".repeat(10_000), "password": "x", "device_id": device()}),
            error(400, "bad_request"),
        ),
        (
            "a device that is not a UUID",
            json!({"username": "tech1", "password": "x", "device_id": "mine"}),
            error(400, "bad_request"),
        ),
        (
            "a password that is a number",
            json!({"username": "tech1", "password": 1234, "device_id": device()}),
            error(400, "bad_request"),
        ),
        (
            "no password",
            json!({"username": "tech1", "device_id": device()}),
            error(400, "bad_request"),
        ),
        (
            "a deactivated user",
            json!({"username": "leaver", "password": seed::DEMO_PASSWORD, "device_id": device()}),
            error(403, "account_disabled"),
        ),
        (
            "the device of another organisation",
            json!({"username": "tech1", "password": seed::DEMO_PASSWORD, "device_id": w.stranger.1}),
            error(403, "device_taken"),
        ),
    ];
    for (what, body, expect) in login_cases {
        cases.push(case(
            format!("a login with {what}"),
            "POST",
            "/api/auth/login",
            Nobody,
            Json(body),
            expect,
        ));
    }
    cases.push(case(
        "a login of 100 KB",
        "POST",
        "/api/auth/login",
        Nobody,
        Raw(vec![b' '; 100 * 1024]),
        error(413, "payload_too_large"),
    ));
    cases.push(case("a password change with an unknown field", "POST", "/api/auth/password", Tech2,
        Json(json!({"current_password": seed::DEMO_PASSWORD, "new_password": "新的密码很长很长1", "sudo": true})), error(400, "bad_request")));

    // --- Paths.
    for (method, uri) in [
        ("GET", "/api/"),
        ("GET", "/api"),
        ("GET", "/api/sync"),
        ("GET", "/api/../api/health/x"),
        ("POST", "/api/sync/pull"),
        ("GET", "/api/sync/push"),
        ("PATCH", "/api/auth/me"),
    ] {
        let expect = if method == "GET" && !uri.ends_with("push") {
            error(404, "not_found")
        } else {
            error(405, "method_not_allowed")
        };
        cases.push(case(
            format!("{method} {uri}"),
            method,
            uri,
            Tech1,
            NoBody,
            expect,
        ));
    }
    for uri in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/icons/../../secret.txt",
        "/icons/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/desk/../../secret.txt",
        "/desk/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e",
        "/..",
        "/icons/..%252f..%252fsecret.txt",
        "/%00secret.txt",
        "//secret.txt",
        "/.%2e/secret.txt",
    ] {
        cases.push(case(
            format!("static {uri}"),
            "GET",
            uri,
            Nobody,
            NoBody,
            Expect::Page,
        ));
    }
    cases
}

/// `x.pipe(f)`: `f(x)`, to build a value inside a table row.
trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}

#[tokio::test]
async fn every_hostile_request_gets_a_clear_refusal_stores_nothing_and_the_server_goes_on() {
    let mut w = world().await;
    let cases = corpus(&w);
    eprintln!("{} hostile cases", cases.len());
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (n, c) in cases.into_iter().enumerate() {
        let before = w.snapshot().await;
        let device = w.device(c.who);
        let next = w.seqs.get(&device).copied().unwrap_or(0) + 1;
        // Built as text, so the mutation's bytes are known: the server keeps them verbatim.
        let envelope = |mutations: &str| {
            format!(
                "{{\"device_id\":\"{device}\",\"schema_version\":{SCHEMA_VERSION},\"mutations\":[{mutations}]}}"
            )
            .into_bytes()
        };
        let mut sent_mutation: Option<String> = None;
        let body = match c.body {
            Body_::None => None,
            Body_::Raw(b) => Some(b),
            Body_::Json(v) => Some(v.to_string().into_bytes()),
            Body_::Op(op) => {
                let m = format!("{{\"seq\":{next},\"op\":{op}}}");
                let body = envelope(&m);
                sent_mutation = Some(m);
                Some(body)
            }
            Body_::RawOp(op) => {
                let m = format!("{{\"seq\":{next},\"op\":{op}}}");
                let body = envelope(&m);
                sent_mutation = Some(m);
                Some(body)
            }
            Body_::Mutations(ms) => {
                let items: Vec<String> = ms
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(Value::to_string)
                    .collect();
                sent_mutation = items.first().cloned();
                Some(envelope(&items.join(",")))
            }
        };
        let (status, bytes, ctype) = w.send(c.method, &c.uri, c.who, body).await;
        let reply: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        let mut fail = |why: String| failures.push(format!("#{n} {}: {why}", c.name));
        match c.expect {
            Expect::Error(want, code) => {
                if status != want || reply["code"] != code {
                    fail(format!("wanted {want} {code}, got {status} {text}"));
                } else if !ctype
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("application/json")
                {
                    fail(format!("not JSON: {ctype:?}"));
                } else if reply["message"].as_str().is_none_or(str::is_empty) {
                    fail(format!("no message: {text}"));
                }
                let after = w.snapshot().await;
                if after != before {
                    fail("stored something".into());
                }
            }
            Expect::Ignored => {
                let applied = w.seqs.get(&device).copied().unwrap_or(0);
                if status != StatusCode::OK
                    || reply["last_applied_seq"] != applied
                    || reply["rejected"] != json!([])
                {
                    fail(format!(
                        "wanted 200 with nothing applied, got {status} {text}"
                    ));
                }
                if w.snapshot().await != before {
                    fail("stored something".into());
                }
            }
            Expect::Refused(code) => {
                let seq = sent_mutation
                    .as_deref()
                    .and_then(|m| serde_json::from_str::<Value>(m).ok())
                    .and_then(|m| m["seq"].as_u64())
                    .unwrap_or(next);
                let kept_seq = if code == RejectCode::Conflict {
                    seq
                } else {
                    next
                };
                if status != StatusCode::OK
                    || reply["rejected"].as_array().map(Vec::len) != Some(1)
                    || reply["rejected"][0]["code"] != code.as_str()
                    || reply["rejected"][0]["seq"] != kept_seq
                {
                    fail(format!(
                        "wanted the mutation refused as {code:?}, got {status} {text}"
                    ));
                } else {
                    // Kept verbatim, and nothing else changed but the refusal and the seq.
                    let op: Option<String> =
                        sqlx::query_scalar(w.app.db.sql(
                            "SELECT op FROM rejected_mutations WHERE device_id = ? AND seq = ?",
                        ))
                        .bind(device.to_string())
                        .bind(kept_seq as i64)
                        .fetch_optional(&w.app.db.read)
                        .await
                        .unwrap();
                    if op != sent_mutation {
                        fail("not kept verbatim".into());
                    }
                    let after = w.snapshot().await;
                    let same = |s: &[String]| {
                        s.iter()
                            .filter(|l| {
                                !l.contains("device_mutations")
                                    && !l.contains("rejected_mutations")
                                    && !l.contains("device_streams")
                                    // A refused edit may have burnt a version number: a gap,
                                    // which pulls pass over.
                                    && !l.contains("FROM organisations")
                            })
                            .cloned()
                            .collect::<Vec<_>>()
                    };
                    if same(&after) != same(&before) {
                        fail("stored more than the refusal".into());
                    }
                }
            }
            Expect::Page => {
                let page = String::from_utf8_lossy(&bytes);
                if page.contains("outside dist") {
                    fail("sent a file outside dist".into());
                } else if !(status.is_client_error()
                    || (status == StatusCode::OK && page.contains("<title>回访")))
                {
                    fail(format!("got {status} {text}"));
                }
            }
        }
        // Whatever happened, the device goes on from what the server says it took.
        if c.uri == "/api/sync/push" && status == StatusCode::OK {
            let taken = reply["last_applied_seq"].as_u64().unwrap();
            let seq = w.seqs.entry(device).or_default();
            *seq = (*seq).max(taken);
        }
        w.honest(n).await;
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
