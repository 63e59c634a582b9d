//! Reasons given in the web interface ("Why are you accessing this?"), remembered per browser
//! session and record for [`REMEMBERED`], so every page of that record is read under them.

use chrono::{DateTime, Utc};
use entities::web_justification;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Ctx, ServiceResult};
use crate::auth::Justification;
use domain::errors::FieldErrors;

/// How long a reason covers further reads of the same record in the same session.
pub const REMEMBERED: chrono::Duration = chrono::Duration::minutes(30);

/// The reason given for `record` in this session, if still current.
pub async fn current(ctx: &Ctx, session: Uuid, record: Uuid, now: DateTime<Utc>) -> ServiceResult<Option<Justification>> {
    let row =
        web_justification::Entity::find_by_id((session, record)).filter(web_justification::Column::ExpiresAt.gt(now)).one(&ctx.db).await?;
    Ok(row.map(|r| Justification { reason_code: Some(r.reason_code), crime_reference: r.reference }))
}

/// Checks a reason as the API does (`domain::reasons`) and remembers it; nothing is written if
/// it does not hold. The reference is trimmed; field names are the form's.
pub async fn give(
    ctx: &Ctx,
    session: Uuid,
    record: Uuid,
    code: Option<&str>,
    reference: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<Justification> {
    let reference = reference.map(str::trim).filter(|r| !r.is_empty());
    let mut errors = FieldErrors::default();
    if let Some(r) = reference
        && (r.len() > 64 || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/. ".contains(&b)))
    {
        errors.push("reference", "invalid_reference", "Enter a reference of up to 64 letters, numbers, spaces and - _ / .");
    }
    if let Err(checked) = domain::reasons::check(code, reference, true) {
        for e in checked.0 {
            let (field, detail) = match e.code {
                "reference_required" => ("reference", "Enter the crime or case reference"),
                "unknown_reason_code" => ("reason", "Choose a reason from the list"),
                _ => ("reason", "Choose why you are accessing this record"),
            };
            errors.push(field, e.code, detail);
        }
    }
    errors.finish()?;
    let code = code.unwrap_or_default().to_owned();
    let reference = reference.map(str::to_owned);
    web_justification::Entity::insert(web_justification::ActiveModel {
        session_id: Set(session),
        record_id: Set(record),
        reason_code: Set(code.clone()),
        reference: Set(reference.clone()),
        expires_at: Set(now + REMEMBERED),
    })
    .on_conflict(
        OnConflict::columns([web_justification::Column::SessionId, web_justification::Column::RecordId])
            .update_columns([
                web_justification::Column::ReasonCode,
                web_justification::Column::Reference,
                web_justification::Column::ExpiresAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&ctx.writer)
    .await?;
    web_justification::Entity::delete_many().filter(web_justification::Column::ExpiresAt.lt(now)).exec(&ctx.writer).await?;
    Ok(Justification { reason_code: Some(code), crime_reference: reference })
}
