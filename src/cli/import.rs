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

use crate::auth::{Caller, Justification, Role};
use crate::config::RawConfig;
use crate::crypto::{Crypto, KeyRing};
use crate::domain::calendar;
use crate::domain::vocab::{AddressKind, IdentifierKind, NameKind, RegistrantStatus, RiskLevel};
use crate::services::registrants::input::{AddressInput, IdentifierInput, NameInput, NewRegistrantInput, RiskInput};
use crate::services::registrants::{self, ValidRegistrant};
use crate::services::{Ctx, ServiceError};

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
}

pub async fn run(config: Option<&Path>, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Registrants(args) = command;
    let raw = RawConfig::load(config)?;
    let url = raw.database.url.context("configuration: database.url is missing (set it in the config file or VIGIL__DATABASE__URL)")?;
    let key_file = raw.keys.file.context("configuration: keys.file is missing (set it in the config file or VIGIL__KEYS__FILE)")?;
    let ring = KeyRing::load(&key_file)?;
    let db = crate::db::connect(&url, 4).await.context("connecting to database.url")?;
    crate::db::migrate(&db).await.context("applying migrations")?;
    let ctx = Ctx::new(db, std::sync::Arc::new(Crypto::new(ring)));
    let file = std::fs::File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let caller = import_caller(&args.org, &args.operator);
    let outcome = import(&ctx, &caller, file, args.batch, crate::clock::now(), |done, total| {
        eprintln!("vigil import: {done}/{total} registrants written");
    })
    .await?;
    if !outcome.rejected.is_empty() {
        eprintln!("vigil import: {} of {} rows rejected; nothing was written", outcome.rejected.len(), outcome.rows);
        println!("line,column,code,detail");
        for r in &outcome.rejected {
            println!("{},{},{},\"{}\"", r.line, r.column, r.code, r.detail.replace('"', "'"));
        }
        return Ok(ExitCode::FAILURE);
    }
    println!("imported {} registrants", outcome.written);
    Ok(ExitCode::SUCCESS)
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
    }
}

/// Validates every row, then (only if none was rejected) writes them in batches.
pub async fn import(
    ctx: &Ctx,
    caller: &Caller,
    reader: impl Read,
    batch: usize,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<ImportOutcome> {
    let today = calendar::local_date(now);
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let headers = csv.headers().context("reading the header row")?.clone();
    let unknown: Vec<&str> = headers.iter().filter(|h| !COLUMNS.contains(h)).collect();
    if !unknown.is_empty() {
        anyhow::bail!("unknown column(s): {}; accepted columns are: {}", unknown.join(", "), COLUMNS.join(", "));
    }
    if !headers.iter().any(|h| h == "family") {
        anyhow::bail!("the header row must include a family column");
    }
    let mut outcome = ImportOutcome::default();
    let mut valid: Vec<ValidRegistrant> = Vec::new();
    for record in csv.records() {
        outcome.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                outcome.rejected.push(Rejection {
                    line,
                    column: "row".into(),
                    code: "unreadable".into(),
                    detail: "the row is not valid CSV".into(),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |name: &str| headers.iter().position(|h| h == name).and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let (input, sources, mut problems) = row_input(&get);
        match registrants::validate_new(caller, &input, today) {
            Ok(v) if v.managing_org != caller.org => {
                problems.push(("managing_org".into(), "other_organisation".into(), "must be the organisation named with --org".into()))
            }
            Ok(v) => {
                if problems.is_empty() {
                    valid.push(v);
                }
            }
            Err(errors) => {
                for e in errors.0 {
                    problems.push((column_of(&e.field, &sources), e.code.to_owned(), e.detail));
                }
            }
        }
        outcome.rejected.extend(problems.into_iter().map(|(column, code, detail)| Rejection { line, column, code, detail }));
    }
    if !outcome.rejected.is_empty() {
        return Ok(outcome);
    }
    let total = valid.len();
    for chunk in valid.chunks(batch.max(1)) {
        registrants::create_batch(ctx, caller, chunk, now).await.map_err(|e| match e {
            ServiceError::Invalid(_) => anyhow::anyhow!("a row failed validation while writing"),
            other => anyhow::anyhow!("writing a batch failed after {} registrants: {other}", outcome.written),
        })?;
        outcome.written += chunk.len();
        progress(outcome.written, total);
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
        identifiers.push(IdentifierInput { kind, platform, value, valid_from: None, valid_to: None });
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
