//! The `revisit-server` binary: parse flags, open the database, seed a first start, serve.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::Parser;
use revisit_domain::{
    policy::{Horizon, WorkCalendar},
    time::{china, minute_text},
    wire::{Mutation, Role},
};

/// Every role's spelling, for the command line.
const ROLE_CODES: [&str; 6] = [
    "technician",
    "service_assistant",
    "supervisor",
    "manager",
    "director",
    "admin",
];
use revisit_server::{AppState, Db, Limits, router_with, seed};

/// Revisit (回访) server: the API and the built client, on an embedded SQLite file.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The SQLite database file (created if missing).
    #[arg(long, default_value = ".revisit/revisit.sqlite")]
    db: PathBuf,
    /// A PostgreSQL database instead of the SQLite file, e.g.
    /// `postgres://revisit@db.internal/revisit` (for an organisation that outgrows one machine).
    #[arg(long, env = "REVISIT_DATABASE_URL")]
    database_url: Option<String>,
    /// The built client (Trunk's output).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// On an empty database, create the demo organisation instead of only an administrator.
    #[arg(long)]
    demo: bool,
    /// Instead of serving: a one-off task on the database.
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, clap::Subcommand)]
enum Task {
    /// Add a user (技术员 technician, 经理 manager or admin); prints their one-time password.
    AddUser {
        /// Login name, unique on this server.
        username: String,
        /// The person's name, as shown (e.g. 张伟).
        #[arg(long)]
        name: String,
        /// technician, service_assistant, supervisor, manager, director or admin.
        #[arg(long, default_value = "technician", value_parser = ROLE_CODES)]
        role: String,
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
    },
    /// Give a user a new one-time password (a forgotten one) and end their sessions; users
    /// change their own with `POST /api/auth/password`.
    ResetPassword {
        /// Login name.
        username: String,
    },
    /// Import customers from a CSV file (客户导入): header row in Chinese or English (姓名 电话
    /// 地址 等级 产品 购买日期 安装日期 维修日期 技术员), all rows or none; customers already
    /// there (same name and phone) are skipped.
    ImportCustomers {
        /// The CSV file, UTF-8.
        file: PathBuf,
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
    },
    /// Make the organisation follow one of the shipped follow-up policies (回访策略): general,
    /// installed-equipment, water-purifier, furniture, complaints (skeleton is the first
    /// simple rule set). Devices get it with their next sync.
    SetPolicy {
        /// The shipped profile's file name, e.g. water-purifier.
        profile: String,
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
    },
    /// Record a complaint (投诉) for the customer with this phone number; their technician's
    /// tablet gets it with the next sync, and the policy's complaint rules start.
    Complaint {
        /// The customer's phone number.
        phone: String,
        /// What the customer complained about (投诉内容).
        #[arg(long)]
        summary: String,
        /// When it was received, China time (`2026-11-30 15:00`); now when absent.
        #[arg(long)]
        at: Option<String>,
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
    },
    /// Close (结案) the oldest open complaint of the customer with this phone number; the
    /// follow-up visit after closing (投诉回访) is scheduled from then.
    CloseComplaint {
        /// The customer's phone number.
        phone: String,
        /// The root cause found (原因分析).
        #[arg(long)]
        cause: String,
        /// What was done, and what prevents it happening again (纠正与预防措施).
        #[arg(long)]
        action: String,
        /// When it was closed, China time (`2026-11-30 15:00`); now when absent.
        #[arg(long)]
        at: Option<String>,
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
    },
    /// Write the organisation's customers, events, complaints and visits as the policy
    /// engine's input (ids, tiers, dates and outcomes; no names or phone numbers), the file
    /// `revisit-policy agenda` and `diff --data` read: what another policy changes for us.
    ExportEngineInput {
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
        /// The file to write; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the visits the server refused for good (被拒绝的同步记录: invalid, a customer not
    /// the technician's, or a conflicting record), each kept as the tablet sent it; `--json`
    /// prints the records whole, signatures included.
    Rejected {
        /// The organisation, when the database has more than one.
        #[arg(long)]
        org: Option<String>,
        /// One JSON record per line instead of a summary line.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let args = Args::parse();
    let db = match &args.database_url {
        Some(url) => Db::connect(url)
            .await
            .context("connecting to the PostgreSQL database")?,
        None => Db::open(&args.db)
            .await
            .with_context(|| format!("opening {}", args.db.display()))?,
    };
    let today = revisit_domain::time::china_date(chrono::Utc::now());
    let result = match &args.task {
        Some(task) => run_task(&db, task, today).await,
        None => serve(&db, &args, today).await,
    };
    // Closing the pools lets SQLite checkpoint the write-ahead log into the main file.
    db.write.close().await;
    db.read.close().await;
    result
}

/// A one-off task on the database: prints what it did.
async fn run_task(db: &Db, task: &Task, today: chrono::NaiveDate) -> anyhow::Result<()> {
    match task {
        Task::AddUser {
            username,
            name,
            role,
            org,
        } => {
            let role = Role::from_code(role).context("unknown role")?;
            let password =
                revisit_server::admin::add_user(db, org.as_deref(), username, name, role).await?;
            println!("Added {username} ({name}).\n  one-time password: {password}");
        }
        Task::ResetPassword { username } => {
            let password = revisit_server::admin::reset_password(db, username).await?;
            println!(
                "New password for {username}; their sessions have ended.\n  one-time password: {password}"
            );
        }
        Task::ImportCustomers { file, org } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {} (it must be UTF-8)", file.display()))?;
            let imported =
                revisit_server::import::import_customers(db, org.as_deref(), &text, today).await?;
            println!(
                "Imported {} new customers, changed {}; {} were already there as in the file.",
                imported.created, imported.updated, imported.unchanged
            );
        }
        Task::SetPolicy { profile, org } => {
            let name = revisit_server::admin::set_policy(db, org.as_deref(), profile).await?;
            println!(
                "The organisation now follows {name} ({profile}); devices get it with their next sync."
            );
        }
        Task::Complaint {
            phone,
            summary,
            at,
            org,
        } => {
            let at = china_time(at.as_deref())?;
            let name =
                revisit_server::admin::record_complaint(db, org.as_deref(), phone, summary, at)
                    .await?;
            println!("Recorded a complaint for {name} ({phone}).");
        }
        Task::CloseComplaint {
            phone,
            cause,
            action,
            at,
            org,
        } => {
            let at = china_time(at.as_deref())?;
            let name = revisit_server::admin::close_complaint(
                db,
                org.as_deref(),
                phone,
                at,
                cause,
                action,
            )
            .await?;
            println!("Closed the complaint of {name} ({phone}); its 投诉回访 counts from then.");
        }
        Task::ExportEngineInput { org, out } => {
            let input = revisit_server::policy_input::export(db, org.as_deref()).await?;
            let text = serde_json::to_string(&input)?;
            match out {
                Some(path) => {
                    std::fs::write(path, text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!(
                        "Wrote {} customers, {} events and {} visits to {}.",
                        input.customers.len(),
                        input.events.len(),
                        input.visits.len(),
                        path.display()
                    );
                }
                None => println!("{text}"),
            }
        }
        Task::Rejected { org, json } => {
            let kept = revisit_server::admin::rejections(db, org.as_deref()).await?;
            for (r, technician) in &kept {
                if *json {
                    println!("{}", serde_json::to_string(r)?);
                } else {
                    let what = serde_json::from_value::<Mutation>(r.op.clone()).map_or_else(
                        |_| format!("{} bytes as sent", r.bytes),
                        |m| format!("{} {}", m.op.kind().code(), m.op.record_id()),
                    );
                    println!(
                        "{}  {}  {technician} device {} #{}  {what}  {}",
                        minute_text(r.received_at.with_timezone(&china()).naive_local()),
                        r.code.as_str(),
                        r.device_id,
                        r.seq,
                        r.message
                    );
                }
            }
            if !*json {
                println!("{} refused, kept as sent.", kept.len());
            }
        }
    }
    Ok(())
}

/// `2026-11-30 15:00` in China time, or now.
fn china_time(text: Option<&str>) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let Some(text) = text else {
        return Ok(chrono::Utc::now());
    };
    let local = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M")
        .with_context(|| format!("{text:?} is not a time like 2026-11-30 15:00"))?;
    Ok(local
        .and_local_timezone(china())
        .single()
        .context("UTC+8 has no gaps")?
        .to_utc())
}

/// Seeds a first start, then serves until Ctrl-C or SIGTERM.
async fn serve(db: &Db, args: &Args, today: chrono::NaiveDate) -> anyhow::Result<()> {
    // Agendas look 90 days ahead; a year without the State Council's schedule counts only
    // weekends as days off, so an administrator should know before working-day deadlines slip.
    let horizon = today + chrono::Days::new(u64::from(Horizon::default().days));
    let uncovered = WorkCalendar::china().uncovered_years(today, horizon);
    if !uncovered.is_empty() {
        tracing::warn!(
            ?uncovered,
            "the working-day calendar has no official holidays for these years: agendas count only weekends as days off there"
        );
    }
    match seed::seed(db, args.demo, today)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
    {
        seed::Seeded::Nothing => {}
        seed::Seeded::Admin { username, password } => {
            println!(
                "First start: created the administrator.\n  login: {username}\n  one-time password: {password}"
            );
        }
        seed::Seeded::Demo { users, customers } => {
            println!(
                "Demo organisation 演示售后服务有限公司 with {customers} customers. Logins (password {}):",
                seed::DEMO_PASSWORD
            );
            for (username, name, role) in users {
                println!("  {username:<8} {name} ({role:?})");
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr().unwrap_or(args.addr);
    println!("Revisit is running at http://{addr}/");
    let limits = Limits::default();
    let app = router_with(AppState::new(db.clone(), args.dist.clone()), &limits);
    revisit_server::serve(listener, app, &limits, shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM from a service manager: finish the requests in flight, then stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_and_their_defaults() {
        Args::command().debug_assert();
        let args = Args::try_parse_from(["revisit-server"]).unwrap();
        assert_eq!(args.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(args.db, PathBuf::from(".revisit/revisit.sqlite"));
        assert_eq!(args.dist, PathBuf::from("dist"));
        assert!(!args.demo);
        let args = Args::try_parse_from([
            "revisit-server",
            "--addr",
            "0.0.0.0:9000",
            "--db",
            "/tmp/x.sqlite",
            "--dist",
            "build",
            "--demo",
        ])
        .unwrap();
        assert_eq!(args.addr.port(), 9000);
        assert!(args.demo);
        assert!(Args::try_parse_from(["revisit-server", "--addr", "nowhere"]).is_err());
    }
}
