//! Request bodies for breaches and enforcement decisions, and their validation.

use domain::ids::{ConditionId, OccurrenceId, OrderId};
use serde::Deserialize;
use utoipa::ToSchema;

use domain::errors::FieldErrors;
use domain::text;
use domain::vocab::EnforcementAction;

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"summary": "Seen inside the exclusion zone by a patrol (synthetic example)."})))]
pub struct NewBreachInput {
    /// The order breached; it must be one of this registrant's.
    pub order_id: Option<OrderId>,
    /// The condition breached; it must belong to one of this registrant's orders (and to
    /// `order_id` when both are given).
    pub condition_id: Option<ConditionId>,
    /// The missed occurrence, if the breach is a missed duty; one breach per occurrence.
    pub occurrence_id: Option<OccurrenceId>,
    /// What happened (sealed).
    pub summary: String,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"action": "warning", "reason": "First breach, warning given in person (synthetic example).", "version": 1})))]
pub struct DecisionInput {
    pub action: EnforcementAction,
    /// Why this action was decided (sealed).
    pub reason: String,
    /// The version of the breach you read; a stale version is refused with 409.
    pub version: i32,
}

pub fn summary(input: &NewBreachInput) -> Result<String, FieldErrors> {
    text::required("summary", &input.summary, 4000).map_err(|e| FieldErrors(vec![e]))
}

pub fn reason(input: &DecisionInput) -> Result<String, FieldErrors> {
    text::required("reason", &input.reason, 4000).map_err(|e| FieldErrors(vec![e]))
}
