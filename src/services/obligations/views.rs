//! What callers get back about obligations, occurrences, compliance and notifications.

use chrono::{DateTime, Utc};
use domain::ids::{ConditionId, NotificationId, ObligationId, OccurrenceId, OrderId, RegistrantId};
use domain::schedule::Schedule;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::vocab::{ComplianceOutcome, NotificationKind, NotificationMethod, ObligationKind, ObligationStatus, OccurrenceStatus};

#[derive(Serialize, ToSchema)]
pub struct ComplianceView {
    pub id: Uuid,
    pub outcome: ComplianceOutcome,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub recorded_org: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OccurrenceView {
    pub id: OccurrenceId,
    pub obligation_id: ObligationId,
    pub due_at: DateTime<Utc>,
    pub window_opens_at: Option<DateTime<Utc>>,
    pub status: OccurrenceStatus,
    /// Still pending after its due instant (the detection job decides whether it is missed).
    pub overdue: bool,
    /// Why it was excused.
    pub reason: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub version: i32,
    /// The regime, the rule and the event that make it due.
    pub why: domain::due::WhyDue,
    pub compliance: Vec<ComplianceView>,
}

#[derive(Serialize, ToSchema)]
pub struct ObligationView {
    pub id: ObligationId,
    pub kind: ObligationKind,
    pub order_id: Option<OrderId>,
    pub condition_id: Option<ConditionId>,
    pub regime: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Schedule>,
    pub status: ObligationStatus,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub occurrences: Vec<OccurrenceView>,
}

#[derive(Serialize, ToSchema)]
pub struct ObligationList {
    pub registrant_id: RegistrantId,
    pub items: Vec<ObligationView>,
}

#[derive(Serialize, ToSchema)]
pub struct CorrectionResult {
    pub occurrence: OccurrenceView,
    /// The breach the missed outcome had caused, now withdrawn with the correction's reason.
    pub withdrawn_breach_id: Option<domain::ids::BreachId>,
}

#[derive(Serialize, ToSchema)]
pub struct ComplianceResult {
    pub occurrence: OccurrenceView,
    /// The new occurrence when the outcome was `rescheduled`.
    pub rescheduled: Option<OccurrenceView>,
}

/// Something the officer should know about a recorded notification; it was recorded anyway.
#[derive(Serialize, ToSchema)]
pub struct Warning {
    pub code: &'static str,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct NextDue {
    pub obligation_id: ObligationId,
    pub kind: ObligationKind,
    pub due_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: NotificationId,
    pub registrant_id: RegistrantId,
    pub kind: NotificationKind,
    pub method: NotificationMethod,
    pub station: Option<String>,
    pub acknowledgement_given: bool,
    pub notified_at: DateTime<Utc>,
    pub details: Option<String>,
    /// Occurrences this notification met (it was on time for them).
    pub met_occurrences: Vec<Uuid>,
    /// Periodic duties that this notification restarted.
    pub next_due: Vec<NextDue>,
    pub warnings: Vec<Warning>,
}
