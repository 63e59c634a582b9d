//! What callers get back about orders: decrypted, shaped for the API, never entities. Protected
//! persons (and the prohibitions that describe them) are present only for roles that may see
//! them; for every other role the fields are absent, not empty, so a client cannot mistake
//! "hidden" for "none".

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ConditionId, OrderId, RegistrantId};
use domain::schedule::Schedule;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use domain::vocab::{ConditionCategory, ConditionKind, OrderKind, OrderStatus, Role, VariationKind};

#[derive(Serialize, ToSchema)]
pub struct ProtectedPersonView {
    pub id: Uuid,
    pub given: String,
    pub family: String,
    pub date_of_birth: Option<NaiveDate>,
    pub relationship: Option<String>,
    /// The variation that added this person; absent: the order as made.
    pub added_by_variation: Option<Uuid>,
    /// The variation that removed this person, from `removed_on`; absent: still protected.
    pub removed_by_variation: Option<Uuid>,
    pub removed_on: Option<NaiveDate>,
}

/// A condition. The wording and parameters of a prohibition describe the person it protects
/// (where they live, how they can be reached), so they are absent for roles that may not see
/// protected persons; requirements are shown in full to everyone who may read the order.
#[derive(Serialize, ToSchema)]
pub struct ConditionView {
    pub id: ConditionId,
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Map<String, Value>>,
    pub responsible_person: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Schedule>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The variation that added this condition; absent: the order as made.
    pub added_by_variation: Option<Uuid>,
    /// The variation that removed this condition, from `removed_on`; absent: a current term.
    pub removed_by_variation: Option<Uuid>,
    pub removed_on: Option<NaiveDate>,
}

/// One hearing that varied or renewed the order: a version of its terms.
#[derive(Serialize, ToSchema)]
pub struct VariationView {
    pub id: Uuid,
    /// The version of the terms it made; the order as made is version 1.
    pub terms_version: i32,
    pub kind: VariationKind,
    pub court: String,
    pub case_reference: String,
    pub heard_on: NaiveDate,
    pub effective_on: NaiveDate,
    /// The court's reason. It may describe the people the order protects, so it is absent for
    /// roles that may not see them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub previous_expires_on: Option<NaiveDate>,
    pub previous_until_further_order: bool,
    pub expires_on: Option<NaiveDate>,
    pub until_further_order: bool,
    pub removed_conditions: Vec<ConditionId>,
    pub added_conditions: Vec<ConditionId>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusChangeView {
    pub id: Uuid,
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub reason: Option<String>,
    /// The person's subject, or `vigil:expiry` when the order expired by itself.
    pub changed_by: String,
    /// Absent when a job made the change.
    pub changed_role: Option<Role>,
    pub changed_at: DateTime<Utc>,
    /// When the change took legal effect, where that is not when it was recorded (an interim
    /// order replaced from the full order's effective day, an order expired at the end of its
    /// last day).
    pub effective_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    pub registrant_id: RegistrantId,
    pub kind: OrderKind,
    /// Notification regime code.
    pub regime: String,
    pub court: Option<String>,
    pub case_reference: Option<String>,
    pub made_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub until_further_order: bool,
    pub status: OrderStatus,
    /// The order this one replaces (a full SPO replacing the interim SPO, SPA 2019 s.5(6)).
    pub replaces_order_id: Option<OrderId>,
    pub managing_org: String,
    /// Only for roles that may see protected persons; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_persons: Option<Vec<ProtectedPersonView>>,
    /// People a variation stopped the order protecting; same visibility as `protected_persons`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former_protected_persons: Option<Vec<ProtectedPersonView>>,
    /// The current terms: conditions as made or added by a variation, and not removed since.
    pub conditions: Vec<ConditionView>,
    /// Conditions a variation removed, kept as the court once ordered them.
    pub former_conditions: Vec<ConditionView>,
    /// The version of the order's terms: 1 as made, one more for each variation or renewal.
    pub terms_version: i32,
    /// Every variation and renewal, oldest first.
    pub variations: Vec<VariationView>,
    pub status_history: Vec<StatusChangeView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    pub registrant_id: RegistrantId,
    pub items: Vec<OrderView>,
}
