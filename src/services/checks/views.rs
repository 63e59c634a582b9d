//! What register checks and links return. Intake gets [`IntakeCheckView`] only: a result, a
//! check reference and a contact route, never names, identifiers, victims or scores.

use chrono::{DateTime, Utc};
use domain::ids::{CandidateId, CheckId, LinkId, ReportId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::linkage::score::FieldScore;
pub use domain::vocab::{CandidateOutcome, CheckResult, LinkDecision, LinkStatus, TargetKind};

/// Minimal disclosure for intake staff. Closed in the schema (`additionalProperties: false`), so
/// that a full [`CheckView`] is never also a valid `IntakeCheckView` and the response's `oneOf`
/// names exactly one shape.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeCheckView {
    pub result: CheckResult,
    /// Quote this when contacting the managing unit.
    pub check_reference: String,
    /// The organisation to contact about a possible match (the managing unit); absent when
    /// there is no match.
    pub contact_route: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CandidateView {
    pub id: CandidateId,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    /// The registrant's reference, or `force/crime reference` of an earlier report.
    pub target_reference: String,
    pub probability: f64,
    pub weight: f64,
    pub outcome: CandidateOutcome,
    pub link_id: Option<LinkId>,
    /// Field names and agreement levels with their weights; never values.
    pub explanation: Vec<FieldScore>,
}

/// A check in full, for public protection officers.
#[derive(Serialize, ToSchema)]
pub struct CheckView {
    pub id: CheckId,
    pub check_reference: String,
    pub report_id: ReportId,
    pub result: CheckResult,
    pub contact_route: Option<String>,
    pub algorithm_version: String,
    pub created_at: DateTime<Utc>,
    pub candidates: Vec<CandidateView>,
}

/// A register check's answer: its shape depends on the caller's role.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum CheckResponse {
    Intake(IntakeCheckView),
    Full(CheckView),
}

/// A proposed or decided link, for the review queue.
#[derive(Serialize, ToSchema)]
pub struct LinkView {
    pub id: LinkId,
    pub report_id: ReportId,
    pub report_reference: String,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    pub target_reference: String,
    pub status: LinkStatus,
    pub probability: f64,
    /// A strong identifier agrees or the probability is very high: counts towards serial
    /// patterns before review.
    pub strong: bool,
    pub explanation: Vec<FieldScore>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"decision": "confirm", "reason": "Phone number and description match the registrant (synthetic example).", "version": 1})))]
pub struct LinkDecisionInput {
    pub decision: LinkDecision,
    /// Why; sealed, kept for the audit of the decision.
    pub reason: String,
    /// The version you read; a stale version is refused with 409.
    pub version: i32,
}
