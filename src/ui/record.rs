//! A registrant's record: first "Why are you accessing this?" (the same reason codes and
//! reference the API takes, remembered for this record and session for 30 minutes), then the
//! overview, read and audited under that reason. Change links only where the caller may write.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::RegistrantId;
use domain::reasons::{REASONS, Reason};
use serde::Deserialize;

use super::pages::{self, Chrome, date, words};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::{ServiceError, justifications, registrants};

/// A tab of a record's sub navigation.
pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The record's tabs the caller may open; `current` is the open one's path after the id ("" for
/// the overview).
pub fn tabs(caller: &crate::auth::Caller, id: RegistrantId, current: &str) -> Vec<Tab> {
    use crate::auth::Permission;
    let all: [(&'static str, &'static str, bool); 5] = [
        ("Overview", "", true),
        ("Personal details", "/details", true),
        ("Orders", "/orders", true),
        ("Obligations", "/obligations", caller.can(Permission::ObligationRead)),
        ("Breaches", "/breaches", caller.can(Permission::BreachRead)),
    ];
    all.into_iter()
        .filter(|(_, _, may)| *may)
        .map(|(label, path, _)| Tab { label, href: format!("/registrants/{id}{path}"), current: path == current })
        .collect()
}

pub struct Item {
    pub key: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "record.html")]
pub struct RecordPage {
    pub chrome: Chrome,
    pub name: String,
    pub reference: String,
    pub status: String,
    pub status_tag: &'static str,
    pub managed_by: String,
    pub summary: Vec<Item>,
    pub names: Vec<String>,
    pub addresses: Vec<String>,
    pub identifiers: Vec<String>,
    pub reason: String,
    pub tabs: Vec<Tab>,
    pub paused: Vec<(String, String)>,
    /// The record this one was merged into, when it was.
    pub merged_into: Option<String>,
}

/// The caller with the reason given for this record, and that reason's title; or the way to
/// the page that asks for one. Every page of a record goes through here.
pub async fn justified(state: &AppState, visitor: &mut Visitor, id: RegistrantId) -> Result<String, Response> {
    let now = crate::clock::now();
    match justifications::current(&state.ctx, visitor.session_id, id.into(), now).await {
        Ok(Some(given)) => {
            let title = given.reason_code.as_deref().and_then(domain::reasons::find).map(|r| r.title).unwrap_or_default().to_owned();
            visitor.caller.justification = given;
            Ok(title)
        }
        Ok(None) => {
            let back = visitor.here.as_deref().map(|here| format!("?next={}", encode(here))).unwrap_or_default();
            Err(Redirect::to(&format!("/registrants/{id}/why{back}")).into_response())
        }
        Err(e) => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/caseload")), e)),
    }
}

pub async fn record(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let now = crate::clock::now();
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let r = match registrants::get(&state.ctx, &visitor.caller, id, now).await {
        Ok(r) => r,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let primary = r.names.iter().find(|n| n.kind.as_str() == "primary").or(r.names.first());
    let name = primary.map(|n| format!("{} {}", n.given, n.family)).unwrap_or_else(|| "(no name recorded)".into());
    let managed_by = match &r.managing_officer {
        Some(officer) => format!("Managed by {}, {officer}", r.managing_org),
        None => format!("Managed by {} (no officer recorded)", r.managing_org),
    };
    let mut summary = vec![Item { key: "Reference", value: r.reference.clone() }];
    summary.push(Item { key: "Dates of birth", value: list(r.birth_dates.iter().map(|b| date(b.date))) });
    if let Some(org) = &r.supervising_org {
        summary.push(Item { key: "Supervised by", value: org.clone() });
    }
    summary.push(Item {
        key: "Risk",
        value: match &r.risk {
            Some(risk) => {
                let tool = risk.tool.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
                let review = risk.next_review_on.map(|d| format!(", review by {}", date(d))).unwrap_or_default();
                format!("{}{tool}{review}", words(risk.level.as_str()))
            }
            None => "Not assessed".into(),
        },
    });
    if let Some(m) = &r.mappa {
        summary.push(Item { key: "MAPPA", value: format!("Category {}, level {}", m.category, m.level) });
    }
    let names = r.names.iter().map(|n| format!("{} {} ({})", n.given, n.family, words(n.kind.as_str()).to_lowercase())).collect();
    let addresses = r
        .addresses
        .iter()
        .map(|a| {
            let mut parts = a.lines.clone();
            parts.extend(a.town.clone());
            parts.extend(a.postcode.clone());
            format!("{}: {}", words(a.kind.as_str()), parts.join(", "))
        })
        .collect();
    let identifiers = r
        .identifiers
        .iter()
        .map(|i| super::particulars::identifier_words(&words(i.kind.as_str()), i.platform.as_deref(), i.country.as_deref(), &i.value))
        .collect();
    let paused = if visitor.caller.can(crate::auth::Permission::ObligationRead) {
        match crate::services::suspensions::open_for(&state.ctx, &visitor.caller, id, now).await {
            Ok(open) => super::pause::paused(&open),
            Err(e) => return pages::service_error(Some(chrome), e),
        }
    } else {
        Vec::new()
    };
    let status = r.status.as_str();
    RecordPage {
        chrome,
        name,
        reference: r.reference.clone(),
        status: words(status),
        status_tag: pages::status_tag(status),
        managed_by,
        summary,
        names,
        addresses,
        identifiers,
        reason,
        tabs: tabs(&visitor.caller, id, ""),
        paused,
        merged_into: r.merged_into.map(|m| m.to_string()),
    }
    .into_response()
}

fn list(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    if all.is_empty() { "Not known".into() } else { all.join(", ") }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Where the why page goes on to: the page of this record that asked, or its overview. Only a
/// path under this record is followed, so the form cannot send anyone elsewhere.
fn next_page(id: RegistrantId, next: Option<&str>) -> String {
    let record = format!("/registrants/{id}");
    match next {
        Some(n)
            if (n == record || n.starts_with(&format!("{record}/")) || n.starts_with(&format!("{record}?")))
                && !n.contains("//")
                && !n.contains('\\')
                && !n.starts_with(&format!("{record}/why")) =>
        {
            n.to_owned()
        }
        _ => record,
    }
}

#[derive(Deserialize)]
pub struct WhyQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "why.html")]
pub struct WhyPage {
    pub chrome: Chrome,
    pub action: String,
    pub next: String,
    pub reasons: &'static [Reason],
    pub chosen: String,
    pub reference: String,
    pub errors: Vec<FieldError>,
}

impl WhyPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

pub async fn why(
    State(_state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<RegistrantId>,
    axum::extract::Query(query): axum::extract::Query<WhyQuery>,
) -> Response {
    // The route policy has already refused callers who can read no registrant.
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    WhyPage {
        chrome,
        action: format!("/registrants/{id}/why"),
        next: next_page(id, query.next.as_deref()),
        reasons: REASONS,
        chosen: String::new(),
        reference: String::new(),
        errors: Vec::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct WhyForm {
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
    next: Option<String>,
}

pub async fn give_reason(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Form(form): Form<WhyForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let now = crate::clock::now();
    match justifications::give(&state.ctx, visitor.session_id, id.into(), form.reason.as_deref(), form.reference.as_deref(), now).await {
        Ok(_) => Redirect::to(&next_page(id, form.next.as_deref())).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            let page = WhyPage {
                chrome,
                action: format!("/registrants/{id}/why"),
                next: next_page(id, form.next.as_deref()),
                reasons: REASONS,
                chosen: form.reason.unwrap_or_default(),
                reference: form.reference.unwrap_or_default(),
                errors: errors.0,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
