//! A throwaway PostgreSQL cluster under `target/` for the server's tests: made with Debian's
//! binaries (installed if missing), listening on 127.0.0.1 at a free port with trust auth and
//! no fsync, and stopped and deleted when dropped — after a failed test too.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

use crate::{output, root, run};

/// The major version the server is tested against (Debian 12's).
const MAJOR: &str = "15";

/// A running cluster; dropping it stops it and deletes its files.
pub(crate) struct Cluster {
    bin: PathBuf,
    /// `target/postgres-PORT`: the cluster's folder and initdb's log.
    home: PathBuf,
    /// Its data folder (with the server's log), owned by the user PostgreSQL runs as.
    data: PathBuf,
    port: u16,
    /// initdb and pg_ctl refuse to run as root: then they run as `postgres`.
    as_postgres: bool,
}

impl Cluster {
    /// Starts a new cluster, installing PostgreSQL first if its binaries are missing; `None`
    /// (with the reason printed) when they cannot be had.
    pub(crate) fn start() -> Result<Option<Cluster>> {
        let Some(bin) = binaries().or_else(|| install().then(binaries).flatten()) else {
            eprintln!(
                "xtask: SKIPPED the PostgreSQL runs: no PostgreSQL binaries in \
                 /usr/lib/postgresql/*/bin and `apt-get install postgresql` did not provide them"
            );
            return Ok(None);
        };
        let as_postgres = is_root();
        let port = free_port()?;
        let target =
            std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), Into::into);
        let home = target.join(format!("postgres-{port}"));
        let data = home.join("data");
        if home.exists() {
            std::fs::remove_dir_all(&home)?;
        }
        std::fs::create_dir_all(&data)?;
        if as_postgres {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&data);
            run(chown)?;
        }
        // From here on, a failure drops the cluster, which stops it if it started.
        let cluster = Cluster {
            bin,
            home,
            data,
            port,
            as_postgres,
        };
        let mut initdb = cluster.tool("initdb");
        initdb
            .arg("-D")
            .arg(&cluster.data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .args(["--locale", "C.UTF-8"]);
        let log = cluster.home.join("initdb.log");
        run(quiet(initdb, &log)).with_context(|| {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            format!("initdb:\n{text}")
        })?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300"
        );
        let mut start = cluster.tool("pg_ctl");
        start
            .arg("-D")
            .arg(&cluster.data)
            .arg("-l")
            .arg(cluster.data.join("server.log"))
            .args(["-o", &options, "-w", "-t", "60", "start"]);
        run(start).with_context(|| {
            let text = std::fs::read_to_string(cluster.data.join("server.log")).unwrap_or_default();
            format!("starting PostgreSQL:\n{text}")
        })?;
        eprintln!(
            "xtask: PostgreSQL {} up at {}",
            cluster.bin.display(),
            cluster.url()
        );
        Ok(Some(cluster))
    }

    /// Its address for `REVISIT_TEST_POSTGRES`: the tests make a database of their own in it.
    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// One of PostgreSQL's programs, run as `postgres` when this runs as root.
    fn tool(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c.current_dir("/");
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data.join("postmaster.pid").exists() {
            let mut stop = self.tool("pg_ctl");
            stop.arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "stop"]);
            if let Err(e) = run(stop) {
                eprintln!(
                    "xtask: could not stop PostgreSQL in {}: {e:#}",
                    self.data.display()
                );
                return;
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.home) {
            eprintln!("xtask: could not delete {}: {e}", self.home.display());
        }
    }
}

/// `c` with its output in `log`.
fn quiet(mut c: Command, log: &Path) -> Command {
    if let Ok(file) = std::fs::File::create(log) {
        if let Ok(copy) = file.try_clone() {
            c.stdout(copy);
        }
        c.stderr(file);
    }
    c
}

/// The folder of `initdb` and `pg_ctl`: version 15 first, else the newest installed.
fn binaries() -> Option<PathBuf> {
    let base = Path::new("/usr/lib/postgresql");
    let usable = |dir: PathBuf| dir.join("initdb").exists() && dir.join("pg_ctl").exists();
    let preferred = base.join(MAJOR).join("bin");
    if usable(preferred.clone()) {
        return Some(preferred);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(base)
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let major = e.file_name().to_str()?.parse().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, bin)| usable(bin.clone()))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Installs Debian's PostgreSQL (server binaries only; no cluster is started by the package
/// when no init system runs). Returns whether apt-get succeeded.
fn install() -> bool {
    eprintln!("xtask: installing PostgreSQL from Debian for the server's PostgreSQL tests");
    let mut update = Command::new("apt-get");
    update.arg("update");
    let mut install = Command::new("apt-get");
    install.env("DEBIAN_FRONTEND", "noninteractive").args([
        "install",
        "-y",
        "--no-install-recommends",
        "postgresql",
    ]);
    run(update).and_then(|()| run(install)).is_ok()
}

fn is_root() -> bool {
    output({
        let mut c = Command::new("id");
        c.arg("-u");
        c
    })
    .is_some_and(|uid| uid.trim() == "0")
}

/// A port nobody listens on now (the kernel's pick).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    let port = listener.local_addr()?.port();
    if port == 0 {
        bail!("the kernel gave port 0");
    }
    Ok(port)
}
