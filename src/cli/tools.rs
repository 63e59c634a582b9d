//! Small operator commands: key generation, development tokens.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::auth::Role;
use crate::auth::dev::DevIssuer;
use crate::crypto::KeyRing;

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
