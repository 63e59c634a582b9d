//! "Record a variation or renewal": what the court did at a hearing (vary the terms or renew
//! the order), the hearing, the court's reason, the order's new end, the conditions and people
//! it removed (checkboxes of the current terms) and the ones it added (the same add-another
//! lists as "Add an order"). The same service as `POST /api/v1/orders/{id}/variations` checks
//! it and writes it, or writes nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::{ConditionId, OrderId, RegistrantId};
use domain::vocab::{ConditionKind, VariationKind};
use uuid::Uuid;

use super::form::{self, DateBoxes, Fields, error};
use super::order::{end_words, may_change, read};
use super::order_terms::{self as terms, Terms, TermsLists};
use super::orders::kind_label;
use super::pages::{self, Chrome, date, sentence, words};
use super::session::{self, Visitor};
use crate::auth::AccessError;
use crate::http::AppState;
use crate::services::orders::input::{HearingInput, VariationInput};
use crate::services::orders::views::OrderView;
use crate::services::{ServiceError, orders};

/// A current condition or person the court may have removed.
pub struct Removable {
    pub id: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Default)]
pub struct Typed {
    pub kind: String,
    pub court: String,
    pub case_reference: String,
    pub heard_on: DateBoxes,
    pub effective_on: DateBoxes,
    pub reason: String,
    pub expires_on: DateBoxes,
    pub until_further_order: bool,
    pub remove_conditions: Vec<String>,
    pub remove_persons: Vec<String>,
    pub terms: Terms,
}

#[derive(Template, WebTemplate)]
#[template(path = "order_vary.html")]
pub struct VaryPage {
    pub chrome: Chrome,
    pub id: String,
    pub order: String,
    pub title: String,
    pub version: i32,
    pub current_end: String,
    pub typed: Typed,
    pub conditions: Vec<Removable>,
    /// `None`: the caller may not see protected persons.
    pub people: Option<Vec<Removable>>,
    pub lists: TermsLists,
    pub errors: Vec<FieldError>,
}

impl VaryPage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn page(chrome: Chrome, o: &OrderView, typed: Typed, errors: Vec<FieldError>) -> VaryPage {
    let conditions = o
        .conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = if c.kind == ConditionKind::Prohibition { "Prohibition" } else { "Requirement" };
            let text = c.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
            let id = c.id.to_string();
            Removable {
                checked: typed.remove_conditions.contains(&id),
                id,
                label: format!("{kind} {}, {}{text}", i + 1, words(c.category.as_str())),
            }
        })
        .collect();
    let people = o.protected_persons.as_ref().map(|people| {
        people
            .iter()
            .map(|p| {
                let id = p.id.to_string();
                Removable { checked: typed.remove_persons.contains(&id), id, label: format!("{} {}", p.given, p.family).trim().to_owned() }
            })
            .collect()
    });
    VaryPage {
        chrome,
        id: o.registrant_id.to_string(),
        order: o.id.to_string(),
        title: kind_label(o.kind).to_owned(),
        version: o.version,
        current_end: end_words(o),
        conditions,
        people,
        lists: typed.terms.lists(&errors, true),
        typed,
        errors,
    }
}

/// The order, if this caller may record what a court did to it now.
async fn changeable(state: &AppState, visitor: &mut Visitor, id: RegistrantId, order: OrderId) -> Result<OrderView, Response> {
    let (_, o) = read(state, visitor, id, order).await?;
    if !o.status.is_in_force() {
        return Err(Redirect::to(&format!("/registrants/{id}/orders/{order}")).into_response());
    }
    if !may_change(visitor, &o) {
        let chrome = Chrome::for_visitor(visitor, "/caseload");
        return Err(pages::service_error(Some(chrome), ServiceError::Forbidden(AccessError::OtherOrganisation)));
    }
    Ok(o)
}

pub async fn form_page(State(state): State<AppState>, mut visitor: Visitor, Path((id, order)): Path<(RegistrantId, OrderId)>) -> Response {
    match changeable(&state, &mut visitor, id, order).await {
        Ok(o) => page(Chrome::for_visitor(&visitor, "/caseload"), &o, Typed::default(), Vec::new()).into_response(),
        Err(page) => page,
    }
}

fn read_form(f: &Fields) -> Typed {
    let all = |name: &str| f.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect();
    Typed {
        kind: f.get("kind").into(),
        court: f.get("court").into(),
        case_reference: f.get("case_reference").into(),
        heard_on: f.date("heard_on"),
        effective_on: f.date("effective_on"),
        reason: f.get("reason").into(),
        expires_on: f.date("expires_on"),
        until_further_order: f.get("until_further_order") == "yes",
        remove_conditions: all("remove_conditions"),
        remove_persons: all("remove_persons"),
        terms: Terms::read(f),
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "court" => "The court",
        "case_reference" => "The case reference",
        "reason" => "The court's reason",
        other => terms::label(other).unwrap_or("The date"),
    }
}

/// The service's errors on this page's inputs, in GOV.UK words.
fn page_errors(errors: Vec<FieldError>, typed: &Typed) -> Vec<FieldError> {
    let moved = errors
        .into_iter()
        .map(|mut e| {
            e.field = match typed.terms.row_field(&e.field, "add_conditions", "add_protected_persons") {
                Some(row) => row,
                None => match e.field.as_str() {
                    "hearing.court" => "court".into(),
                    "hearing.case_reference" => "case_reference".into(),
                    "hearing.heard_on" => "heard_on.day".into(),
                    "effective_on" | "expires_on" => format!("{}.day", e.field),
                    f if f.starts_with("remove_conditions") => "remove_conditions".into(),
                    f if f.starts_with("remove_protected_persons") => "remove_persons".into(),
                    "add_conditions" => "kind".into(),
                    _ => e.field,
                },
            };
            e
        })
        .collect();
    form::from_service(moved, label)
        .into_iter()
        .map(|mut e| {
            e.detail = match (e.code, e.field.as_str()) {
                ("no_change", _) => "A variation changes something: choose a new end, or a condition or person removed or added".into(),
                ("not_renewable", _) => "An interim order is not renewed: it ends when the full order is made".into(),
                ("required", "expires_on-day") => "Enter the renewed order's new end date, or choose until further order".into(),
                ("not_later", _) => "A renewal must end the order later than it ends now".into(),
                ("too_short", _) => "A stalking protection order lasts at least 2 years, or until further order".into(),
                ("expiry_or_until_further_order", _) => "Enter the new end date, or choose until further order (not both)".into(),
                ("before_effective", _) => "The new end date must be after the day the change takes effect".into(),
                ("before_made", "heard_on-day") => "The date of the hearing must be on or after the day the order was made".into(),
                ("in_future", "heard_on-day") => "The date of the hearing must be today or in the past".into(),
                ("before_hearing", _) => "The date the change takes effect must be on or after the hearing".into(),
                ("before_previous_terms", _) => {
                    "The date the change takes effect must be on or after the last variation took effect".into()
                }
                ("not_current", _) => "Choose only conditions and people that are part of the order now".into(),
                _ => e.detail,
            };
            e
        })
        .collect()
}

/// A date box that must hold a real date if anything was typed; `required` when it may not be empty.
fn typed_date(errors: &mut Vec<FieldError>, boxes: &DateBoxes, id: &str, what: &str, required: bool) -> Option<chrono::NaiveDate> {
    match boxes.date() {
        Ok(Some(d)) => Some(d),
        Ok(None) if required => {
            errors.push(error(format!("{id}-day"), "required", format!("Enter {what}")));
            None
        }
        Ok(None) => None,
        Err(()) => {
            errors.push(error(format!("{id}-day"), "invalid_date", format!("{} must be a real date", sentence(what))));
            None
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, order)): Path<(RegistrantId, OrderId)>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let o = match changeable(&state, &mut visitor, id, order).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let mut typed = read_form(&fields);
    if typed.terms.add_or_remove(fields.get("action")) {
        return page(chrome, &o, typed, Vec::new()).into_response();
    }
    typed.terms.drop_empty();
    let mut errors = Vec::new();
    let kind = VariationKind::parse(&typed.kind);
    if kind.is_none() {
        errors.push(error("kind", "required", "Choose what the court did"));
    }
    let heard_on = typed_date(&mut errors, &typed.heard_on, "heard_on", "the date of the hearing", true);
    let effective_on = typed_date(&mut errors, &typed.effective_on, "effective_on", "the date the change takes effect", false);
    let expires_on = typed_date(&mut errors, &typed.expires_on, "expires_on", "the new end date", false);
    let add_conditions = typed.terms.conditions(&mut errors);
    let remove_conditions: Vec<ConditionId> = typed.remove_conditions.iter().filter_map(|c| c.parse().ok()).collect();
    let remove_protected_persons: Vec<Uuid> = typed.remove_persons.iter().filter_map(|p| p.parse().ok()).collect();
    let (Some(kind), Some(heard_on), true) = (kind, heard_on, errors.is_empty()) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, &o, typed, errors)).into_response();
    };
    let input = VariationInput {
        kind,
        // The version read when the form was shown: a change in between is refused, not overwritten.
        version: fields.get("version").parse().unwrap_or(o.version),
        hearing: HearingInput { court: typed.court.clone(), case_reference: typed.case_reference.clone(), heard_on },
        reason: typed.reason.clone(),
        effective_on,
        expires_on,
        until_further_order: typed.until_further_order,
        remove_conditions,
        add_conditions,
        remove_protected_persons,
        add_protected_persons: typed.terms.protected_persons(),
    };
    match orders::variations::vary(&state.ctx, &visitor.caller, order, input, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("/registrants/{id}/orders/{order}?done={}", kind.as_str())).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = page_errors(invalid.0, &typed);
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, &o, typed, errors)).into_response()
        }
        Err(ServiceError::Conflict { .. }) => pages::order_changed(chrome),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// For the order page: "Heard 1 April 2026 at Court, with effect from …".
pub fn heard(v: &crate::services::orders::views::VariationView) -> String {
    if v.effective_on == v.heard_on {
        format!("{} at {}", date(v.heard_on), v.court)
    } else {
        format!("{} at {}, with effect from {}", date(v.heard_on), v.court, date(v.effective_on))
    }
}
