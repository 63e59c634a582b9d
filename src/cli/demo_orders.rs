//! Synthetic orders for the demo register, recorded through the same services as the API so the
//! duties, occurrences and audit entries are what real use would produce. History is simulated
//! by passing past instants as `now` (every service takes the time as a parameter): a DAPO made
//! six weeks ago is recorded "six weeks ago", so its past sessions exist and some have outcomes.
//! Every name is invented; protected persons come from a separate short list of made-up names.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use domain::ids::RegistrantId;
use domain::schedule::{Frequency, Schedule};
use uuid::Uuid;

use crate::auth::Caller;
use crate::services::obligations::input::{ComplianceInput, NotificationInput};
use crate::services::obligations::{self, compliance, notifications};
use crate::services::orders::input::{ConditionInput, NewOrderInput, ProtectedPersonInput};
use crate::services::{Ctx, ServiceError, orders};
use domain::calendar;
use domain::vocab::{
    ComplianceOutcome, ConditionCategory, ConditionKind, NotificationKind, NotificationMethod, OccurrenceStatus, OrderKind,
};

const GIVEN: &[&str] = &["Riley", "Harper", "Emery", "Sasha", "Frankie", "Jesse", "Remy", "Avery"];
const FAMILY: &[&str] = &["Examplewood", "Samplehurst", "Fictonby", "Mockridge", "Testwell", "Placeholt"];
const RELATIONSHIPS: &[&str] = &["former partner", "former colleague", "neighbour", "acquaintance"];
const COURTS: &[&str] = &["Exampleton Magistrates' Court", "Sampleford Magistrates' Court", "Testbury Family Court"];

/// A registrant the demo has just created.
pub struct Created {
    pub id: Uuid,
    pub managing_org: String,
}

#[derive(Default)]
pub struct Loaded {
    pub orders: usize,
    pub overdue_notifications: usize,
}

pub async fn load(ctx: &Ctx, registrants: &[Created], now: DateTime<Utc>) -> anyhow::Result<Loaded> {
    let today = calendar::local_date(now);
    let mut loaded = Loaded::default();
    for (i, r) in registrants.iter().enumerate() {
        let caller = Caller::system(&r.managing_org);
        if i % 2 == 0 {
            // Served 10 to 60 days ago; every other one notified the next afternoon.
            let served = days_before(today, 10 + (i as u64 * 7) % 51);
            let made = days_before(served, (i as u64 / 2) % 3);
            let expires = if i % 6 == 0 { made.checked_add_months(chrono::Months::new(36)) } else { None };
            // Recorded on the day it was served, so Vigil has watched its duties since (an order
            // recorded after its deadlines would make them historical, not overdue).
            let then = calendar::local_instant(served, at(9, 0));
            create(ctx, &caller, r.id, order(i, OrderKind::Spo, made, Some(served), expires, vec![no_contact()]), then).await?;
            loaded.orders += 1;
            if i % 4 == 0 {
                notify(ctx, &caller, r.id, calendar::local_instant(days_after(served, 1), at(14, 30)), now).await?;
            } else {
                loaded.overdue_notifications += 1;
            }
        } else if i % 10 == 3 {
            let made = days_before(today, 5);
            let expires = made.checked_add_months(chrono::Months::new(3));
            create(
                ctx,
                &caller,
                r.id,
                order(i, OrderKind::InterimSpo, made, Some(days_before(today, 4)), expires, vec![no_contact()]),
                calendar::local_instant(days_before(today, 4), at(9, 0)),
            )
            .await?;
            loaded.orders += 1;
            loaded.overdue_notifications += 1;
        } else if i % 10 == 5 || i % 10 == 9 {
            loaded.orders += dapo(ctx, &caller, r.id, i, today, now).await?;
        }
    }
    // What the materialising job does: sessions from today for the next eight weeks.
    jobs::materialise::run(&ctx.db, now, 56).await?;
    Ok(loaded)
}

/// A DAPO made on the Monday six weeks ago with a weekly programme on Tuesdays at 10:00, recorded
/// as of that day; past sessions then get outcomes, except the last two, which stay overdue.
async fn dapo(ctx: &Ctx, caller: &Caller, registrant: Uuid, i: usize, today: NaiveDate, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let this_monday = days_before(today, u64::from(today.weekday().num_days_from_monday()));
    let made = days_before(this_monday, 42);
    let schedule = Schedule::new(Frequency::Week { weekday: Weekday::Tue }, at(10, 0), days_after(made, 1), None);
    let programme = ConditionInput {
        kind: ConditionKind::Requirement,
        category: ConditionCategory::AttendProgramme,
        text: "Attend a domestic abuse behaviour change programme every week.".into(),
        parameters: serde_json::json!({ "programme": "Example behaviour change programme", "sessions": 26 }).as_object().cloned(),
        responsible_person: Some("Programme manager, Exampleton".into()),
        schedule: Some(schedule),
        starts_on: None,
        ends_on: None,
    };
    let then = calendar::local_instant(made, at(12, 0));
    create(ctx, caller, registrant, order(i, OrderKind::Dapo, made, None, None, vec![no_contact(), programme]), then).await?;
    notify(ctx, caller, registrant, calendar::local_instant(days_after(made, 1), at(11, 0)), then).await?;

    let list = obligations::list_for_registrant(ctx, caller, RegistrantId::from(registrant), now).await.map_err(failed)?;
    let mut past: Vec<_> = list
        .items
        .iter()
        .filter(|o| o.condition_id.is_some())
        .flat_map(|o| o.occurrences.iter())
        .filter(|o| o.status == OccurrenceStatus::Pending && o.due_at < now)
        .map(|o| (o.id, o.due_at))
        .collect();
    past.sort_by_key(|(_, due)| *due);
    let resolved = past.len().saturating_sub(2);
    for (n, (id, due)) in past.into_iter().take(resolved).enumerate() {
        let (outcome, notes) = match (n + i) % 5 {
            3 => (ComplianceOutcome::AcceptableAbsence, Some("GP appointment; letter seen.".to_owned())),
            4 => (ComplianceOutcome::FailedToAttend, None),
            _ => (ComplianceOutcome::AttendedComplied, None),
        };
        let input = ComplianceInput { outcome, notes, version: 1, rescheduled_to: None };
        compliance::record(ctx, caller, id, input, due + chrono::Duration::hours(3)).await.map_err(failed)?;
    }
    Ok(1)
}

fn order(
    i: usize,
    kind: OrderKind,
    made: NaiveDate,
    served: Option<NaiveDate>,
    expires: Option<NaiveDate>,
    conditions: Vec<ConditionInput>,
) -> NewOrderInput {
    NewOrderInput {
        kind,
        regime: None,
        court: COURTS[i % COURTS.len()].into(),
        case_reference: format!("DEMO/{}/{:04}", made.year(), i + 1),
        made_on: made,
        served_on: served,
        effective_on: None,
        expires_on: expires,
        until_further_order: expires.is_none(),
        status: None,
        replaces_order_id: None,
        protected_persons: vec![ProtectedPersonInput {
            given: GIVEN[i % GIVEN.len()].into(),
            family: FAMILY[(i / 2) % FAMILY.len()].into(),
            date_of_birth: NaiveDate::from_ymd_opt(1980 + (i % 20) as i32, 1 + (i % 12) as u32, 1 + (i % 27) as u32),
            relationship: Some(RELATIONSHIPS[i % RELATIONSHIPS.len()].into()),
        }],
        conditions,
    }
}

fn no_contact() -> ConditionInput {
    ConditionInput {
        kind: ConditionKind::Prohibition,
        category: ConditionCategory::NoContact,
        text: "Not to contact the protected person directly or indirectly, by any means.".into(),
        parameters: None,
        responsible_person: None,
        schedule: None,
        starts_on: None,
        ends_on: None,
    }
}

async fn create(ctx: &Ctx, caller: &Caller, registrant: Uuid, input: NewOrderInput, now: DateTime<Utc>) -> anyhow::Result<()> {
    orders::create(ctx, caller, RegistrantId::from(registrant), input, now).await.map(|_| ()).map_err(failed)
}

async fn notify(ctx: &Ctx, caller: &Caller, registrant: Uuid, notified_at: DateTime<Utc>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let input = NotificationInput {
        kind: NotificationKind::Initial,
        method: NotificationMethod::InPersonAtStation,
        station: Some("Exampleton Police Station".into()),
        acknowledgement_given: true,
        notified_at,
        details: Some("Notified name and home address in person.".into()),
    };
    notifications::record(ctx, caller, RegistrantId::from(registrant), input, now.max(notified_at)).await.map(|_| ()).map_err(failed)
}

fn days_after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

fn failed(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(errors) => anyhow::anyhow!("a demo order is invalid: {:?}", errors.0),
        other => anyhow::anyhow!("loading demo orders: {other}"),
    }
}
