//! Four-eyes approvals for supervisors: the organisation's requests to discharge an order or
//! erase a registrant, and the page where a second supervisor approves or rejects one
//! (`services::approvals`, the same checks and audit as the API). The requester sees their own
//! requests but gets no form for them: nobody decides what they asked for themselves.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use domain::errors::FieldError;
use domain::ids::ApprovalId;
use serde::Deserialize;

use super::oversight::when;
use super::pages::{self, Chrome, Done, role_label};
use super::session::{self, Visitor};
use crate::auth::AccessError;
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::approvals::{self, ApprovalAction, ApprovalDecisionInput, ApprovalFilter, ApprovalStatus, ApprovalView, Decision};

const HERE: &str = "/approvals";

/// What a request asks for, as the task it is.
fn action_label(action: ApprovalAction) -> &'static str {
    match action {
        ApprovalAction::OrderDischarge => "Discharge an order",
        ApprovalAction::RegistrantErasure => "Erase a registrant",
        ApprovalAction::RegistrantMerge => "Merge two records of one person",
        ApprovalAction::RegistrantUnmerge => "Undo a merge of two records",
    }
}

/// What approving does, said before anyone approves (GOV.UK warning text).
fn impact(action: ApprovalAction) -> &'static str {
    match action {
        ApprovalAction::OrderDischarge => {
            "Approving discharges the order at once. Its prohibitions and requirements stop, the registrant's duties under it end, \
             and the people it protects are no longer protected by it."
        }
        ApprovalAction::RegistrantErasure => {
            "Approving erases this registrant for good. Their names, addresses, identifiers, orders and duties are destroyed and \
             cannot be recovered. The audit trail keeps only ids."
        }
        ApprovalAction::RegistrantMerge => {
            "Approving merges the record added later into the one already on the register. Its names, addresses, identifiers, \
             orders, duties and breaches move to that record, and the register check finds the person there only. \
             The merge can be undone, by two people."
        }
        ApprovalAction::RegistrantUnmerge => {
            "Approving separates the two records again. What moved in the merge goes back to the record it came from; anything \
             recorded since the merge stays on the record that holds it now."
        }
    }
}

fn status_words(status: ApprovalStatus, lapsed: bool) -> (&'static str, &'static str) {
    match status {
        ApprovalStatus::Pending if lapsed => ("Lapsed", pages::status_tag("expired")),
        ApprovalStatus::Pending => ("Waiting", pages::status_tag("waiting")),
        ApprovalStatus::Approved => ("Approved", pages::status_tag("approved")),
        ApprovalStatus::Rejected => ("Rejected", pages::status_tag("rejected")),
        ApprovalStatus::Expired => ("Lapsed", pages::status_tag("expired")),
    }
}

fn is_own(visitor: &Visitor, view: &ApprovalView) -> bool {
    // The view names the requester by subject; the list is one organisation's, from one issuer
    // in practice, and the service checks issuer and subject again before any decision.
    view.requested_by == visitor.caller.subject
}

pub struct Row {
    pub id: String,
    pub action: &'static str,
    pub requested_by: String,
    pub requested_at: String,
    pub expires_at: String,
    pub status: &'static str,
    pub status_tag: &'static str,
    pub own: bool,
}

pub struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals.html")]
pub struct ApprovalsPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    pub pending: bool,
    pub rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    done: Option<String>,
}

pub async fn list(State(state): State<AppState>, visitor: Visitor, Query(q): Query<ListQuery>) -> Response {
    let done = Done { done: q.done };
    let mut chrome = Chrome::for_visitor(&visitor, HERE);
    chrome.banner = done.banner(&[
        ("approved", "Request approved. The change has been made."),
        ("rejected", "Request rejected. Nothing has been changed."),
    ]);
    let status = q.status.as_deref().and_then(ApprovalStatus::parse).unwrap_or(ApprovalStatus::Pending);
    let now = crate::clock::now();
    let found = match approvals::list(&state.ctx, &visitor.caller, ApprovalFilter { status: Some(status) }, now).await {
        Ok(found) => found,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let tabs = [
        ("Waiting", "/approvals", ApprovalStatus::Pending),
        ("Approved", "/approvals?status=approved", ApprovalStatus::Approved),
        ("Rejected", "/approvals?status=rejected", ApprovalStatus::Rejected),
        ("Lapsed", "/approvals?status=expired", ApprovalStatus::Expired),
    ]
    .into_iter()
    .map(|(label, href, s)| Tab { label, href, current: s == status })
    .collect();
    let rows = found
        .iter()
        .map(|v| {
            let own = is_own(&visitor, v);
            let (status, status_tag) = status_words(v.status, v.expires_at <= now);
            Row {
                id: v.id.to_string(),
                action: action_label(v.action),
                requested_by: if own { "You".into() } else { format!("{} ({})", v.requested_by, role_label(v.requested_role)) },
                requested_at: when(v.requested_at),
                expires_at: when(v.expires_at),
                status,
                status_tag,
                own,
            }
        })
        .collect();
    ApprovalsPage { chrome, tabs, pending: status == ApprovalStatus::Pending, rows }.into_response()
}

pub struct Item {
    pub key: &'static str,
    pub value: String,
}

#[derive(Deserialize, Default)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    decision: Option<String>,
    #[serde(default)]
    reason: String,
    version: Option<i32>,
}

/// Why there is no form on a request's page, if there is none.
pub enum NoForm {
    Decided,
    Own,
    Lapsed(String),
    /// The sign-in is older than the step-up window: where to sign in again.
    SignInAgain(String),
}

#[derive(Template, WebTemplate)]
#[template(path = "approval.html")]
pub struct DecisionPage {
    pub chrome: Chrome,
    pub id: String,
    pub title: &'static str,
    pub status: &'static str,
    pub status_tag: &'static str,
    pub impact: &'static str,
    pub registrant: Option<String>,
    pub summary: Vec<Item>,
    pub no_form: Option<NoForm>,
    pub version: i32,
    pub form: DecisionForm,
    pub errors: Vec<FieldError>,
}

impl DecisionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    fn chose(&self, value: &str) -> bool {
        self.form.decision.as_deref() == Some(value)
    }
}

fn recent_enough(visitor: &Visitor, now: DateTime<Utc>) -> bool {
    visitor.caller.require_recent_auth(now, crate::auth::STEP_UP).is_ok()
}

/// Where to authenticate again and come back: with an identity provider, a login that makes it
/// ask again (`step_up`) even if it still has a session; in the demo, its sign-in page.
fn sign_in_again(state: &AppState, here: &str) -> String {
    if state.dev_signin {
        return session::sign_in_url(state, here);
    }
    let encoded: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    format!("/auth/login?step_up=true&return_to={encoded}")
}

fn decision_page(state: &AppState, visitor: &Visitor, v: ApprovalView, form: DecisionForm, errors: Vec<FieldError>) -> DecisionPage {
    let now = crate::clock::now();
    let own = is_own(visitor, &v);
    let lapsed = v.expires_at <= now;
    let (status, status_tag) = status_words(v.status, lapsed);
    let here = format!("/approvals/{}", v.id);
    let no_form = match v.status {
        ApprovalStatus::Pending if own => Some(NoForm::Own),
        ApprovalStatus::Pending if lapsed => Some(NoForm::Lapsed(when(v.expires_at))),
        ApprovalStatus::Pending if !recent_enough(visitor, now) => Some(NoForm::SignInAgain(sign_in_again(state, &here))),
        ApprovalStatus::Pending => None,
        _ => Some(NoForm::Decided),
    };
    let mut summary = vec![
        Item { key: "Asked by", value: if own { "You".into() } else { format!("{} ({})", v.requested_by, role_label(v.requested_role)) } },
        Item { key: "Asked on", value: when(v.requested_at) },
        Item { key: "Their reason", value: v.reason.clone() },
    ];
    if let Some(day) = v.effective_on {
        summary.push(Item { key: "Takes effect from", value: format!("{} (the court's discharge)", super::pages::date(day)) });
    }
    if v.status == ApprovalStatus::Pending {
        summary.push(Item { key: if lapsed { "Lapsed on" } else { "Must be decided by" }, value: when(v.expires_at) });
    }
    if let (Some(by), Some(at)) = (&v.decided_by, v.decided_at) {
        let role = v.decided_role.map(|r| format!(" ({})", role_label(r))).unwrap_or_default();
        summary.push(Item { key: "Decided by", value: format!("{by}{role}") });
        summary.push(Item { key: "Decided on", value: when(at) });
        summary.push(Item { key: "Reason for the decision", value: v.decision_reason.clone().unwrap_or_else(|| "None given".into()) });
    }
    DecisionPage {
        chrome: Chrome::for_visitor(visitor, HERE),
        id: v.id.to_string(),
        title: action_label(v.action),
        status,
        status_tag,
        impact: impact(v.action),
        // An erased registrant has no record left to look at.
        registrant: v
            .registrant_id
            .filter(|_| !(v.action == ApprovalAction::RegistrantErasure && v.status == ApprovalStatus::Approved))
            .map(|r| r.to_string()),
        summary,
        no_form,
        version: v.version,
        form,
        errors,
    }
}

pub async fn show(State(state): State<AppState>, visitor: Visitor, Path(id): Path<ApprovalId>) -> Response {
    match approvals::get(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(v) => decision_page(&state, &visitor, v, DecisionForm::default(), Vec::new()).into_response(),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, HERE)), e),
    }
}

fn error(field: &str, detail: &str) -> FieldError {
    FieldError { field: field.into(), code: "invalid", detail: detail.into() }
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<ApprovalId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let chrome = || Chrome::for_visitor(&visitor, HERE);
    let now = crate::clock::now();
    // The request as the page showed it: needed to show the page again if the decision fails.
    let view = match approvals::get(&state.ctx, &visitor.caller, id, now).await {
        Ok(v) => v,
        Err(e) => return pages::service_error(Some(chrome()), e),
    };
    let again = |status: StatusCode, form: DecisionForm, errors: Vec<FieldError>, view: ApprovalView| {
        (status, decision_page(&state, &visitor, view, form, errors)).into_response()
    };
    let decision = form.decision.as_deref().and_then(Decision::parse);
    let Some(decision) = decision else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            vec![error("decision", "Choose whether to approve or reject the request")],
            view,
        );
    };
    let Some(version) = form.version else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, form, vec![error("decision", "Reload the page and decide again")], view);
    };
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let input = ApprovalDecisionInput { decision, version, reason };
    match approvals::decide(&state.ctx, &visitor.caller, id, input, now).await {
        Ok(done) => {
            let code = if done.status == ApprovalStatus::Approved { "approved" } else { "rejected" };
            Redirect::to(&format!("/approvals?done={code}")).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| match e.code {
                    "required" => error("reason", "Enter why you are rejecting the request"),
                    "too_long" => error("reason", "Reason must be 2,000 characters or fewer"),
                    _ => error("reason", &pages::sentence(&e.detail)),
                })
                .collect();
            again(StatusCode::UNPROCESSABLE_ENTITY, form, errors, view)
        }
        Err(ServiceError::Conflict { code, .. }) => {
            let detail = match code {
                "already_decided" => "Someone else has already decided this request",
                "approval_expired" => "This request lapsed before it was decided. Ask again if it is still needed",
                _ => "The record changed after this request was made. Reject it, and ask again if it is still needed",
            };
            // Show the request as it is now, with why the decision was not made.
            let current = approvals::get(&state.ctx, &visitor.caller, id, now).await.unwrap_or(view);
            again(StatusCode::CONFLICT, form, vec![error("decision", detail)], current)
        }
        Err(ServiceError::Forbidden(AccessError::SamePerson)) => pages::error_page(
            Some(chrome()),
            StatusCode::FORBIDDEN,
            "You cannot decide your own request",
            "A second supervisor must approve or reject what you asked for.",
        ),
        Err(ServiceError::Forbidden(AccessError::StaleAuthentication { .. })) => {
            (StatusCode::FORBIDDEN, decision_page(&state, &visitor, view, form, Vec::new())).into_response()
        }
        Err(e) => pages::service_error(Some(chrome()), e),
    }
}
