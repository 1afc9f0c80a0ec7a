//! The server through its real router on a real SQLite file: auth, sync, scope, reports, bad input.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{NaiveDate, Utc};
use http_body_util::BodyExt;
use revisit_domain::{
    Channel, CustomerId, DeviceId, Reach, Satisfaction, Signature, VisitId, VisitRecord,
    policy::{EngineInput, Horizon, ItemStatus, Lang, WorkCalendar, open_agenda},
    wire::{
        Entity, ErrorCode, LoginResponse, Mutation, MutationOp, PullResponse, PushRequest,
        PushResponse, RejectCode, RejectedPage, Role, SCHEMA_VERSION,
    },
};
use revisit_server::{AppState, admin, import, router, seed};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

use support::{TestApp, app, device, today};

/// Noon of `day` in China.
fn noon(day: NaiveDate) -> chrono::DateTime<Utc> {
    day.and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(revisit_domain::time::china())
        .unwrap()
        .to_utc()
}

fn customers(entities: &[Entity]) -> Vec<revisit_domain::Customer> {
    entities
        .iter()
        .filter_map(|e| match e {
            Entity::Customer(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

fn visit(session: &LoginResponse, device: DeviceId, customer: CustomerId) -> VisitRecord {
    VisitRecord {
        id: VisitId(Uuid::now_v7()),
        customer_id: customer,
        technician_id: session.user.id,
        device_id: device,
        visited_at: Utc::now(),
        channel: Channel::OnSite,
        reach: Reach::Reached,
        satisfaction: Some(Satisfaction::VerySatisfied),
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

fn create(seq: u64, v: &VisitRecord) -> Mutation {
    Mutation {
        seq,
        op: MutationOp::CreateVisit(v.clone()),
    }
}

#[tokio::test]
async fn login_checks_password_and_every_call_needs_a_token() {
    let app = app(true).await;
    let (status, body) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            json!({"username": "tech1", "password": "wrong", "device_id": device()}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (status, _) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            json!({"username": "nobody", "password": "x", "device_id": device()}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = app.call("GET", "/api/sync/pull?cursor=0", None, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = app
        .call("GET", "/api/sync/pull?cursor=0", Some("forged"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let session = app.login("tech1", device()).await;
    assert_eq!(session.user.role, Role::Technician);
    let (status, me) = app
        .call("GET", "/api/auth/me", Some(&session.token), None)
        .await;
    assert_eq!(
        (status, me["name"].as_str()),
        (StatusCode::OK, Some("张伟"))
    );
    let (status, _) = app
        .call("POST", "/api/auth/logout", Some(&session.token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&session.token), None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a logged-out token must stop working"
    );
}

#[tokio::test]
async fn a_shared_tablet_changes_hands_and_each_user_keeps_their_own_sequence() {
    let app = app(true).await;
    let shared = device();
    let t1 = app.login("tech1", shared).await;
    let mine = customers(&app.pull_all(&t1.token, 500).await);
    let (_, body) = app
        .push(
            &t1.token,
            shared,
            vec![create(1, &visit(&t1, shared, mine[0].id))],
        )
        .await;
    assert_eq!(body["last_applied_seq"], 1);
    // tech2 takes the tablet: tech1's session on it ends, tech2 starts their own sequence.
    let t2 = app.login("tech2", shared).await;
    let (status, _) = app.call("GET", "/api/auth/me", Some(&t1.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let theirs = customers(&app.pull_all(&t2.token, 500).await);
    let page = app.pull_page(&t2.token, 0, 1).await;
    assert_eq!(page.last_applied_seq, 0, "a sequence of their own");
    let (_, body) = app
        .push(
            &t2.token,
            shared,
            vec![create(1, &visit(&t2, shared, theirs[0].id))],
        )
        .await;
    assert_eq!(
        (body["last_applied_seq"].as_u64(), &body["rejected"]),
        (Some(1), &json!([]))
    );
    // tech1 comes back: their work waited on the tablet and goes on from their own seq.
    let t1 = app.login("tech1", shared).await;
    let (_, body) = app
        .push(
            &t1.token,
            shared,
            vec![create(2, &visit(&t1, shared, mine[1].id))],
        )
        .await;
    assert_eq!(
        (body["last_applied_seq"].as_u64(), &body["rejected"]),
        (Some(2), &json!([]))
    );
    assert_eq!(
        app.records("visit").await,
        app.count("SELECT COUNT(*) FROM records WHERE kind = 'visit'")
            .await
    );
    // A device never moves to another organisation.
    let other_org = Uuid::now_v7();
    let mut tx = app.db.begin_write().await.unwrap();
    sqlx::query(app.db.sql("INSERT INTO organisations (id, name, created_at) VALUES (?, '别家公司', '2026-01-01T00:00:00.000000Z')"))
        .bind(other_org.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    seed::insert_user(
        &app.db,
        &mut tx,
        other_org,
        "stranger",
        "外人",
        Role::Technician,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, body) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            json!({"username": "stranger", "password": seed::DEMO_PASSWORD, "device_id": shared}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_taken"))
    );
}

#[tokio::test]
async fn pushing_the_same_batch_twice_stores_each_visit_once() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let mine = customers(&app.pull_all(&s.token, 500).await);
    let visits: Vec<_> = mine.iter().take(3).map(|c| visit(&s, dev, c.id)).collect();
    let batch: Vec<_> = visits
        .iter()
        .enumerate()
        .map(|(i, v)| create(i as u64 + 1, v))
        .collect();
    let before = app.records("visit").await;
    for _ in 0..2 {
        let (status, body) = app.push(&s.token, dev, batch.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reply: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!(
            reply,
            PushResponse {
                last_applied_seq: 3,
                rejected: vec![],
                missing_blobs: vec![],
            }
        );
    }
    assert_eq!(app.records("visit").await, before + 3);
    let pulled = app.pull_all(&s.token, 500).await;
    for v in &visits {
        let copies = pulled
            .iter()
            .filter(|e| matches!(e, Entity::Visit(p) if p == v))
            .count();
        assert_eq!(copies, 1, "visit {} pulled {copies} times", v.id);
    }
}

/// A push's new records are written together at its end: within one push, a record made
/// earlier must still be seen by the mutations after it, as if each came alone.
#[tokio::test]
async fn within_one_push_each_mutation_sees_the_records_made_before_it() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let first = visit(&s, dev, c);
    let mut other = first.clone();
    other.notes = "同一编号，不同内容".into();
    let other = other.seal();
    let mut amended = visit(&s, dev, c);
    amended.amends = Some(first.id);
    let amended = amended.seal();
    let mut reused = visit(&s, dev, c);
    reused.notes = "同一序号，不同内容".into();
    let last = visit(&s, dev, c);
    let batch = vec![
        create(1, &first),
        create(2, &first),   // the same record again: a duplicate, nothing written
        create(3, &other),   // its id with other content: a conflict, kept
        create(4, &amended), // amends the record made at seq 1
        create(4, &reused.seal()), // seq 4 again with other content: a conflict
        create(5, &last),
    ];
    let visits = app.records("visit").await;
    let creations =
        || app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND kind = 'visit'");
    let created = creations().await;
    // Twice: the second time is a retry after a lost reply.
    for round in 0..2 {
        let (status, body) = app.push(&s.token, dev, batch.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reply: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!(reply.last_applied_seq, 5);
        let refused: Vec<_> = reply.rejected.iter().map(|r| (r.seq, r.code)).collect();
        let expected = if round == 0 {
            vec![(3, RejectCode::Conflict), (4, RejectCode::Conflict)]
        } else {
            vec![(4, RejectCode::Conflict)]
        };
        assert_eq!(refused, expected, "round {round}");
        assert_eq!(app.records("visit").await, visits + 3, "round {round}");
        assert_eq!(creations().await, created + 3, "round {round}");
    }
    let pulled = app.pull_all(&s.token, 500).await;
    let kept: Vec<_> = pulled
        .iter()
        .filter_map(|e| match e {
            Entity::Visit(v) if [first.id, amended.id, last.id].contains(&v.id) => Some(v.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        kept,
        vec![first, amended, last],
        "each once, in the order made"
    );
}

#[tokio::test]
async fn a_gap_in_seq_stops_the_batch_and_a_resend_fills_it() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let (a, b, d) = (visit(&s, dev, c), visit(&s, dev, c), visit(&s, dev, c));
    let (_, body) = app
        .push(&s.token, dev, vec![create(1, &a), create(3, &d)])
        .await;
    assert_eq!(body["last_applied_seq"], 1);
    let (_, body) = app
        .push(&s.token, dev, vec![create(2, &b), create(3, &d)])
        .await;
    assert_eq!(body["last_applied_seq"], 3);
    let (_, pulled) = app
        .call("GET", "/api/sync/pull?cursor=0", Some(&s.token), None)
        .await;
    assert_eq!(pulled["last_applied_seq"], 3);
}

#[tokio::test]
async fn a_technician_sees_and_writes_only_their_own_customers() {
    let app = app(true).await;
    let (d1, d2) = (device(), device());
    let t1 = app.login("tech1", d1).await;
    let t2 = app.login("tech2", d2).await;
    let mine = customers(&app.pull_all(&t1.token, 500).await);
    let theirs = customers(&app.pull_all(&t2.token, 500).await);
    assert!(!mine.is_empty() && !theirs.is_empty());
    assert!(mine.iter().all(|c| c.technician_id == t1.user.id));
    assert!(theirs.iter().all(|c| c.technician_id == t2.user.id));

    // tech1 pushes a visit for tech2's customer: refused, nothing stored.
    let before = app.records("visit").await;
    let foreign = visit(&t1, d1, theirs[0].id);
    let (status, body) = app.push(&t1.token, d1, vec![create(1, &foreign)]).await;
    assert_eq!(status, StatusCode::OK);
    let reply: PushResponse = serde_json::from_value(body).unwrap();
    assert_eq!(reply.rejected.len(), 1);
    assert_eq!(reply.rejected[0].code, RejectCode::Forbidden);
    assert_eq!(
        reply.last_applied_seq, 1,
        "a rejection is an answer for good"
    );
    assert_eq!(app.records("visit").await, before);

    // A visit tech1 records for their own customer is invisible to tech2.
    let own = visit(&t1, d1, mine[0].id);
    let (_, body) = app.push(&t1.token, d1, vec![create(2, &own)]).await;
    assert_eq!(
        (body["last_applied_seq"].as_u64(), &body["rejected"]),
        (Some(2), &json!([]))
    );
    assert_eq!(app.records("visit").await, before + 1);
    let seen_by_t2 = app.pull_all(&t2.token, 500).await;
    assert!(
        !seen_by_t2
            .iter()
            .any(|e| matches!(e, Entity::Visit(v) if v.id == own.id))
    );

    // A visit that claims another technician or device is refused.
    let mut impostor = visit(&t1, d1, mine[0].id);
    impostor.technician_id = t2.user.id;
    let (_, body) = app
        .push(&t1.token, d1, vec![create(3, &impostor.seal())])
        .await;
    assert_eq!(body["rejected"][0]["code"], "forbidden");
}

#[tokio::test]
async fn a_refused_visit_is_kept_verbatim_for_managers_and_recorded_once() {
    let app = app(true).await;
    let (d1, dm) = (device(), device());
    let t1 = app.login("tech1", d1).await;
    let t2 = app.login("tech2", device()).await;
    let m = app.login("manager", dm).await;
    let mine = customers(&app.pull_all(&t1.token, 500).await);
    let theirs = customers(&app.pull_all(&t2.token, 500).await);
    let all = app.pull_page(&m.token, 0, 500).await;
    let version = |id: CustomerId| {
        all.changes
            .iter()
            .find(|c| matches!(&c.entity, Entity::Customer(k) if k.id == id))
            .map(|c| c.version)
            .unwrap()
    };
    // While tech1's tablet is offline, the manager moves mine[0] to tech2. The visit tech1
    // records there before hearing of it happened: it is accepted (the desk shows who made it).
    let edit = revisit_domain::CustomerEdit {
        id: mine[0].id,
        base_version: version(mine[0].id),
        changes: vec![revisit_domain::CustomerChange::Technician(t2.user.id)],
    };
    let (_, body) = app
        .push(
            &m.token,
            dm,
            vec![Mutation {
                seq: 1,
                op: MutationOp::EditCustomer(edit),
            }],
        )
        .await;
    assert_eq!(body["rejected"], json!([]), "{body}");
    let moved = visit(&t1, d1, mine[0].id);
    // A customer tech1 was never in charge of, and a record changed after it was sealed.
    let foreign = visit(&t1, d1, theirs[0].id);
    let mut tampered = visit(&t1, d1, mine[1].id);
    tampered.notes.push('!');
    let own = visit(&t1, d1, mine[1].id);
    let batch = vec![
        create(1, &moved),
        create(2, &foreign),
        create(3, &tampered),
        create(4, &own),
    ];
    let (_, body) = app.push(&t1.token, d1, batch.clone()).await;
    let reply: PushResponse = serde_json::from_value(body).unwrap();
    assert_eq!(reply.last_applied_seq, 4);
    let codes: Vec<(u64, RejectCode)> = reply.rejected.iter().map(|r| (r.seq, r.code)).collect();
    assert_eq!(
        codes,
        [(2, RejectCode::Forbidden), (3, RejectCode::Invalid)]
    );
    // The reply was lost; the device sends the batch again: nothing is recorded twice.
    app.push(&t1.token, d1, batch).await;

    let (status, body) = app
        .call("GET", "/api/sync/rejected", Some(&m.token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: RejectedPage = serde_json::from_value(body).unwrap();
    assert!(!page.has_more);
    let kept: Vec<(u64, RejectCode, MutationOp)> = page
        .rejected
        .iter()
        .map(|r| {
            let sent: Mutation = serde_json::from_value(r.op.clone()).unwrap();
            assert_eq!(sent.seq, r.seq);
            (r.seq, r.code, sent.op)
        })
        .collect();
    assert_eq!(
        kept,
        [
            (2, RejectCode::Forbidden, MutationOp::CreateVisit(foreign)),
            (3, RejectCode::Invalid, MutationOp::CreateVisit(tampered)),
        ],
        "both kept as sent, signatures included"
    );
    assert!(
        page.rejected
            .iter()
            .all(|r| r.device_id == d1 && r.user_id == t1.user.id && !r.message.is_empty())
    );
    // The accepted visit now belongs to tech2's scope and names tech1 as its technician.
    let t2_sees = app.pull_all(&t2.token, 500).await;
    assert!(t2_sees.iter().any(
        |e| matches!(e, Entity::Visit(v) if v.id == moved.id && v.technician_id == t1.user.id)
    ));
    // Paged by id.
    let first = &page.rejected[0];
    let (_, body) = app
        .call(
            "GET",
            &format!("/api/sync/rejected?after={}&limit=1", first.id),
            Some(&m.token),
            None,
        )
        .await;
    let rest: RejectedPage = serde_json::from_value(body).unwrap();
    assert_eq!(rest.rejected, page.rejected[1..]);
    assert!(!rest.has_more);
    // The command line lists the same, with the technician's name.
    let listed = admin::rejections(&app.db, None).await.unwrap();
    assert_eq!(
        listed,
        page.rejected
            .iter()
            .map(|r| (r.clone(), t1.user.name.clone()))
            .collect::<Vec<_>>()
    );
    // For the desk only.
    let (status, _) = app
        .call("GET", "/api/sync/rejected", Some(&t1.token), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_manager_pulls_the_whole_organisation_in_pages_each_row_once() {
    let app = app(true).await;
    let m = app.login("manager", device()).await;
    let all = app.pull_all(&m.token, 7).await;
    assert_eq!(customers(&all).len(), 50);
    let users = all.iter().filter(|e| matches!(e, Entity::User(_))).count();
    assert_eq!(users, 5);
    let visits: Vec<_> = all
        .iter()
        .filter_map(|e| {
            if let Entity::Visit(v) = e {
                Some(v.id)
            } else {
                None
            }
        })
        .collect();
    let mut unique = visits.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(visits.len(), unique.len());
    assert_eq!(visits.len() as i64, app.records("visit").await);
}

#[tokio::test]
async fn a_signature_that_is_not_what_it_claims_is_refused_and_nothing_is_stored() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let mut v = visit(&s, dev, c);
    v.signature.as_mut().unwrap().png.push(0); // changed after sealing
    let before = app.records("visit").await;
    let (status, body) = app.push(&s.token, dev, vec![create(1, &v)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["rejected"][0]["code"], "invalid");
    assert!(
        body["rejected"][0]["message"]
            .as_str()
            .unwrap()
            .contains("signature")
    );
    assert_eq!(body["last_applied_seq"], 1);
    assert_eq!(app.records("visit").await, before);
    // A whole, valid PNG that is not the one sealed: the hash catches it.
    let mut swapped = visit(&s, dev, c);
    swapped.signature.as_mut().unwrap().png = revisit_domain::image::tiny_png(300, 100, b"forged");
    let (_, body) = app.push(&s.token, dev, vec![create(2, &swapped)]).await;
    assert!(
        body["rejected"][0]["message"]
            .as_str()
            .unwrap()
            .contains("sha256"),
        "{body}"
    );
    assert_eq!(app.records("visit").await, before);
}

#[tokio::test]
async fn the_same_id_with_other_content_keeps_both_and_changes_nothing() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let original = visit(&s, dev, c);
    app.push(&s.token, dev, vec![create(1, &original)]).await;
    let mut other = original.clone();
    other.notes = "被篡改的内容".into();
    let other = other.seal();
    let (_, body) = app.push(&s.token, dev, vec![create(2, &other)]).await;
    assert_eq!(body["rejected"][0]["code"], "conflict");
    let stored: String = sqlx::query_scalar(
        app.db
            .sql("SELECT sha256 FROM records WHERE kind = 'visit' AND id = ?"),
    )
    .bind(original.id.to_string())
    .fetch_one(&app.db.read)
    .await
    .unwrap();
    assert_eq!(stored, original.sha256);
    assert_eq!(body["last_applied_seq"], 2);
    let kept: String =
        sqlx::query_scalar("SELECT op FROM rejected_mutations WHERE code = 'conflict'")
            .fetch_one(&app.db.read)
            .await
            .unwrap();
    let kept: Mutation = serde_json::from_str(&kept).unwrap();
    assert_eq!(
        kept.op,
        MutationOp::CreateVisit(other),
        "the losing version is kept verbatim"
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let token = Some(s.token.as_str());
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let good = serde_json::to_value(PushRequest {
        device_id: dev,
        schema_version: SCHEMA_VERSION,
        mutations: vec![create(1, &visit(&s, dev, c))],
    })
    .unwrap();
    let before = app.records("visit").await;

    let (status, body) = app
        .call(
            "POST",
            "/api/sync/push",
            token,
            Some(b"{\"device_id\": ".to_vec()),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );

    let (status, _) = app
        .call(
            "POST",
            "/api/sync/push",
            token,
            Some(b"{\"device_id\": \"\xff\xfe\"}".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "invalid UTF-8");

    let huge = vec![b' '; 3 * 1024 * 1024];
    let (status, body) = app.call("POST", "/api/sync/push", token, Some(huge)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );

    let mut foreign = good.clone();
    foreign["device_id"] = json!(device());
    let (status, body) = app.json("POST", "/api/sync/push", token, foreign).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("foreign_device"))
    );

    let mut old = good.clone();
    old["schema_version"] = json!(0);
    let (status, body) = app.json("POST", "/api/sync/push", token, old).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("schema_version"))
    );

    let many: Vec<Mutation> = (1..=501).map(|i| create(i, &visit(&s, dev, c))).collect();
    let (status, _) = app.push(&s.token, dev, many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _) = app
        .call("GET", "/api/sync/pull?cursor=0&everything=1", token, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown query parameter");
    let (status, _) = app
        .call("GET", "/api/sync/pull?cursor=-1", token, None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    assert_eq!(app.records("visit").await, before);
    let (_, pulled) = app
        .call("GET", "/api/sync/pull?cursor=0", token, None)
        .await;
    assert_eq!(
        pulled["last_applied_seq"], 0,
        "no failed request may advance the device's seq"
    );

    // One mutation with a field the server does not know is refused alone, kept, and answered
    // for good: the rest of a push goes on, and the outbox is never blocked by it.
    let mut unknown = good.clone();
    unknown["mutations"][0]["op"]["data"]["approved_by_manager"] = json!(true);
    let (status, body) = app.json("POST", "/api/sync/push", token, unknown).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["last_applied_seq"], 1);
    assert_eq!(body["rejected"][0]["code"], "invalid");
    assert!(
        body["rejected"][0]["message"]
            .as_str()
            .unwrap()
            .contains("approved_by_manager"),
        "{body}"
    );
    assert_eq!(app.records("visit").await, before);

    let (status, body) = app.call("GET", "/api/nowhere", token, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = app.call("GET", "/api/sync/push", token, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
}

#[tokio::test]
async fn reports_are_for_managers_and_use_the_domain_formulas() {
    let app = app(true).await;
    let t = app.login("tech1", device()).await;
    let (status, _) = app
        .call("GET", "/api/reports/monthly", Some(&t.token), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let m = app.login("manager", device()).await;
    let (status, body) = app
        .call(
            "GET",
            "/api/reports/monthly?month=2026-11",
            Some(&m.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["month"], "2026-11");
    let lines = body["technicians"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    for line in lines {
        let (num, den) = (
            line["completion"]["numerator"].as_u64().unwrap(),
            line["completion"]["denominator"].as_u64().unwrap(),
        );
        assert!(num <= den);
    }
    let (status, _) = app
        .call(
            "GET",
            "/api/reports/monthly?month=November",
            Some(&m.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_empty_database_without_demo_gets_only_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = support::fresh_db(dir.path()).await;
    let seeded = seed::seed(&db, false, today()).await.unwrap();
    let seed::Seeded::Admin { username, password } = seeded else {
        panic!("expected an admin, got {seeded:?}")
    };
    assert_eq!(username, "admin");
    assert!(password.len() >= 12);
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.read)
        .await
        .unwrap();
    let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE kind = 'customer'")
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert_eq!((users, customers), (1, 0));
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2") && !stored.contains(&password));
    assert_eq!(
        seed::seed(&db, true, today()).await.unwrap(),
        seed::Seeded::Nothing,
        "a second start seeds nothing"
    );
}

#[tokio::test]
async fn health_answers_without_a_token() {
    let app = app(false).await;
    let res = app
        .router
        .clone()
        .oneshot(Request::get("/api/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[..], b"ok");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = app(true).await;
    let s = app.login("tech1", device()).await;
    let (status, _) = app.call("GET", "/api/auth/me", Some(&s.token), None).await;
    assert_eq!(status, StatusCode::OK);
    sqlx::query(app.db.sql("UPDATE sessions SET expires_at = ?"))
        .bind(revisit_server::db::timestamp(
            Utc::now() - chrono::Duration::seconds(1),
        ))
        .execute(&app.db.write)
        .await
        .unwrap();
    let (status, body) = app.call("GET", "/api/auth/me", Some(&s.token), None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&format!("{} ", s.token)), None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no token matches by prefix"
    );
}

#[tokio::test]
async fn a_token_stores_only_its_hash() {
    let app = app(true).await;
    let s = app.login("tech1", device()).await;
    assert_eq!(s.token.len(), 64, "32 random bytes in hex");
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_sha256 FROM sessions")
        .fetch_all(&app.db.read)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], s.token);
}

#[tokio::test]
async fn a_technician_pulls_the_user_cards_of_their_organisation() {
    let app = app(true).await;
    let t = app.login("tech2", device()).await;
    let all = app.pull_all(&t.token, 500).await;
    let mut names: Vec<_> = all
        .iter()
        .filter_map(|e| match e {
            Entity::User(u) => Some(u.name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    assert_eq!(names, ["孙管理", "张伟", "李娜", "王经理", "赵客服"]);
    // Visits pulled are only those of tech2's customers.
    let own: Vec<_> = customers(&all).iter().map(|c| c.id).collect();
    assert!(all.iter().all(|e| match e {
        Entity::Visit(v) => own.contains(&v.customer_id),
        _ => true,
    }));
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_refused() {
    let app = app(true).await;
    let req = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(
            json!({"username": "tech1", "password": seed::DEMO_PASSWORD, "device_id": device()})
                .to_string(),
        ))
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body: revisit_domain::wire::ApiError = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body.code, ErrorCode::BadRequest);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn a_pushed_visit_counts_in_the_managers_report_for_its_month() {
    let app = app(true).await;
    let dev = device();
    let t = app.login("tech1", dev).await;
    let m = app.login("manager", device()).await;
    let month = revisit_domain::time::china_date(Utc::now())
        .format("%Y-%m")
        .to_string();
    let uri = format!("/api/reports/monthly?month={month}");
    let visits_of_tech1 = |body: &Value| {
        body["technicians"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["technician_id"] == json!(t.user.id))
            .map(|l| {
                (
                    l["name"].as_str().unwrap().to_owned(),
                    l["visits"].as_u64().unwrap(),
                    l["satisfaction"]["denominator"].as_u64().unwrap(),
                )
            })
            .unwrap()
    };
    let (status, before) = app.call("GET", &uri, Some(&m.token), None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let (name, visits, rated) = visits_of_tech1(&before);
    assert_eq!(name, "张伟");

    let c = customers(&app.pull_all(&t.token, 500).await)[0].id;
    let (_, reply) = app
        .push(&t.token, dev, vec![create(1, &visit(&t, dev, c))])
        .await;
    assert_eq!(reply["rejected"], json!([]));
    let (_, after) = app.call("GET", &uri, Some(&m.token), None).await;
    assert_eq!(visits_of_tech1(&after), (name, visits + 1, rated + 1));
}

#[tokio::test]
async fn the_demo_organisation_has_work_for_today_and_history_for_reports() {
    let app = app(true).await;
    let of_kind = |kind: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(db.sql("SELECT data FROM records WHERE kind = ?"))
                .bind(kind)
                .fetch_all(&db.read)
                .await
                .unwrap()
        }
    };
    let all: Vec<revisit_domain::Customer> = of_kind("customer")
        .await
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let visits: Vec<VisitRecord> = of_kind("visit")
        .await
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let complaints: Vec<revisit_domain::Complaint> = of_kind("complaint")
        .await
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert_eq!(
        complaints.len(),
        6,
        "the demo's complaints are records of their own"
    );
    assert_eq!(all.len(), 50);
    let vip = all
        .iter()
        .filter(|c| c.tier == revisit_domain::Tier::Vip)
        .count();
    assert!((10..=15).contains(&vip), "{vip} VIP customers");
    let technicians: std::collections::HashSet<_> = all.iter().map(|c| c.technician_id).collect();
    assert_eq!(technicians.len(), 2);
    let new = all
        .iter()
        .filter(|c| (0..=6).contains(&(today() - c.purchased_on).num_days()))
        .count();
    assert!(new > 0, "someone bought this week: a first visit is due");

    assert!(!visits.is_empty());
    assert!(visits.iter().all(|v| v.validate().is_ok()));
    assert!(
        visits
            .iter()
            .any(|v| v.channel == Channel::Phone && v.signature.is_none())
    );
    assert!(visits.iter().any(|v| {
        v.signature
            .as_ref()
            .is_some_and(|s| s.png.starts_with(b"\x89PNG\r\n\x1a\n"))
    }));
    let unreached: Vec<_> = visits.iter().filter(|v| !v.reach.is_reached()).collect();
    assert!(
        !unreached.is_empty() && unreached.iter().all(|v| v.satisfaction.is_none()),
        "some calls hit a blank or wrong number (空号/错号)"
    );

    // Under the demo organisation's policy, as the reports and the agenda page see it.
    let policy = &revisit_server::policy::builtin(revisit_server::policy::DEMO_PROFILE)
        .unwrap()
        .policy;
    let now = noon(today());
    let ids: Vec<_> = technicians.iter().copied().collect();
    let month = revisit_domain::kpi::Month::of(today());
    let kpis = revisit_domain::kpi::monthly_kpis(
        policy,
        &ids,
        &all,
        &visits,
        revisit_domain::event::recorded_lifecycle(&[], &complaints),
        month,
        now,
    );
    assert!(
        kpis.iter().all(|k| k.visits > 0
            && k.completion.numerator > 0
            && k.on_time.numerator <= k.completion.numerator
            && k.completion.numerator <= k.completion.denominator),
        "every technician has work done this month: {kpis:?}"
    );
    let total = kpis
        .iter()
        .fold(revisit_domain::kpi::Rate::default(), |a, k| {
            a.plus(k.completion)
        });
    assert!(
        total.numerator < total.denominator,
        "and the organisation has work missed: {kpis:?}"
    );

    let mut input = EngineInput::from_records(&all, &visits);
    input
        .events
        .extend(revisit_domain::event::recorded_lifecycle(&[], &complaints));
    let agenda = open_agenda(
        &policy.profile,
        &policy.calendar,
        &input,
        now,
        Horizon::default(),
    );
    let rule = |name: &str| {
        let name = format!("规则 {name}，");
        agenda.items().any(|i| i.explain(Lang::Zh).contains(&name))
    };
    assert!(rule("首次回访"), "a first visit is due");
    assert!(
        unreached
            .iter()
            .all(|v| agenda.data_corrections.contains(&v.customer_id)),
        "their numbers are flagged for correction"
    );
    assert!(
        rule("购后1个月回访") && (rule("定期回访-VIP") || rule("定期回访-普通")),
        "and periodic ones"
    );
    assert!(agenda.items().any(|i| i.status == ItemStatus::Overdue));
    assert!(agenda.items().any(|i| i.status == ItemStatus::Due));
    for t in technicians {
        let theirs: Vec<_> = all
            .iter()
            .filter(|c| c.technician_id == t)
            .cloned()
            .collect();
        let input = EngineInput::from_records(&theirs, &visits);
        let agenda = open_agenda(
            &policy.profile,
            &policy.calendar,
            &input,
            now,
            Horizon::default(),
        );
        assert!(
            agenda
                .items()
                .any(|i| matches!(i.status, ItemStatus::Due | ItemStatus::Overdue)),
            "every technician has work today"
        );
    }
}

#[tokio::test]
async fn a_pull_delivers_the_organisations_policy_until_the_device_holds_it() {
    let app = app(true).await;
    let t = app.login("tech1", device()).await;
    let pull = |policy: Option<String>| {
        let uri = match policy {
            Some(fp) => format!("/api/sync/pull?cursor=0&limit=5&policy={fp}"),
            None => "/api/sync/pull?cursor=0&limit=5".to_string(),
        };
        let token = t.token.clone();
        let app = &app;
        async move {
            let (status, body) = app.call("GET", &uri, Some(&token), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<PullResponse>(body).unwrap()
        }
    };

    // A device without a policy gets the demo organisation's, which validates on arrival into
    // the shipped profile and the China calendar.
    let bundle = pull(None)
        .await
        .policy
        .expect("the policy comes with the pull");
    let policy = bundle.validate().unwrap();
    assert_eq!(
        policy.profile,
        revisit_domain::policy::builtin(revisit_server::policy::DEMO_PROFILE).unwrap()
    );
    assert_eq!(policy.calendar, WorkCalendar::china());

    // Holding it, the device is not sent it again; with another fingerprint it is.
    assert_eq!(pull(Some(bundle.fingerprint.clone())).await.policy, None);
    assert_eq!(
        pull(Some("0".repeat(64))).await.policy,
        Some(bundle.clone())
    );

    // The organisation switches profile: the next pull brings the new one.
    sqlx::query("UPDATE organisations SET policy_profile = 'water-purifier'")
        .execute(&app.db.write)
        .await
        .unwrap();
    let changed = pull(Some(bundle.fingerprint.clone()))
        .await
        .policy
        .expect("a changed policy is sent");
    assert_eq!(changed.validate().unwrap().profile.name, "净水器回访");

    // A fingerprint is no place for anything else.
    let (status, _) = app
        .call(
            "GET",
            "/api/sync/pull?cursor=0&policy=x&admin=1",
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_organisation_sees_and_touches_nothing_of_this_one() {
    let app = app(true).await;
    // A second tenant in the same database, with a technician and one customer.
    let other_org = Uuid::now_v7();
    let mut tx = app.db.begin_write().await.unwrap();
    sqlx::query(app.db.sql("INSERT INTO organisations (id, name, created_at) VALUES (?, '别家公司', '2026-01-01T00:00:00.000000Z')"))
        .bind(other_org.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let stranger = seed::insert_user(
        &app.db,
        &mut tx,
        other_org,
        "stranger",
        "外人",
        Role::Manager,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    let their_customer = revisit_domain::Customer {
        id: CustomerId(Uuid::now_v7()),
        name: "赵六".into(),
        phone: "13900000000".into(),
        address: "北京市朝阳区".into(),
        tier: revisit_domain::Tier::Normal,
        product: "净水器".into(),
        purchased_on: today(),
        installed_on: None,
        repaired_on: None,
        technician_id: stranger,
    };
    seed::insert_customer(&app.db, &mut tx, other_org, &their_customer)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let dev = device();
    let s = app.login("stranger", dev).await;
    let (_, first) = app
        .call("GET", "/api/sync/pull?cursor=0", Some(&s.token), None)
        .await;
    assert_eq!(
        first["policy"]["profile"]["name"], "一般售后",
        "an organisation without a chosen profile follows the general one"
    );
    let seen = app.pull_all(&s.token, 500).await;
    assert_eq!(seen.len(), 2, "only their own card and customer: {seen:?}");
    assert_eq!(customers(&seen), vec![their_customer]);

    // A manager of the other organisation cannot record a visit for this one's customer.
    let t1 = app.login("tech1", device()).await;
    let ours = customers(&app.pull_all(&t1.token, 500).await)[0].id;
    let before = app.records("visit").await;
    let (_, body) = app
        .push(&s.token, dev, vec![create(1, &visit(&s, dev, ours))])
        .await;
    assert_eq!(body["rejected"][0]["code"], "forbidden");
    assert_eq!(app.records("visit").await, before);

    // Its report lists no technician of this organisation.
    let (status, body) = app
        .call("GET", "/api/reports/monthly", Some(&s.token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["technicians"], json!([]));

    // The refused visit is kept for the stranger's organisation, never shown to this one.
    let (_, body) = app
        .call("GET", "/api/sync/rejected", Some(&s.token), None)
        .await;
    assert_eq!(body["rejected"].as_array().map(Vec::len), Some(1));
    let ours = app.login("manager", device()).await;
    let (_, body) = app
        .call("GET", "/api/sync/rejected", Some(&ours.token), None)
        .await;
    assert_eq!(body["rejected"], json!([]));
}

#[tokio::test]
async fn the_first_administrator_logs_in_with_the_printed_password() {
    let dir = tempfile::tempdir().unwrap();
    let (db, url) = support::fresh_db(dir.path()).await;
    let seed::Seeded::Admin { username, password } = seed::seed(&db, false, today()).await.unwrap()
    else {
        panic!("expected an administrator")
    };
    let app = TestApp {
        router: router(AppState::new(db.clone(), dir.path().join("no-dist"))),
        db,
        url,
        dir,
    };
    let login = |extra: Value| {
        let mut body = json!({"username": username, "password": password, "device_id": device()});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        body
    };
    let (status, _) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            login(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown field");
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);

    let (status, body) = app
        .json("POST", "/api/auth/login", None, login(json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session: LoginResponse = serde_json::from_value(body).unwrap();
    assert_eq!(session.user.role, Role::Admin);
    assert!(session.user.must_change_password, "a one-time password");
    // Nothing but choosing their own password until they have.
    let (status, body) = app
        .call("GET", "/api/reports/monthly", Some(&session.token), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let (status, body) = app
        .json(
            "POST",
            "/api/auth/password",
            Some(&session.token),
            json!({"current_password": password, "new_password": "管理员的新密码1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call("GET", "/api/reports/monthly", Some(&session.token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["technicians"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_during_concurrent_pushes_see_every_visit_exactly_once() {
    let app = std::sync::Arc::new(app(true).await);
    let mut pushers = Vec::new();
    for name in ["tech1", "tech2"] {
        let app = app.clone();
        pushers.push(tokio::spawn(async move {
            let dev = device();
            let s = app.login(name, dev).await;
            let mine = customers(&app.pull_all(&s.token, 500).await);
            for round in 0..10u64 {
                let batch = (0..2)
                    .map(|k| {
                        let seq = round * 2 + k + 1;
                        create(seq, &visit(&s, dev, mine[seq as usize % mine.len()].id))
                    })
                    .collect();
                let (status, body) = app.push(&s.token, dev, batch).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(body["last_applied_seq"], round * 2 + 2);
            }
        }));
    }
    let m = app.login("manager", device()).await;
    let (mut cursor, mut seen) = (0u64, Vec::new());
    let mut drained_after_pushes = false;
    loop {
        let done = pushers.iter().all(|p| p.is_finished());
        let (status, body) = app
            .call(
                "GET",
                &format!("/api/sync/pull?cursor={cursor}&limit=3"),
                Some(&m.token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: PullResponse = serde_json::from_value(body).unwrap();
        for c in &page.changes {
            assert!(c.version > cursor, "versions only grow");
            if let Entity::Visit(v) = &c.entity {
                seen.push(v.id);
            }
        }
        cursor = page.cursor;
        if !page.has_more {
            if drained_after_pushes {
                break;
            }
            drained_after_pushes = done;
        }
    }
    for p in pushers {
        p.await.unwrap();
    }
    let total = app.records("visit").await;
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no visit pulled twice");
    assert_eq!(seen.len() as i64, total, "no visit missed");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_user_name_for_a_while() {
    let app = app(true).await;
    let attempt = |password: &str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"username": "tech1", "password": password, "device_id": device()})
                    .to_string(),
            ))
            .unwrap()
    };
    for _ in 0..revisit_server::auth::throttle::FREE_FAILURES {
        let res = app.router.clone().oneshot(attempt("guess")).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is refused, with how long to wait.
    let res = app
        .router
        .clone()
        .oneshot(attempt(seed::DEMO_PASSWORD))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "Retry-After {wait}");
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body: revisit_domain::wire::ApiError = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body.code, ErrorCode::TooManyAttempts);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    // Another user is not affected.
    let session = app.login("tech2", device()).await;
    assert_eq!(session.user.role, Role::Technician);
}

#[tokio::test]
async fn imported_customers_reach_their_technicians_and_a_second_import_adds_nothing() {
    let app = app(true).await;
    let t1 = app.login("tech1", device()).await;
    let before = customers(&app.pull_all(&t1.token, 500).await).len();
    // What a spreadsheet exports: a byte-order mark, Chinese headers in another order, a
    // quoted address with a comma, slashes in a date, an empty repair date.
    let csv = "\u{feff}技术员,姓名,电话,地址,等级,产品,购买日期,安装日期,维修日期\n\
               tech1,王小明,138 1234 5678,\"上海市浦东新区张杨路1号, 3楼\",VIP,净水器 RO-400G,2026/11/20,2026-11-21,\n\
               tech2,李四,13900000000,上海市徐汇区漕溪北路2号,普通,管线机 GX-3,2026-10-01,,\n";
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let done = import::import_customers(&app.db, None, csv, today)
        .await
        .unwrap();
    assert_eq!(
        done,
        import::Imported {
            created: 2,
            updated: 0,
            unchanged: 0
        }
    );
    let mine = customers(&app.pull_all(&t1.token, 500).await);
    assert_eq!(
        mine.len(),
        before + 1,
        "only tech1's new customer reaches tech1"
    );
    let new = mine.iter().find(|c| c.name == "王小明").expect("pulled");
    assert_eq!(new.address, "上海市浦东新区张杨路1号, 3楼");
    assert_eq!(new.tier, revisit_domain::Tier::Vip);
    assert_eq!(
        new.purchased_on,
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    );
    assert_eq!(new.installed_on, NaiveDate::from_ymd_opt(2026, 11, 21));
    assert_eq!(new.repaired_on, None);
    assert_eq!(new.technician_id, t1.user.id);

    let again = import::import_customers(&app.db, None, csv, today)
        .await
        .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));

    // The same customer with a new phone number (found by name and address), an installation
    // date and another technician: changed in place, and moved from tech1's device to tech2's.
    let moved = "技术员,姓名,电话,地址,等级,产品,购买日期,安装日期\n\
                 tech2,王小明,13900001111,\"上海市浦东新区张杨路1号, 3楼\",VIP,净水器 RO-400G,2026/11/20,2026-11-22\n";
    let third = import::import_customers(&app.db, None, moved, today)
        .await
        .unwrap();
    assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 0));
    let t2 = app.login("tech2", device()).await;
    let theirs = customers(&app.pull_all(&t2.token, 500).await);
    let changed = theirs
        .iter()
        .find(|c| c.name == "王小明")
        .expect("moved to tech2");
    assert_eq!(changed.id, new.id, "the same customer, not a new one");
    assert_eq!(changed.phone, "13900001111");
    assert_eq!(changed.installed_on, NaiveDate::from_ymd_opt(2026, 11, 22));
    assert_eq!(changed.technician_id, t2.user.id);
    let pulled = app.pull_all(&t1.token, 500).await;
    assert!(
        pulled
            .iter()
            .any(|e| matches!(e, Entity::Removed(r) if r.customer_id == new.id)),
        "tech1's device is told to drop the customer"
    );
}

#[tokio::test]
async fn a_bad_import_names_every_problem_and_imports_nothing() {
    let app = app(true).await;
    let count = "SELECT COUNT(*) FROM records WHERE kind = 'customer'";
    let before = app.count(count).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let csv = "name,phone,address,tier,product,purchased_on,technician\n\
               赵六,13700000000,北京,VIP,净水器,2026-11-01,tech1\n\
               ,电话,上海,gold,净水器,2030-01-01,manager\n\
               钱七,13600000000,广州,普通,净水器,2026-13-01,tech2\n";
    let err = import::import_customers(&app.db, None, csv, today)
        .await
        .unwrap_err();
    let import::ImportError::Rejected(problems) = err else {
        panic!("rejected, not {err:?}");
    };
    assert_eq!(
        problems,
        [
            "row 3, name: empty",
            "row 3, phone: \"电话\" is not a phone number",
            "row 3, tier: \"gold\" is neither VIP nor 普通",
            "row 3, purchased_on: 2030-01-01 is in the future",
            "row 3, technician: \"manager\" is not a technician of the organisation",
            "row 4, purchased_on: \"2026-13-01\" is not a date like 2026-11-30",
        ]
    );
    assert_eq!(
        app.count(count).await,
        before,
        "the good row was not imported either"
    );

    // A missing column or an unknown one is found before any row.
    let err = import::import_customers(&app.db, None, "姓名,电话,颜色\n", today)
        .await
        .unwrap_err();
    let import::ImportError::Rejected(problems) = err else {
        panic!("rejected, not {err:?}");
    };
    assert_eq!(problems[0], "row 1: unknown column \"颜色\"");
    assert!(problems.contains(&"row 1: the column 技术员 (technician) is missing".to_string()));
    // An organisation that does not exist.
    assert!(matches!(
        import::import_customers(&app.db, Some("别家公司"), csv, today).await,
        Err(import::ImportError::Task(admin::TaskError::Organisation(_)))
    ));
}

/// A real organisation from an empty database: the administrator adds a technician, imports
/// their customers, and the technician logs in with the printed password and pulls them.
#[tokio::test]
async fn a_new_organisation_gets_a_technician_and_customers_from_the_command_line() {
    let app = app(false).await;
    let password = admin::add_user(&app.db, None, "zhangwei", "张伟", Role::Technician)
        .await
        .unwrap();
    assert!(matches!(
        admin::add_user(&app.db, None, "zhangwei", "另一个", Role::Technician).await,
        Err(admin::TaskError::Input(_))
    ));
    assert!(matches!(
        admin::add_user(&app.db, None, "zhang wei", "张伟", Role::Technician).await,
        Err(admin::TaskError::Input(_))
    ));
    let csv = "姓名,电话,地址,等级,产品,购买日期,技术员\n\
               王小明,13812345678,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,zhangwei\n";
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    import::import_customers(&app.db, None, csv, today)
        .await
        .unwrap();

    let (status, body) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            json!({"username": "zhangwei", "password": password, "device_id": device()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session: LoginResponse = serde_json::from_value(body).unwrap();
    assert_eq!(session.user.role, Role::Technician);
    assert!(session.user.must_change_password);
    let (status, _) = app
        .json(
            "POST",
            "/api/auth/password",
            Some(&session.token),
            json!({"current_password": password, "new_password": "张伟自己的新密码"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mine = customers(&app.pull_all(&session.token, 100).await);
    assert_eq!(
        mine.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["王小明"]
    );
}

#[tokio::test]
async fn a_complaint_recorded_and_closed_reaches_the_technician_and_schedules_its_follow_up() {
    let app = app(true).await;
    let t1 = app.login("tech1", device()).await;
    let first = app.pull_page(&t1.token, 0, 500).await;
    let complained: Vec<CustomerId> = first
        .changes
        .iter()
        .filter_map(|c| match &c.entity {
            Entity::Complaint(k) => Some(k.customer_id),
            _ => None,
        })
        .collect();
    let mine = customers(
        &first
            .changes
            .iter()
            .map(|c| c.entity.clone())
            .collect::<Vec<_>>(),
    );
    let target = mine
        .iter()
        .find(|c| !complained.contains(&c.id))
        .expect("a customer without complaints")
        .clone();
    let received = noon(today() - chrono::Days::new(3));
    let closed = noon(today() - chrono::Days::new(2));
    let close = |at| {
        admin::close_complaint(
            &app.db,
            None,
            &target.phone,
            at,
            "接口松动",
            "更换接口并试压",
        )
    };

    // Nothing to close yet; an unknown number and an empty summary are refused.
    assert!(matches!(
        close(closed).await,
        Err(admin::TaskError::NotFound(_))
    ));
    assert!(matches!(
        admin::record_complaint(&app.db, None, "10000000000", "漏水", received).await,
        Err(admin::TaskError::NotFound(_))
    ));
    assert!(matches!(
        admin::record_complaint(&app.db, None, &target.phone, " ", received).await,
        Err(admin::TaskError::Input(_))
    ));
    let name = admin::record_complaint(&app.db, None, &target.phone, "净水器漏水", received)
        .await
        .unwrap();
    assert_eq!(name, target.name);
    assert!(matches!(
        close(received - chrono::Duration::hours(1)).await,
        Err(admin::TaskError::Input(_))
    ));
    assert!(
        matches!(
            admin::close_complaint(&app.db, None, &target.phone, closed, " ", "措施").await,
            Err(admin::TaskError::Input(_))
        ),
        "closing asks for the cause"
    );
    close(closed).await.unwrap();

    // The technician's next pull brings the complaint, closed, and the agenda the tablet
    // computes owes a 投诉回访 a week after the closing.
    let page = app.pull_page(&t1.token, first.cursor, 500).await;
    let complaints: Vec<revisit_domain::Complaint> = page
        .changes
        .into_iter()
        .filter_map(|c| match c.entity {
            Entity::Complaint(k) => Some(k),
            _ => None,
        })
        .collect();
    assert_eq!(complaints.len(), 1, "the complaint, once: {complaints:?}");
    let k = &complaints[0];
    assert_eq!(
        (k.customer_id, k.received_at, k.closed_at),
        (target.id, received, Some(closed))
    );
    assert_eq!(k.summary, "净水器漏水");
    assert_eq!(k.cause, "接口松动");
    let policy = revisit_domain::policy::builtin("general").unwrap();
    let mut input = EngineInput::from_records(std::slice::from_ref(&target), &[]);
    input
        .events
        .extend(revisit_domain::event::recorded_lifecycle(&[], &complaints));
    let agenda = open_agenda(
        &policy,
        &WorkCalendar::china(),
        &input,
        noon(today()),
        Horizon::default(),
    );
    let follow_up = agenda
        .items()
        .find(|i| i.rule() == "投诉回访")
        .expect("a complaint follow-up");
    assert_eq!(
        follow_up.due().date(),
        (closed + chrono::Duration::days(7))
            .with_timezone(&revisit_domain::time::china())
            .date_naive()
    );
}

#[tokio::test]
async fn an_organisation_chooses_another_shipped_policy_and_its_devices_get_it() {
    let app = app(true).await;
    let t1 = app.login("tech1", device()).await;
    let (_, first) = app
        .call("GET", "/api/sync/pull?cursor=0", Some(&t1.token), None)
        .await;
    assert_eq!(first["policy"]["profile"]["name"], "一般售后");
    let fingerprint = first["policy"]["fingerprint"].as_str().unwrap().to_string();
    let cursor = first["cursor"].as_u64().unwrap();
    let pull = |fingerprint: String| {
        let (app, token) = (&app, t1.token.clone());
        async move {
            app.call(
                "GET",
                &format!("/api/sync/pull?cursor={cursor}&policy={fingerprint}"),
                Some(&token),
                None,
            )
            .await
            .1
        }
    };
    assert!(pull(fingerprint.clone()).await.get("policy").is_none());

    let err = admin::set_policy(&app.db, None, "no-such-policy")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("water-purifier"), "{err}");
    assert_eq!(
        admin::set_policy(&app.db, None, "water-purifier")
            .await
            .unwrap(),
        revisit_domain::policy::builtin("water-purifier")
            .unwrap()
            .name
    );
    let next = pull(fingerprint).await;
    assert_eq!(
        next["policy"]["profile"]["name"],
        revisit_domain::policy::builtin("water-purifier")
            .unwrap()
            .name,
        "the device holding the old policy gets the new one"
    );
}

#[tokio::test]
async fn an_outbox_of_large_signatures_is_refused_whole_and_taken_in_cut_batches() {
    let app = app(true).await;
    let dev = device();
    let s = app.login("tech1", dev).await;
    let c = customers(&app.pull_all(&s.token, 500).await)[0].id;
    let outbox: Vec<Mutation> = (1..=4)
        .map(|seq| {
            let mut v = visit(&s, dev, c);
            let png = revisit_domain::image::tiny_png(
                300,
                100,
                &vec![seq as u8; revisit_domain::visit::MAX_SIGNATURE_BYTES - 100],
            );
            v.signature = Some(Signature { png });
            create(seq, &v.seal())
        })
        .collect();
    // All four at once are over the request limit: refused, nothing stored.
    let before = app.records("visit").await;
    let (status, _) = app.push(&s.token, dev, outbox.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.records("visit").await, before);
    // Cut as the client cuts them, they all get through.
    let mut rest = &outbox[..];
    let mut pushes = 0;
    while !rest.is_empty() {
        let n = revisit_domain::wire::push_batch_len(rest.iter().map(|m| &m.op));
        let (status, body) = app.push(&s.token, dev, rest[..n].to_vec()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rejected"], json!([]));
        rest = &rest[n..];
        pushes += 1;
    }
    assert!(pushes > 1);
    assert_eq!(app.records("visit").await, before + 4);
}

/// Logs in `username` with `password` on a new device; the status, and the token if any.
async fn try_login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Option<String>) {
    let (status, body) = app
        .json(
            "POST",
            "/api/auth/login",
            None,
            json!({"username": username, "password": password, "device_id": device()}),
        )
        .await;
    (status, body["token"].as_str().map(str::to_owned))
}

/// A user replaces their one-time password: bad requests change nothing, a wrong current
/// password is refused, and the change ends their other sessions but not this one.
#[tokio::test]
async fn a_user_changes_their_own_password_and_their_other_sessions_end() {
    let app = app(true).await;
    let here = app.login("tech1", device()).await;
    let elsewhere = app.login("tech1", device()).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let uri = "/api/auth/password";
    let new = "换个新密码2026";

    let (status, body) = app
        .json(
            "POST",
            uri,
            Some(&here.token),
            change(seed::DEMO_PASSWORD, "short"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .json(
            "POST",
            uri,
            Some(&here.token),
            change(seed::DEMO_PASSWORD, seed::DEMO_PASSWORD),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app
        .json(
            "POST",
            uri,
            Some(&here.token),
            change("not-the-password", new),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "wrong_password");
    let mut extra = change(seed::DEMO_PASSWORD, new);
    extra["role"] = json!("admin");
    let (status, _) = app.json("POST", uri, Some(&here.token), extra).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .json("POST", uri, None, change(seed::DEMO_PASSWORD, new))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing above changed anything.
    assert_eq!(
        try_login(&app, "tech1", seed::DEMO_PASSWORD).await.0,
        StatusCode::OK
    );
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&elsewhere.token), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = app
        .json(
            "POST",
            uri,
            Some(&here.token),
            change(seed::DEMO_PASSWORD, new),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&here.token), None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session that changed it goes on"
    );
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&elsewhere.token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "other sessions end");
    assert_eq!(
        try_login(&app, "tech1", seed::DEMO_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(try_login(&app, "tech1", new).await.0, StatusCode::OK);
    // Another user's password is untouched.
    assert_eq!(
        try_login(&app, "tech2", seed::DEMO_PASSWORD).await.0,
        StatusCode::OK
    );
}

/// The command line gives a user who forgot their password a new one-time password and ends
/// their sessions.
#[tokio::test]
async fn a_forgotten_password_is_reset_from_the_command_line() {
    let app = app(true).await;
    let session = app.login("tech1", device()).await;
    let other = app.login("tech2", device()).await;
    assert!(admin::reset_password(&app.db, "nobody").await.is_err());
    let password = admin::reset_password(&app.db, "tech1").await.unwrap();
    assert_ne!(password, seed::DEMO_PASSWORD);
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&session.token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .call("GET", "/api/auth/me", Some(&other.token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "only that user's sessions end");
    assert_eq!(
        try_login(&app, "tech1", seed::DEMO_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(try_login(&app, "tech1", &password).await.0, StatusCode::OK);
}
