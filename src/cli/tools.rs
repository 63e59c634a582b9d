//! Small operator commands: key generation, development tokens, audit verification.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::auth::Role;
use crate::auth::dev::DevIssuer;
use crate::crypto::{Crypto, KeyRing};
use crate::services::audit;

pub fn generate_keys(out: &Path) -> anyhow::Result<ExitCode> {
    if out.exists() {
        anyhow::bail!("{} already exists; refusing to overwrite a key ring", out.display());
    }
    KeyRing::generate().save_new(out)?;
    println!("key ring written to {} (mode 0600); keep it outside the database and its backups", out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct DevTokenArgs {
    /// ppo, probation, intake, supervisor, auditor or admin.
    #[arg(long)]
    role: String,
    /// Organisation code, e.g. a police force or probation region.
    #[arg(long)]
    org: String,
    /// Subject (user id) to put in the token.
    #[arg(long, default_value = "dev-user")]
    subject: String,
    /// The demo's data folder.
    #[arg(long, default_value = "vigil-data")]
    data_dir: PathBuf,
    #[arg(long, default_value_t = 60)]
    ttl_minutes: i64,
}

pub fn dev_token(args: DevTokenArgs) -> anyhow::Result<ExitCode> {
    let role = Role::parse(&args.role)
        .with_context(|| format!("--role must be one of {}", Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")))?;
    let issuer = DevIssuer::load(&args.data_dir)?;
    let token = issuer.mint(&args.subject, &[role], &args.org, crate::clock::now(), args.ttl_minutes * 60)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

pub async fn audit_verify(config: Option<&Path>, checkpoints: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let raw = crate::config::RawConfig::load(config)?;
    let dir = checkpoints.or_else(|| raw.audit.checkpoint_dir.clone());
    let key_file = raw.keys.file.clone();
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let db = crate::db::connect(&url, 2).await?;
    let sealed = audit::seal_pending(&db, crate::clock::now()).await?;
    let report = audit::verify(&db).await?;
    let mut broken = report.first_broken.is_some();
    let checked = match dir {
        Some(dir) => {
            let ring = KeyRing::load(&key_file.context("configuration: keys.file is needed to check signed checkpoints")?)?;
            let found = audit::checkpoints::check(&db, &Crypto::new(ring), &dir).await?;
            broken |= found.first_problem.is_some();
            Some(found)
        }
        None => None,
    };
    let out = serde_json::json!({ "newly_sealed": sealed, "report": report, "checkpoints": checked });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if broken { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

pub async fn audit_checkpoint(config: Option<&Path>, checkpoints: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let raw = crate::config::RawConfig::load(config)?;
    let dir = checkpoints.or_else(|| raw.audit.checkpoint_dir.clone()).context("give --checkpoints DIR or set audit.checkpoint_dir")?;
    let ring = KeyRing::load(&raw.keys.file.clone().context("configuration: keys.file is missing")?)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let db = crate::db::connect(&url, 2).await?;
    audit::seal_pending(&db, crate::clock::now()).await?;
    match audit::checkpoints::write(&db, &Crypto::new(ring), &dir, crate::clock::now()).await? {
        Some(path) => println!("checkpoint written: {}", path.display()),
        None => println!("no new entries since the last checkpoint"),
    }
    Ok(ExitCode::SUCCESS)
}
