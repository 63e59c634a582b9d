//! Possible duplicates on the register (`services::duplicates`): the pairs proposed when
//! registrants were created or imported, by reference and likelihood in words, and one pair
//! with what the comparison found, field by field (levels, never values), to confirm or reject
//! with a reason. No particulars are shown, so no reason for access is asked first; opening a
//! record from here asks, as everywhere.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::vocab::{DuplicateDecision, DuplicateStatus, IdentifierKind};
use serde::Deserialize;
use uuid::Uuid;

use super::form::DecisionForm;
use super::links::{finding, identifier_label};
use super::pages::{self, Chrome, Done, date};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::linkage::score::{FieldScore, STRONG_THRESHOLD};
use crate::services::ServiceError;
use crate::services::duplicates::{self, DuplicateDecisionInput, DuplicateView};

fn band(probability: f64) -> &'static str {
    if probability >= STRONG_THRESHOLD {
        "Strong"
    } else if probability >= 0.8 {
        "Likely"
    } else {
        "Possible"
    }
}

fn field_words(field: &str) -> String {
    match field {
        "name" => "Name".into(),
        "date_of_birth" => "Date of birth".into(),
        "address" => "Address".into(),
        "competing_candidates" => "Others like them".into(),
        other => IdentifierKind::parse(other).map_or_else(|| pages::words(other), |k| identifier_label(k).to_owned()),
    }
}

/// "Name: Same name, one a nickname of the other: counts for (+4.6)".
fn findings(explanation: &[FieldScore]) -> Vec<String> {
    explanation.iter().map(|f| format!("{}: {}", field_words(&f.field), finding(f))).collect()
}

pub struct Row {
    pub id: String,
    pub new_record: String,
    pub existing: String,
    pub band: &'static str,
    pub band_tag: &'static str,
    pub proposed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    /// Which pairs: `proposed` (waiting for a decision), `confirmed` or `merged`.
    pub status: &'static str,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    done: Option<String>,
    status: Option<String>,
}

const DONE: &[(&str, &str)] = &[
    ("confirmed", "Confirmed: the two records are about the same person"),
    ("rejected", "Rejected: the two records are about different people and will not be proposed again"),
];

pub async fn queue(State(state): State<AppState>, visitor: Visitor, Query(q): Query<QueueQuery>) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/links");
    chrome.banner = Done { done: q.done.clone() }.banner(DONE);
    let status = match q.status.as_deref().and_then(DuplicateStatus::parse) {
        Some(s @ (DuplicateStatus::Confirmed | DuplicateStatus::Merged)) => s,
        _ => DuplicateStatus::Proposed,
    };
    let list = match duplicates::queue(&state.ctx, &visitor.caller, status, 500, crate::clock::now()).await {
        Ok(list) => list,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let rows = list
        .iter()
        .map(|d| Row {
            id: d.id.to_string(),
            new_record: d.registrant_reference.clone(),
            existing: d.existing_reference.clone(),
            band: band(d.probability),
            band_tag: pages::status_tag(&band(d.probability).to_lowercase()),
            proposed: date(domain::calendar::local_date(d.created_at)),
        })
        .collect();
    QueuePage { chrome, rows, status: status.as_str() }.into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicate.html")]
pub struct PairPage {
    pub chrome: Chrome,
    pub id: String,
    pub new_record: String,
    pub new_href: String,
    pub existing: String,
    pub existing_href: String,
    pub band: &'static str,
    pub band_tag: &'static str,
    pub proposed: String,
    pub findings: Vec<String>,
    pub open: bool,
    /// What was decided, in words, once it was.
    pub decided: &'static str,
    /// `merge` or `unmerge`: the four-eyes request this caller may make of the pair (or empty).
    pub merge_form: &'static str,
    pub merge_reason: String,
    pub version: i32,
    pub decision: String,
    pub why: String,
    pub errors: Vec<FieldError>,
}

impl PairPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    fn of(chrome: Chrome, d: &DuplicateView, may_merge: bool) -> Self {
        Self {
            chrome,
            id: d.id.to_string(),
            new_record: d.registrant_reference.clone(),
            new_href: format!("/registrants/{}", d.registrant_id),
            existing: d.existing_reference.clone(),
            existing_href: format!("/registrants/{}", d.existing_id),
            band: band(d.probability),
            band_tag: pages::status_tag(&band(d.probability).to_lowercase()),
            proposed: date(domain::calendar::local_date(d.created_at)),
            findings: findings(&d.explanation),
            open: d.status == DuplicateStatus::Proposed,
            decided: match d.status {
                DuplicateStatus::Proposed => "",
                DuplicateStatus::Confirmed => "Confirmed: the two records are about the same person.",
                DuplicateStatus::Rejected => "Rejected: the two records are about different people.",
                DuplicateStatus::Merged => "Merged: the record added later was merged into the one already on the register.",
            },
            merge_form: match d.status {
                DuplicateStatus::Confirmed if may_merge => "merge",
                DuplicateStatus::Merged if may_merge => "unmerge",
                _ => "",
            },
            merge_reason: String::new(),
            version: d.version,
            decision: String::new(),
            why: String::new(),
            errors: Vec::new(),
        }
    }
}

pub(super) async fn pair_page(state: &AppState, visitor: &Visitor, id: Uuid) -> Result<PairPage, Response> {
    let chrome = Chrome::for_visitor(visitor, "/links");
    let may_merge = visitor.caller.can(crate::auth::Permission::RegistrantMerge);
    match duplicates::find(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(d) => Ok(PairPage::of(chrome, &d, may_merge)),
        Err(e) => Err(pages::service_error(Some(chrome), e)),
    }
}

pub async fn pair(State(state): State<AppState>, visitor: Visitor, Path(id): Path<Uuid>) -> Response {
    match pair_page(&state, &visitor, id).await {
        Ok(page) => page.into_response(),
        Err(response) => response,
    }
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let decision = form.decision.as_deref().and_then(DuplicateDecision::parse);
    let mut errors = form.errors(decision.is_some(), "Choose whether these are the same person");
    let again = |errors: Vec<FieldError>, status: StatusCode| {
        let state = state.clone();
        let (visitor, decision, why) = (&visitor, form.decision.clone().unwrap_or_default(), form.why.clone());
        async move {
            match pair_page(&state, visitor, id).await {
                Ok(mut page) => {
                    (page.decision, page.why, page.errors) = (decision, why, errors);
                    (status, page).into_response()
                }
                Err(response) => response,
            }
        }
    };
    let (Some(decision), Some(version), true) = (decision, form.version, errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError { field: "decision".into(), code: "stale", detail: "Reload the page and decide again".into() });
        }
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = DuplicateDecisionInput { decision, reason: form.why.clone(), version };
    match duplicates::decide(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(_) => {
            let done = if decision == DuplicateDecision::Confirm { "confirmed" } else { "rejected" };
            Redirect::to(&format!("/duplicates?done={done}")).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| FieldError { field: "why".into(), code: e.code, detail: pages::sentence(&e.detail) })
                .collect();
            again(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict { .. }) => {
            let detail = "This pair has changed since you opened it, or someone has already decided it. Check it again".into();
            again(vec![FieldError { field: "decision".into(), code: "conflict", detail }], StatusCode::CONFLICT).await
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/links")), e),
    }
}
