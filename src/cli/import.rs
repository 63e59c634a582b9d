//! `vigil import registrants FILE.csv --org ORG --operator NAME`: bulk load of registrants.
//!
//! Every row is parsed and validated first, with the same rules as the API; if any row is
//! rejected, the validation report (line number, column, code, reason — never the value) is
//! printed and nothing is written. Otherwise rows are written in batched transactions, each
//! all-or-nothing, with progress on stderr. The columns are listed in the README.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use sea_orm::ConnectionTrait;

use crate::auth::{Caller, Justification, Role};
use crate::config::RawConfig;
use crate::crypto::{Crypto, KeyRing};
use crate::services::registrants;
use crate::services::registrants::input::{AddressInput, IdentifierInput, NameInput, NewRegistrantInput, RiskInput};
use crate::services::{Ctx, ServiceError};
use domain::calendar;
use domain::commands::registrants::NewRegistrant;
use domain::vocab::{AddressKind, IdentifierKind, NameKind, RegistrantStatus, RiskLevel};

/// Every accepted column. Multi-valued columns separate values with `;`.
pub const COLUMNS: &[&str] = &[
    "managing_org",
    "managing_officer",
    "supervising_org",
    "status",
    "risk_level",
    "risk_tool",
    "risk_next_review_on",
    "given",
    "family",
    "aliases",
    "birth_dates",
    "address_lines",
    "town",
    "postcode",
    "phones",
    "emails",
    "handles",
    "imeis",
    "vehicles",
    "pnc_id",
    "ni_number",
    "passport",
    "national_ids",
    "notes",
];

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Load registrants from a CSV file (columns in the README).
    Registrants(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The CSV file, with a header row.
    pub file: PathBuf,
    /// The managing organisation the registrants belong to (rows may repeat it).
    #[arg(long)]
    pub org: String,
    /// Who is running the import; recorded as the actor in the audit trail.
    #[arg(long)]
    pub operator: String,
    /// Rows per transaction.
    #[arg(long, default_value_t = 200)]
    pub batch: usize,
    /// Skip comparing each imported registrant with the register for possible duplicates (a
    /// register check per row): for a first load into an empty register, or a file whose
    /// duplicates were resolved before it came.
    #[arg(long)]
    pub no_duplicate_check: bool,
}

/// One rejected row: where and why, never what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub column: String,
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub rows: usize,
    pub written: usize,
    pub rejected: Vec<Rejection>,
    /// The registrants written.
    pub ids: Vec<domain::ids::RegistrantId>,
}

pub async fn run(config: Option<&Path>, data_dir: Option<&Path>, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Registrants(args) = command;
    let raw = RawConfig::load_with_data_dir(config, data_dir)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let key_file = raw.keys.file.context("configuration: keys.file is missing (set it in the config file or VIGIL__KEYS__FILE)")?;
    let ring = KeyRing::load(&key_file)?;
    let db = crate::db::connect(&url, 4).await.context("connecting to database.url")?;
    crate::db::migrate(&db).await.context("applying migrations")?;
    let ctx = Ctx::new(db, std::sync::Arc::new(Crypto::new(ring)));
    std::fs::File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let caller = import_caller(&args.org, &args.operator);
    let mut progress = Progress::new();
    let path = args.file.clone();
    let open = move || std::fs::File::open(&path).map(std::io::BufReader::new);
    crate::services::key_usage::load(&ctx.db, &ctx.crypto).await?;
    let outcome = import(&ctx, &caller, open, args.batch, crate::clock::now(), |done, total| progress.update(done, total)).await;
    // Every seal counts against its key, whether the import succeeded or not.
    crate::services::key_usage::flush(&ctx.db, &ctx.crypto, crate::clock::now()).await?;
    let outcome = outcome?;
    progress.finish();
    if !outcome.rejected.is_empty() {
        // Rows, not problems: one row can have several.
        let rows_rejected = outcome.rejected.iter().map(|r| r.line).collect::<std::collections::BTreeSet<_>>().len();
        let problems = outcome.rejected.len();
        let plural = if problems == 1 { "" } else { "s" };
        eprintln!(
            "vigil import: {rows_rejected} of {} rows rejected ({problems} problem{plural}, listed below); nothing was written",
            outcome.rows
        );
        println!("line,column,code,detail");
        for r in &outcome.rejected {
            println!("{},{},{},\"{}\"", r.line, r.column, r.code, r.detail.replace('"', "'"));
        }
        return Ok(ExitCode::FAILURE);
    }
    if args.no_duplicate_check {
        println!("imported {} registrants (not compared for duplicates)", outcome.written);
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("vigil import: comparing {} registrants with the register for possible duplicates", outcome.written);
    let proposed = crate::services::duplicates::propose(&ctx, &outcome.ids, crate::clock::now()).await?;
    println!(
        "imported {} registrants; {} of them proposed as possible duplicates ({} pairs) for review",
        outcome.written, proposed.registrants, proposed.pairs
    );
    Ok(ExitCode::SUCCESS)
}

/// A bar on a terminal; on anything else (CI logs, files) a line every tenth of the way.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    tenths: usize,
}

impl Progress {
    fn new() -> Self {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} registrants written, {per_sec}, {eta} left");
            indicatif::ProgressBar::new(0).with_style(style.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()))
        });
        Self { bar, tenths: 0 }
    }

    fn update(&mut self, done: usize, total: usize) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
            None if done * 10 >= (self.tenths + 1) * total || done == total => {
                self.tenths = done * 10 / total.max(1);
                eprintln!("vigil import: {done}/{total} registrants written");
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// The actor recorded for an import: the operator, on behalf of the managing organisation.
pub fn import_caller(org: &str, operator: &str) -> Caller {
    Caller {
        issuer: "vigil:import".into(),
        subject: operator.to_owned(),
        roles: vec![Role::Ppo],
        org: org.to_owned(),
        request_id: uuid::Uuid::now_v7().to_string(),
        justification: Justification { reason_code: Some("BULK_IMPORT".into()), crime_reference: None },
        auth_time: None,
    }
}

/// One row read from the file: its line, and either a validated registrant or its problems.
type Row = (u64, Result<NewRegistrant, Vec<Problem>>);

/// Reads and validates every row of `reader`, calling `each` with the result. Header problems
/// (unknown columns, no family column) end the import before any row is read.
fn rows(reader: impl Read, caller: &Caller, today: NaiveDate, mut each: impl FnMut(Row) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let headers = csv.headers().context("reading the header row")?.clone();
    let unknown: Vec<&str> = headers.iter().filter(|h| !COLUMNS.contains(h)).collect();
    if !unknown.is_empty() {
        anyhow::bail!("unknown column(s): {}; accepted columns are: {}", unknown.join(", "), COLUMNS.join(", "));
    }
    if !headers.iter().any(|h| h == "family") {
        anyhow::bail!("the header row must include a family column");
    }
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                each((line, Err(vec![("row".into(), "unreadable".into(), "the row is not valid CSV".into())])))?;
                continue;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |name: &str| headers.iter().position(|h| h == name).and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let (input, sources, mut problems) = row_input(&get);
        match registrants::validate_new(caller, &input, today) {
            Ok(v) if v.managing_org != caller.org => {
                problems.push(("managing_org".into(), "other_organisation".into(), "must be the organisation named with --org".into()))
            }
            Ok(v) if problems.is_empty() => {
                each((line, Ok(v)))?;
                continue;
            }
            Ok(_) => {}
            Err(errors) => problems.extend(errors.0.into_iter().map(|e| (column_of(&e.field, &sources), e.code.to_owned(), e.detail))),
        }
        each((line, Err(problems)))?;
    }
}

/// Validates every row, then (only if none was rejected) writes them in batches, each batch
/// one transaction. The file is read twice (`open` is called once per pass) rather than held
/// in memory, so a register of millions loads in constant memory.
pub async fn import<R: Read + Send + 'static>(
    ctx: &Ctx,
    caller: &Caller,
    open: impl Fn() -> std::io::Result<R>,
    batch: usize,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<ImportOutcome> {
    let today = calendar::local_date(now);
    let mut outcome = ImportOutcome::default();
    rows(open().context("opening the file")?, caller, today, |(line, row)| {
        outcome.rows += 1;
        if let Err(problems) = row {
            outcome.rejected.extend(problems.into_iter().map(|(column, code, detail)| Rejection { line, column, code, detail }));
        }
        Ok(())
    })?;
    if !outcome.rejected.is_empty() {
        return Ok(outcome);
    }
    let total = outcome.rows;
    let batch = batch.max(1);
    // The reader thread parses, validates and seals; it hands sealed batches over a bounded
    // channel to the writers, so sealing the next batch overlaps writing this one. SQLite gets
    // one writer (one transaction open at a time, so the WAL can be checkpointed as it goes);
    // PostgreSQL several, side by side.
    let (send, mut receive) = tokio::sync::mpsc::channel::<registrants::SealedBatch>(2);
    let reader_caller = caller.clone();
    let reader_ctx = ctx.clone();
    let file = open().context("opening the file again to write it")?;
    let reader = tokio::task::spawn_blocking(move || {
        let mut pending = Vec::with_capacity(batch);
        let hand_over = |pending: &mut Vec<NewRegistrant>| -> anyhow::Result<()> {
            let rows = std::mem::replace(pending, Vec::with_capacity(batch));
            let sealed =
                registrants::seal_batch(&reader_ctx, &reader_caller, &rows, now).map_err(|e| anyhow::anyhow!("sealing a batch: {e}"))?;
            send.blocking_send(sealed).context("the writer stopped")
        };
        rows(file, &reader_caller, today, |(line, row)| {
            pending.push(row.map_err(|_| anyhow::anyhow!("line {line} changed between the validation and writing passes"))?);
            if pending.len() == batch {
                hand_over(&mut pending)?;
            }
            Ok(())
        })?;
        if !pending.is_empty() {
            hand_over(&mut pending)?;
        }
        Ok::<(), anyhow::Error>(())
    });
    let writers = if ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres { 3 } else { 1 };
    let mut in_flight = tokio::task::JoinSet::new();
    let mut written = Ok(());
    let mut finish = |joined: Result<Result<Vec<domain::ids::RegistrantId>, ServiceError>, tokio::task::JoinError>,
                      written: &mut anyhow::Result<()>| match joined {
        Ok(Ok(ids)) => {
            outcome.written += ids.len();
            outcome.ids.extend(ids);
            progress(outcome.written, total);
        }
        Ok(Err(e)) => *written = Err(anyhow::anyhow!("writing a batch failed after {} registrants: {e}", outcome.written)),
        Err(e) => *written = Err(anyhow::anyhow!("a writer task failed: {e}")),
    };
    while written.is_ok() {
        let Some(sealed) = receive.recv().await else { break };
        let (ctx, caller) = (ctx.clone(), caller.clone());
        in_flight.spawn(async move { registrants::write_batch(&ctx, &caller, sealed, now).await });
        while in_flight.len() >= writers && written.is_ok() {
            if let Some(joined) = in_flight.join_next().await {
                finish(joined, &mut written);
            }
        }
    }
    while let Some(joined) = in_flight.join_next().await {
        finish(joined, &mut written);
    }
    // Dropping the receiver (after a write error) makes the reader stop at its next send.
    drop(receive);
    let read = reader.await.context("the file reader panicked")?;
    written?;
    read?;
    if ctx.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // Fold the write-ahead log into the database now, rather than leave the next process
        // that opens it a large log to replay.
        ctx.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.context("checkpointing the SQLite log")?;
    } else {
        // Fresh planner statistics: right after a bulk load PostgreSQL would otherwise plan the
        // register check's index lookups for the empty tables it last analysed.
        ctx.db.execute_unprepared("ANALYZE").await.context("analysing the loaded tables")?;
    }
    Ok(outcome)
}

type Problem = (String, String, String);

fn list(value: Option<&str>) -> Vec<String> {
    value.map(|v| v.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

fn date(column: &str, value: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    match value.parse() {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push((column.into(), "invalid_date".into(), "must be a date such as 1980-03-04".into()));
            None
        }
    }
}

/// The request body a row stands for, the source column of each identifier, and problems
/// found while reading the row's shape.
fn row_input<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> (NewRegistrantInput, Vec<&'static str>, Vec<Problem>) {
    let mut problems = Vec::new();
    let status = get("status").and_then(|s| {
        let parsed = RegistrantStatus::parse(s);
        if parsed.is_none() {
            problems.push(("status".into(), "invalid_value".into(), "is not a registrant status".into()));
        }
        parsed
    });
    let risk = get("risk_level").and_then(|level| match RiskLevel::parse(level) {
        Some(level) => Some(RiskInput {
            level,
            tool: get("risk_tool").map(str::to_owned),
            next_review_on: get("risk_next_review_on").and_then(|d| date("risk_next_review_on", d, &mut problems)),
        }),
        None => {
            problems.push(("risk_level".into(), "invalid_value".into(), "must be low, medium, high or very_high".into()));
            None
        }
    });
    let mut names = vec![NameInput {
        kind: NameKind::Primary,
        given: get("given").unwrap_or_default().to_owned(),
        family: get("family").unwrap_or_default().to_owned(),
        valid_from: None,
        valid_to: None,
    }];
    for alias in list(get("aliases")) {
        let (given, family) = alias.split_once('|').unwrap_or(("", alias.as_str()));
        names.push(NameInput {
            kind: NameKind::Alias,
            given: given.trim().into(),
            family: family.trim().into(),
            valid_from: None,
            valid_to: None,
        });
    }
    let birth_dates = list(get("birth_dates")).iter().filter_map(|d| date("birth_dates", d, &mut problems)).collect();
    let lines: Vec<String> = get("address_lines").map(|l| l.split('|').map(|s| s.trim().to_owned()).collect()).unwrap_or_default();
    let mut addresses = Vec::new();
    if !lines.is_empty() || get("postcode").is_some() || get("town").is_some() {
        addresses.push(AddressInput {
            kind: AddressKind::Home,
            lines,
            town: get("town").map(str::to_owned),
            postcode: get("postcode").map(str::to_owned),
            valid_from: None,
            valid_to: None,
        });
    }
    let mut identifiers = Vec::new();
    let mut sources = Vec::new();
    let mut push = |column: &'static str, kind: IdentifierKind, platform: Option<String>, value: String| {
        let (platform, country) = domain::identifiers::qualifiers(kind, platform);
        identifiers.push(IdentifierInput { kind, platform, country, value, valid_from: None, valid_to: None });
        sources.push(column);
    };
    for (column, kind) in [
        ("phones", IdentifierKind::Phone),
        ("emails", IdentifierKind::Email),
        ("imeis", IdentifierKind::Imei),
        ("vehicles", IdentifierKind::VehicleRegistration),
    ] {
        for value in list(get(column)) {
            push(column, kind, None, value);
        }
    }
    for handle in list(get("handles")) {
        match handle.split_once(':') {
            Some((platform, value)) => push("handles", IdentifierKind::OnlineHandle, Some(platform.trim().into()), value.trim().into()),
            None => problems.push(("handles".into(), "invalid_handle".into(), "each handle must be written platform:handle".into())),
        }
    }
    for national in list(get("national_ids")) {
        match national.split_once(':') {
            Some((country, value)) => push("national_ids", IdentifierKind::NationalId, Some(country.trim().into()), value.trim().into()),
            None => problems.push(("national_ids".into(), "invalid_national_id".into(), "each must be written COUNTRY:number".into())),
        }
    }
    for (column, kind) in
        [("pnc_id", IdentifierKind::PncId), ("ni_number", IdentifierKind::NiNumber), ("passport", IdentifierKind::Passport)]
    {
        if let Some(value) = get(column) {
            push(column, kind, None, value.to_owned());
        }
    }
    let input = NewRegistrantInput {
        managing_org: get("managing_org").map(str::to_owned),
        managing_officer: get("managing_officer").map(str::to_owned),
        supervising_org: get("supervising_org").map(str::to_owned),
        status,
        risk,
        mappa: None,
        names,
        birth_dates,
        descriptors: Vec::new(),
        addresses,
        identifiers,
        notes: get("notes").map(str::to_owned),
    };
    (input, sources, problems)
}

/// The CSV column a validation error's JSON path came from.
fn column_of(field: &str, identifier_sources: &[&'static str]) -> String {
    let index = |prefix: &str| field.strip_prefix(prefix).and_then(|rest| rest.split(']').next()).and_then(|n| n.parse::<usize>().ok());
    if let Some(i) = index("identifiers[") {
        return identifier_sources.get(i).copied().unwrap_or("identifiers").to_owned();
    }
    if let Some(i) = index("names[") {
        return if i > 0 {
            "aliases".into()
        } else if field.ends_with(".given") {
            "given".into()
        } else {
            "family".into()
        };
    }
    if field.starts_with("birth_dates") {
        return "birth_dates".into();
    }
    if field.starts_with("addresses[0]") {
        return if field.ends_with(".postcode") {
            "postcode".into()
        } else if field.ends_with(".town") {
            "town".into()
        } else {
            "address_lines".into()
        };
    }
    match field {
        "risk.tool" => "risk_tool".into(),
        "names" => "family".into(),
        other => other.to_owned(),
    }
}
