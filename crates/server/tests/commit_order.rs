//! The pull cursor under concurrent writers: a version is taken inside the write transaction,
//! so a writer that took a version and commits late must never be skipped by a pull that ran
//! while it was open. Meant for PostgreSQL (`cargo xtask test` runs it there), where writers
//! really run at once; on SQLite the single writer connection gives the same order.

use std::{sync::Arc, time::Duration};

use axum::http::StatusCode;
use chrono::Utc;
use revisit_domain::{
    Channel, Customer, DeviceId, Reach, VisitId, VisitRecord,
    wire::{Entity, LoginResponse, Mutation, MutationOp},
};
use revisit_server::store::records::{self, Author};
use tokio::sync::Mutex;
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

use support::{TestApp, app, device};

/// Pulls everything after `cursor` as `token`; returns the changes' (version, entity) and the
/// new cursor.
async fn drain(app: &TestApp, token: &str, mut cursor: u64) -> (Vec<(u64, Entity)>, u64) {
    let mut seen = Vec::new();
    loop {
        let page = app.pull_page(token, cursor, 100).await;
        assert!(page.cursor >= cursor, "the cursor never goes back");
        seen.extend(page.changes.into_iter().map(|c| (c.version, c.entity)));
        cursor = page.cursor;
        if !page.has_more {
            return (seen, cursor);
        }
    }
}

fn visit(session: &LoginResponse, device: DeviceId, customer: &Customer) -> VisitRecord {
    VisitRecord {
        id: VisitId(Uuid::now_v7()),
        customer_id: customer.id,
        technician_id: session.user.id,
        device_id: device,
        visited_at: Utc::now(),
        channel: Channel::Phone,
        reach: Reach::BlankNumber,
        satisfaction: None,
        notes: String::new(),
        signature: None,
        photos: Vec::new(),
        amends: None,
        sha256: String::new(),
    }
    .seal()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_that_commits_late_is_never_skipped_by_a_pull() {
    let app = Arc::new(app(true).await);
    let manager = app.login("manager", device()).await;
    let (_, start) = drain(&app, &manager.token, 0).await;
    let tech_device = device();
    let tech = app.login("tech1", tech_device).await;
    let (theirs, _) = drain(&app, &tech.token, 0).await;
    let customer = theirs
        .into_iter()
        .find_map(|(_, e)| match e {
            Entity::Customer(c) => Some(c),
            _ => None,
        })
        .expect("tech1 has customers");
    let org: String = sqlx::query_scalar(app.db.sql("SELECT org_id FROM users WHERE id = ?"))
        .bind(tech.user.id.to_string())
        .fetch_one(&app.db.read)
        .await
        .unwrap();

    // Writer A takes the next version and holds its transaction open.
    let mut renamed = customer.clone();
    renamed.name = "晚提交的客户".into();
    let mut a = app.db.begin_write().await.unwrap();
    let version_a = records::put(
        &app.db,
        &mut a,
        &org,
        &renamed,
        Some(tech.user.id),
        Author::SERVER,
        None,
    )
    .await
    .unwrap();
    assert!(version_a as u64 > start);

    // Writer B, a device's push, wants a later version and would commit first if it could.
    let commits = Arc::new(Mutex::new(Vec::<&str>::new()));
    let late = visit(&tech, tech_device, &customer);
    let b = {
        let (app, commits, token, late) = (
            app.clone(),
            commits.clone(),
            tech.token.clone(),
            late.clone(),
        );
        tokio::spawn(async move {
            let push = vec![Mutation {
                seq: 1,
                op: MutationOp::CreateVisit(late),
            }];
            let (status, body) = app.push(&token, tech_device, push).await;
            commits.lock().await.push("B");
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["last_applied_seq"], 1, "{body}");
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A pull between them: its cursor must stay below A's version (were B committed at a later
    // version, the cursor would pass A's and A would be skipped for ever), and it sees
    // neither, for B cannot take its version until A is done.
    let (between, cursor) = drain(&app, &manager.token, start).await;
    assert!(
        cursor < version_a as u64,
        "the cursor passed version {version_a}, which has not committed: it would be skipped"
    );
    assert!(
        between.is_empty(),
        "rows pulled while A is open: {between:?}"
    );
    assert!(
        !b.is_finished(),
        "a second writer committed while the first held an earlier version"
    );

    commits.lock().await.push("A");
    a.commit().await.unwrap();
    b.await.unwrap();
    assert_eq!(*commits.lock().await, ["A", "B"], "commit order");

    // The next pull from that cursor gets A, then B, in version order: nobody skipped.
    let (after, _) = drain(&app, &manager.token, cursor).await;
    let versions: Vec<u64> = after.iter().map(|(v, _)| *v).collect();
    assert!(versions.is_sorted(), "{versions:?}");
    let pos_a = after
        .iter()
        .position(|(_, e)| matches!(e, Entity::Customer(c) if c.name == "晚提交的客户"))
        .expect("the late writer's row is pulled");
    let pos_b = after
        .iter()
        .position(|(_, e)| matches!(e, Entity::Visit(v) if v.id == late.id))
        .expect("the pushed visit is pulled");
    assert_eq!(after[pos_a].0, version_a as u64);
    assert!(pos_a < pos_b && after[pos_b].0 > version_a as u64);
}
