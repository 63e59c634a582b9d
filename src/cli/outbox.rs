//! `vigil outbox dead | retry`: the operator's view of dead deliveries from the command line,
//! as `GET /api/v1/outbox/dead` and `POST /api/v1/outbox/{id}/retry` give administrators.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use uuid::Uuid;

use crate::auth::{Caller, Justification, Role};
use crate::config::RawConfig;
use crate::crypto::{Crypto, KeyRing};
use crate::services::{Ctx, outbox};

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// List dead deliveries (JSON), newest first.
    Dead {
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Send a dead delivery again, with a fresh set of attempts.
    Retry {
        id: Uuid,
        /// Who is doing this; recorded as the actor in the audit trail.
        #[arg(long)]
        operator: String,
    },
}

/// The actor recorded for an operator's command.
fn operator(name: &str) -> Caller {
    Caller {
        issuer: "vigil:cli".into(),
        subject: name.into(),
        roles: vec![Role::Admin],
        org: "vigil".into(),
        request_id: Uuid::now_v7().to_string(),
        justification: Justification::default(),
        auth_time: None,
    }
}

pub async fn run(config: Option<&Path>, data_dir: Option<&Path>, command: OutboxCommand) -> anyhow::Result<ExitCode> {
    let raw = RawConfig::load_with_data_dir(config, data_dir)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let key_file = raw.keys.file.context("configuration: keys.file is missing: the audit trail is keyed by the key ring")?;
    let db = crate::db::connect(&url, 2).await.context("connecting to database.url")?;
    crate::db::migrate(&db).await?;
    let ctx = Ctx::new(db, std::sync::Arc::new(Crypto::new(KeyRing::load(&key_file)?)));
    let now = crate::clock::now();
    match command {
        OutboxCommand::Dead { limit } => {
            let dead = outbox::dead(&ctx, &operator("operator"), limit.clamp(1, 500), now).await?;
            println!("{}", serde_json::to_string_pretty(&dead)?);
        }
        OutboxCommand::Retry { id, operator: name } => {
            let delivery = outbox::retry(&ctx, &operator(&name), id, now).await?;
            println!("{}", serde_json::to_string_pretty(&delivery)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
