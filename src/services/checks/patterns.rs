//! What follows from links (DESIGN §3): serial patterns, breach candidates and order-eligibility
//! prompts. A link *counts* once an officer confirmed it, or while pending when it rests on a
//! strong identifier or a very high probability; rejected links never count.
//!
//! - Reports joined by counted report↔report links form a cluster. A cluster, or a registrant,
//!   with two or more distinct victims raises a `serial_pattern` alert to every force whose
//!   report is in the pattern, and to the registrant's managing unit when one is involved (one
//!   alert each, so each force's queue shows it).
//! - A repeat (two or more reports) or multi-victim suspect with no order in force raises an
//!   `order_eligibility` prompt.
//! - A report counted against a registrant whose order in force protects the report's victim,
//!   or prohibits a channel the report says was used, raises a breach candidate (source
//!   `crime_report`) linked to that condition, with its outbox notification.
//!
//! Alerts carry ids and counts only; their dedupe keys make every step idempotent.

use chrono::{DateTime, Utc};
use domain::ids::{BreachId, ConditionId, OrderId, RecordId, RegistrantId, ReportId};
use domain::vocab::{AlertKind, AlertSubject};
use entities::{breach, crime_report, link, order_condition, order_protected_person, registrant};
use jobs::alerts::{self, NewAlert};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use super::views::{LinkStatus, TargetKind};
use crate::crypto::{Crypto, columns};
use crate::linkage::names::canonical;
use crate::services::orders::read::in_force;
use crate::services::{ServiceResult, reports};
use domain::calendar;
use domain::commands::orders::ProtectedPersonDetails;
use domain::text;
use domain::vocab::{BreachSource, BreachStatus, ConditionCategory};

/// A cluster is followed this far; beyond it the officer reviewing it has the picture.
const MAX_CLUSTER: usize = 500;
pub const DETECTOR: &str = "vigil:linkage";

fn counted() -> Condition {
    Condition::any().add(link::Column::Status.eq(LinkStatus::Confirmed)).add(
        Condition::all()
            .add(link::Column::Status.is_in([LinkStatus::Pending.as_str(), LinkStatus::NeedsInfo.as_str()]))
            .add(link::Column::Strong.eq(true)),
    )
}

/// The reports joined to `start` through counted report↔report links (including `start`).
pub async fn cluster(conn: &impl ConnectionTrait, start: ReportId) -> ServiceResult<Vec<ReportId>> {
    let mut seen = vec![start];
    let mut frontier = vec![start];
    while !frontier.is_empty() && seen.len() < MAX_CLUSTER {
        let edges = link::Entity::find()
            .filter(link::Column::TargetKind.eq(TargetKind::Report))
            .filter(counted())
            .filter(
                Condition::any()
                    .add(link::Column::ReportId.is_in(frontier.iter().copied()))
                    .add(link::Column::TargetId.is_in(frontier.iter().map(|id| id.uuid()))),
            )
            .all(conn)
            .await?;
        frontier.clear();
        for e in edges {
            // Report-to-report links: the target is a report too.
            for id in [e.report_id, ReportId::from(e.target_id)] {
                if !seen.contains(&id) {
                    seen.push(id);
                    frontier.push(id);
                }
            }
        }
    }
    seen.sort();
    Ok(seen)
}

fn distinct_victims(reports: &[crime_report::Model]) -> usize {
    let mut refs: Vec<&str> = reports.iter().map(|r| r.victim_reference.as_str()).collect();
    refs.sort_unstable();
    refs.dedup();
    refs.len()
}

/// Who a serial pattern is told to: the managing unit if a registrant is involved, and the
/// recording organisation of every report in it, each once, in a stable order. A force whose
/// report is part of a pattern needs to know even when another force recorded the latest one.
fn told(reports: &[crime_report::Model], managing_org: Option<&str>) -> Vec<String> {
    let mut orgs: Vec<String> = managing_org.into_iter().map(str::to_owned).chain(reports.iter().map(|r| r.intake_org.clone())).collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

/// Re-evaluates everything that follows from the links of `report`. Returns the ids of alerts'
/// subjects and breaches raised, for the caller's audit entry.
pub async fn evaluate(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    report: &crime_report::Model,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let mut raised = Vec::new();
    let cluster_ids = cluster(conn, report.id).await?;
    let cluster = crime_report::Entity::find().filter(crime_report::Column::Id.is_in(cluster_ids.iter().copied())).all(conn).await?;
    let to_registrants = link::Entity::find()
        .filter(link::Column::TargetKind.eq(TargetKind::Registrant))
        .filter(link::Column::ReportId.is_in(cluster_ids.iter().copied()))
        .filter(counted())
        .all(conn)
        .await?;
    let mut registrant_ids: Vec<RegistrantId> = to_registrants.iter().map(|l| RegistrantId::from(l.target_id)).collect();
    registrant_ids.sort();
    registrant_ids.dedup();
    let root = cluster_ids.first().copied().unwrap_or(report.id);

    if registrant_ids.is_empty() {
        let victims = distinct_victims(&cluster);
        let detail = json!({ "reports": cluster_ids, "distinct_victims": victims });
        if victims >= 2 {
            // Every force whose report is in the pattern is told, each through its own alert.
            for org in told(&cluster, None) {
                let alert = NewAlert {
                    kind: AlertKind::SerialPattern,
                    dedupe_key: format!("serial_pattern:reports:{root}:{victims}:{org}"),
                    subject_type: AlertSubject::CrimeReport,
                    subject_id: root.uuid(),
                    registrant_id: None,
                    managing_org: org,
                    detail: detail.clone(),
                };
                if alerts::raise(conn, alert, now).await? && !raised.contains(&root.uuid()) {
                    raised.push(root.uuid());
                }
            }
        }
        if cluster.len() >= 2 {
            let alert = NewAlert {
                kind: AlertKind::OrderEligibility,
                dedupe_key: format!("order_eligibility:reports:{root}"),
                subject_type: AlertSubject::CrimeReport,
                subject_id: root.uuid(),
                registrant_id: None,
                managing_org: report.intake_org.clone(),
                detail,
            };
            if alerts::raise(conn, alert, now).await? {
                raised.push(root.uuid());
            }
        }
        return Ok(raised);
    }

    let today = calendar::local_date(now);
    for registrant_id in registrant_ids {
        let Some(owner) = registrant::Entity::find_by_id(registrant_id).one(conn).await? else { continue };
        let direct = link::Entity::find()
            .filter(link::Column::TargetKind.eq(TargetKind::Registrant))
            .filter(link::Column::TargetId.eq(registrant_id))
            .filter(counted())
            .all(conn)
            .await?;
        let mut ids: Vec<ReportId> = direct.iter().map(|l| l.report_id).chain(cluster_ids.iter().copied()).collect();
        ids.sort();
        ids.dedup();
        let linked = crime_report::Entity::find().filter(crime_report::Column::Id.is_in(ids.iter().copied())).all(conn).await?;
        let victims = distinct_victims(&linked);
        let detail = json!({ "reports": ids, "distinct_victims": victims });
        if victims >= 2 {
            // The managing unit, and every force whose report is in the pattern.
            for org in told(&linked, Some(&owner.managing_org)) {
                let alert = NewAlert {
                    kind: AlertKind::SerialPattern,
                    dedupe_key: format!("serial_pattern:registrant:{registrant_id}:{victims}:{org}"),
                    subject_type: AlertSubject::Registrant,
                    subject_id: registrant_id.uuid(),
                    registrant_id: Some(registrant_id),
                    managing_org: org,
                    detail: detail.clone(),
                };
                if alerts::raise(conn, alert, now).await? && !raised.contains(&registrant_id.uuid()) {
                    raised.push(registrant_id.uuid());
                }
            }
        }
        let orders = in_force(conn, registrant_id, today).await?;
        if orders.is_empty() && (linked.len() >= 2 || victims >= 2) {
            let alert = NewAlert {
                kind: AlertKind::OrderEligibility,
                dedupe_key: format!("order_eligibility:registrant:{registrant_id}"),
                subject_type: AlertSubject::Registrant,
                subject_id: registrant_id.uuid(),
                registrant_id: Some(registrant_id),
                managing_org: owner.managing_org.clone(),
                detail,
            };
            if alerts::raise(conn, alert, now).await? {
                raised.push(registrant_id.uuid());
            }
        }
        let involved = to_registrants.iter().any(|l| l.report_id == report.id && l.target_id == registrant_id.uuid());
        if involved && !orders.is_empty() {
            raised.extend(breach_candidates(conn, crypto, report, &owner, &orders, now).await?);
        }
    }
    Ok(raised)
}

fn same_person(victim: &domain::commands::reports::VictimDetails, protected: &ProtectedPersonDetails) -> bool {
    let (vf, pf) = (text::fold(&victim.family), text::fold(&protected.family));
    let (vg, pg) = (text::fold(&victim.given), text::fold(&protected.given));
    let first = |g: &str| g.split_whitespace().next().unwrap_or("").to_owned();
    let given_ok = vg.is_empty() || pg.is_empty() || canonical(&first(&vg)) == canonical(&first(&pg));
    let dob_ok = match (victim.date_of_birth, protected.date_of_birth) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    vf == pf && given_ok && dob_ok
}

/// Channel codes a banned-channel condition names in its parameters (`channel`, `channels`,
/// `platform` or `platforms`, each a string or a list), folded.
fn banned_channels(parameters: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["channel", "channels", "platform", "platforms"] {
        match parameters.get(key) {
            Some(Value::String(s)) => out.push(text::fold(s)),
            Some(Value::Array(items)) => out.extend(items.iter().filter_map(Value::as_str).map(text::fold)),
            _ => {}
        }
    }
    out
}

async fn breach_candidates(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    report: &crime_report::Model,
    owner: &registrant::Model,
    orders: &[entities::order::Model],
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let victim = reports::victim(crypto, report)?;
    let suspect = reports::suspect(crypto, report)?;
    let mut used: Vec<String> = serde_json::from_str::<Vec<String>>(&report.channels).unwrap_or_default();
    used.extend(suspect.platforms());
    let mut raised = Vec::new();
    for order in orders {
        let conditions = order_condition::Entity::find().filter(order_condition::Column::OrderId.eq(order.id)).all(conn).await?;
        if let Some(victim) = &victim {
            let persons =
                order_protected_person::Entity::find().filter(order_protected_person::Column::OrderId.eq(order.id)).all(conn).await?;
            let mut protects = false;
            for p in persons {
                let details: ProtectedPersonDetails = crypto.open_json(columns::PROTECTED_PERSON, p.id, &p.details_sealed)?;
                protects |= same_person(victim, &details);
            }
            if protects {
                let no_contact: Vec<Option<ConditionId>> =
                    conditions.iter().filter(|c| c.category == ConditionCategory::NoContact).map(|c| Some(c.id)).collect();
                let targets = if no_contact.is_empty() { vec![None] } else { no_contact };
                for condition in targets {
                    let why = "the victim of this crime report is a protected person of the order";
                    raised.extend(raise_breach(conn, crypto, report, owner, order.id, condition, why, now).await?);
                }
            }
        }
        for c in conditions.iter().filter(|c| c.category == ConditionCategory::BannedChannel) {
            let parameters: Value = match &c.parameters_sealed {
                Some(sealed) => crypto.open_json(columns::CONDITION_PARAMETERS, c.id, sealed)?,
                None => Value::Null,
            };
            if banned_channels(&parameters).iter().any(|b| used.contains(b)) {
                let why = "this crime report used a channel the order prohibits";
                raised.extend(raise_breach(conn, crypto, report, owner, order.id, Some(c.id), why, now).await?);
            }
        }
    }
    Ok(raised)
}

#[allow(clippy::too_many_arguments)]
async fn raise_breach(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    report: &crime_report::Model,
    owner: &registrant::Model,
    order_id: OrderId,
    condition_id: Option<ConditionId>,
    why: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Option<Uuid>> {
    let same_condition = match condition_id {
        Some(id) => breach::Column::ConditionId.eq(id),
        None => breach::Column::ConditionId.is_null(),
    };
    let exists = breach::Entity::find()
        .filter(breach::Column::ReportId.eq(report.id))
        .filter(breach::Column::RegistrantId.eq(owner.id))
        .filter(breach::Column::OrderId.eq(order_id))
        .filter(same_condition)
        .one(conn)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let id = BreachId::generate();
    breach::Entity::insert(breach::ActiveModel {
        id: Set(id),
        registrant_id: Set(owner.id),
        occurrence_id: Set(None),
        order_id: Set(Some(order_id)),
        condition_id: Set(condition_id),
        source: Set(BreachSource::CrimeReport),
        status: Set(BreachStatus::Open),
        summary_sealed: Set(Some(crypto.seal_str(columns::BREACH_SUMMARY, id, &format!("Breach candidate: {why}."))?)),
        recorded_by: Set(Some(DETECTOR.to_owned())),
        managing_org: Set(owner.managing_org.clone()),
        detected_at: Set(now),
        version: Set(1),
        created_at: Set(now),
        report_id: Set(Some(report.id)),
        withdrawal_reason_sealed: Set(None),
        withdrawn_by: Set(None),
        withdrawn_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    jobs::outbox::enqueue(conn, "breach.crime_report".into(), id.uuid(), owner.managing_org.clone(), now).await?;
    Ok(Some(id.uuid()))
}
