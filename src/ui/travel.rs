//! "Record travel abroad": a trip the police know of, from the registrant or from elsewhere
//! (SOA 2003 s.86). The same service as `POST /api/v1/registrants/{id}/travel` records it and,
//! where an order's regime requires travel to be notified, starts the duty; the obligations tab
//! then shows when the notification is due and why.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::{FieldError, FieldErrors};
use domain::ids::RegistrantId;

use super::form::{DateBoxes, Fields};
use super::forms::{self, Problems};
use super::pages::{self, Chrome};
use super::record::justified;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::obligations::travel::{self, TripInput};

#[derive(Template, WebTemplate)]
#[template(path = "travel.html")]
pub struct TravelPage {
    pub chrome: Chrome,
    pub id: String,
    pub departs: DateBoxes,
    pub departs_time: String,
    pub returns: DateBoxes,
    pub known: DateBoxes,
    pub destination: String,
    pub errors: Vec<FieldError>,
    pub problems: Problems,
}

fn page(chrome: Chrome, id: RegistrantId, f: &Fields, errors: Vec<FieldError>) -> TravelPage {
    TravelPage {
        chrome,
        id: id.to_string(),
        departs: f.date("departs"),
        departs_time: f.get("departs-time").to_owned(),
        returns: f.date("returns"),
        known: f.date("known"),
        destination: f.get("destination").to_owned(),
        problems: Problems(errors.clone()),
        errors,
    }
}

pub async fn form(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    page(Chrome::for_visitor(&visitor, "/caseload"), id, &Fields(Vec::new()), Vec::new()).into_response()
}

fn as_input(f: &Fields) -> Result<TripInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let parts = |id: &str| (f.get(&format!("{id}-day")), f.get(&format!("{id}-month")), f.get(&format!("{id}-year")));
    let departs_on = forms::required_date(&mut errors, "departs", "The date they leave", parts("departs"));
    let time = forms::time(&mut errors, "departs-time", "The time they leave", f.get("departs-time"));
    let (d, m, y) = parts("returns");
    let returns_on = forms::date(&mut errors, "returns", "The date they come back", d, m, y);
    let (d, m, y) = parts("known");
    let known_on = forms::date(&mut errors, "known", "The date the details became known", d, m, y);
    errors.finish()?;
    let (Some(day), Some(time)) = (departs_on, time) else {
        return Err(FieldErrors::single("departs-day", "required", "Enter the date they leave"));
    };
    Ok(TripInput { departs_at: forms::instant(day, time), returns_on, known_on, destination: f.get("destination").to_owned() })
}

pub async fn record(
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
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let input = match as_input(&fields) {
        Ok(input) => input,
        Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, id, &fields, errors.0)).into_response(),
    };
    match travel::record(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(view) => {
            let code = if view.due.is_empty() { "travel_no_duty" } else { "travel" };
            Redirect::to(&format!("/registrants/{id}/obligations?done={code}")).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| {
                    let (field, detail) = match e.field.as_str() {
                        "destination" => ("destination", "Enter where they are going".to_owned()),
                        "known_on" => ("known-day", format!("The date the details became known {}", e.detail)),
                        "returns_on" => ("returns-day", format!("The date they come back {}", e.detail)),
                        _ => ("departs-day", pages::sentence(&e.detail)),
                    };
                    FieldError { field: field.to_owned(), code: e.code, detail }
                })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, id, &fields, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
