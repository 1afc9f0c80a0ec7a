//! Sync throughput: N visits pushed through the real server and pulled into a fresh device,
//! side by side with PouchDB replicating the same number of documents in the same run.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use chrono::{TimeZone, Utc};
use revisit_domain::{
    Channel, CustomerId, DeviceId, Reach, Satisfaction, VisitId, VisitRecord,
    wire::{
        Entity, LoginRequest, LoginResponse, Mutation, MutationOp, PullResponse, PushRequest,
        PushResponse, SCHEMA_VERSION,
    },
};
use uuid::Uuid;

use crate::{cmd, output, root, run};

/// Same batch size as the PouchDB peer.
const BATCH: usize = 500;
pub(crate) const DEMO_PASSWORD: &str = "demo1234";

/// Our push and pull of `n` visits, then the PouchDB peer's, then the ratios; then ours again
/// with the server on PostgreSQL (a throwaway cluster, as the tests make it).
pub(crate) fn compare(n: usize) -> Result<()> {
    let ours = ours(n, None)?;
    println!(
        "{{\"bench\":\"sync_revisit\",\"docs\":{n},\"pulled\":{},\"push_ms\":{},\"pull_ms\":{}}}",
        ours.pulled, ours.push_ms, ours.pull_ms
    );
    match pouchdb(n) {
        Ok(peer) => {
            println!("{}", peer.line.trim());
            println!(
                "{{\"bench\":\"sync_ratio\",\"docs\":{n},\"push_ours_over_pouchdb\":{:.2},\"pull_ours_over_pouchdb\":{:.2}}}",
                ours.push_ms as f64 / peer.push_ms.max(1) as f64,
                ours.pull_ms as f64 / peer.pull_ms.max(1) as f64
            );
        }
        Err(e) => {
            eprintln!("xtask bench: the PouchDB peer could not run ({e:#}); no ratio this time")
        }
    }
    // The same pushes applied by the server on each backend: SQLite (above, synchronous =
    // NORMAL) and PostgreSQL (the test cluster: fsync off).
    if let Some(cluster) = crate::postgres::Cluster::start()? {
        let pg = self::ours(n, Some(&cluster.url()))?;
        println!(
            "{{\"bench\":\"sync_push_by_backend\",\"docs\":{n},\"sqlite_push_ms\":{},\"postgres_push_ms\":{},\"sqlite_pull_ms\":{},\"postgres_pull_ms\":{}}}",
            ours.push_ms, pg.push_ms, ours.pull_ms, pg.pull_ms
        );
    }
    Ok(())
}

struct Figures {
    push_ms: u128,
    pull_ms: u128,
    pulled: usize,
}

/// The release server on a fresh demo database of its own, listening on a free port; killed
/// and its database removed when dropped.
pub(crate) struct Server {
    /// `http://127.0.0.1:port`.
    pub(crate) base: String,
    db: std::path::PathBuf,
    process: KillOnDrop,
}

impl Server {
    pub(crate) fn start(name: &str) -> Result<Server> {
        Server::start_on(name, None)
    }

    /// The server on the PostgreSQL database at `database_url`, or on a SQLite file of its own.
    pub(crate) fn start_on(name: &str, database_url: Option<&str>) -> Result<Server> {
        let mut build = cmd("cargo");
        build.args(["build", "--release", "-p", "revisit-server"]);
        run(build)?;
        let dir = root().join("target/bench");
        std::fs::create_dir_all(&dir)?;
        let db = dir.join(format!("{name}-{}.sqlite", std::process::id()));
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let target =
            std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), Into::into);
        let server = Command::new(Path::new(&target).join("release/revisit-server"))
            .args([
                "--demo",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--dist",
                "dist",
            ])
            .args(match database_url {
                Some(url) => ["--database-url".as_ref(), url.as_ref()],
                None => ["--db".as_ref(), db.as_os_str()],
            })
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            db,
            process: KillOnDrop(server),
        };
        wait_healthy(&server.base)?;
        Ok(server)
    }

    /// Kills the server process for real (a device then meets no server at all).
    pub(crate) fn kill(&mut self) {
        let _ = self.process.0.kill();
        let _ = self.process.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}

fn ours(n: usize, database_url: Option<&str>) -> Result<Figures> {
    let server = Server::start_on("sync", database_url)?;
    let base = server.base.clone();
    let device_a = DeviceId(Uuid::now_v7());
    let a = login(&base, "tech1", device_a)?;
    let customers = customer_ids(&base, &a.token)?;
    let visits: Vec<VisitRecord> = (0..n)
        .map(|i| {
            VisitRecord {
                id: VisitId(Uuid::now_v7()),
                customer_id: customers[i % customers.len()],
                technician_id: a.user.id,
                device_id: device_a,
                visited_at: Utc
                    .with_ymd_and_hms(2026, 3, 1 + (i % 28) as u32, 1, 30, 0)
                    .unwrap(),
                channel: Channel::Phone,
                reach: Reach::Reached,
                satisfaction: Some(Satisfaction::ALL[i % 4]),
                notes: "设备运行正常，客户对维修服务满意，建议下次提前电话预约。".into(),
                signature: None,
                photos: Vec::new(),
                amends: None,
                sha256: String::new(),
            }
            .seal()
        })
        .collect();

    let started = Instant::now();
    push_all(&base, &a.token, device_a, &visits, BATCH)?;
    let push_ms = started.elapsed().as_millis();

    let b = login(&base, "tech1", DeviceId(Uuid::now_v7()))?;
    let started = Instant::now();
    let pulled = pull_all(&base, &b.token)?
        .into_iter()
        .filter(|e| matches!(e, Entity::Visit(_)))
        .count();
    let pull_ms = started.elapsed().as_millis();
    Ok(Figures {
        push_ms,
        pull_ms,
        pulled,
    })
}

/// Pushes `visits` as `device`'s mutations 1, 2, … in batches of `batch`; fails on any
/// refusal.
pub(crate) fn push_all(
    base: &str,
    token: &str,
    device: DeviceId,
    visits: &[VisitRecord],
    batch: usize,
) -> Result<()> {
    let ops = visits.iter().map(|v| MutationOp::CreateVisit(v.clone()));
    push_ops(base, token, device, ops, batch)
}

/// Pushes `ops` as `device`'s mutations 1, 2, … in batches of `batch`; fails on any refusal.
pub(crate) fn push_ops(
    base: &str,
    token: &str,
    device: DeviceId,
    ops: impl IntoIterator<Item = MutationOp>,
    batch: usize,
) -> Result<()> {
    let mut ops = ops.into_iter().peekable();
    let mut seq = 0u64;
    while ops.peek().is_some() {
        let push = PushRequest {
            device_id: device,
            schema_version: SCHEMA_VERSION,
            mutations: ops
                .by_ref()
                .take(batch)
                .map(|op| {
                    seq += 1;
                    Mutation { seq, op }
                })
                .collect(),
        };
        // Encoded once, straight to bytes (`send_json` of a `Value` encodes twice).
        let body = serde_json::to_vec(&push)?;
        let reply: PushResponse = ureq::post(&format!("{base}/api/sync/push"))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_bytes(&body)?
            .into_json()?;
        if !reply.rejected.is_empty() {
            bail!(
                "the server rejected {} benchmark records: {:?}",
                reply.rejected.len(),
                reply.rejected[0]
            );
        }
    }
    Ok(())
}

/// Logs a demo user in on `device_id`.
pub(crate) fn login(base: &str, username: &str, device_id: DeviceId) -> Result<LoginResponse> {
    let body = LoginRequest {
        username: username.into(),
        password: DEMO_PASSWORD.into(),
        device_id,
    };
    Ok(ureq::post(&format!("{base}/api/auth/login"))
        .send_json(serde_json::to_value(&body)?)?
        .into_json()?)
}

/// The ids of the customers `token` may visit (a demo technician has some).
pub(crate) fn customer_ids(base: &str, token: &str) -> Result<Vec<CustomerId>> {
    let customers: Vec<CustomerId> = pull_all(base, token)?
        .into_iter()
        .filter_map(|e| match e {
            Entity::Customer(c) => Some(c.id),
            _ => None,
        })
        .collect();
    if customers.is_empty() {
        bail!("the demo technician has no customers");
    }
    Ok(customers)
}

/// Everything `token` may see, pulled in pages.
pub(crate) fn pull_all(base: &str, token: &str) -> Result<Vec<Entity>> {
    let mut cursor = 0;
    let mut all = Vec::new();
    loop {
        let page: PullResponse = ureq::get(&format!(
            "{base}/api/sync/pull?cursor={cursor}&limit={BATCH}"
        ))
        .set("Authorization", &format!("Bearer {token}"))
        .call()?
        .into_json()?;
        all.extend(page.changes.into_iter().map(|c| c.entity));
        cursor = page.cursor;
        if !page.has_more {
            return Ok(all);
        }
    }
}

fn wait_healthy(base: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while ureq::get(&format!("{base}/api/health")).call().is_err() {
        if Instant::now() > deadline {
            bail!("the server did not start");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Peer {
    line: String,
    push_ms: u128,
    pull_ms: u128,
}

/// shared/bench/pouchdb-peer, copied out of the read-only shared folder and installed once.
/// The shared folder sits beside the checkout, or beside the folder of its worktrees.
fn pouchdb(n: usize) -> Result<Peer> {
    let checkout = root();
    let source = checkout
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/bench/pouchdb-peer"))
        .find(|dir| dir.join("bench.mjs").exists())
        .context("no shared/bench/pouchdb-peer beside the checkout")?;
    let dir = root().join("target/bench/pouchdb-peer");
    std::fs::create_dir_all(&dir)?;
    for file in ["bench.mjs", "package.json"] {
        std::fs::copy(source.join(file), dir.join(file))
            .with_context(|| format!("copying {file}"))?;
    }
    if !dir.join("node_modules/pouchdb-node").exists() {
        let mut install = cmd("npm");
        install
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&dir);
        run(install)?;
    }
    let mut node = cmd("node");
    node.arg("bench.mjs").arg(n.to_string()).current_dir(&dir);
    let line = output(node).context("node bench.mjs failed")?;
    let json: serde_json::Value = serde_json::from_str(line.trim())?;
    let ms = |k: &str| json[k].as_u64().map(u128::from).context("missing figure");
    Ok(Peer {
        push_ms: ms("push_ms")?,
        pull_ms: ms("pull_ms")?,
        line,
    })
}
