//! Reading a serial-pattern alert back as the pattern it reports: the linked reports across
//! victims, the suspect identifiers they have in common, and whether an order is in force.
//!
//! The alert itself carries ids and counts only; what it points at is decrypted here, for
//! public protection officers of a force the alert was raised to, under a justification, and
//! audited as a consultation. Victims are never named: each distinct victim reference becomes
//! its place in the pattern (V1, V2…), in the order their conduct began.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{AlertId, RecordId, RegistrantId, ReportId};
use domain::vocab::{AlertKind, AlertStatus, Classification, IdentifierKind};
use entities::{alert, crime_report, registrant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::orders::read::in_force;
use crate::services::{Ctx, ServiceError, ServiceResult, reports, tx};
use domain::calendar;
use domain::errors::FieldErrors;

#[derive(Serialize, ToSchema)]
pub struct PatternReport {
    pub id: ReportId,
    /// `force/crime reference`.
    pub reference: String,
    /// The victim's place in the pattern: `V1`, `V2`…; never a name or the force's reference.
    pub victim: String,
    pub principal_classification: Classification,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
    pub force: String,
    pub recorded_at: DateTime<Utc>,
}

/// A suspect identifier given in two or more of the pattern's reports.
#[derive(Serialize, ToSchema)]
pub struct CommonIdentifier {
    pub kind: IdentifierKind,
    pub platform: Option<String>,
    pub value: String,
    /// The victims (`V1`…) whose reports give it.
    pub victims: Vec<String>,
    pub reports: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PatternView {
    pub alert_id: AlertId,
    pub status: AlertStatus,
    pub raised_at: DateTime<Utc>,
    pub registrant_id: Option<RegistrantId>,
    pub registrant_reference: Option<String>,
    /// Whether the registrant has an order in force today; false when no registrant is involved.
    pub order_in_force: bool,
    pub distinct_victims: usize,
    /// Oldest conduct first.
    pub reports: Vec<PatternReport>,
    pub identifiers_in_common: Vec<CommonIdentifier>,
}

/// The pattern a serial-pattern alert of the caller's organisation reports.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: AlertId, now: DateTime<Utc>) -> ServiceResult<PatternView> {
    caller.require(Permission::BreachRead)?;
    caller.require(Permission::MatchRead)?;
    if caller.justification.reason_code.is_none() {
        return Err(FieldErrors::single("Vigil-Reason-Code", "justification_required", "reading a pattern needs a reason code").into());
    }
    let snapshot = tx::begin_read(&ctx.db).await?;
    let row = alert::Entity::find_by_id(id).one(&snapshot).await?.filter(|a| a.kind == AlertKind::SerialPattern);
    let Some(row) = row else {
        snapshot.rollback().await?;
        return Err(ServiceError::NotFound("serial pattern"));
    };
    // Each force is told through its own alert: another force's is not this caller's to read.
    if row.managing_org != caller.org {
        snapshot.rollback().await?;
        audit::record_denied(ctx, caller, now, "serial_pattern.read", Permission::MatchRead, "alert", &[id.uuid()]).await?;
        return Err(ServiceError::NotFound("serial pattern"));
    }
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null);
    let ids: Vec<Uuid> = detail["reports"]
        .as_array()
        .map(|items| items.iter().filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok())).collect())
        .unwrap_or_default();
    let mut rows = crime_report::Entity::find().filter(crime_report::Column::Id.is_in(ids)).all(&snapshot).await?;
    rows.sort_by_key(|r| (reports::reference_date(r), r.created_at, r.id));
    let (registrant_reference, order_in_force) = match row.registrant_id {
        Some(rid) => {
            let reference = registrant::Entity::find_by_id(rid).one(&snapshot).await?.map(|r| r.reference);
            (reference, !in_force(&snapshot, rid, calendar::local_date(now)).await?.is_empty())
        }
        None => (None, false),
    };
    snapshot.commit().await?;

    let mut victim_refs: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut common: Vec<CommonIdentifier> = Vec::new();
    for r in &rows {
        let place = match victim_refs.iter().position(|v| *v == r.victim_reference) {
            Some(i) => i + 1,
            None => {
                victim_refs.push(&r.victim_reference);
                victim_refs.len()
            }
        };
        let victim = format!("V{place}");
        let mut seen_here: Vec<(IdentifierKind, Option<String>, String)> = Vec::new();
        for x in reports::suspect(&ctx.crypto, r)?.identifiers {
            let key = (x.kind, x.platform.clone(), x.value.clone());
            if seen_here.contains(&key) {
                continue;
            }
            seen_here.push(key);
            match common.iter_mut().find(|c| c.kind == x.kind && c.platform == x.platform && c.value == x.value) {
                Some(c) => {
                    c.reports += 1;
                    if !c.victims.contains(&victim) {
                        c.victims.push(victim.clone());
                    }
                }
                None => common.push(CommonIdentifier {
                    kind: x.kind,
                    platform: x.platform,
                    value: x.value,
                    victims: vec![victim.clone()],
                    reports: 1,
                }),
            }
        }
        out.push(PatternReport {
            id: r.id,
            reference: reports::label(r),
            victim,
            principal_classification: r.principal_classification,
            occurred_from: r.occurred_from,
            occurred_to: r.occurred_to,
            force: r.force.clone(),
            recorded_at: r.created_at,
        });
    }
    common.retain(|c| c.reports >= 2);

    let mut audited: Vec<Uuid> = vec![id.uuid()];
    audited.extend(row.registrant_id.map(|r| r.uuid()));
    audited.extend(out.iter().map(|r| r.id.uuid()));
    let entry = Entry {
        action: Action::Consultation,
        operation: "serial_pattern.read",
        permission: Permission::MatchRead,
        record_type: "alert",
        record_ids: &audited,
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(PatternView {
        alert_id: row.id,
        status: row.status,
        raised_at: row.raised_at,
        registrant_id: row.registrant_id,
        registrant_reference,
        order_in_force,
        distinct_victims: victim_refs.len(),
        reports: out,
        identifiers_in_common: common,
    })
}
