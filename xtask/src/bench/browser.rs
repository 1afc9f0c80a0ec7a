//! The agenda benchmark in headless Chromium: the same library and data as natively, compiled
//! to wasm, timed with and without 4x CPU throttling (Chrome DevTools Protocol via chromedriver).
//!
//! Two builds: `wasm-release` + `wasm-opt -Oz`, as the client ships (size first), and
//! `release` (speed first, as natively). The page makes the data once per build, untimed; the
//! timer runs in wasm around each engine call only.

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use fantoccini::{
    Client, ClientBuilder, wd::Capabilities, wd::TimeoutConfiguration,
    wd::WebDriverCompatibleCommand,
};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use super::target_dir;
use crate::{cmd, run, tools};

/// The page of one build: `window.measure` makes the data on its first call and returns one
/// JSON line per call, or `error: …` with the panic's message.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>agenda bench</title>
<script type="module">
import init, { WasmBench, last_panic } from './revisit_agenda_bench.js';
let bench;
window.benchReady = init().then(() => {
  window.measure = (customers, events, profile, call, runs, extra) => {
    try {
      bench ??= new WasmBench(customers, events);
      return bench.measure(profile, call, runs, extra);
    } catch (e) {
      return 'error: ' + e + (last_panic() ? ' (panic: ' + last_panic() + ')' : '');
    }
  };
});
</script>"#;

/// A wasm build of the benchmark: its cargo profile and the wasm-opt level applied after.
struct Build {
    profile: &'static str,
    wasm_opt: Option<&'static str>,
}

const BUILDS: [Build; 2] = [
    // As the client ships (index.html: data-cargo-profile-release, data-wasm-opt).
    Build {
        profile: "wasm-release",
        wasm_opt: Some("-Oz"),
    },
    Build {
        profile: "release",
        wasm_opt: None,
    },
];

/// Builds the wasm benchmark, serves it on loopback and runs it in Chromium: for each build and
/// CPU slowdown, each of `profiles` and both engine calls, `runs` timed runs; returns the figures.
pub(crate) fn agenda(
    customers: u32,
    events: u32,
    runs: u32,
    profiles: &[String],
) -> Result<Vec<Value>> {
    let site = target_dir().join("bench/agenda-web");
    for build in &BUILDS {
        let mut cargo = cmd("cargo");
        cargo.args([
            "build",
            "--profile",
            build.profile,
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "revisit-agenda-bench",
        ]);
        run(cargo)?;
        let dir = site.join(build.profile);
        std::fs::create_dir_all(&dir)?;
        let mut bindgen = cmd("wasm-bindgen");
        bindgen
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&dir)
            .arg(target_dir().join(format!(
                "wasm32-unknown-unknown/{}/revisit_agenda_bench.wasm",
                build.profile
            )));
        run(bindgen)?;
        if let Some(level) = build.wasm_opt {
            let wasm = dir.join("revisit_agenda_bench_bg.wasm");
            let mut opt = cmd("wasm-opt");
            opt.arg(level).arg(&wasm).arg("-o").arg(&wasm);
            run(opt)?;
        }
        std::fs::write(dir.join("index.html"), PAGE)?;
    }

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
    let profile = target_dir().join(format!("bench/chromium-profile-{}", std::process::id()));
    let work = Work {
        customers,
        events,
        runs,
        profiles,
    };
    let result =
        tokio::runtime::Runtime::new()?.block_on(drive(driver_port, port, &profile, &work));
    let _ = driver.kill();
    let _ = driver.wait();
    let _ = std::fs::remove_dir_all(&profile);
    result
}

/// What each page measures.
struct Work<'a> {
    customers: u32,
    events: u32,
    runs: u32,
    profiles: &'a [String],
}

async fn drive(driver_port: u16, port: u16, profile: &Path, work: &Work<'_>) -> Result<Vec<Value>> {
    let client = connect(driver_port, profile, &[]).await?;
    let mut figures = Vec::new();
    for build in &BUILDS {
        for rate in [1, 4] {
            for name in work.profiles {
                for call in ["agenda", "open_agenda"] {
                    // A fresh page for each figure: the heap a call leaves behind (the whole
                    // agenda allocates tens of megabytes) slowed the next call at 4x (open
                    // agenda 286 ms after the whole agenda, 217 ms in a fresh page).
                    client
                        .goto(&format!(
                            "http://127.0.0.1:{port}/{}/index.html",
                            build.profile
                        ))
                        .await?;
                    client
                        .issue_cmd(Cdp {
                            cmd: "Emulation.setCPUThrottlingRate",
                            params: json!({ "rate": rate }),
                        })
                        .await?;
                    let mut extra = json!({
                        "build": build.profile,
                        "wasm_opt": build.wasm_opt,
                        "cpu_slowdown": rate,
                    });
                    if rate == 4 && name == "general" && work.customers == 50_000 {
                        extra["budget_ms"] = json!(100);
                    }
                    let line = client
                        .execute_async(
                            "const done = arguments[arguments.length - 1];
                             const args = Array.from(arguments).slice(0, -1);
                             window.benchReady.then(() => done(window.measure(...args)))
                               .catch((e) => done('error: ' + e));",
                            vec![
                                json!(work.customers),
                                json!(work.events),
                                json!(name),
                                json!(call),
                                json!(work.runs),
                                json!(extra.to_string()),
                            ],
                        )
                        .await?;
                    let figure = match &line {
                        Value::String(s) if s.starts_with('{') => serde_json::from_str(s)?,
                        other => bail!(
                            "the wasm benchmark failed ({} build, {name} {call}, {rate}x): {other}",
                            build.profile
                        ),
                    };
                    figures.push(figure);
                }
            }
        }
    }
    client.close().await?;
    Ok(figures)
}

/// A headless Chromium session through the chromedriver on `driver_port` (waited for), with
/// its own profile folder and `args` besides the usual ones; scripts and page loads may take
/// up to ten minutes (a benchmark waits, it does not judge).
pub(crate) async fn connect(driver_port: u16, profile: &Path, args: &[&str]) -> Result<Client> {
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", driver_port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut all = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": tools::CHROMIUM, "args": all }),
    );
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await?;
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(600)),
            Some(Duration::from_secs(600)),
            None,
        ))
        .await?;
    Ok(client)
}

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
pub(crate) struct Cdp {
    pub(crate) cmd: &'static str,
    pub(crate) params: Value,
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
