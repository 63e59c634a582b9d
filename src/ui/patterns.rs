//! A serial-pattern alert as the pattern it reports, for public protection officers of a force
//! it was raised to: the linked reports across victims (V1, V2…, never named, in titles, URLs
//! or anywhere), the suspect identifiers they share, an incident timeline, and a banner when no
//! order is in force. It is person content, so it is read under a reason ("Why are you
//! accessing this?", remembered for this alert as for a record) and audited by the service.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::ids::{AlertId, RecordId};
use domain::reasons::REASONS;
use serde::Deserialize;

use super::pages::{self, Chrome, date, words};
use super::record::WhyPage;
use super::reports::when;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::checks::pattern_view;
use crate::services::{ServiceError, justifications};

pub struct Linked {
    pub id: String,
    pub victim: String,
    pub reference: String,
    pub classification: String,
    pub occurred: String,
    pub force: String,
    pub recorded: String,
}

pub struct Common {
    pub identifier: String,
    pub victims: String,
}

pub struct Event {
    pub at: DateTime<Utc>,
    pub title: String,
    pub when: String,
    pub description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pattern.html")]
pub struct PatternPage {
    pub chrome: Chrome,
    pub victims: usize,
    pub raised: String,
    pub registrant: Option<(String, String)>,
    pub order_in_force: bool,
    pub reports: Vec<Linked>,
    pub common: Vec<Common>,
    pub timeline: Vec<Event>,
}

/// A date's start in UTC, to order dates among instants on the timeline.
fn start_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

pub async fn pattern(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<AlertId>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/alerts");
    let now = crate::clock::now();
    match justifications::current(&state.ctx, visitor.session_id, id.uuid(), now).await {
        Ok(Some(given)) => visitor.caller.justification = given,
        Ok(None) => return Redirect::to(&format!("/patterns/{id}/why")).into_response(),
        Err(e) => return pages::service_error(Some(chrome), e),
    }
    let p = match pattern_view::get(&state.ctx, &visitor.caller, id, now).await {
        Ok(p) => p,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let mut timeline = Vec::new();
    for r in &p.reports {
        if let Some(from) = r.occurred_from {
            let description = match r.occurred_to {
                Some(to) => format!("Until {}.", date(to)),
                None => String::new(),
            };
            timeline.push(Event {
                at: start_of(from),
                title: format!("Conduct against {} began", r.victim),
                when: date(from),
                description,
            });
        }
        timeline.push(Event {
            at: r.recorded_at,
            title: format!("Report {} recorded", r.reference),
            when: when(r.recorded_at),
            description: format!("{}, about {}.", words(r.principal_classification.as_str()), r.victim),
        });
    }
    timeline.push(Event { at: p.raised_at, title: "Serial pattern found".into(), when: when(p.raised_at), description: String::new() });
    timeline.sort_by_key(|e| e.at);
    PatternPage {
        chrome,
        victims: p.distinct_victims,
        raised: when(p.raised_at),
        registrant: p.registrant_id.map(|rid| (rid.to_string(), p.registrant_reference.clone().unwrap_or_default())),
        order_in_force: p.order_in_force,
        reports: p
            .reports
            .iter()
            .map(|r| Linked {
                id: r.id.to_string(),
                victim: r.victim.clone(),
                reference: r.reference.clone(),
                classification: words(r.principal_classification.as_str()),
                occurred: match (r.occurred_from, r.occurred_to) {
                    (Some(from), Some(to)) => format!("{} to {}", date(from), date(to)),
                    (Some(from), None) => format!("From {}", date(from)),
                    _ => "Not known".into(),
                },
                force: r.force.clone(),
                recorded: when(r.recorded_at),
            })
            .collect(),
        common: p
            .identifiers_in_common
            .iter()
            .map(|c| Common {
                identifier: match &c.platform {
                    Some(platform) => format!("{}: {} on {platform}", words(c.kind.as_str()), c.value),
                    None => format!("{}: {}", words(c.kind.as_str()), c.value),
                },
                victims: c.victims.join(", "),
            })
            .collect(),
        timeline,
    }
    .into_response()
}

pub async fn why(visitor: Visitor, Path(id): Path<AlertId>) -> Response {
    why_page(&visitor, id, WhyForm::default(), Vec::new(), StatusCode::OK)
}

#[derive(Deserialize, Default)]
pub struct WhyForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
}

fn why_page(visitor: &Visitor, id: AlertId, form: WhyForm, errors: Vec<domain::errors::FieldError>, status: StatusCode) -> Response {
    let page = WhyPage {
        chrome: Chrome::for_visitor(visitor, "/alerts"),
        action: format!("/patterns/{id}/why"),
        next: String::new(),
        reasons: REASONS,
        chosen: form.reason.unwrap_or_default(),
        reference: form.reference.unwrap_or_default(),
        errors,
    };
    (status, page).into_response()
}

pub async fn give_reason(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<AlertId>,
    Form(form): Form<WhyForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let now = crate::clock::now();
    match justifications::give(&state.ctx, visitor.session_id, id.uuid(), form.reason.as_deref(), form.reference.as_deref(), now).await {
        Ok(_) => Redirect::to(&format!("/patterns/{id}")).into_response(),
        Err(ServiceError::Invalid(errors)) => why_page(&visitor, id, form, errors.0, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/alerts")), e),
    }
}
