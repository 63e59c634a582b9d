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
use domain::vocab::{ConditionCategory, ConditionKind, OrderKind};
use serde::{Deserialize, Serialize};

use super::form::{self, DateBoxes, Fields, error};
use super::orders::kind_label;
use super::pages::{self, Chrome, words};
use super::particulars::{Options, Row, rows};
use super::record::justified;
use super::session::{self, Visitor};
use crate::auth::{AccessError, Permission};
use crate::http::AppState;
use crate::services::orders::input::{ConditionInput, NewOrderInput, ProtectedPersonInput};
use crate::services::{ServiceError, orders, registrants};

const MAX_ROWS: usize = 20;

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct ConditionRow {
    pub category: String,
    pub text: String,
    pub responsible: String,
    pub ends: DateBoxes,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct PersonRow {
    pub given: String,
    pub family: String,
    pub relationship: String,
}

#[derive(Default)]
pub struct Typed {
    pub kind: String,
    pub court: String,
    pub case_reference: String,
    pub made_on: DateBoxes,
    pub expires_on: DateBoxes,
    pub until_further_order: bool,
    pub prohibitions: Vec<ConditionRow>,
    pub requirements: Vec<ConditionRow>,
    pub persons: Vec<PersonRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "order_new.html")]
pub struct NewOrderPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub typed: Typed,
    pub kinds: Options,
    pub prohibition_categories: Options,
    pub requirement_categories: Options,
    pub prohibitions: Vec<Row<ConditionRow>>,
    pub requirements: Vec<Row<ConditionRow>>,
    pub persons: Vec<Row<PersonRow>>,
    pub errors: Vec<FieldError>,
    pub max_rows: usize,
}

impl NewOrderPage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn categories(kind: ConditionKind) -> Options {
    ConditionCategory::ALL
        .iter()
        .filter(|c| domain::orders::category_fits(kind, **c))
        .map(|c| (c.as_str().to_owned(), words(c.as_str())))
        .collect()
}

fn page(chrome: Chrome, id: RegistrantId, name: String, typed: Typed, errors: Vec<FieldError>) -> NewOrderPage {
    NewOrderPage {
        chrome,
        id: id.to_string(),
        name,
        kinds: OrderKind::ALL.iter().map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned())).collect(),
        prohibition_categories: categories(ConditionKind::Prohibition),
        requirement_categories: categories(ConditionKind::Requirement),
        prohibitions: rows("prohibitions", &typed.prohibitions, &errors),
        requirements: rows("requirements", &typed.requirements, &errors),
        persons: rows("persons", &typed.persons, &errors),
        typed,
        errors,
        max_rows: MAX_ROWS,
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
    let typed = Typed { prohibitions: vec![ConditionRow::default()], ..Typed::default() };
    page(Chrome::for_visitor(&visitor, "/caseload"), id, name, typed, Vec::new()).into_response()
}

fn read(f: &Fields) -> Typed {
    let condition = |list: &str, i: usize| ConditionRow {
        category: f.row(list, i, "category").into(),
        text: f.row(list, i, "text").into(),
        responsible: f.row(list, i, "responsible").into(),
        ends: f.date(&format!("{list}-{i}-ends")),
    };
    Typed {
        kind: f.get("kind").into(),
        court: f.get("court").into(),
        case_reference: f.get("case_reference").into(),
        made_on: f.date("made_on"),
        expires_on: f.date("expires_on"),
        until_further_order: f.get("until_further_order") == "yes",
        prohibitions: f.rows("prohibitions", MAX_ROWS).into_iter().map(|i| condition("prohibitions", i)).collect(),
        requirements: f.rows("requirements", MAX_ROWS).into_iter().map(|i| condition("requirements", i)).collect(),
        persons: f
            .rows("persons", MAX_ROWS)
            .into_iter()
            .map(|i| PersonRow {
                given: f.row("persons", i, "given").into(),
                family: f.row("persons", i, "family").into(),
                relationship: f.row("persons", i, "relationship").into(),
            })
            .collect(),
    }
}

/// "Add another" and "Remove" buttons of the three lists; `true` if one was pressed.
fn add_or_remove(t: &mut Typed, action: &str) -> bool {
    fn change<T: Default>(list: &mut Vec<T>, action: &str, name: &str) -> bool {
        if action == format!("add-{name}") {
            if list.len() < MAX_ROWS {
                list.push(T::default());
            }
            return true;
        }
        match action.strip_prefix(&format!("remove-{name}-")).and_then(|i| i.parse::<usize>().ok()) {
            Some(i) => {
                if i < list.len() {
                    list.remove(i);
                }
                true
            }
            None => false,
        }
    }
    change(&mut t.prohibitions, action, "prohibitions")
        || change(&mut t.requirements, action, "requirements")
        || change(&mut t.persons, action, "persons")
}

fn label(field: &str) -> &'static str {
    match field {
        "court" => "The court",
        "case_reference" => "The case reference",
        "text" => "The wording",
        "responsible" => "Who supervises it",
        "given" => "The given names",
        "family" => "The family name",
        "relationship" => "The relationship",
        "category" => "The category",
        _ => "The date",
    }
}

/// The service's errors on this page's inputs: `conditions[i]` are the prohibitions then the
/// requirements, `protected_persons[i]` the people, dates their day boxes.
fn page_errors(errors: Vec<FieldError>, prohibitions: usize) -> Vec<FieldError> {
    let moved = errors
        .into_iter()
        .map(|mut e| {
            let f = e.field.clone();
            e.field = if let Some(rest) = f.strip_prefix("conditions[") {
                let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
                let i: usize = index.parse().unwrap_or_default();
                let tail = tail.replace(".responsible_person", ".responsible").replace(".ends_on", ".ends.day");
                if i < prohibitions { format!("prohibitions[{i}]{tail}") } else { format!("requirements[{}]{tail}", i - prohibitions) }
            } else if let Some(rest) = f.strip_prefix("protected_persons") {
                format!("persons{rest}")
            } else {
                match f.as_str() {
                    "made_on" | "expires_on" | "served_on" | "effective_on" => format!("{f}.day"),
                    "status" | "regime" => "kind".into(),
                    _ => f,
                }
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

fn present(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
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
    if add_or_remove(&mut typed, fields.get("action")) {
        return page(chrome, id, name, typed, Vec::new()).into_response();
    }
    // Rows left empty are not conditions or people.
    typed.prohibitions.retain(|c| !c.text.trim().is_empty() || !c.category.is_empty());
    typed.requirements.retain(|c| !c.text.trim().is_empty() || !c.category.is_empty() || !c.responsible.trim().is_empty());
    typed.persons.retain(|p| [&p.given, &p.family, &p.relationship].iter().any(|s| !s.trim().is_empty()));
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
    let mut conditions = Vec::new();
    for (list, kind, rows) in [
        ("prohibitions", ConditionKind::Prohibition, &typed.prohibitions),
        ("requirements", ConditionKind::Requirement, &typed.requirements),
    ] {
        for (i, c) in rows.iter().enumerate() {
            let category = ConditionCategory::parse(&c.category).filter(|cat| domain::orders::category_fits(kind, *cat));
            if category.is_none() {
                errors.push(error(format!("{list}-{i}-category"), "required", "Choose a category from the list"));
            }
            let ends_on = c.ends.date().unwrap_or_else(|()| {
                errors.push(error(format!("{list}-{i}-ends-day"), "invalid_date", "The end date must be a real date"));
                None
            });
            conditions.push(ConditionInput {
                kind,
                category: category.unwrap_or(ConditionCategory::Other),
                text: c.text.clone(),
                parameters: None,
                responsible_person: present(&c.responsible),
                schedule: None,
                starts_on: None,
                ends_on,
            });
        }
    }
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
        protected_persons: typed
            .persons
            .iter()
            .map(|p| ProtectedPersonInput {
                given: p.given.clone(),
                family: p.family.clone(),
                date_of_birth: None,
                relationship: present(&p.relationship),
            })
            .collect(),
        conditions,
    };
    match orders::create(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(order) => Redirect::to(&format!("/registrants/{id}/orders/{}?done=added", order.id)).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = page_errors(invalid.0, typed.prohibitions.len());
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, id, name, typed, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
