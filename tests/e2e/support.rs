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
