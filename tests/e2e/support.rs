//! Shared parts of the end-to-end scenarios: the real server binary on a real SQLite file,
//! chromedriver and headless Chromium, and the few gestures a person makes (log in, type,
//! choose, sign, wait).

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

pub(crate) type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

pub(crate) const DEMO_PASSWORD: &str = "demo1234";
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// One scenario's world: a demo server of its own on a fresh SQLite file, and chromedriver.
/// Browsers opened with [`World::browser`] get profiles of their own under [`World::work`].
pub(crate) struct World {
    pub(crate) server: Server,
    pub(crate) base: String,
    pub(crate) webdriver: String,
    pub(crate) chromium: String,
    pub(crate) work: PathBuf,
    _driver: Child,
}

impl World {
    /// Starts the demo server and chromedriver for the scenario `name`.
    pub(crate) async fn start(name: &str) -> Result<Self> {
        let env = |var: &str| {
            std::env::var(var).map_err(|_| format!("{var} is not set: run `cargo xtask test`"))
        };
        let work = scratch_dir(name)?;
        let port = free_port()?;
        let mut server = Server {
            bin: PathBuf::from(env("REVISIT_SERVER_BIN")?),
            db: work.join("revisit.sqlite"),
            dist: PathBuf::from(env("REVISIT_DIST")?),
            port,
            log: work.join("server.log"),
            child: None,
        };
        server.start().await?;
        let driver_port = free_port()?;
        let driver = Command::new(env("CHROMEDRIVER")?)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        wait_for_port(driver_port).await?;
        Ok(Self {
            server,
            base: format!("http://127.0.0.1:{port}"),
            webdriver: format!("http://127.0.0.1:{driver_port}"),
            chromium: env("CHROMIUM")?,
            work,
            _driver: driver,
        })
    }

    /// A new browser window of `size`, with a profile (IndexedDB, service worker) of its own.
    pub(crate) async fn browser(&self, profile: &str, size: (u32, u32)) -> Result<Client> {
        browser(
            &self.webdriver,
            &self.chromium,
            &self.work.join(format!("profile-{profile}")),
            size,
        )
        .await
    }

    /// Passes the scenario's outcome through, saying where its screenshots and logs are and
    /// printing the server's log when it failed.
    pub(crate) fn finish(&self, outcome: Result<()>) -> Result<()> {
        if outcome.is_err() {
            let log = std::fs::read_to_string(&self.server.log).unwrap_or_default();
            eprintln!(
                "e2e failed; screenshots and logs in {}\n--- server log ---\n{log}",
                self.work.display()
            );
        }
        outcome
    }
}

/// The server process under test; started and killed for real.
pub(crate) struct Server {
    bin: PathBuf,
    db: PathBuf,
    dist: PathBuf,
    port: u16,
    log: PathBuf,
    child: Option<Child>,
}

impl Server {
    pub(crate) async fn start(&mut self) -> Result<()> {
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
            // Each request's start and end in the log (tower-http's trace layer), so a scenario
            // can tell when a push is in flight.
            .env("RUST_LOG", "info,sqlx=warn,tower_http=debug")
            .env("NO_COLOR", "1")
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

    /// The server's SQLite file.
    pub(crate) fn db(&self) -> &Path {
        &self.db
    }

    /// What the server wrote to its log so far (every start of this server).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no graceful shutdown, as when a machine loses power or the network.
    pub(crate) async fn kill(&mut self) -> Result<()> {
        let mut child = self.child.take().ok_or("server not running")?;
        child.kill().await?;
        assert!(
            http_get(self.port, "/api/health").await.is_err(),
            "the server still answers after kill"
        );
        Ok(())
    }
}

pub(crate) async fn browser(
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

pub(crate) async fn app_ready(c: &Client) -> Result<()> {
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("body[data-app-ready=true]"))
        .await?;
    Ok(())
}

pub(crate) async fn login(c: &Client, user: &str) -> Result<()> {
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
pub(crate) async fn fill(c: &Client, css: &str, value: &str) -> Result<()> {
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
pub(crate) async fn choose(c: &Client, css: &str, label: &str) -> Result<()> {
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
pub(crate) async fn draw_signature(c: &Client) -> Result<()> {
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

pub(crate) async fn wait_until(c: &Client, what: &str, script: &str) -> Result<()> {
    wait_until_within(c, what, script, TIMEOUT).await
}

/// Polls a script returning a boolean until it is true.
pub(crate) async fn wait_until_within(
    c: &Client,
    what: &str,
    script: &str,
    limit: Duration,
) -> Result<()> {
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

pub(crate) async fn screenshot(c: &Client, dir: &Path, name: &str) -> Result<()> {
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await?)?;
    Ok(())
}

pub(crate) async fn http_get(port: u16, path: &str) -> Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).await?;
    Ok(reply)
}

pub(crate) async fn wait_for_port(port: u16) -> Result<()> {
    let deadline = Instant::now() + TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

pub(crate) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A fresh folder under target/ for this run's scenario `name`, for its database, browser profiles and screenshots.
pub(crate) fn scratch_dir(name: &str) -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/e2e")
        .join(format!("run-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The pushes the server's log shows: how many began, and how long each that ended took (ms).
pub(crate) struct Pushes {
    pub(crate) started: usize,
    pub(crate) finished: Vec<u64>,
}

impl Pushes {
    /// Reads tower-http's request lines: `request{method=POST uri=/api/sync/push …}` spans,
    /// `started processing request` then `finished processing request latency=N ms`.
    pub(crate) fn in_log(log: &str) -> Pushes {
        let mut pushes = Pushes {
            started: 0,
            finished: Vec::new(),
        };
        for line in log.lines().filter(|l| l.contains("uri=/api/sync/push")) {
            if line.contains("started processing request") {
                pushes.started += 1;
            } else if let Some(rest) = line.split("finished processing request latency=").nth(1) {
                let ms = rest.split_whitespace().next().and_then(|n| n.parse().ok());
                pushes.finished.push(ms.unwrap_or(0));
            }
        }
        pushes
    }

    /// A push has begun and not ended.
    pub(crate) fn in_flight(&self) -> bool {
        self.started > self.finished.len()
    }
}

/// Customers imported by [`import_customers`] are named this, then a number.
pub(crate) const IMPORTED: &str = "同步客户";

/// The manager, logged in on the desk in `c`, imports new customers of 张伟 numbered `numbers`
/// from a CSV file: as many changes in the outbox at once, written in one IndexedDB
/// transaction, which sync then pushes in batches; sync starts as soon as they are saved. The
/// import page is opened unless it is the page shown. Returns once the import is applied, not
/// yet saved.
pub(crate) async fn start_import(
    c: &Client,
    base: &str,
    work: &Path,
    numbers: std::ops::Range<usize>,
) -> Result<()> {
    let n = numbers.len();
    let mut csv = String::from("姓名,电话,地址,等级,产品,购买日期,安装日期,技术员\r\n");
    for i in numbers.clone() {
        csv.push_str(&format!(
            "{IMPORTED}{i:05},1390{i:07},上海市闵行区同步路 {i} 号,普通,净水器 RO-400G,2026-01-15,,张伟\r\n"
        ));
    }
    let file = work.join(format!("customers-{}-{}.csv", numbers.start, numbers.end));
    std::fs::write(&file, csv)?;
    if !c.current_url().await?.path().ends_with("/desk/import") {
        c.goto(&format!("{base}/desk/import")).await?;
        app_ready(c).await?;
    }
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#import-file"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("[data-testid=import-add]"))
        .await?;
    let added = c
        .execute(
            "return document.querySelectorAll('[data-testid=import-add]').length",
            vec![],
        )
        .await?;
    if added != json!(n) {
        return Err(format!("the import plans {added} additions, not {n}").into());
    }
    c.find(Locator::Css("#import-apply")).await?.click().await?;
    Ok(())
}

/// [`start_import`], then waits until the page says the import is saved.
pub(crate) async fn import_customers(
    c: &Client,
    base: &str,
    work: &Path,
    numbers: std::ops::Range<usize>,
) -> Result<()> {
    start_import(c, base, work, numbers).await?;
    c.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#import-applied"))
        .await?;
    Ok(())
}

/// The number shown by the outbox counter in the status bar.
pub(crate) async fn pending(c: &Client) -> Result<u64> {
    let text = c
        .execute(
            "return document.querySelector('#pending-count')?.textContent.trim() ?? ''",
            vec![],
        )
        .await?;
    text.as_str()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("no outbox count: {text}").into())
}

/// What the server's database holds of the manager's device and of the imported customers.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// Customers named [`IMPORTED`]…: rows, and distinct names among them.
    pub(crate) customers: i64,
    pub(crate) distinct_names: i64,
    /// Audit entries `create` of those customers: each written once per applied mutation.
    pub(crate) creations: i64,
    /// The manager's device streams: how many, `last_seq`, and the (device, seq) digests kept.
    pub(crate) streams: i64,
    pub(crate) last_seq: i64,
    pub(crate) applied_seqs: i64,
    /// Refused mutations and edit conflicts of anyone.
    pub(crate) refused: i64,
    pub(crate) conflicts: i64,
}

impl Held {
    /// Every one of `n` imported customers held once, applied once, nothing refused.
    pub(crate) fn exactly_once(n: usize) -> Held {
        let n = n as i64;
        Held {
            customers: n,
            distinct_names: n,
            creations: n,
            streams: 1,
            last_seq: n,
            applied_seqs: n,
            refused: 0,
            conflicts: 0,
        }
    }

    /// Reads the server's SQLite file (the server may be running: WAL lets a reader in).
    pub(crate) async fn read(db: &Path) -> Result<Held> {
        use sqlx::{ConnectOptions, Connection, sqlite::SqliteConnectOptions};
        let mut c = SqliteConnectOptions::new()
            .filename(db)
            .read_only(true)
            .connect()
            .await?;
        let like = format!("{IMPORTED}%");
        let (customers, distinct_names): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.name')) FROM records
             WHERE kind = 'customer' AND json_extract(data, '$.name') LIKE ?",
        )
        .bind(&like)
        .fetch_one(&mut c)
        .await?;
        let creations: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND record_id IN
             (SELECT id FROM records WHERE kind = 'customer' AND json_extract(data, '$.name') LIKE ?)",
        )
        .bind(&like)
        .fetch_one(&mut c)
        .await?;
        let (streams, last_seq, applied_seqs): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(s.last_seq), 0), COALESCE(SUM(
                (SELECT COUNT(*) FROM device_mutations m
                 WHERE m.device_id = s.device_id AND m.user_id = s.user_id)), 0)
             FROM device_streams s JOIN users u ON u.id = s.user_id WHERE u.username = 'manager'",
        )
        .fetch_one(&mut c)
        .await?;
        let refused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rejected_mutations")
            .fetch_one(&mut c)
            .await?;
        let conflicts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM edit_conflicts")
            .fetch_one(&mut c)
            .await?;
        c.close().await?;
        Ok(Held {
            customers,
            distinct_names,
            creations,
            streams,
            last_seq,
            applied_seqs,
            refused,
            conflicts,
        })
    }
}

/// Waits until the desk in `c` lists `n` customers for the search `query`.
pub(crate) async fn wait_customers_found(
    c: &Client,
    base: &str,
    query: &str,
    n: u64,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let shown = customers_found(c, base, query).await?;
        if shown == n {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the desk lists {shown} customers for {query:?}, not {n}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The number in the desk's customers list count for the search `query` (`#customer-count`).
pub(crate) async fn customers_found(c: &Client, base: &str, query: &str) -> Result<u64> {
    if !c.current_url().await?.path().ends_with("/desk/customers") {
        c.goto(&format!("{base}/desk/customers")).await?;
        app_ready(c).await?;
    }
    fill(c, "#customer-search", query).await?;
    // The list filters as it is typed into; give it a moment, then read the count.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = c
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#customer-count"))
        .await?
        .text()
        .await?;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| format!("no count in {text:?}").into())
}
