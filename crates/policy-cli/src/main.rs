//! `revisit-policy`: dry-run a follow-up policy on a data file, or compare two policies.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand};
use revisit_domain::policy::{Horizon, Lang};
use revisit_policy::{Format, agenda_command, diff_command, load_calendar, load_data, load_policy};

#[derive(Parser)]
#[command(version, about = "Dry-run Revisit's follow-up policies (回访策略试算)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Common {
    /// JSON file with customers, events and visits (the format is in the crate's README.md).
    #[arg(long)]
    data: PathBuf,
    /// "Now", e.g. 2026-11-22T09:00:00+08:00.
    #[arg(long)]
    now: DateTime<FixedOffset>,
    /// An organisation's calendar overrides (TOML: years, holidays, make_up_working_days).
    #[arg(long)]
    calendar: Option<PathBuf>,
    /// Days ahead whose items are generated.
    #[arg(long, default_value_t = 90)]
    horizon_days: u32,
    /// Open items due within this many days count as due.
    #[arg(long, default_value_t = 3)]
    lookahead_days: u32,
    /// Language of explanations: zh or en.
    #[arg(long, default_value = "zh")]
    lang: String,
}

#[derive(Subcommand)]
enum Command {
    /// Print the agenda of one policy.
    Agenda {
        /// Built-in profile name or TOML file.
        #[arg(long)]
        policy: String,
        /// json or table.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Show items that appear (+), vanish (-) or move (~) under another policy.
    Diff {
        /// Built-in profile name or TOML file.
        #[arg(long)]
        policy: String,
        /// The policy to compare with.
        #[arg(long)]
        other: String,
        #[command(flatten)]
        common: Common,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let (Command::Agenda { common, .. } | Command::Diff { common, .. }) = &cli.command;
    let data = load_data(&common.data)?;
    let calendar = load_calendar(common.calendar.as_deref())?;
    let lang: Lang = common.lang.parse().map_err(anyhow::Error::msg)?;
    let horizon = Horizon {
        days: common.horizon_days,
        lookahead_days: common.lookahead_days,
    };
    let now = common.now.to_utc();
    let text = match &cli.command {
        Command::Agenda { policy, format, .. } => agenda_command(
            &load_policy(policy)?,
            &calendar,
            &data,
            now,
            horizon,
            *format,
            lang,
        ),
        Command::Diff { policy, other, .. } => diff_command(
            &load_policy(policy)?,
            &load_policy(other)?,
            &calendar,
            &data,
            now,
            horizon,
            lang,
        ),
    };
    print!("{text}");
    Ok(())
}
