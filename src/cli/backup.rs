//! `vigil backup --out DIR` and `vigil restore --from DIR`: a consistent copy of a live
//! database with the audit checkpoints that vouch for it, and putting one back.
//!
//! - SQLite: `VACUUM INTO` writes a consistent snapshot while the service keeps writing (a
//!   single read transaction), then the copy is checked (`PRAGMA quick_check`).
//! - PostgreSQL: `pg_dump --format=custom` (one snapshot) when it is on the PATH; restoring is
//!   `pg_restore` into an empty database, the operator's job (README).
//! - The signed audit checkpoints are copied *before* the snapshot, so every position they vouch
//!   for is in it and `vigil audit verify` passes on the restored database.
//!
//! The key ring is never copied: a backup of the database must not travel with the key that
//! opens it (README, "Backup, restore and losing the key ring").

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use sea_orm::{ConnectionTrait, Statement};

use crate::config::RawConfig;

#[derive(Args)]
pub struct BackupArgs {
    /// A new (or empty) folder to write the backup into.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A folder written by `vigil backup` (SQLite).
    #[arg(long)]
    from: PathBuf,
}

const NOTE: &str = "This folder is a Vigil backup: the database (vigil.db for SQLite, vigil.dump for
PostgreSQL: restore with pg_restore into an empty database) and the signed audit checkpoints
that existed when it was taken (audit-checkpoints/).

It does NOT hold the key ring. Every personal field in the database is sealed with it and the
blind indexes are keyed by it: without the key ring this backup cannot be read, and with it
anyone can. Keep the key ring's own copies apart from this folder (another place, other
people), and never store the two together.
";

/// The SQLite file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn copy_checkpoints(from: &Path, to: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut copied = 0;
    if from.is_dir() {
        for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name()))?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}

pub async fn backup(config: Option<&Path>, data_dir: Option<&Path>, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let raw = RawConfig::load_with_data_dir(config, data_dir)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        bail!("{} is not empty: back up into a new folder", args.out.display());
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    // Checkpoints first: each one vouches for a position the snapshot taken after it contains.
    let checkpoints = match &raw.audit.checkpoint_dir {
        Some(dir) => copy_checkpoints(dir, &args.out.join("audit-checkpoints"))?,
        None => 0,
    };
    let written = if url.starts_with("sqlite:") {
        let target = args.out.join("vigil.db");
        let db = crate::db::connect(&url, 1).await.context("connecting to database.url")?;
        let quoted = target.display().to_string().replace('\'', "''");
        db.execute_unprepared(&format!("VACUUM INTO '{quoted}'")).await.context("writing the snapshot (VACUUM INTO)")?;
        db.close().await?;
        let copy = crate::db::connect(&format!("sqlite://{}", target.display()), 1).await?;
        let row = copy.query_one_raw(Statement::from_string(copy.get_database_backend(), "PRAGMA quick_check")).await?;
        let verdict: String = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or_default();
        copy.close().await?;
        if verdict != "ok" {
            bail!("the snapshot failed SQLite's quick_check: {verdict}");
        }
        target
    } else {
        let target = args.out.join("vigil.dump");
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(&target)
            .arg(&url)
            .status()
            .context("running pg_dump: install PostgreSQL's client tools, or back up with your own pg_dump or base backups")?;
        if !status.success() {
            bail!("pg_dump failed ({status})");
        }
        target
    };
    std::fs::write(args.out.join("README.txt"), NOTE)?;
    println!("backed up to {} with {checkpoints} audit checkpoints; the key ring is NOT included: keep it apart", written.display());
    Ok(ExitCode::SUCCESS)
}

/// Moves `path` aside as `path.before-restore-<stamp>` if it exists: nothing is deleted.
fn set_aside(path: &Path, stamp: &str) -> anyhow::Result<()> {
    if path.exists() {
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!(".before-restore-{stamp}"));
        std::fs::rename(path, &aside).with_context(|| format!("moving {} aside", path.display()))?;
    }
    Ok(())
}

pub async fn restore(config: Option<&Path>, data_dir: Option<&Path>, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    // A data folder whose database is gone is exactly what a restore is for, so it is not
    // required to exist here.
    let (database, checkpoint_dir) = match data_dir {
        Some(dir) => (dir.join("vigil.db"), Some(super::demo::checkpoint_dir(dir))),
        None => {
            let raw = RawConfig::load(config)?;
            let url = raw.database.url.context("configuration: database.url is missing")?;
            let Some(database) = sqlite_path(&url) else {
                bail!(
                    "vigil restore puts back SQLite backups; for PostgreSQL use pg_restore (README, \"Backup, restore and losing the key ring\")"
                );
            };
            (database, raw.audit.checkpoint_dir)
        }
    };
    let snapshot = args.from.join("vigil.db");
    if !snapshot.is_file() {
        bail!("{} holds no vigil.db: give a folder written by `vigil backup`", args.from.display());
    }
    let stamp = crate::clock::now().format("%Y%m%dT%H%M%SZ").to_string();
    for suffix in ["", "-wal", "-shm"] {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        set_aside(Path::new(&path), &stamp)?;
    }
    std::fs::copy(&snapshot, &database).with_context(|| format!("copying the snapshot to {}", database.display()))?;
    if let Some(dir) = &checkpoint_dir {
        // The checkpoints written after the backup vouch for entries the restored database no
        // longer has; they are kept aside as the record of what was lost, not deleted.
        set_aside(dir, &stamp)?;
        copy_checkpoints(&args.from.join("audit-checkpoints"), dir)?;
    }
    println!(
        "restored {} from {}; what was there before is kept beside it as *.before-restore-{stamp}. Next: `vigil audit verify`, then start the service",
        database.display(),
        args.from.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite://vigil-data/vigil.db?mode=rwc"), Some("vigil-data/vigil.db".into()));
        assert_eq!(sqlite_path("sqlite:///var/lib/vigil/vigil.db"), Some("/var/lib/vigil/vigil.db".into()));
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
