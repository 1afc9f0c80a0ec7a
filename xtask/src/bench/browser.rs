//! The agenda benchmark in headless Chromium: the same code and data as natively, compiled to
//! wasm, timed with and without 4x CPU throttling (Chrome DevTools Protocol via chromedriver).

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use fantoccini::{
    ClientBuilder, wd::Capabilities, wd::TimeoutConfiguration, wd::WebDriverCompatibleCommand,
};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::{cmd, root, run, tools};

const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>agenda bench</title>
<script type="module">
import init, { bench_agenda } from './revisit_agenda_bench.js';
window.benchReady = init().then(() => { window.bench = bench_agenda; });
</script>"#;

/// Builds the wasm benchmark, serves it on loopback and runs it in Chromium; returns JSON lines.
pub(crate) fn agenda(customers: u32, runs: u32) -> Result<Vec<String>> {
    let mut build = cmd("cargo");
    build.args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "revisit-agenda-bench",
    ]);
    run(build)?;
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), PathBuf::from);
    let site = root().join("target/bench/agenda-web");
    std::fs::create_dir_all(&site)?;
    let mut bindgen = cmd("wasm-bindgen");
    bindgen
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&site)
        .arg(target.join("wasm32-unknown-unknown/release/revisit_agenda_bench.wasm"));
    run(bindgen)?;
    std::fs::write(site.join("index.html"), PAGE)?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let served = site.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = serve_file(stream, &served);
        }
    });

    let driver_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut driver = Command::new(tools::CHROMEDRIVER)
        .arg(format!("--port={driver_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting chromedriver")?;
    let profile = root().join(format!(
        "target/bench/chromium-profile-{}",
        std::process::id()
    ));
    let result = tokio::runtime::Runtime::new()?.block_on(drive(
        driver_port,
        port,
        &profile,
        customers,
        runs,
    ));
    let _ = driver.kill();
    let _ = driver.wait();
    let _ = std::fs::remove_dir_all(&profile);
    result
}

async fn drive(
    driver_port: u16,
    port: u16,
    profile: &Path,
    customers: u32,
    runs: u32,
) -> Result<Vec<String>> {
    let webdriver = format!("http://127.0.0.1:{driver_port}");
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", driver_port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": tools::CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display())],
        }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&webdriver)
        .await?;
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(600)),
            None,
            None,
        ))
        .await?;
    client
        .goto(&format!("http://127.0.0.1:{port}/index.html"))
        .await?;
    let mut lines = Vec::new();
    for (rate, label) in [
        (1, "agenda_wasm_chromium"),
        (4, "agenda_wasm_chromium_cpu_4x_slower"),
    ] {
        client
            .issue_cmd(Cdp {
                cmd: "Emulation.setCPUThrottlingRate",
                params: json!({ "rate": rate }),
            })
            .await?;
        let line = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.benchReady.then(() => done(window.bench(arguments[0], arguments[1], arguments[2])))
                   .catch((e) => done('error: ' + e));",
                vec![json!(customers), json!(runs), json!(label)],
            )
            .await?;
        match line {
            Value::String(s) if s.starts_with('{') => lines.push(s),
            other => bail!("the wasm benchmark failed: {other}"),
        }
    }
    client.close().await?;
    Ok(lines)
}

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}

/// Answers one GET with a file from `dir` (enough for a static benchmark page).
fn serve_file(mut stream: TcpStream, dir: &Path) -> Result<()> {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? <= 2 {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let name = path.trim_start_matches('/');
    let name = if name.is_empty() { "index.html" } else { name };
    let found = (!name.contains(".."))
        .then(|| std::fs::read(dir.join(name)).ok())
        .flatten();
    let Some(body) = found else {
        stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    };
    let kind = match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript",
        _ => "text/html; charset=utf-8",
    };
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    Ok(())
}
