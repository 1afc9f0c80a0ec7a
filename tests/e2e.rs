//! End to end: a technician records a signed visit with the server stopped, and a manager sees it.
//!
//! Real parts only: the release client built by Trunk, the real server binary on a real
//! SQLite file, headless Chromium through chromedriver, and the server process killed
//! (SIGKILL) for the offline part. `cargo xtask test` builds everything and sets
//! `REVISIT_SERVER_BIN`, `REVISIT_DIST`, `CHROMIUM` and `CHROMEDRIVER`.

use std::{
    error::Error,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, wd::Capabilities};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    process::{Child, Command},
};

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

const DEMO_PASSWORD: &str = "demo1234";
const TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn signed_visit_recorded_offline_syncs_and_reaches_the_manager() -> Result<()> {
    let env = |name: &str| {
        std::env::var(name).map_err(|_| format!("{name} is not set: run `cargo xtask test`"))
    };
    let server_bin = PathBuf::from(env("REVISIT_SERVER_BIN")?);
    let dist = PathBuf::from(env("REVISIT_DIST")?);
    let chromium = env("CHROMIUM")?;
    let chromedriver = env("CHROMEDRIVER")?;

    let work = scratch_dir()?;
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server {
        bin: server_bin,
        db: work.join("revisit.sqlite"),
        dist,
        port,
        log: work.join("server.log"),
        child: None,
    };
    server.start().await?;

    let driver_port = free_port()?;
    let _driver = Command::new(&chromedriver)
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    wait_for_port(driver_port).await?;
    let webdriver = format!("http://127.0.0.1:{driver_port}");

    let outcome = async {
        // 2. A technician logs in on a tablet, online, once, and sees today's agenda.
        let tech = browser(&webdriver, &chromium, &work.join("profile-tech"), (1280, 800)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        login(&tech, "tech1").await?;
        let first = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        let customer_id = first.attr("data-customer-id").await?.ok_or("agenda item without data-customer-id")?;
        // The service worker has precached the shell; reload so this page is controlled by it.
        let ready = tech
            .execute_async("navigator.serviceWorker.ready.then(() => arguments[0](true))", vec![])
            .await?;
        assert_eq!(ready, json!(true));
        tech.refresh().await?;
        app_ready(&tech).await?;
        let controlled = tech.execute("return navigator.serviceWorker.controller !== null", vec![]).await?;
        assert_eq!(controlled, json!(true), "the page is not controlled by the service worker");
        screenshot(&tech, &work, "1-agenda").await?;

        // 3. The network goes away: the server process is killed.
        server.kill().await?;
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_until(&tech, "the status bar shows offline", "return document.querySelector('#net-status')?.dataset.online === 'false'").await?;

        tech.goto(&format!("{base}/customers/{customer_id}")).await?;
        app_ready(&tech).await?;
        // The first card is the demo's overdue complaint follow-up (投诉回访 outranks the other
        // overdue items): its customer's page names the complaint, closed.
        let complaint = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=complaint]")).await?.text().await?;
        assert!(complaint.contains("安装时划伤地板") && complaint.contains("已结案"), "{complaint:?}");
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#new-visit")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-on_site]")).await?.click().await?;
        tech.find(Locator::Css("[data-testid=satisfaction-very_satisfied]")).await?.click().await?;
        tech.find(Locator::Css("#visit-notes")).await?.send_keys("设备运行正常，客户非常满意。").await?;
        draw_signature(&tech).await?;
        screenshot(&tech, &work, "2-visit-form").await?;
        tech.find(Locator::Css("#visit-save")).await?.click().await?;
        let row = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=visit-row]")).await?;
        let visit_id = row.attr("data-visit-id").await?.ok_or("visit row without data-visit-id")?;
        let signed = format!("[data-testid=visit-row][data-visit-id='{visit_id}'] img[data-testid=visit-signature]");
        tech.find(Locator::Css(&signed)).await?;
        wait_until(&tech, "one change waits to sync", "return document.querySelector('#pending-count')?.textContent.trim() === '1'").await?;

        // 4. Reload with the server still down: the shell comes from the service worker's
        //    cache and the visit, with its signature, is still there.
        tech.refresh().await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css(&signed)).await?;
        wait_until(&tech, "the change still waits after reload", "return document.querySelector('#pending-count')?.textContent.trim() === '1'").await?;
        wait_until(&tech, "offline is shown after reload", "return document.querySelector('#net-status')?.dataset.online === 'false'").await?;
        let signature_drawn = tech
            .execute(
                "const img = document.querySelector(arguments[0]); return img.complete && img.naturalWidth > 0;",
                vec![json!(signed)],
            )
            .await?;
        assert_eq!(signature_drawn, json!(true), "the stored signature image does not render");
        screenshot(&tech, &work, "3-offline-after-reload").await?;

        // 5. The server comes back; sync runs by itself and the outbox empties.
        server.start().await?;
        let started = Instant::now();
        wait_until_within(
            &tech,
            "the outbox empties by itself",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
            Duration::from_secs(90),
        )
        .await?;
        eprintln!("e2e: automatic sync emptied the outbox {:.1} s after the server came back", started.elapsed().as_secs_f64());
        wait_until(&tech, "online is shown again", "return document.querySelector('#net-status')?.dataset.online === 'true'").await?;

        // A call to a blank number (空号): no rating is asked, the card says 空号, and it syncs.
        tech.goto(&format!("{base}/customers/{customer_id}/visit")).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-phone]")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=reach-blank_number]")).await?.click().await?;
        let rating_asked = tech.execute("return !!document.querySelector('[data-testid^=satisfaction-]')", vec![]).await?;
        assert_eq!(rating_asked, json!(false), "a customer not reached is not asked for a rating");
        tech.find(Locator::Css("#visit-notes")).await?.send_keys("空号，需核实客户电话。").await?;
        tech.find(Locator::Css("#visit-save")).await?.click().await?;
        let reach = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=visit-reach]")).await?;
        assert_eq!(reach.text().await?.trim(), "空号");
        wait_until(&tech, "the 空号 call syncs", "return document.querySelector('#pending-count')?.textContent.trim() === '0'").await?;
        tech.close().await?;

        // 6. A manager on a laptop, in another browser profile, sees the synced, signed visit
        //    on the desk.
        let manager = browser(&webdriver, &chromium, &work.join("profile-manager"), (1366, 768)).await?;
        manager.goto(&format!("{base}/desk/")).await?;
        app_ready(&manager).await?;
        login(&manager, "manager").await?;
        let reported = format!("[data-testid=report-visit][data-visit-id='{visit_id}'] img[data-testid=visit-signature]");
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css(&reported)).await?;
        let rows = manager.find_all(Locator::Css("[data-testid=tech-row]")).await?;
        assert!(rows.len() >= 2, "expected a row per technician, found {}", rows.len());
        let mut rates = Vec::new();
        for row in &rows {
            rates.push(row.find(Locator::Css("[data-testid=completion-rate]")).await?.text().await?);
        }
        assert!(
            rates.iter().all(|r| r.trim() == "—" || r.trim().ends_with('%')),
            "completion rates look wrong: {rates:?}"
        );
        assert!(rates.iter().any(|r| r.trim().ends_with('%')), "no technician has a completion rate: {rates:?}");
        screenshot(&manager, &work, "4-manager-report").await?;

        // 7. On the desk the manager creates a customer for 张伟 (tech1), bought today. The form
        //    survives a reload in the middle of typing; a bad phone number is refused by the
        //    field and nothing is saved.
        manager.goto(&format!("{base}/desk/customers/new")).await?;
        app_ready(&manager).await?;
        fill(&manager, "#customer-name", "周晓明").await?;
        fill(&manager, "#customer-phone", "138-0013-80x").await?;
        manager.refresh().await?;
        app_ready(&manager).await?;
        let kept = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#customer-name")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("周晓明"), "the typed name was lost on reload");
        fill(&manager, "#customer-address", "上海市徐汇区漕溪北路 88 号").await?;
        fill(&manager, "#customer-product", "净水器 RO-600G").await?;
        let today = manager.execute("const d = new Date(Date.now() + 8 * 3600e3); return d.toISOString().slice(0, 10);", vec![]).await?;
        fill(&manager, "#customer-purchased_on", today.as_str().ok_or("no date")?).await?;
        choose(&manager, "#customer-technician", "张伟").await?;
        manager.find(Locator::Css("#customer-save")).await?.click().await?;
        let refused = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#form-error")).await?.text().await?;
        assert!(refused.contains("电话"), "the phone number's error names the field: {refused:?}");
        fill(&manager, "#customer-phone", "13800138000").await?;
        manager.find(Locator::Css("#customer-save")).await?.click().await?;
        wait_until(&manager, "the new customer's page opens", "return /\\/desk\\/customers\\/[0-9a-f-]{36}$/.test(location.pathname)").await?;
        let new_customer = manager.current_url().await?.path().rsplit('/').next().unwrap_or_default().to_string();
        //    Its installation, and a complaint taken by phone.
        fill(&manager, "#event-on", today.as_str().unwrap_or_default()).await?;
        manager.find(Locator::Css("#event-save")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=event]")).await?;
        fill(&manager, "#complaint-summary", "安装后漏水").await?;
        manager.find(Locator::Css("#complaint-save")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#complaints [data-testid=complaint]")).await?;
        wait_until(&manager, "the desk's writes sync", "return document.querySelector('#pending-count')?.textContent.trim() === '0'").await?;
        screenshot(&manager, &work, "5-desk-customer").await?;
        manager.goto(&format!("{base}/desk/customers")).await?;
        app_ready(&manager).await?;
        fill(&manager, "#customer-search", "0013800").await?;
        wait_until(&manager, "the search by part of the number finds the new customer", &format!(
            "return [...document.querySelectorAll('[data-testid=customer-row] a')].some(a => a.href.endsWith('{new_customer}'))"
        )).await?;
        screenshot(&manager, &work, "6-desk-customers").await?;
        //    The organisation's refusals and conflicts, asked of the server: none here.
        manager.goto(&format!("{base}/desk/sync")).await?;
        app_ready(&manager).await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#no-refused")).await?;
        //    The manager chooses a new password from the header: two different entries are
        //    refused on the spot, then it is changed on the server.
        manager.find(Locator::Css("#change-password")).await?.click().await?;
        fill(&manager, "#password-current", DEMO_PASSWORD).await?;
        fill(&manager, "#password-new", "新的密码2026").await?;
        fill(&manager, "#password-again", "新的密码2027").await?;
        manager.find(Locator::Css("#password-save")).await?.click().await?;
        let differ = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#password-message.error")).await?.text().await?;
        assert!(differ.contains("不一致"), "{differ:?}");
        fill(&manager, "#password-again", "新的密码2026").await?;
        manager.find(Locator::Css("#password-save")).await?.click().await?;
        wait_until(&manager, "the password is changed", "const m = document.querySelector('#password-message'); return !!m && !m.classList.contains('error');").await?;
        manager.close().await?;

        // 8. 张伟's tablet pulls the new customer, with the complaint, at its next sync.
        let tablet = browser(&webdriver, &chromium, &work.join("profile-tech-2"), (1024, 768)).await?;
        tablet.goto(&base).await?;
        app_ready(&tablet).await?;
        login(&tablet, "tech1").await?;
        let card = format!("[data-testid=agenda-item][data-customer-id='{new_customer}']");
        tablet.wait().at_most(TIMEOUT).for_element(Locator::Css(&card)).await?;
        tablet.goto(&format!("{base}/customers/{new_customer}")).await?;
        app_ready(&tablet).await?;
        let complaint = tablet.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=complaint]")).await?.text().await?;
        assert!(complaint.contains("安装后漏水"), "{complaint:?}");
        screenshot(&tablet, &work, "7-tablet-new-customer").await?;
        tablet.close().await?;
        Ok::<_, Box<dyn Error + Send + Sync>>(())
    }
    .await;

    if outcome.is_err() {
        let log = std::fs::read_to_string(&server.log).unwrap_or_default();
        eprintln!(
            "e2e failed; screenshots and logs in {}\n--- server log ---\n{log}",
            work.display()
        );
    }
    outcome
}

/// The server process under test; started and killed for real.
struct Server {
    bin: PathBuf,
    db: PathBuf,
    dist: PathBuf,
    port: u16,
    log: PathBuf,
    child: Option<Child>,
}

impl Server {
    async fn start(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.bin)
            .arg("--demo")
            .arg("--db")
            .arg(&self.db)
            .arg("--dist")
            .arg(&self.dist)
            .arg("--addr")
            .arg(format!("127.0.0.1:{}", self.port))
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if http_get(self.port, "/api/health")
                .await
                .is_ok_and(|r| r.starts_with("HTTP/1.1 200"))
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err("the server did not answer /api/health".into())
    }

    /// SIGKILL: no graceful shutdown, as when a machine loses power or the network.
    async fn kill(&mut self) -> Result<()> {
        let mut child = self.child.take().ok_or("server not running")?;
        child.kill().await?;
        assert!(
            http_get(self.port, "/api/health").await.is_err(),
            "the server still answers after kill"
        );
        Ok(())
    }
}

async fn browser(
    webdriver: &str,
    chromium: &str,
    profile: &Path,
    (w, h): (u32, u32),
) -> Result<Client> {
    std::fs::create_dir_all(profile)?;
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={w},{h}"),
            ],
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await?;
    client.set_window_size(w, h).await?;
    Ok(client)
}

async fn app_ready(c: &Client) -> Result<()> {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("body[data-app-ready=true]"))
        .await?;
    Ok(())
}

async fn login(c: &Client, user: &str) -> Result<()> {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#login-username"))
        .await?
        .send_keys(user)
        .await?;
    c.find(Locator::Css("#login-password"))
        .await?
        .send_keys(DEMO_PASSWORD)
        .await?;
    c.find(Locator::Css("#login-submit")).await?.click().await?;
    Ok(())
}

/// Types `value` into the field `css` as a person would end up with it (date inputs too,
/// whose keyboard entry depends on the locale).
async fn fill(c: &Client, css: &str, value: &str) -> Result<()> {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(css))
        .await?;
    c.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(css), json!(value)],
    )
    .await?;
    Ok(())
}

/// Picks the option labelled `label` in the select `css`.
async fn choose(c: &Client, css: &str, label: &str) -> Result<()> {
    let picked = c
        .execute(
            "const el = document.querySelector(arguments[0]); \
             const o = [...el.options].find(o => o.textContent.trim() === arguments[1]); \
             if (!o) return false; el.value = o.value; \
             el.dispatchEvent(new Event('change', { bubbles: true })); return true;",
            vec![json!(css), json!(label)],
        )
        .await?;
    if picked != json!(true) {
        return Err(format!("no option {label:?} in {css}").into());
    }
    Ok(())
}

/// Draws a stroke on the signature pad with pen pointer events, as a stylus would.
async fn draw_signature(c: &Client) -> Result<()> {
    c.execute(
        r#"
        const pad = document.querySelector('#signature-pad');
        const r = pad.getBoundingClientRect();
        const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {
            clientX: r.left + x, clientY: r.top + y, pointerId: 1, pointerType: 'pen',
            pressure: 0.5, isPrimary: true, bubbles: true, cancelable: true }));
        ev('pointerdown', 30, 60);
        for (let i = 1; i <= 40; i++) ev('pointermove', 30 + i * 6, 60 + Math.sin(i / 4) * 25);
        ev('pointerup', 270, 60);
        "#,
        vec![],
    )
    .await?;
    Ok(())
}

async fn wait_until(c: &Client, what: &str, script: &str) -> Result<()> {
    wait_until_within(c, what, script, TIMEOUT).await
}

/// Polls a script returning a boolean until it is true.
async fn wait_until_within(c: &Client, what: &str, script: &str, limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if c.execute(script, vec![]).await? == Value::Bool(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting until {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn screenshot(c: &Client, dir: &Path, name: &str) -> Result<()> {
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await?)?;
    Ok(())
}

async fn http_get(port: u16, path: &str) -> Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).await?;
    Ok(reply)
}

async fn wait_for_port(port: u16) -> Result<()> {
    let deadline = Instant::now() + TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A fresh folder under target/ for this run's database, browser profiles and screenshots.
fn scratch_dir() -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/e2e")
        .join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
