//! CSV exports of the lists an officer works from (caseload, breaches, overdue duties): the
//! same rows and columns the caller may see in the list, all pages of it up to [`MAX_ROWS`].
//!
//! A file leaves the service's control, so an export is a disclosure: it needs a reason (and a
//! crime reference where the reason requires one), and one `disclosure` audit entry names the
//! list, the justification and every record in the file, besides the consultations the list's
//! own reads record page by page.
//!
//! Cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or
//! carriage return) are written with a leading apostrophe (OWASP, "CSV injection").

use chrono::{DateTime, Utc};
use domain::ids::RecordId;
use domain::vocab::{BreachStatus, ObligationKind};
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::{Ctx, ServiceError, ServiceResult, breaches, queues, registrants};
use crate::auth::{Caller, Permission};
use domain::errors::FieldErrors;

/// The most rows one file holds; a longer list says so in its last line.
pub const MAX_ROWS: usize = 5_000;
const PAGE: u64 = 100;

pub struct Csv {
    pub filename: String,
    pub body: String,
    pub rows: usize,
    pub truncated: bool,
}

/// The caller's caseload, as `/api/v1/registrants` lists it for them.
pub async fn caseload(ctx: &Ctx, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<Csv> {
    justified(caller)?;
    let national = caller.can(Permission::RegistrantReadNational);
    let (rows, truncated) = every_page(|after| {
        let managing_org = national.then(|| caller.org.clone());
        let filter = registrants::ListFilter { status: None, managing_org, risk_level: None, after, limit: PAGE };
        async move { registrants::list(ctx, caller, filter, now).await.map(|p| (p.items, p.next_after)) }
    })
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.uuid()).collect();
    let header = ["reference", "name", "status", "risk_level", "managing_org", "supervising_org"];
    let cells = rows.into_iter().map(|r| {
        vec![
            r.reference,
            r.primary_name.unwrap_or_default(),
            r.status.as_str().to_owned(),
            r.risk_level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
            r.managing_org,
            r.supervising_org.unwrap_or_default(),
        ]
    });
    let permission = if national { Permission::RegistrantReadNational } else { Permission::RegistrantReadSupervised };
    let spec = Spec { list: "caseload", operation: "export.caseload", permission, record_type: "registrant" };
    finish(ctx, caller, now, spec, &header, cells, &ids, truncated).await
}

/// The organisation's breaches (of one status, or all), as `/api/v1/breaches` lists them.
pub async fn breaches(ctx: &Ctx, caller: &Caller, status: Option<BreachStatus>, now: DateTime<Utc>) -> ServiceResult<Csv> {
    justified(caller)?;
    let (rows, truncated) = every_page(|after| {
        let filter = breaches::ListFilter { status, registrant_id: None, managing_org: None, after, limit: PAGE };
        async move { breaches::list(ctx, caller, filter, now).await.map(|p| (p.items, p.next_after)) }
    })
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id.uuid()).collect();
    let header = ["registrant_reference", "source", "status", "detected_at", "managing_org", "breach_id"];
    let cells = rows.into_iter().map(|b| {
        vec![
            b.registrant_reference,
            b.source.as_str().to_owned(),
            b.status.as_str().to_owned(),
            b.detected_at.to_rfc3339(),
            b.managing_org,
            b.id.to_string(),
        ]
    });
    let spec = Spec { list: "breaches", operation: "export.breaches", permission: Permission::BreachRead, record_type: "breach" };
    finish(ctx, caller, now, spec, &header, cells, &ids, truncated).await
}

/// Duties past due, oldest first, as `/api/v1/occurrences/overdue` lists them.
pub async fn overdue(ctx: &Ctx, caller: &Caller, kind: Option<ObligationKind>, now: DateTime<Utc>) -> ServiceResult<Csv> {
    justified(caller)?;
    let filter = queues::OverdueFilter { managing_org: None, officer: None, kind, limit: MAX_ROWS as u64 + 1, skip: 0 };
    let mut rows = queues::overdue(ctx, caller, filter, now).await?;
    let truncated = rows.len() > MAX_ROWS;
    rows.truncate(MAX_ROWS);
    let ids: Vec<Uuid> = rows.iter().map(|o| o.occurrence_id.uuid()).collect();
    let header = ["registrant_reference", "duty", "due_at", "managing_org", "managing_officer", "occurrence_id"];
    let cells = rows.into_iter().map(|o| {
        vec![
            o.registrant_reference,
            o.obligation_kind.as_str().to_owned(),
            o.due_at.to_rfc3339(),
            o.managing_org,
            o.managing_officer.unwrap_or_default(),
            o.occurrence_id.to_string(),
        ]
    });
    let spec = Spec { list: "overdue", operation: "export.overdue", permission: Permission::ObligationRead, record_type: "occurrence" };
    finish(ctx, caller, now, spec, &header, cells, &ids, truncated).await
}

/// Reads a keyset-paged list page by page (each page read and audited by the list itself) up to
/// [`MAX_ROWS`]; says whether more was left.
async fn every_page<T, F, Fut>(mut page: F) -> ServiceResult<(Vec<T>, bool)>
where
    F: FnMut(Option<Uuid>) -> Fut,
    Fut: Future<Output = ServiceResult<(Vec<T>, Option<Uuid>)>>,
{
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let (items, next) = page(after).await?;
        rows.extend(items);
        after = next;
        if after.is_none() || rows.len() >= MAX_ROWS {
            break;
        }
    }
    let truncated = after.is_some() || rows.len() > MAX_ROWS;
    rows.truncate(MAX_ROWS);
    Ok((rows, truncated))
}

/// An export needs a reason code (the API's policy asks for it before this runs; the web
/// interface passes the list page's own).
fn justified(caller: &Caller) -> ServiceResult<()> {
    let mut errors = FieldErrors::default();
    if caller.justification.reason_code.is_none() {
        errors.push(domain::reasons::REASON_HEADER, "justification_required", "an export is a disclosure and needs a reason code");
    }
    errors.finish()?;
    Ok(())
}

/// Which list, and how its export is audited.
struct Spec {
    list: &'static str,
    operation: &'static str,
    permission: Permission,
    record_type: &'static str,
}

#[expect(clippy::too_many_arguments, reason = "one call per list, each naming what it exports")]
async fn finish(
    ctx: &Ctx,
    caller: &Caller,
    now: DateTime<Utc>,
    spec: Spec,
    header: &[&str],
    cells: impl Iterator<Item = Vec<String>>,
    ids: &[Uuid],
    truncated: bool,
) -> ServiceResult<Csv> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let written = (|| -> Result<(), csv::Error> {
        out.write_record(header)?;
        for row in cells {
            out.write_record(row.iter().map(|c| defuse(c).into_owned()))?;
        }
        if truncated {
            out.write_record([format!("(only the first {MAX_ROWS} rows; narrow the list to export the rest)")])?;
        }
        out.flush()?;
        Ok(())
    })();
    written.map_err(|_| ServiceError::Internal("writing the CSV"))?;
    let body = String::from_utf8(out.into_inner().map_err(|_| ServiceError::Internal("writing the CSV"))?)
        .map_err(|_| ServiceError::Internal("writing the CSV"))?;
    let entry = Entry {
        action: Action::Disclosure,
        operation: spec.operation,
        permission: spec.permission,
        record_type: spec.record_type,
        record_ids: ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, entry).await?;
    Ok(Csv { filename: format!("vigil-{}-{}.csv", spec.list, now.format("%Y%m%d-%H%M")), body, rows: ids.len(), truncated })
}

/// A cell a spreadsheet would evaluate, made text.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_become_text() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("O'Neil"), "O'Neil");
        assert_eq!(defuse(""), "");
    }
}
