//! A tablet full of data (issue 16): one technician with N customers and M visits, made
//! through the real server (a manager pushes the customers, the technician's other device
//! pushes the visits), then the field app as it ships, in headless Chromium at 1024×768:
//! the first sync after login, the offline cold start to the first agenda cards (the server
//! killed for real; unthrottled and at 4× CPU), opening a customer, the main thread's long
//! tasks, and the IndexedDB size. Each timed figure is min / median / max of 5 runs.

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, TimeZone, Utc};
use fantoccini::{Client, Locator};
use revisit_domain::{
    Channel, Customer, CustomerId, DeviceId, Reach, Satisfaction, Signature, Tier, VisitId,
    VisitRecord, edit::Edit, wire::MutationOp,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    browser::{Cdp, connect},
    sync::{DEMO_PASSWORD, Server, login, push_ops},
    target_dir,
};
use crate::{dist, tools};

const BATCH: usize = 500;
const RUNS: usize = 5;

/// Watches, from the first script of every page, for the first agenda card and for long
/// tasks, so a cold start is timed from the navigation itself.
const WATCH: &str = r#"
window.__long = [];
try {
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
} catch (e) {}
new MutationObserver((_, o) => {
  if (window.__cards === undefined && document.querySelector('[data-testid=agenda-item]')) {
    window.__cards = performance.now();
    o.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"#;

/// Builds the device through the server, then measures it in Chromium; prints JSON lines.
pub(crate) fn measure(customers: usize, visits: usize) -> Result<()> {
    dist::build()?;
    let mut server = Server::start("scale")?;
    let base = server.base.clone();
    let started = Instant::now();
    let tech = login(&base, "tech1", DeviceId(Uuid::now_v7()))?;
    let manager_device = DeviceId(Uuid::now_v7());
    let manager = login(&base, "manager", manager_device)?;
    let made: Vec<Customer> = (0..customers)
        .map(|i| Customer {
            id: CustomerId(Uuid::now_v7()),
            name: format!("规模客户{i:05}"),
            phone: format!("139{i:08}"),
            address: format!("上海市浦东新区张江路 {} 号", i % 2000 + 1),
            tier: if i % 10 == 0 { Tier::Vip } else { Tier::Normal },
            product: "净水器 RO-400".into(),
            purchased_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Days::new((i % 600) as u64),
            installed_on: None,
            repaired_on: None,
            technician_id: tech.user.id,
        })
        .collect();
    let creations = made.iter().map(|c| {
        MutationOp::EditCustomer(Edit {
            id: c.id,
            base_version: 0,
            changes: c.as_changes(),
        })
    });
    push_ops(&base, &manager.token, manager_device, creations, BATCH)?;
    let tech_device = DeviceId(Uuid::now_v7());
    let tech_other = login(&base, "tech1", tech_device)?;
    let signature: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 251) as u8).collect();
    let records = (0..visits).map(|i| {
        MutationOp::CreateVisit(
            VisitRecord {
                id: VisitId(Uuid::now_v7()),
                customer_id: made[i % customers].id,
                technician_id: tech.user.id,
                device_id: tech_device,
                visited_at: Utc
                    .with_ymd_and_hms(2025, 1 + (i % 12) as u32, 1 + (i % 28) as u32, 2, 0, 0)
                    .unwrap(),
                channel: Channel::ALL[i % 2],
                reach: Reach::Reached,
                satisfaction: Some(Satisfaction::ALL[i % 5]),
                notes: "设备运行正常，滤芯已更换，客户满意。".into(),
                // On site, signed (a few kilobytes, as a real one); by phone, not.
                signature: (Channel::ALL[i % 2] == Channel::OnSite).then(|| Signature {
                    png: revisit_domain::image::tiny_png(600, 240, &signature),
                }),
                photos: Vec::new(),
                amends: None,
                sha256: String::new(),
            }
            .seal(),
        )
    });
    push_ops(&base, &tech_other.token, tech_device, records, BATCH)?;
    println!(
        "{}",
        json!({"bench": "scale_setup", "customers": customers, "visits": visits,
               "ms": started.elapsed().as_millis() as u64})
    );

    let driver_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut driver = Command::new(tools::CHROMEDRIVER)
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting chromedriver")?;
    let profile = target_dir().join(format!("bench/scale-profile-{}", std::process::id()));
    let result = tokio::runtime::Runtime::new()?.block_on(async {
        let client = connect(
            driver_port,
            &profile,
            &["--window-size=1024,768", "--lang=zh-CN"],
        )
        .await?;
        let figures = in_browser(&client, &mut server, customers, visits).await;
        client.close().await?;
        figures
    });
    let _ = driver.kill();
    let _ = driver.wait();
    let _ = std::fs::remove_dir_all(&profile);
    result.map(|_| ())
}

/// Polls `script` (a function body returning a value, null while not yet) until it answers.
async fn until(c: &Client, what: &str, script: &str, within: Duration) -> Result<Value> {
    let deadline = Instant::now() + within;
    loop {
        let v = c.execute(script, vec![]).await?;
        if !v.is_null() && v != json!(false) {
            return Ok(v);
        }
        if Instant::now() > deadline {
            bail!("scale benchmark: {what} did not happen within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn cdp(c: &Client, cmd: &'static str, params: Value) -> Result<Value> {
    Ok(c.issue_cmd(Cdp { cmd, params }).await?)
}

/// Min, median and max.
fn spread(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({"min": ms[0].round(), "median": ms[ms.len() / 2].round(), "max": ms[ms.len() - 1].round()})
}

async fn in_browser(
    c: &Client,
    server: &mut Server,
    customers: usize,
    visits: usize,
) -> Result<Vec<Value>> {
    let size = json!({"customers": customers, "visits": visits});
    let line = |name: &str, figure: Value| -> Value {
        let mut v = json!({"bench": name});
        v.as_object_mut()
            .unwrap()
            .extend(size.as_object().unwrap().clone());
        v.as_object_mut()
            .unwrap()
            .extend(figure.as_object().unwrap().clone());
        // Printed as measured, so a later step that fails keeps the earlier figures.
        println!("{v}");
        v
    };
    let mut lines = Vec::new();
    cdp(
        c,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": WATCH}),
    )
    .await?;
    let base = server.base.clone();
    c.goto(&base).await?;
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#login-username"))
        .await?
        .send_keys("tech1")
        .await?;
    c.find(Locator::Css("#login-password"))
        .await?
        .send_keys(DEMO_PASSWORD)
        .await?;
    // First sync: from pressing 登录 to the first cards, and to the whole device synced.
    let pressed = Instant::now();
    c.find(Locator::Css("#login-submit")).await?.click().await?;
    let hour = Duration::from_secs(3600);
    until(
        c,
        "the first agenda cards",
        "return document.querySelector('[data-testid=agenda-item]') ? true : null",
        hour,
    )
    .await?;
    let first_cards = pressed.elapsed().as_millis() as u64;
    until(
        c,
        "the first sync's end",
        "const s = document.querySelector('#last-sync')?.textContent ?? '';
         return /\\d\\d:\\d\\d/.test(s) && !document.querySelector('#sync-now').disabled ? true : null",
        hour,
    )
    .await?;
    let synced = pressed.elapsed().as_millis() as u64;
    lines.push(line(
        "scale_first_sync",
        json!({"first_cards_ms": first_cards, "synced_ms": synced}),
    ));
    let usage = c
        .execute_async(
            "navigator.storage.estimate().then((e) => arguments[0](e.usage))",
            vec![],
        )
        .await?;
    lines.push(line("scale_indexeddb", json!({"bytes": usage})));
    c.execute_async(
        "navigator.serviceWorker.ready.then(() => arguments[0](true))",
        vec![],
    )
    .await?;

    // Offline for real: the server process is killed.
    server.kill();
    for rate in [1, 4] {
        let (mut cold, mut open, mut longest, mut blocked) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            cdp(c, "Emulation.setCPUThrottlingRate", json!({"rate": 1})).await?;
            c.goto("about:blank").await?;
            cdp(c, "Emulation.setCPUThrottlingRate", json!({"rate": rate})).await?;
            c.goto(&base).await?;
            let at = until(
                c,
                "the first cards offline",
                "return window.__cards ?? null",
                hour,
            )
            .await?;
            let at = at.as_f64().unwrap_or_default();
            cold.push(at);
            // Long tasks up to the first cards and the second after.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let long = c
                .execute(
                    "return window.__long.filter(([s]) => s <= arguments[0] + 1000).map(([, d]) => d)",
                    vec![json!(at)],
                )
                .await?;
            let long: Vec<f64> = serde_json::from_value(long)?;
            longest.push(long.iter().copied().fold(0.0, f64::max));
            blocked.push(long.iter().map(|d| (d - 50.0).max(0.0)).sum());
            // Opening the first card's customer, to their visits on screen.
            let ms = c
                .execute_async(
                    "const done = arguments[0];
                     const t0 = performance.now();
                     document.querySelector('[data-testid=agenda-item]').click();
                     const check = () => document.querySelector('[data-testid=visit-row]')
                       ? done(performance.now() - t0) : setTimeout(check, 5);
                     check();",
                    vec![],
                )
                .await?;
            open.push(ms.as_f64().unwrap_or_default());
        }
        lines.push(line(
            "scale_cold_start_offline",
            json!({"cpu_slowdown": rate, "first_cards_ms": spread(cold),
                   "longest_task_ms": spread(longest), "blocked_ms": spread(blocked)}),
        ));
        lines.push(line(
            "scale_open_customer",
            json!({"cpu_slowdown": rate, "ms": spread(open)}),
        ));
    }

    // A minute idle on the agenda, offline, unthrottled: the main thread's blocked time.
    cdp(c, "Emulation.setCPUThrottlingRate", json!({"rate": 1})).await?;
    c.goto(&base).await?;
    until(
        c,
        "the first cards offline",
        "return window.__cards ?? null",
        hour,
    )
    .await?;
    let from = c.execute("return performance.now()", vec![]).await?;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let long = c
        .execute(
            "return window.__long.filter(([s]) => s >= arguments[0]).map(([, d]) => d)",
            vec![from],
        )
        .await?;
    let long: Vec<f64> = serde_json::from_value(long)?;
    lines.push(line(
        "scale_idle_minute",
        json!({"long_tasks": long.len(), "blocked_ms": long.iter().map(|d| (d - 50.0).max(0.0)).sum::<f64>().round()}),
    ));
    Ok(lines)
}
