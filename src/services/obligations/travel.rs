//! Travel abroad (SOA 2003 s.86 and its regulations): a trip the police know of is recorded with
//! its departure, when its details became known and where to; under every in-force order whose
//! regime sets `travel_notice_days`, it is a notification due that many days before departure,
//! or 12 hours before where the details were not known by then (`Regime::travel_due`). A
//! notification of kind `travel` meets it and nothing else.

use chrono::{DateTime, NaiveDate, Utc};
use domain::due::{Basis, DueEvent};
use domain::errors::FieldErrors;
use domain::ids::{ObligationId, RecordId, RegistrantId};
use domain::vocab::ObligationKind;
use entities::registrant_trip;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::duties::{self, Due};
use super::views::Warning;
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::registrants::read as registrants;
use crate::services::{Ctx, ServiceError, ServiceResult, tx};
use domain::{calendar, text};

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"departs_at": "2026-11-20T08:30:00Z", "returns_on": "2026-11-27", "known_on": "2026-11-02", "destination": "France, Paris"})))]
pub struct TripInput {
    /// When the registrant leaves the United Kingdom.
    pub departs_at: DateTime<Utc>,
    pub returns_on: Option<NaiveDate>,
    /// The day the details of the trip became known; defaults to today. Known less than the
    /// regime's notice before departure, 12 hours' notice is owed instead.
    pub known_on: Option<NaiveDate>,
    /// Where to (country, place).
    pub destination: String,
}

#[derive(Serialize, ToSchema)]
pub struct TripView {
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub departs_at: DateTime<Utc>,
    pub returns_on: Option<NaiveDate>,
    pub known_on: NaiveDate,
    pub destination: String,
    /// The change-notification duties that gained a travel notification, with its due instant.
    pub due: Vec<TripDue>,
    pub warnings: Vec<Warning>,
}

#[derive(Serialize, ToSchema)]
pub struct TripDue {
    pub obligation_id: ObligationId,
    pub due_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    body: TripInput,
    now: DateTime<Utc>,
) -> ServiceResult<TripView> {
    caller.require(Permission::RegistrantWrite)?;
    let today = calendar::local_date(now);
    let known_on = body.known_on.unwrap_or(today);
    let departs_on = calendar::local_date(body.departs_at);
    let mut errors = FieldErrors::default();
    let destination = errors.take(text::required("destination", &body.destination, 200));
    if known_on > today {
        errors.push("known_on", "in_future", "must not be in the future");
    } else if known_on > departs_on {
        errors.push("known_on", "after_departure", "must not be after the day of departure");
    }
    if body.returns_on.is_some_and(|r| r < departs_on) {
        errors.push("returns_on", "before_departure", "must not be before the day of departure");
    }
    errors.finish()?;
    let Some(destination) = destination else {
        return Err(ServiceError::Invalid(FieldErrors::single("destination", "required", "must not be empty")));
    };

    let txn = tx::begin_write(&ctx.writer).await?;
    registrants::writable(&txn, caller, registrant_id).await?;
    let id = Uuid::now_v7();
    let row = registrant_trip::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        departs_at: Set(body.departs_at),
        returns_on: Set(body.returns_on),
        known_on: Set(known_on),
        destination_sealed: Set(ctx.crypto.seal_str(columns::TRIP_DESTINATION, id, &destination)?),
        recorded_by: Set(caller.subject.clone()),
        created_at: Set(now),
    };
    registrant_trip::Entity::insert(row).exec_without_returning(&txn).await?;

    let mut due = Vec::new();
    for (o, regime) in &duties::notifying_orders(&txn, registrant_id, today).await? {
        let Some(at) = regime.travel_due(body.departs_at, known_on) else { continue };
        let obligation_id = duties::ensure_obligation(&txn, o, ObligationKind::ChangeNotification, now).await?;
        let basis = Some(Basis { event: DueEvent::Travel, on: departs_on });
        let opens = Some(calendar::start_of_day(known_on));
        duties::add_occurrences(&txn, obligation_id, registrant_id, &[Due { at, opens, basis }], now).await?;
        due.push(TripDue { obligation_id, due_at: at });
    }
    let mut warnings = Vec::new();
    if due.is_empty() {
        warnings.push(Warning {
            code: "no_travel_duty",
            detail: "no order in force on this registrant requires travel abroad to be notified".into(),
        });
    }
    let ids = [registrant_id.uuid(), id];
    let entry = Entry {
        action: Action::Collection,
        operation: "registrant.travel.record",
        permission: Permission::RegistrantWrite,
        record_type: "registrant",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(TripView { id, registrant_id, departs_at: body.departs_at, returns_on: body.returns_on, known_on, destination, due, warnings })
}
