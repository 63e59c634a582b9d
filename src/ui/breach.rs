//! One breach, under its registrant's record: what it is about (the order, the exact condition,
//! what was missed and when with why it was due, or the crime report that raised it), its
//! decision timeline, and the forms to acknowledge it and to decide the enforcement.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::due::WhyDue;
use domain::errors::FieldError;
use domain::ids::{BreachId, RegistrantId};
use domain::vocab::{BreachStatus, EnforcementAction};
use serde::Deserialize;

use super::breaches::source_label;
use super::forms::{Problems, date_time};
use super::orders::kind_label;
use super::pages::{self, Chrome, Done, date, role_label, words};
use super::record::{Item, justified};
use super::session::{self, Visitor};
use crate::auth::Permission;
use crate::http::AppState;
use crate::services::breaches::views::BreachView;
use crate::services::{ServiceError, breaches};

pub struct Decision {
    pub action: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "breach.html")]
pub struct BreachPage {
    pub chrome: Chrome,
    pub tabs: Vec<super::record::Tab>,
    pub action: String,
    pub reference: String,
    pub what: &'static str,
    pub status: String,
    pub status_tag: &'static str,
    pub about: Vec<Item>,
    pub why: Option<WhyDue>,
    pub decisions: Vec<Decision>,
    pub version: i32,
    pub may_acknowledge: bool,
    pub may_decide: bool,
    pub actions: Vec<(&'static str, String)>,
    pub chosen: String,
    pub reason_text: String,
    pub errors: Vec<FieldError>,
    pub problems: Problems,
}

const BANNERS: &[(&str, &str)] = &[
    ("acknowledged", "Breach acknowledged"),
    ("decided", "Decision recorded"),
    ("outcome_breach", "Outcome recorded. It is a failure to comply, so a breach has been recorded: decide what to do about it."),
];

fn page(chrome: Chrome, caller: &crate::auth::Caller, registrant: RegistrantId, b: BreachView) -> BreachPage {
    let ctx = &b.context;
    let mut about = Vec::new();
    if let Some(o) = &ctx.order {
        let served = o.served_on.map(|d| format!(", served {}", date(d))).unwrap_or_default();
        about.push(Item {
            key: "Order",
            value: format!("{} made {}{served} ({})", kind_label(o.kind), date(o.made_on), words(o.status.as_str()).to_lowercase()),
        });
    }
    if let Some(c) = &ctx.condition {
        about.push(Item {
            key: "Condition",
            value: format!("{} ({}): {}", words(c.kind.as_str()), words(c.category.as_str()).to_lowercase(), c.text),
        });
    }
    if let Some(m) = &ctx.missed {
        about.push(Item {
            key: "What was missed",
            value: format!("{}, due by {}", words(m.duty.as_str()), super::overdue::due_words(m.due_at).to_lowercase()),
        });
    }
    if let Some(r) = &ctx.report {
        let when = match (r.occurred_from, r.occurred_to) {
            (Some(from), Some(to)) if from != to => format!(", between {} and {}", date(from), date(to)),
            (Some(on), _) | (None, Some(on)) => format!(", on {}", date(on)),
            (None, None) => String::new(),
        };
        about.push(Item {
            key: "Crime report",
            value: format!("{} ({}), {}{when}", r.crime_reference, r.force, words(r.principal_classification.as_str()).to_lowercase()),
        });
    }
    if let Some(summary) = &b.summary {
        about.push(Item { key: "What happened", value: summary.clone() });
    }
    about.push(Item { key: "Detected", value: date_time(b.detected_at) });
    about.push(Item { key: "Managed by", value: b.managing_org.clone() });
    if let Some(w) = &b.withdrawal {
        about.push(Item { key: "Withdrawn", value: format!("{} by {}", date_time(w.withdrawn_at), w.withdrawn_by) });
        about.push(Item { key: "Why it was withdrawn", value: w.reason.clone() });
    }
    let may_write = caller.can(Permission::BreachWrite) && caller.org == b.managing_org;
    BreachPage {
        chrome,
        tabs: super::record::tabs(caller, registrant, "/breaches"),
        action: format!("/registrants/{registrant}/breaches/{}", b.id),
        reference: b.registrant_reference,
        what: source_label(b.source),
        status: words(b.status.as_str()),
        status_tag: pages::status_tag(b.status.as_str()),
        about,
        why: ctx.missed.as_ref().map(|m| m.why.clone()),
        decisions: b
            .decisions
            .into_iter()
            .map(|d| Decision {
                action: words(d.action.as_str()),
                reason: d.reason,
                by: format!("{} ({})", d.decided_by, role_label(d.decided_role).to_lowercase()),
                at: date_time(d.decided_at),
            })
            .collect(),
        version: b.version,
        may_acknowledge: may_write && b.status == BreachStatus::Open,
        may_decide: may_write && b.status != BreachStatus::Withdrawn,
        actions: EnforcementAction::ALL.iter().map(|a| (a.as_str(), words(a.as_str()))).collect(),
        chosen: String::new(),
        reason_text: String::new(),
        errors: Vec::new(),
        problems: Problems::none(),
    }
}

/// The breach, read under the record's justification; one that is not this registrant's is not
/// found here.
async fn read(state: &AppState, visitor: &mut Visitor, id: RegistrantId, breach: BreachId) -> Result<BreachView, Response> {
    justified(state, visitor, id).await?;
    let chrome = || Some(Chrome::for_visitor(visitor, "/breaches"));
    match breaches::get(&state.ctx, &visitor.caller, breach, crate::clock::now()).await {
        Ok(b) if b.registrant_id == id => Ok(b),
        Ok(_) => Err(pages::service_error(chrome(), ServiceError::NotFound("breach"))),
        Err(e) => Err(pages::service_error(chrome(), e)),
    }
}

pub async fn show(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, breach)): Path<(RegistrantId, BreachId)>,
    Query(done): Query<Done>,
) -> Response {
    let b = match read(&state, &mut visitor, id, breach).await {
        Ok(b) => b,
        Err(page) => return page,
    };
    let mut chrome = Chrome::for_visitor(&visitor, "/breaches");
    chrome.banner = done.banner(BANNERS);
    page(chrome, &visitor.caller, id, b).into_response()
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, breach)): Path<(RegistrantId, BreachId)>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let b = match read(&state, &mut visitor, id, breach).await {
        Ok(b) => b,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/breaches");
    let here = format!("/registrants/{id}/breaches/{breach}");
    let result = match EnforcementAction::parse(&form.decision) {
        None => Err(ServiceError::Invalid(domain::errors::FieldErrors::single("decision", "required", "Select what you have decided"))),
        Some(action) => {
            let input = breaches::input::DecisionInput { action, reason: form.reason.clone(), version: form.version };
            breaches::decide(&state.ctx, &visitor.caller, breach, input, crate::clock::now()).await
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("{here}?done=decided")).into_response(),
        Err(ServiceError::Invalid(mut errors)) => {
            if form.reason.trim().is_empty() && !errors.0.iter().any(|e| e.field == "reason") {
                errors.push("reason", "required", "Enter why you decided this");
            }
            for e in &mut errors.0 {
                if e.field == "reason" && e.code == "required" {
                    e.detail = "Enter why you decided this".into();
                }
            }
            let mut page = page(chrome, &visitor.caller, id, b);
            page.chosen = form.decision;
            page.reason_text = form.reason;
            page.problems = Problems(errors.0.clone());
            page.errors = errors.0;
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

#[derive(Deserialize)]
pub struct AcknowledgeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i32,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path((id, breach)): Path<(RegistrantId, BreachId)>,
    Form(form): Form<AcknowledgeForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    match breaches::acknowledge(&state.ctx, &visitor.caller, breach, form.version, crate::clock::now()).await {
        Ok(b) if b.registrant_id == id => Redirect::to(&format!("/registrants/{id}/breaches/{breach}?done=acknowledged")).into_response(),
        Ok(_) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/breaches")), ServiceError::NotFound("breach")),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/breaches")), e),
    }
}
