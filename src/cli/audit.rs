//! `vigil audit verify | checkpoint`. Neither seals: sealing is the running service's job, and
//! a tool that sealed whatever it found would bless a row someone inserted by hand.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::config::{RawConfig, SEALING_DELAY_SECONDS};
use crate::crypto::{Crypto, KeyRing};
use crate::services::audit;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole trail without changing it: every entry written by Vigil and unaltered,
    /// every link in place, nothing cut off below the sealer's mark or a signed checkpoint,
    /// nothing left unsealed beyond the sealing delay. Exits 2 naming each finding.
    Verify(Where),
    /// Write a signed checkpoint of the chain's current tip into the checkpoint folder.
    Checkpoint(Where),
}

#[derive(Args)]
pub struct Where {
    /// Folder of signed checkpoints (default: `audit.checkpoint_dir`, or the demo's).
    #[arg(long)]
    checkpoints: Option<PathBuf>,
    /// A `vigil demo` data folder: its database, key ring and checkpoint folder.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Seconds within which every entry must have been sealed (default
    /// `audit.sealing_delay_seconds`, else 300).
    #[arg(long)]
    sealing_delay_seconds: Option<u64>,
}

/// The database, key ring, checkpoint folder and sealing delay to work on.
struct Target {
    url: String,
    keys: PathBuf,
    checkpoints: Option<PathBuf>,
    sealing_delay_seconds: u64,
}

fn target(config: Option<&Path>, args: Where) -> anyhow::Result<Target> {
    let raw = RawConfig::load_with_data_dir(config, args.data_dir.as_deref())?;
    Ok(Target {
        url: raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?,
        keys: raw.keys.file.context("configuration: keys.file is missing: the audit trail is keyed by the key ring")?,
        checkpoints: args.checkpoints.or(raw.audit.checkpoint_dir),
        sealing_delay_seconds: args.sealing_delay_seconds.or(raw.audit.sealing_delay_seconds).unwrap_or(SEALING_DELAY_SECONDS),
    })
}

pub async fn run(config: Option<&Path>, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(target(config, args)?).await,
        AuditCommand::Checkpoint(args) => checkpoint(target(config, args)?).await,
    }
}

async fn verify(target: Target) -> anyhow::Result<ExitCode> {
    let crypto = Crypto::new(KeyRing::load(&target.keys)?);
    let db = crate::db::connect(&target.url, 2).await.context("connecting to the database")?;
    let delay = chrono::TimeDelta::seconds(i64::try_from(target.sealing_delay_seconds).unwrap_or(i64::MAX / 1000));
    let options =
        audit::verify::VerifyOptions { now: crate::clock::now(), sealing_delay: delay, checkpoints: target.checkpoints.as_deref() };
    let report = audit::verify::verify(&db, &crypto, options).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if target.checkpoints.is_none() {
        eprintln!("vigil: no checkpoint folder given: a trail cut off at its end, mark and all, cannot be told from a short one");
    }
    if report.holds() {
        eprintln!("vigil: the audit trail holds ({} links, {} entries)", report.links_checked, report.entries);
        return Ok(ExitCode::SUCCESS);
    }
    for finding in &report.findings {
        let at = finding.position.map(|p| format!(" at position {p}")).unwrap_or_default();
        let entry = finding.entry.map(|e| format!(", entry {e}")).unwrap_or_default();
        let when = finding.occurred_at.map(|t| format!(", written {t}")).unwrap_or_default();
        eprintln!("vigil: {:?}{at}{entry}{when}: {}", finding.kind, finding.detail);
    }
    Ok(ExitCode::from(2))
}

async fn checkpoint(target: Target) -> anyhow::Result<ExitCode> {
    let dir = target.checkpoints.context("give --checkpoints DIR or set audit.checkpoint_dir")?;
    let crypto = Crypto::new(KeyRing::load(&target.keys)?);
    let db = crate::db::connect(&target.url, 2).await.context("connecting to the database")?;
    match audit::checkpoints::write(&db, &crypto, &dir, crate::clock::now()).await? {
        Some(path) => println!("checkpoint written: {}", path.display()),
        None => println!("no newly sealed entries since the last checkpoint"),
    }
    Ok(ExitCode::SUCCESS)
}
