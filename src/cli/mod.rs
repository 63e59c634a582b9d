//! The `vigil` command line. `serve` is production; `demo` is a self-contained local instance
//! with synthetic data and a development sign-in.

mod audit;
mod backup;
mod demo;
mod demo_approvals;
mod demo_data;
mod demo_orders;
mod demo_reports;
pub mod import;
mod jobs;
mod keys;
mod outbox;
mod serve;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vigil", version, about = "Register of serial stalkers: orders, obligations, compliance and breaches")]
pub struct Cli {
    /// TOML configuration file; VIGIL__SECTION__KEY environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (migrates the database first).
    Serve,
    /// Run a local demo on SQLite with synthetic data and development sign-in, on 127.0.0.1 only.
    Demo(demo::DemoArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Key ring management.
    Keys {
        /// A `vigil demo` data folder: its database and key ring, instead of the configuration.
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// Print a development token that only `vigil demo` accepts.
    DevToken(tools::DevTokenArgs),
    /// Run scheduled jobs now, or list recent runs.
    Jobs {
        /// A `vigil demo` data folder: its database and key ring, instead of the configuration.
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Bulk loads (validated in full before anything is written).
    Import {
        /// A `vigil demo` data folder: its database and key ring, instead of the configuration.
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Write a consistent backup of the database and its audit checkpoints (not the key ring).
    Backup {
        /// A `vigil demo` data folder: its database and checkpoints, instead of the configuration.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[command(flatten)]
        args: backup::BackupArgs,
    },
    /// Put a SQLite backup back (the service stopped), keeping what was there beside it.
    Restore {
        /// A `vigil demo` data folder, instead of the configuration.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        #[command(flatten)]
        args: backup::RestoreArgs,
    },
    /// Dead deliveries: list them, or send one again.
    Outbox {
        /// A `vigil demo` data folder: its database and key ring, instead of the configuration.
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("vigil: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve::serve(cli.config.as_deref()).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Migrate => serve::migrate(cli.config.as_deref()).await,
            Command::Keys { data_dir, command } => keys::run(cli.config.as_deref(), data_dir.as_deref(), command).await,
            Command::DevToken(args) => tools::dev_token(args),
            Command::Jobs { data_dir, command } => jobs::run(cli.config.as_deref(), data_dir.as_deref(), command).await,
            Command::Import { data_dir, command } => import::run(cli.config.as_deref(), data_dir.as_deref(), command).await,
            Command::Audit { command } => audit::run(cli.config.as_deref(), command).await,
            Command::Backup { data_dir, args } => backup::backup(cli.config.as_deref(), data_dir.as_deref(), args).await,
            Command::Restore { data_dir, args } => backup::restore(cli.config.as_deref(), data_dir.as_deref(), args).await,
            Command::Outbox { data_dir, command } => outbox::run(cli.config.as_deref(), data_dir.as_deref(), command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("vigil: {err:#}");
            ExitCode::FAILURE
        }
    }
}
