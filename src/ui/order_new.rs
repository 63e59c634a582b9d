//! Add an order: its kind, court, case reference and dates, its prohibitions and positive
//! requirements as numbered add-another lists (that work without JavaScript), and the people it
//! protects. One page, all of it carried in the form; the same service as
//! `POST /api/v1/registrants/{id}/orders` checks it and writes it, or writes nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::RegistrantId;
use domain::vocab::OrderKind;

use super::form::{self, DateBoxes, Fields, error};
use super::order_terms::{self as terms, ConditionRow, Terms, TermsLists};
use super::orders::kind_label;
use super::pages::{self, Chrome};
use super::particulars::Options;
use super::record::justified;
use super::session::{self, Visitor};
use crate::auth::{AccessError, Permission};
use crate::http::AppState;
use crate::services::orders::input::NewOrderInput;
use crate::services::{ServiceError, orders, registrants};

#[derive(Default)]
pub struct Typed {
    pub kind: String,
    pub court: String,
    pub case_reference: String,
    pub made_on: DateBoxes,
    pub expires_on: DateBoxes,
    pub until_further_order: bool,
    pub terms: Terms,
}

#[derive(Template, WebTemplate)]
#[template(path = "order_new.html")]
pub struct NewOrderPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub typed: Typed,
    pub kinds: Options,
    pub lists: TermsLists,
    pub errors: Vec<FieldError>,
}

impl NewOrderPage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn page(chrome: Chrome, id: RegistrantId, name: String, typed: Typed, errors: Vec<FieldError>) -> NewOrderPage {
    NewOrderPage {
        chrome,
        id: id.to_string(),
        name,
        kinds: OrderKind::ALL.iter().map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned())).collect(),
        lists: typed.terms.lists(&errors, false),
        typed,
        errors,
    }
}

/// The registrant's name, if this caller may add orders to them; otherwise the refusal.
async fn writable(state: &AppState, visitor: &mut Visitor, id: RegistrantId) -> Result<String, Response> {
    justified(state, visitor, id).await?;
    let chrome = || Chrome::for_visitor(visitor, "/caseload");
    let r = registrants::get(&state.ctx, &visitor.caller, id, crate::clock::now())
        .await
        .map_err(|e| pages::service_error(Some(chrome()), e))?;
    if !(visitor.caller.can(Permission::OrderWrite) && visitor.caller.org == r.managing_org) {
        return Err(pages::service_error(Some(chrome()), ServiceError::Forbidden(AccessError::OtherOrganisation)));
    }
    let primary = r.names.iter().find(|n| n.kind.as_str() == "primary").or(r.names.first());
    Ok(primary.map(|n| format!("{} {}", n.given, n.family).trim().to_owned()).unwrap_or_default())
}

pub async fn form_page(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    let name = match writable(&state, &mut visitor, id).await {
        Ok(name) => name,
        Err(page) => return page,
    };
    let typed = Typed { terms: Terms { prohibitions: vec![ConditionRow::default()], ..Terms::default() }, ..Typed::default() };
    page(Chrome::for_visitor(&visitor, "/caseload"), id, name, typed, Vec::new()).into_response()
}

fn read(f: &Fields) -> Typed {
    Typed {
        kind: f.get("kind").into(),
        court: f.get("court").into(),
        case_reference: f.get("case_reference").into(),
        made_on: f.date("made_on"),
        expires_on: f.date("expires_on"),
        until_further_order: f.get("until_further_order") == "yes",
        terms: Terms::read(f),
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "court" => "The court",
        "case_reference" => "The case reference",
        other => terms::label(other).unwrap_or("The date"),
    }
}

/// The service's errors on this page's inputs: `conditions[i]` are the prohibitions then the
/// requirements, `protected_persons[i]` the people, dates their day boxes.
fn page_errors(errors: Vec<FieldError>, terms: &Terms) -> Vec<FieldError> {
    let moved = errors
        .into_iter()
        .map(|mut e| {
            e.field = match terms.row_field(&e.field, "conditions", "protected_persons") {
                Some(row) => row,
                None => match e.field.as_str() {
                    "made_on" | "expires_on" | "served_on" | "effective_on" => format!("{}.day", e.field),
                    "status" | "regime" => "kind".into(),
                    _ => e.field,
                },
            };
            e
        })
        .collect();
    form::from_service(moved, label)
        .into_iter()
        .map(|mut e| {
            e.detail = match e.code {
                "expiry_or_until_further_order" => "Enter the date the order ends, or choose until further order (not both)".into(),
                "too_short" => "A stalking protection order lasts at least 2 years, or until further order".into(),
                "wrong_kind" => "Choose a category from the list".into(),
                "in_future" if e.field == "made_on-day" => "The date the order was made must be today or in the past".into(),
                "before_made" => "The date the order ends must be on or after the date it was made".into(),
                _ => e.detail,
            };
            e
        })
        .collect()
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let name = match writable(&state, &mut visitor, id).await {
        Ok(name) => name,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let mut typed = read(&fields);
    if typed.terms.add_or_remove(fields.get("action")) {
        return page(chrome, id, name, typed, Vec::new()).into_response();
    }
    typed.terms.drop_empty();
    let mut errors = Vec::new();
    let kind = OrderKind::parse(&typed.kind);
    if kind.is_none() {
        errors.push(error("kind", "required", "Choose the kind of order"));
    }
    let made_on = match typed.made_on.date() {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(error("made_on-day", "required", "Enter the date the order was made"));
            None
        }
        Err(()) => {
            errors.push(error("made_on-day", "invalid_date", "The date the order was made must be a real date"));
            None
        }
    };
    let expires_on = typed.expires_on.date().unwrap_or_else(|()| {
        errors.push(error("expires_on-day", "invalid_date", "The date the order ends must be a real date"));
        None
    });
    let conditions = typed.terms.conditions(&mut errors);
    let (Some(kind), Some(made_on), true) = (kind, made_on, errors.is_empty()) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, id, name, typed, errors)).into_response();
    };
    let input = NewOrderInput {
        kind,
        regime: None,
        court: typed.court.clone(),
        case_reference: typed.case_reference.clone(),
        made_on,
        served_on: None,
        effective_on: None,
        expires_on,
        until_further_order: typed.until_further_order,
        status: None,
        replaces_order_id: None,
        protected_persons: typed.terms.protected_persons(),
        conditions,
    };
    match orders::create(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(order) => Redirect::to(&format!("/registrants/{id}/orders/{}?done=added", order.id)).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = page_errors(invalid.0, &typed.terms);
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, id, name, typed, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
