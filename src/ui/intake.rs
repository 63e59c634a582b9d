//! "Record a crime report": the form (every field the API takes, lists that grow with "Add
//! another" without JavaScript), then the register check under the reason given on the form,
//! with the report's crime reference as the reference, as the API's headers carry them.
//!
//! Nothing is written unless the whole form holds: this page's own checks and the service's
//! validation run first, so a form with errors comes back with all of them at once (422).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::{FieldError, FieldErrors};
use domain::limits;
use domain::reasons::REASONS;
use domain::vocab::{Classification, ContactChannel, DescriptorKind, IdentifierKind};

use super::pages::{self, Chrome, words};
use super::report_form::{LISTS, ReportForm, Submitted};
use super::session::{self, Visitor};
use crate::auth::Justification;
use crate::http::AppState;
use crate::services::reports::input;
use crate::services::{ServiceError, checks, justifications, reports};

#[derive(Template, WebTemplate)]
#[template(path = "report_new.html")]
pub struct NewReportPage {
    pub chrome: Chrome,
    pub org: String,
    pub form: ReportForm,
    pub rows: Vec<(&'static str, usize)>,
    pub classifications: Vec<(&'static str, String)>,
    pub channels: Vec<(&'static str, String)>,
    pub identifier_kinds: Vec<(&'static str, String)>,
    pub descriptor_kinds: Vec<(&'static str, String)>,
    pub reasons: Vec<(&'static str, String)>,
    pub max_included: usize,
    pub max_items: usize,
    pub errors: Vec<FieldError>,
}

impl NewReportPage {
    fn checked(&self, channel: &str) -> bool {
        self.form.channels.iter().any(|c| c == channel)
    }
}

fn options<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<(&'static str, String)> {
    all.iter().map(|v| (code(*v), words(code(*v)))).collect()
}

fn page(visitor: &Visitor, form: ReportForm, errors: Vec<(String, String)>) -> NewReportPage {
    let rows = vec![
        ("included", form.included.len()),
        ("names", form.names.len()),
        ("addresses", form.addresses.len()),
        ("identifiers", form.identifiers.len()),
        ("descriptors", form.descriptors.len()),
    ];
    let mut seen = Vec::new();
    let errors = errors
        .into_iter()
        .filter(|(field, _)| {
            // One message per input in the summary: the first found is the one shown inline.
            let fresh = !seen.contains(field);
            seen.push(field.clone());
            fresh
        })
        .map(|(field, detail)| FieldError { field, code: "invalid", detail })
        .collect();
    NewReportPage {
        chrome: Chrome::for_visitor(visitor, "/reports/new"),
        org: visitor.caller.org.clone(),
        form,
        rows,
        classifications: options(Classification::ALL, Classification::as_str),
        channels: options(ContactChannel::ALL, ContactChannel::as_str),
        identifier_kinds: options(IdentifierKind::ALL, IdentifierKind::as_str),
        descriptor_kinds: options(DescriptorKind::ALL, DescriptorKind::as_str),
        reasons: REASONS
            .iter()
            .map(|r| (r.code, if r.needs_reference { format!("{} (the crime reference is used)", r.title) } else { r.title.to_owned() }))
            .collect(),
        max_included: limits::CLASSIFICATIONS,
        max_items: limits::SUSPECT_ITEMS,
        errors,
    }
}

pub async fn form(visitor: Visitor) -> NewReportPage {
    page(&visitor, ReportForm::empty(), Vec::new())
}

pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let submitted = Submitted(&pairs);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &submitted.get("csrf")) {
        return refused;
    }
    // "Add another": the same form with one more row in that list; nothing is checked yet.
    let add = submitted.get("add");
    if let Some((list, _, _)) = LISTS.iter().find(|l| l.0 == add) {
        return page(&visitor, ReportForm::read(&submitted, Some(list)), Vec::new()).into_response();
    }
    let mut form = ReportForm::read(&submitted, None);
    let now = crate::clock::now();
    let today = domain::calendar::local_date(now);

    // Every problem at once, before anything is written.
    let (body, mut errors) = form.to_input();
    let crime_reference = form.crime_reference.value.trim().to_owned();
    let reason = Some(form.reason.value.clone()).filter(|r| !r.is_empty());
    if reason.as_deref().is_none_or(|r| domain::reasons::find(r).is_none()) {
        errors.push(("reason".into(), "Choose why you are checking this report".into()));
    }
    let mut found = FieldErrors::default();
    input::validate(&mut found, body, &visitor.caller.org, today);
    if let Err(found) = found.finish() {
        errors.extend(found.0.iter().map(|e| (e.field.clone(), e.code, e.detail.clone())).map(|(f, c, d)| form.service_error(&f, c, &d)));
    }
    let mut errors: Vec<(String, String)> = errors.into_iter().map(|(id, m)| form.page_error(&id, &m)).collect();
    errors.sort_by_cached_key(|(id, _)| form.position(id));
    if !errors.is_empty() {
        return invalid(&visitor, form, errors);
    }

    let (body, _) = form.to_input();
    let receipt = match reports::create(&state.ctx, &visitor.caller, body, now).await {
        Ok(r) => r,
        Err(ServiceError::Invalid(found)) => {
            let errors = found.0.iter().map(|e| form.service_error(&e.field, e.code, &e.detail)).collect();
            return invalid(&visitor, form, errors);
        }
        Err(e) => return pages::service_error(Some(Chrome::for_visitor(&visitor, "/reports/new")), e),
    };
    // The reason covers this report's pages for a while, as a reason given on a record does.
    let given =
        justifications::give(&state.ctx, visitor.session_id, receipt.id.into(), reason.as_deref(), Some(&crime_reference), now).await;
    visitor.caller.justification = match given {
        Ok(j) => j,
        Err(_) => Justification { reason_code: reason, crime_reference: Some(crime_reference) },
    };
    match checks::run_with_id(&state.ctx, &visitor.caller, receipt.id, now).await {
        Ok((check_id, _)) => Redirect::to(&format!("/reports/{}/checks/{check_id}", receipt.id)).into_response(),
        // Recorded, not checked (for example, too many checks this hour): the report's page
        // says so and offers the check again.
        Err(e) => {
            tracing::warn!(error = %e, "report recorded; its register check did not run");
            Redirect::to(&format!("/reports/{}?done=not-checked", receipt.id)).into_response()
        }
    }
}

fn invalid(visitor: &Visitor, form: ReportForm, errors: Vec<(String, String)>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(visitor, form, errors)).into_response()
}
