//! "End an address" and "Correct an address", behind the personal details tab's address rows:
//! the same services as `POST /api/v1/registrants/{id}/addresses/{address_id}/end` and
//! `/correction`. Ending the only home address tells the officer that the registrant now has no
//! home address, which the regime may require them to notify; a correction needs a reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::RegistrantId;
use uuid::Uuid;

use super::form::{self, DateBoxes, Fields, error};
use super::pages::{self, Chrome};
use super::particulars::{self, AddressRow, Row, rows};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::registrants::addresses::{self, AddressCorrectionInput, AddressEndInput};
use crate::services::registrants::views::{AddressView, RegistrantView};

#[derive(Template, WebTemplate)]
#[template(path = "address_change.html")]
pub struct ChangePage {
    pub chrome: Chrome,
    pub id: String,
    pub address: String,
    pub name: String,
    /// "end" or "correct".
    pub what: &'static str,
    pub title: &'static str,
    pub described: String,
    pub valid_to: DateBoxes,
    pub addresses: Vec<Row<AddressRow>>,
    pub reason: String,
    pub errors: Vec<FieldError>,
}

impl ChangePage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn title(what: &str) -> Option<(&'static str, &'static str)> {
    match what {
        "end" => Some(("end", "End an address")),
        "correct" => Some(("correct", "Correct an address")),
        _ => None,
    }
}

struct Typed {
    valid_to: DateBoxes,
    address: AddressRow,
    reason: String,
}

fn page(
    chrome: Chrome,
    r: &RegistrantView,
    a: &AddressView,
    what: (&'static str, &'static str),
    typed: Typed,
    errors: Vec<FieldError>,
) -> ChangePage {
    ChangePage {
        chrome,
        id: r.id.to_string(),
        address: a.id.to_string(),
        name: super::details::primary_name(r),
        what: what.0,
        title: what.1,
        described: AddressRow::describe(a.kind, &a.lines, a.town.as_deref(), a.postcode.as_deref(), a.valid_from),
        valid_to: typed.valid_to,
        addresses: rows("addresses", &[typed.address], &errors),
        reason: typed.reason,
        errors,
    }
}

/// The registrant and the address, if this caller may change them.
async fn changeable(
    state: &AppState,
    visitor: &mut Visitor,
    id: RegistrantId,
    address: Uuid,
) -> Result<(RegistrantView, AddressView), Response> {
    let mut r = super::details::writable(state, visitor, id).await?;
    match r.addresses.iter().position(|a| a.id == address) {
        Some(i) => {
            let a = r.addresses.swap_remove(i);
            Ok((r, a))
        }
        None => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/caseload")), ServiceError::NotFound("address"))),
    }
}

fn as_typed(a: &AddressView) -> Typed {
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(|d| DateBoxes { day: d.format("%-d").to_string(), month: d.format("%-m").to_string(), year: d.format("%Y").to_string() })
            .unwrap_or_default()
    };
    Typed {
        valid_to: DateBoxes::default(),
        address: AddressRow {
            kind: a.kind.as_str().to_owned(),
            line1: a.lines.first().cloned().unwrap_or_default(),
            line2: a.lines.get(1..).map(|rest| rest.join(", ")).unwrap_or_default(),
            town: a.town.clone().unwrap_or_default(),
            postcode: a.postcode.clone().unwrap_or_default(),
            from: date(a.valid_from),
        },
        reason: String::new(),
    }
}

pub async fn form_page(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, address, what)): Path<(RegistrantId, Uuid, String)>,
) -> Response {
    let Some(what) = title(&what) else { return super::details::not_found(&visitor) };
    match changeable(&state, &mut visitor, id, address).await {
        Ok((_, a)) if what.0 == "end" && a.valid_to.is_some() => already_ended(Chrome::for_visitor(&visitor, "/caseload")),
        Ok((r, a)) => page(Chrome::for_visitor(&visitor, "/caseload"), &r, &a, what, as_typed(&a), Vec::new()).into_response(),
        Err(page) => page,
    }
}

fn already_ended(chrome: Chrome) -> Response {
    pages::error_page(
        Some(chrome),
        StatusCode::CONFLICT,
        "This address has already ended",
        "Go back to the personal details. To change the day it ended, correct the address.",
    )
}

pub async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, address, what)): Path<(RegistrantId, Uuid, String)>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let Some(what) = title(&what) else { return super::details::not_found(&visitor) };
    let (r, a) = match changeable(&state, &mut visitor, id, address).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let mut address_row = AddressRow::read(&fields, 0);
    address_row.kind = a.kind.as_str().to_owned();
    let typed = Typed { valid_to: fields.date("valid_to"), address: address_row, reason: fields.get("reason").to_owned() };
    let now = crate::clock::now();
    let result = if what.0 == "end" {
        let valid_to = match typed.valid_to.date() {
            Ok(Some(d)) => d,
            Ok(None) => return invalid(chrome, &r, &a, what, typed, "valid_to-day", "required", "Enter the last day they lived there"),
            Err(()) => return invalid(chrome, &r, &a, what, typed, "valid_to-day", "invalid_date", "The last day must be a real date"),
        };
        addresses::end(&state.ctx, &visitor.caller, id, address, AddressEndInput { valid_to }, now).await
    } else {
        let mut errors = match particulars::check_address(&typed.address, 0) {
            Ok(input) => {
                let body = AddressCorrectionInput {
                    lines: input.lines,
                    town: input.town,
                    postcode: input.postcode,
                    valid_from: input.valid_from,
                    reason: typed.reason.clone(),
                };
                match addresses::correct(&state.ctx, &visitor.caller, id, address, body, now).await {
                    Err(ServiceError::Invalid(invalid)) => page_errors(invalid.0),
                    other => return done(chrome, &r, &a, what, typed, other),
                }
            }
            Err(errors) => errors,
        };
        if typed.reason.trim().is_empty() && !errors.iter().any(|e| e.field == "reason") {
            errors.push(error("reason", "required", "Enter why the address was wrong"));
        }
        return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, &r, &a, what, typed, errors)).into_response();
    };
    done(chrome, &r, &a, what, typed, result)
}

#[allow(clippy::too_many_arguments)]
fn invalid(
    chrome: Chrome,
    r: &RegistrantView,
    a: &AddressView,
    what: (&'static str, &'static str),
    typed: Typed,
    field: &str,
    code: &'static str,
    words: &str,
) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, r, a, what, typed, vec![error(field, code, words)])).into_response()
}

fn done(
    chrome: Chrome,
    r: &RegistrantView,
    a: &AddressView,
    what: (&'static str, &'static str),
    typed: Typed,
    result: Result<RegistrantView, ServiceError>,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/registrants/{}/details?done=address_{}", r.id, what.0)).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, r, a, what, typed, page_errors(invalid.0))).into_response()
        }
        Err(ServiceError::Conflict { .. }) => already_ended(chrome),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// The service's errors on this page's inputs, in GOV.UK words.
fn page_errors(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let (field, words) = match e.field.as_str() {
                "valid_to" => ("valid_to-day".to_owned(), "The last day must be on or after the day they started living there".to_owned()),
                "reason" => ("reason".to_owned(), "Enter why the address was wrong".to_owned()),
                "valid_from" => ("addresses-0-from-day".to_owned(), form::message("The date they started living there", &e)),
                other => (
                    format!("addresses-0-{}", other.replace("lines[0]", "line1").replace("lines[1]", "line2")),
                    form::message("This answer", &e),
                ),
            };
            FieldError { field, code: e.code, detail: words }
        })
        .collect()
}
