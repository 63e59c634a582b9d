//! What callers get back about breaches and enforcement decisions.

use chrono::{DateTime, Utc};
use domain::ids::{BreachId, ConditionId, OccurrenceId, OrderId, RegistrantId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::vocab::{BreachSource, BreachStatus, EnforcementAction, Role};

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
    pub action: EnforcementAction,
    pub reason: String,
    pub decided_by: String,
    pub decided_role: Role,
    pub decided_at: DateTime<Utc>,
}

/// Why and by whom a breach was withdrawn (a corrected outcome).
#[derive(Serialize, ToSchema)]
pub struct WithdrawalView {
    pub reason: String,
    pub withdrawn_by: String,
    pub withdrawn_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct BreachView {
    pub id: BreachId,
    pub registrant_id: RegistrantId,
    pub registrant_reference: String,
    pub order_id: Option<OrderId>,
    pub condition_id: Option<ConditionId>,
    pub occurrence_id: Option<OccurrenceId>,
    pub source: BreachSource,
    pub status: BreachStatus,
    pub summary: Option<String>,
    pub recorded_by: Option<String>,
    pub managing_org: String,
    pub detected_at: DateTime<Utc>,
    pub decisions: Vec<DecisionView>,
    /// Present when the breach was withdrawn.
    pub withdrawal: Option<WithdrawalView>,
    /// The order, condition, missed duty or crime report the breach is about.
    pub context: super::context::BreachContext,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

/// One line of a breach listing; open the breach for its summary and decisions.
#[derive(Serialize, ToSchema)]
pub struct BreachSummary {
    pub id: BreachId,
    pub registrant_id: RegistrantId,
    pub registrant_reference: String,
    pub order_id: Option<OrderId>,
    pub occurrence_id: Option<OccurrenceId>,
    pub source: BreachSource,
    pub status: BreachStatus,
    pub managing_org: String,
    pub detected_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct BreachPage {
    pub items: Vec<BreachSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<Uuid>,
}
