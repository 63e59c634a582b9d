//! A registrant with every particular its record shows, in one statement (issue 18): the
//! children are aggregated as JSON inside the query, so a read is one round trip instead of six,
//! and needs no read transaction, since one statement is its own snapshot on both engines.
//! Sealed values travel as hex and are opened by the caller as before; the JSON holds ids,
//! vocabulary codes, dates and ciphertext, never a value in clear.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::RegistrantId;
use domain::vocab::{AddressKind, DescriptorKind, IdentifierKind, NameKind};
use entities::registrant;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::services::{ServiceError, ServiceResult};

pub struct NameRow {
    pub id: Uuid,
    pub kind: NameKind,
    pub sealed: Vec<u8>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

pub struct DateRow {
    pub id: Uuid,
    pub sealed: Vec<u8>,
}

pub struct DescriptorRow {
    pub id: Uuid,
    pub kind: DescriptorKind,
    pub sealed: Vec<u8>,
}

pub struct AddressRow {
    pub id: Uuid,
    pub kind: AddressKind,
    pub sealed: Vec<u8>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub corrected_by: Option<String>,
    pub corrected_at: Option<DateTime<Utc>>,
    pub correction_sealed: Option<Vec<u8>>,
}

pub struct IdentifierRow {
    pub id: Uuid,
    pub kind: IdentifierKind,
    pub platform_sealed: Option<Vec<u8>>,
    pub sealed: Vec<u8>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A registrant's particulars, each list in id order.
#[derive(Default)]
pub struct Particulars {
    pub names: Vec<NameRow>,
    pub dates: Vec<DateRow>,
    pub descriptors: Vec<DescriptorRow>,
    pub addresses: Vec<AddressRow>,
    pub identifiers: Vec<IdentifierRow>,
}

/// Each child list: its table and the columns of one row, as SQL expressions over `c`. Binary
/// columns are hex (`x(...)`, written per engine below).
const CHILDREN: [(&str, &str, &str); 5] = [
    ("names", "registrant_names", "x(c.id), c.kind, x(c.name_sealed), c.valid_from, c.valid_to"),
    ("dates", "registrant_birth_dates", "x(c.id), x(c.birth_date_sealed)"),
    ("descriptors", "registrant_descriptors", "x(c.id), c.kind, x(c.value_sealed)"),
    (
        "addresses",
        "registrant_addresses",
        "x(c.id), c.kind, x(c.address_sealed), c.valid_from, c.valid_to, c.corrected_by, c.corrected_at, x(c.correction_reason_sealed)",
    ),
    ("identifiers", "registrant_identifiers", "x(c.id), c.kind, x(c.platform_sealed), x(c.value_sealed), c.valid_from, c.valid_to"),
];

/// The statement's text for `backend`, written once per process: a read then costs no
/// formatting, and the text is the same every time, so the driver's statement cache keeps it.
fn sql(backend: DbBackend) -> &'static str {
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let cell = if backend == DbBackend::Postgres { &POSTGRES } else { &SQLITE };
    cell.get_or_init(|| write_sql(backend))
}

fn write_sql(backend: DbBackend) -> String {
    let lists: Vec<String> = CHILDREN
        .iter()
        .map(|(alias, table, columns)| match backend {
            // PostgreSQL writes a uuid as its text; SQLite keeps it as 16 bytes, so both go as hex.
            DbBackend::Postgres => format!(
                "(SELECT coalesce(json_agg(json_build_array({}) ORDER BY c.id), '[]'::json)::text FROM {table} c \
                 WHERE c.registrant_id = r.id) AS {alias}_json",
                columns.replace("x(c.id)", "c.id").replace("x(", "encode(").replace("_sealed)", "_sealed, 'hex')")
            ),
            _ => format!(
                "(SELECT json_group_array(json_array({}) ORDER BY c.id) FROM {table} c WHERE c.registrant_id = r.id) AS {alias}_json",
                columns.replace("x(", "hex(")
            ),
        })
        .collect();
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    format!("SELECT r.*, {} FROM registrants r WHERE r.id = {placeholder}", lists.join(", "))
}

/// The registrant `id` and its particulars, or `None` when there is no such registrant.
pub async fn fetch(conn: &impl ConnectionTrait, id: RegistrantId) -> ServiceResult<Option<(registrant::Model, Particulars)>> {
    let backend = conn.get_database_backend();
    let statement = Statement::from_sql_and_values(backend, sql(backend), [sea_orm::Value::from(id)]);
    let Some(row) = conn.query_one_raw(statement).await? else { return Ok(None) };
    let model = registrant::Model::from_query_result(&row, "")?;
    let list = |column: &str| -> ServiceResult<Vec<Vec<Value>>> {
        let text: String = row.try_get("", column)?;
        serde_json::from_str(&text).map_err(|_| corrupt())
    };
    let mut out = Particulars::default();
    for r in list("names_json")? {
        let kind = NameKind::parse(text(&r, 1)?).ok_or_else(corrupt)?;
        out.names.push(NameRow { id: uuid(&r, 0)?, kind, sealed: bytes(&r, 2)?, valid_from: date(&r, 3)?, valid_to: date(&r, 4)? });
    }
    for r in list("dates_json")? {
        out.dates.push(DateRow { id: uuid(&r, 0)?, sealed: bytes(&r, 1)? });
    }
    for r in list("descriptors_json")? {
        let kind = DescriptorKind::parse(text(&r, 1)?).ok_or_else(corrupt)?;
        out.descriptors.push(DescriptorRow { id: uuid(&r, 0)?, kind, sealed: bytes(&r, 2)? });
    }
    for r in list("addresses_json")? {
        out.addresses.push(AddressRow {
            id: uuid(&r, 0)?,
            kind: AddressKind::parse(text(&r, 1)?).ok_or_else(corrupt)?,
            sealed: bytes(&r, 2)?,
            valid_from: date(&r, 3)?,
            valid_to: date(&r, 4)?,
            corrected_by: optional(&r, 5).map(str::to_owned),
            corrected_at: optional(&r, 6).map(timestamp).transpose()?,
            correction_sealed: optional_bytes(&r, 7)?,
        });
    }
    for r in list("identifiers_json")? {
        out.identifiers.push(IdentifierRow {
            id: uuid(&r, 0)?,
            kind: IdentifierKind::parse(text(&r, 1)?).ok_or_else(corrupt)?,
            platform_sealed: optional_bytes(&r, 2)?,
            sealed: bytes(&r, 3)?,
            valid_from: date(&r, 4)?,
            valid_to: date(&r, 5)?,
        });
    }
    Ok(Some((model, out)))
}

fn corrupt() -> ServiceError {
    ServiceError::CorruptData("a registrant's particulars did not read back as stored".into())
}

/// The text at `i`, or `None` for null (and for SQLite's hex of a null, which is empty).
fn optional(row: &[Value], i: usize) -> Option<&str> {
    row.get(i).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn text(row: &[Value], i: usize) -> ServiceResult<&str> {
    optional(row, i).ok_or_else(corrupt)
}

fn uuid(row: &[Value], i: usize) -> ServiceResult<Uuid> {
    Uuid::parse_str(text(row, i)?).map_err(|_| corrupt())
}

fn bytes(row: &[Value], i: usize) -> ServiceResult<Vec<u8>> {
    hex::decode(text(row, i)?).map_err(|_| corrupt())
}

fn optional_bytes(row: &[Value], i: usize) -> ServiceResult<Option<Vec<u8>>> {
    optional(row, i).map(|h| hex::decode(h).map_err(|_| corrupt())).transpose()
}

fn date(row: &[Value], i: usize) -> ServiceResult<Option<NaiveDate>> {
    optional(row, i).map(|d| d.parse().map_err(|_| corrupt())).transpose()
}

fn timestamp(text: &str) -> ServiceResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)).map(|t| t.with_timezone(&Utc)).map_err(|_| corrupt())
}
