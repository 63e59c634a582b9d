//! Synthetic crime reports for the demo, recorded and checked through the same services as the
//! API, so that the link review queue, the alerts queue and a serial pattern have something in
//! them: reports whose suspects resemble demo registrants to different degrees (a name only, a
//! family name and a date of birth, a name and a year of birth), and two reports from different
//! victims sharing one registrant's phone number. Then the daily review job runs once, as it
//! would overnight, raising the reviews that are due. Every value is invented: the suspects'
//! particulars are the demo registrants' own synthetic ones, and victims are references only
//! with made-up names.

use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use super::demo_data;
use super::demo_orders::Created;
use crate::auth::{Caller, Justification};
use crate::services::reports::input::NewReportInput;
use crate::services::{Ctx, ServiceError, checks, reports};

#[derive(Default)]
pub struct Loaded {
    pub reports: usize,
    pub alerts: u64,
}

pub async fn load(ctx: &Ctx, count: usize, created: &[Created], now: DateTime<Utc>) -> anyhow::Result<Loaded> {
    let mut loaded = Loaded::default();
    let people = demo_data::registrants(count);
    // (which registrant, what the victim said about the suspect)
    let mut plan: Vec<(usize, Value)> = Vec::new();
    let particulars = |i: usize| {
        let p = &people[i];
        let name = p.names.first().map(|n| (n.given.clone(), n.family.clone())).unwrap_or_default();
        let born = p.birth_dates.first().copied();
        let phone = p.identifiers.first().map(|id| id.value.clone()).unwrap_or_default();
        (name, born, phone)
    };
    if count > 0 {
        let ((given, family), _, _) = particulars(0);
        plan.push((0, json!({ "names": [{ "given": given, "family": family }] })));
    }
    if count > 1 {
        let ((_, family), born, _) = particulars(1);
        plan.push((1, json!({ "names": [{ "given": "Chris", "family": family }], "date_of_birth": born })));
    }
    if count > 2 {
        let ((given, family), born, _) = particulars(2);
        plan.push((2, json!({ "names": [{ "given": given, "family": family }], "birth_year": born.map(|b| b.year()) })));
    }
    if count > 3 {
        // Two victims, one phone number: a strong identifier, so the links count before review
        // and the registrant's managing unit gets a serial-pattern alert.
        let (_, _, phone) = particulars(3);
        for given in ["Lee", "Kit"] {
            plan.push((
                3,
                json!({ "names": [{ "given": given, "family": "Unknown" }], "identifiers": [{ "kind": "phone", "value": phone }] }),
            ));
        }
    }
    if count > 6 {
        let ((given, family), _, _) = particulars(6);
        plan.push((6, json!({ "names": [{ "given": given, "family": family }], "age_range": { "min": 25, "max": 60 } })));
    }
    for (n, (i, suspect)) in plan.into_iter().enumerate() {
        let Some(registrant) = created.get(i) else { continue };
        let force = registrant.managing_org.clone();
        let crime_reference = format!("DEMO/{}/{:04}", now.year(), 900 + n);
        let body = json!({
            "crime_reference": crime_reference,
            "principal_classification": "harassment",
            "included_classifications": ["stalking"],
            "occurred_from": domain::calendar::local_date(now - chrono::Duration::days(20 + n as i64)),
            "victim": { "reference": format!("DEMO-V{}", n + 1), "given": "Victim", "family": format!("Example{}", n + 1) },
            "suspect": suspect,
            "channels": ["sms"],
            "summary": "Synthetic demo report: repeated unwanted messages."
        });
        let input: NewReportInput = serde_json::from_value(body)?;
        let caller = Caller::system(&force);
        let receipt = reports::create(ctx, &caller, input, now).await.map_err(failed)?;
        let mut checker = Caller::system(&force);
        checker.justification = Justification { reason_code: Some("INVESTIGATION".into()), crime_reference: Some(crime_reference) };
        checks::run(ctx, &checker, receipt.id, now).await.map_err(failed)?;
        loaded.reports += 1;
    }
    // What the overnight job does: risk and MAPPA reviews past their date become alerts.
    loaded.alerts = jobs::reviews::run(&ctx.db, now).await?.created;
    Ok(loaded)
}

fn failed(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(errors) => anyhow::anyhow!("a demo report is invalid: {:?}", errors.0),
        other => anyhow::anyhow!("loading demo reports: {other}"),
    }
}
