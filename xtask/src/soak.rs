//! `cargo xtask soak [--seeds N] [--first S] [--steps K] [--jobs J] [--postgres]`: the sync
//! simulation over many seeds, a few processes at once; prints each failing seed with the
//! command that replays it.

use std::{
    collections::VecDeque,
    path::PathBuf,
    process::Command,
    sync::{Arc, Mutex},
    time::Instant,
};

use anyhow::{Context, Result, bail};

use crate::{cmd, postgres};

/// Seeds per process: few enough that a failure costs little to locate.
const CHUNK: u64 = 10;

struct Options {
    seeds: u64,
    first: u64,
    steps: Option<u64>,
    jobs: usize,
    postgres: bool,
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        seeds: 1000,
        first: 1,
        steps: None,
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        postgres: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{flag} needs a value"))?
                .parse::<u64>()
                .with_context(|| format!("{flag} takes a number"))
        };
        match flag.as_str() {
            "--seeds" => o.seeds = value()?,
            "--first" => o.first = value()?,
            "--steps" => o.steps = Some(value()?),
            "--jobs" => o.jobs = value()?.max(1) as usize,
            "--postgres" => o.postgres = true,
            other => bail!("unknown flag {other}; see `cargo xtask`"),
        }
    }
    Ok(o)
}

/// Builds the simulation once, runs its seeds in chunks on `jobs` processes, and fails if
/// any seed failed.
pub(crate) fn main(args: &[String]) -> Result<()> {
    let o = options(args)?;
    let binary = build()?;
    let cluster = if o.postgres {
        Some(postgres::Cluster::start()?.context("--postgres needs PostgreSQL")?)
    } else {
        None
    };
    let postgres_url = cluster.as_ref().map(postgres::Cluster::url);
    let last = o.first + o.seeds - 1;
    let queue: VecDeque<(u64, u64)> = (o.first..=last)
        .step_by(CHUNK as usize)
        .map(|a| (a, (a + CHUNK - 1).min(last)))
        .collect();
    let queue = Arc::new(Mutex::new(queue));
    let failed = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    let started = Instant::now();
    eprintln!(
        "xtask soak: seeds {}..={last} on {} processes{}",
        o.first,
        o.jobs,
        if o.postgres {
            ", PostgreSQL"
        } else {
            ", SQLite"
        }
    );
    std::thread::scope(|s| {
        for _ in 0..o.jobs {
            let (queue, failed, binary, url) = (&queue, &failed, &binary, &postgres_url);
            s.spawn(move || {
                loop {
                    let Some((a, b)) = queue.lock().unwrap().pop_front() else {
                        return;
                    };
                    match run_chunk(binary, a, b, o.steps, url.as_deref()) {
                        Ok(()) => {}
                        Err((seed, why)) => {
                            eprintln!("xtask soak: seed {seed} FAILED");
                            failed.lock().unwrap().push((seed, why));
                            if seed < b {
                                queue.lock().unwrap().push_back((seed + 1, b));
                            }
                        }
                    }
                }
            });
        }
    });
    drop(cluster);
    let secs = started.elapsed().as_secs_f64();
    let mut failed = failed.lock().unwrap().clone();
    failed.sort();
    println!(
        "{{\"bench\":\"soak\",\"seeds\":{},\"failed\":{},\"seconds\":{secs:.1},\"backend\":\"{}\"}}",
        o.seeds,
        failed.len(),
        if o.postgres { "postgres" } else { "sqlite" }
    );
    if failed.is_empty() {
        return Ok(());
    }
    for (seed, why) in &failed {
        let steps = o
            .steps
            .map_or(String::new(), |s| format!("REVISIT_SIM_STEPS={s} "));
        let pg = if o.postgres {
            "REVISIT_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT "
        } else {
            ""
        };
        eprintln!(
            "\nseed {seed} failed:\n{why}\nreplay: {pg}{steps}REVISIT_SIM_SEEDS={seed} cargo test \
             -p revisit-server --test sync_simulation -- --nocapture"
        );
    }
    bail!("{} of {} seeds failed", failed.len(), o.seeds)
}

/// The simulation's test binary, built (debug, as the tests are).
fn build() -> Result<PathBuf> {
    let mut c = cmd("cargo");
    c.args([
        "test",
        "-p",
        "revisit-server",
        "-p",
        "revisit-domain",
        "--test",
        "sync_simulation",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    let out = c.output().context("building the simulation")?;
    if !out.status.success() {
        bail!("building the simulation failed");
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "sync_simulation")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo named no sync_simulation executable")
}

/// Runs seeds `a..=b` in one process; on failure, the seed that failed and the end of its
/// output.
fn run_chunk(
    binary: &PathBuf,
    a: u64,
    b: u64,
    steps: Option<u64>,
    postgres: Option<&str>,
) -> Result<(), (u64, String)> {
    let mut c = Command::new(binary);
    c.args(["--nocapture", "--test-threads", "1"])
        .env("REVISIT_SIM_SEEDS", format!("{a}..{b}"))
        .env("RUST_BACKTRACE", "0");
    if let Some(s) = steps {
        c.env("REVISIT_SIM_STEPS", s.to_string());
    }
    if let Some(url) = postgres {
        c.env("REVISIT_TEST_POSTGRES", url);
    }
    let out = match c.output() {
        Ok(out) => out,
        Err(e) => return Err((a, format!("could not start {}: {e}", binary.display()))),
    };
    if out.status.success() {
        return Ok(());
    }
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    // The last seed that started is the one that failed.
    let seed = text
        .lines()
        .filter_map(|l| l.strip_prefix("seed ")?.split(':').next()?.parse().ok())
        .max()
        .unwrap_or(a);
    // The panic's place and message.
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines
        .iter()
        .position(|l| l.contains("panicked"))
        .map_or_else(
            || lines[lines.len().saturating_sub(6)..].join("\n"),
            |at| lines[at..(at + 3).min(lines.len())].join("\n"),
        );
    Err((seed, tail))
}
