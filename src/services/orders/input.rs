//! Request bodies for orders and their validation into domain values. Unknown fields are
//! rejected; every problem is reported with the JSON path of its field.

use chrono::NaiveDate;
use domain::commands::orders::{NewCondition, NewOrder, ProtectedPersonDetails};
use domain::ids::{ConditionId, OrderId};
use domain::schedule::Schedule;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::services::registrants::input::short_text;
use domain::errors::FieldErrors;
use domain::limits;
use domain::orders::{self, ConditionShape, OrderDates};
use domain::person::{self, PersonName};
use domain::text;
use domain::vocab::{ConditionCategory, ConditionKind, OrderKind, OrderStatus, VariationKind};
use uuid::Uuid;

/// Sealed parameters are kept small: they describe a condition, they are not a document store.
const MAX_PARAMETERS_BYTES: usize = 8 * 1024;

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "kind": "spo",
    "court": "Exampleton Magistrates' Court",
    "case_reference": "EX/2026/0001",
    "made_on": "2026-01-12",
    "served_on": "2026-01-12",
    "until_further_order": true,
    "protected_persons": [{"given": "Pat", "family": "Protected", "relationship": "former partner"}],
    "conditions": [{"kind": "prohibition", "category": "no_contact", "text": "No contact with the protected person by any means."}]
})))]
pub struct NewOrderInput {
    pub kind: OrderKind,
    /// Notification regime code, e.g. `spa2019_s9`; defaults to the usual regime of the kind.
    pub regime: Option<String>,
    pub court: String,
    pub case_reference: String,
    pub made_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    /// The day the order ceases to have effect. Give this or `until_further_order`, not both.
    pub expires_on: Option<NaiveDate>,
    #[serde(default)]
    pub until_further_order: bool,
    /// Defaults to `interim` for interim orders and `active` otherwise.
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub protected_persons: Vec<ProtectedPersonInput>,
    #[serde(default)]
    pub conditions: Vec<ConditionInput>,
    /// The interim order this order replaces (a full SPO made when the main application is
    /// decided, SPA 2019 s.5(6)): same registrant, in force. The interim order is superseded from
    /// this order's effective day and the notification clock is not restarted (s.9(1)).
    pub replaces_order_id: Option<OrderId>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"given": "Pat", "family": "Protected", "date_of_birth": "1990-05-17", "relationship": "former partner"})))]
pub struct ProtectedPersonInput {
    #[serde(default)]
    pub given: String,
    pub family: String,
    pub date_of_birth: Option<NaiveDate>,
    /// Relationship to the registrant, e.g. `former partner`.
    pub relationship: Option<String>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "kind": "requirement",
    "category": "attend_programme",
    "text": "Attend the behaviour change programme weekly.",
    "parameters": {"programme": "Example programme"},
    "responsible_person": "Programme manager, Sampleford",
    "schedule": {"frequency": {"every": "week", "weekday": "Tue"}, "time": "10:00:00", "starts_on": "2026-03-03"}
})))]
pub struct ConditionInput {
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    /// The condition as the court worded it.
    pub text: String,
    /// Structured details (zone, channel, programme name); any JSON object. Sealed.
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Map<String, Value>>,
    /// Who supervises compliance with a requirement (required for DAPO requirements).
    pub responsible_person: Option<String>,
    /// Requirements only, e.g. `{"frequency": {"every": "week", "weekday": "Tue"}, "time":
    /// "10:00:00", "starts_on": "2026-01-06", "ends_on": null, "except": ["2026-02-17"]}`.
    /// No session falls on a bank holiday in England and Wales unless
    /// `"held_on_bank_holidays": true`, nor on a day listed in `except` (at most 366).
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Schedule>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"served_on": "2026-01-14", "version": 1})))]
pub struct ServiceInput {
    pub served_on: NaiveDate,
    /// The version you read; a stale version is refused with 409.
    pub version: i32,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"status": "expired", "version": 1, "reason": "The order ran its course (synthetic example)."})))]
pub struct StatusChangeInput {
    pub status: OrderStatus,
    /// The version you read; a stale version is refused with 409.
    pub version: i32,
    pub reason: Option<String>,
}

/// Everything that can be checked without the database. The regime is looked up by the caller,
/// which adds to the same error list.
pub fn validate(errors: &mut FieldErrors, input: NewOrderInput, today: NaiveDate) -> Option<NewOrder> {
    let court = errors.take(text::required("court", &input.court, 200));
    let case_reference = errors.take(text::required("case_reference", &input.case_reference, 100));
    let dates = OrderDates {
        made_on: input.made_on,
        served_on: input.served_on,
        effective_on: input.effective_on,
        expires_on: input.expires_on,
        until_further_order: input.until_further_order,
    };
    errors.0.extend(orders::check_dates(input.kind, &dates, today));
    let status = input.status.unwrap_or_else(|| input.kind.initial_status());
    errors.take(orders::check_new_status(input.kind, status));
    // Lists over their limits are refused before any entry is looked at.
    let over: Vec<_> = [
        limits::too_many("protected_persons", input.protected_persons.len(), limits::PROTECTED_PERSONS),
        limits::too_many("conditions", input.conditions.len(), limits::CONDITIONS),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !over.is_empty() {
        errors.0.extend(over);
        return None;
    }
    let persons: Vec<_> = input
        .protected_persons
        .iter()
        .enumerate()
        .filter_map(|(i, p)| protected_person(errors, &format!("protected_persons[{i}]"), p, today))
        .collect();
    let conditions: Vec<_> = input
        .conditions
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| condition(errors, &format!("conditions[{i}]"), input.kind, input.made_on, c))
        .collect();
    Some(NewOrder {
        kind: input.kind,
        court: court?,
        case_reference: case_reference?,
        dates,
        status,
        protected_persons: persons,
        conditions,
    })
}

fn protected_person(
    errors: &mut FieldErrors,
    field: &str,
    input: &ProtectedPersonInput,
    today: NaiveDate,
) -> Option<ProtectedPersonDetails> {
    let date_of_birth = input.date_of_birth.and_then(|d| errors.take(person::birth_date(&format!("{field}.date_of_birth"), d, today)));
    let relationship = short_text(errors, &format!("{field}.relationship"), input.relationship.as_deref(), 100);
    match PersonName::parse(field, &input.given, &input.family) {
        Ok(name) => Some(ProtectedPersonDetails { given: name.given, family: name.family, date_of_birth, relationship }),
        Err(list) => {
            errors.0.extend(list);
            None
        }
    }
}

fn condition(
    errors: &mut FieldErrors,
    field: &str,
    order_kind: OrderKind,
    made_on: NaiveDate,
    input: ConditionInput,
) -> Option<NewCondition> {
    let text = errors.take(text::required(&format!("{field}.text"), &input.text, 4000));
    let responsible_person = short_text(errors, &format!("{field}.responsible_person"), input.responsible_person.as_deref(), 200);
    if let Some(parameters) = &input.parameters {
        let size = serde_json::to_vec(parameters).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > MAX_PARAMETERS_BYTES {
            errors.push(format!("{field}.parameters"), "too_large", format!("must be at most {MAX_PARAMETERS_BYTES} bytes of JSON"));
        }
    }
    let shape = ConditionShape {
        kind: input.kind,
        category: input.category,
        responsible_person: responsible_person.as_deref(),
        schedule: input.schedule.as_ref(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
    };
    errors.0.extend(orders::check_condition(field, order_kind, made_on, &shape));
    Some(NewCondition {
        kind: input.kind,
        category: input.category,
        text: text?,
        parameters: input.parameters,
        responsible_person,
        schedule: input.schedule,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
    })
}

/// A court's variation or renewal of an order (SPA 2019 s.7, DAA 2021 s.44–45): a new version of
/// its terms. Conditions and protected persons are removed by id and added in full; a changed
/// requirement is the old one removed and the new one added.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "kind": "variation",
    "version": 1,
    "hearing": {"court": "Sampleford Family Court", "case_reference": "SF/2026/0042/V", "heard_on": "2026-04-01"},
    "reason": "Varied on the application of the chief officer.",
    "expires_on": "2030-01-01",
    "add_conditions": [{"kind": "prohibition", "category": "exclusion_zone", "text": "Not to enter Example Park.", "parameters": {"zone": "Example Park"}}]
})))]
pub struct VariationInput {
    pub kind: VariationKind,
    /// The order's version you read; a stale version is refused with 409.
    pub version: i32,
    pub hearing: HearingInput,
    /// Why the court varied or renewed the order.
    pub reason: String,
    /// The day the new terms take effect; defaults to the day of the hearing.
    pub effective_on: Option<NaiveDate>,
    /// The order's new end, if the court changed it (a renewal must). Give this or
    /// `until_further_order`, not both; give neither to keep the current end.
    pub expires_on: Option<NaiveDate>,
    #[serde(default)]
    pub until_further_order: bool,
    #[serde(default)]
    pub remove_conditions: Vec<ConditionId>,
    #[serde(default)]
    pub add_conditions: Vec<ConditionInput>,
    #[serde(default)]
    pub remove_protected_persons: Vec<Uuid>,
    #[serde(default)]
    pub add_protected_persons: Vec<ProtectedPersonInput>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"court": "Sampleford Family Court", "case_reference": "SF/2026/0042/V", "heard_on": "2026-04-01"})))]
pub struct HearingInput {
    pub court: String,
    pub case_reference: String,
    pub heard_on: NaiveDate,
}

/// A variation's text and additions, checked; the dates are checked against the order by
/// `domain::variations::check`.
pub struct ValidVariation {
    pub court: String,
    pub case_reference: String,
    pub reason: String,
    pub add_conditions: Vec<NewCondition>,
    pub add_protected_persons: Vec<ProtectedPersonDetails>,
}

/// Everything about a variation that needs only the order's kind and the day it takes effect.
pub fn validate_variation(
    errors: &mut FieldErrors,
    input: &VariationInput,
    order_kind: OrderKind,
    effective_on: NaiveDate,
    today: NaiveDate,
) -> Option<ValidVariation> {
    let court = errors.take(text::required("hearing.court", &input.hearing.court, 200));
    let case_reference = errors.take(text::required("hearing.case_reference", &input.hearing.case_reference, 100));
    let reason = errors.take(text::required("reason", &input.reason, 2000));
    let over: Vec<_> = [
        limits::too_many("add_protected_persons", input.add_protected_persons.len(), limits::PROTECTED_PERSONS),
        limits::too_many("add_conditions", input.add_conditions.len(), limits::CONDITIONS),
        limits::too_many("remove_protected_persons", input.remove_protected_persons.len(), limits::PROTECTED_PERSONS),
        limits::too_many("remove_conditions", input.remove_conditions.len(), limits::CONDITIONS),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !over.is_empty() {
        errors.0.extend(over);
        return None;
    }
    let add_protected_persons: Vec<_> = input
        .add_protected_persons
        .iter()
        .enumerate()
        .filter_map(|(i, p)| protected_person(errors, &format!("add_protected_persons[{i}]"), p, today))
        .collect();
    // A condition added by a variation starts no earlier than the variation takes effect.
    let add_conditions: Vec<_> = input
        .add_conditions
        .iter()
        .cloned()
        .enumerate()
        .filter_map(|(i, c)| condition(errors, &format!("add_conditions[{i}]"), order_kind, effective_on, c))
        .collect();
    Some(ValidVariation { court: court?, case_reference: case_reference?, reason: reason?, add_conditions, add_protected_persons })
}

/// The optional reason for a status change.
pub fn status_reason(errors: &mut FieldErrors, reason: Option<&str>) -> Option<String> {
    short_text(errors, "reason", reason, 2000)
}
