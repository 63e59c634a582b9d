//! Request bodies for notifications, compliance outcomes and excusals, and their validation.
//! Unknown fields are rejected; every problem names the JSON path of its field.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::services::registrants::input::short_text;
use domain::commands::compliance::{self, RecordCompliance};
use domain::commands::notifications::RecordNotification;
use domain::errors::FieldErrors;
use domain::text;
use domain::vocab::{ComplianceOutcome, NotificationKind, NotificationMethod};

/// Clocks differ a little between a station terminal and this service.
const CLOCK_SKEW: Duration = Duration::minutes(5);

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "kind": "initial",
    "method": "in_person_at_station",
    "station": "Exampleton Police Station",
    "acknowledgement_given": true,
    "notified_at": "2026-01-13T10:30:00Z",
    "details": "Notified name and home address (synthetic example)."
})))]
pub struct NotificationInput {
    pub kind: NotificationKind,
    pub method: NotificationMethod,
    /// The police station attended; required for notifications in person at a station.
    pub station: Option<String>,
    /// Whether the officer gave the registrant a written acknowledgement (SPA 2019 s.10).
    pub acknowledgement_given: bool,
    pub notified_at: DateTime<Utc>,
    /// What was notified (sealed).
    pub details: Option<String>,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"outcome": "attended_complied", "version": 1})))]
pub struct ComplianceInput {
    pub outcome: ComplianceOutcome,
    /// Required for an acceptable absence (the reason it was acceptable). Sealed.
    pub notes: Option<String>,
    /// The version of the occurrence you read; a stale version is refused with 409.
    pub version: i32,
    /// Required exactly when the outcome is `rescheduled`: when the session now takes place.
    pub rescheduled_to: Option<DateTime<Utc>>,
}

/// A correction of a session recorded as missed that was in fact attended (or the absence was
/// acceptable), for example entered at the end of the day after the grace period had passed.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"outcome": "acceptable_absence", "notes": "Hospital appointment, letter seen (synthetic example).", "reason": "The absence was agreed in advance but recorded as a failure.", "version": 2})))]
pub struct CorrectionInput {
    /// What really happened: `attended_complied` or `acceptable_absence`.
    pub outcome: ComplianceOutcome,
    /// Required for an acceptable absence (the reason it was acceptable). Sealed.
    pub notes: Option<String>,
    /// Why the recorded outcome was wrong. Sealed; kept with the withdrawn breach.
    pub reason: String,
    /// The version of the occurrence you read; a stale version is refused with 409.
    pub version: i32,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"reason": "Court appearance on the day (synthetic example).", "version": 1})))]
pub struct ExcusalInput {
    /// Why the registrant is excused (sealed).
    pub reason: String,
    /// The version of the occurrence you read; a stale version is refused with 409.
    pub version: i32,
}

/// The request as a domain command; a notification cannot be in the future (beyond clock skew).
pub fn notification(input: &NotificationInput, now: DateTime<Utc>) -> Result<RecordNotification, FieldErrors> {
    let mut errors = FieldErrors::default();
    let station = short_text(&mut errors, "station", input.station.as_deref(), 120);
    if input.method == NotificationMethod::InPersonAtStation && station.is_none() && errors.is_empty() {
        errors.push("station", "required", "name the police station attended");
    }
    let details = short_text(&mut errors, "details", input.details.as_deref(), 4000);
    if input.notified_at > now + CLOCK_SKEW {
        errors.push("notified_at", "in_future", "must not be in the future");
    }
    errors.finish()?;
    Ok(RecordNotification {
        kind: input.kind,
        method: input.method,
        station,
        acknowledgement_given: input.acknowledgement_given,
        notified_at: input.notified_at,
        details,
    })
}

/// The request, parsed into the domain command (`domain::commands::compliance`): the service
/// never reads the raw body again.
impl TryFrom<&ComplianceInput> for RecordCompliance {
    type Error = FieldErrors;

    fn try_from(input: &ComplianceInput) -> Result<Self, FieldErrors> {
        compliance::parse(input.outcome, input.notes.as_deref(), input.rescheduled_to, input.version)
    }
}

pub fn excusal(input: &ExcusalInput) -> Result<String, FieldErrors> {
    text::required("reason", &input.reason, 4000).map_err(|e| FieldErrors(vec![e]))
}
