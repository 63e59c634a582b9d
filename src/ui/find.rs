//! Find a registrant: by name (with a date of birth if known) or by an identifier, as the API's
//! exact search does, through the blind indexes. The form is POSTed so that searched values
//! never reach a URL or an access log, and it asks why, as every read of a person does: the
//! search and what it found are audited under that reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::errors::FieldError;
use domain::reasons::{REASONS, Reason};
use domain::vocab::IdentifierKind;
use serde::Deserialize;

use super::pages::{self, Chrome, sentence, words};
use super::session::{self, Visitor};
use crate::auth::Justification;
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::registrants::search::{self, IdentifierQuery, NameQuery, SearchInput};

#[derive(Deserialize, Default)]
pub struct FindForm {
    #[serde(default)]
    csrf: String,
    by: Option<String>,
    #[serde(default)]
    given: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
    kind: Option<String>,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    value: String,
    reason: Option<String>,
    #[serde(default)]
    reference: String,
}

pub struct Found {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub managing_org: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "find.html")]
pub struct FindPage {
    pub chrome: Chrome,
    pub form: FindForm,
    pub kinds: Vec<(&'static str, String)>,
    pub reasons: &'static [Reason],
    pub errors: Vec<FieldError>,
    /// `Some` once a search has run: what it found, and on what it matched.
    pub results: Option<(Vec<Found>, &'static str)>,
}

impl FindPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    fn by_identifier(&self) -> bool {
        self.form.by.as_deref() == Some("identifier")
    }
}

fn page(chrome: Chrome, form: FindForm, errors: Vec<FieldError>, results: Option<(Vec<Found>, &'static str)>) -> FindPage {
    let kinds = IdentifierKind::ALL.iter().map(|k| (k.as_str(), words(k.as_str()))).collect();
    FindPage { chrome, form, kinds, reasons: REASONS, errors, results }
}

pub async fn form(visitor: Visitor) -> FindPage {
    page(Chrome::for_visitor(&visitor, "/find"), FindForm::default(), Vec::new(), None)
}

/// Where on this page a service's field error belongs.
fn on_page(field: &str) -> &'static str {
    match field {
        "Vigil-Reason-Code" => "reason",
        "Vigil-Crime-Reference" => "reference",
        f if f.starts_with("name") => "family",
        f if f.starts_with("identifier") => "value",
        "date_of_birth" => "day",
        _ => "by",
    }
}

pub async fn find(State(state): State<AppState>, headers: HeaderMap, mut visitor: Visitor, Form(form): Form<FindForm>) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let chrome = Chrome::for_visitor(&visitor, "/find");
    let mut errors = Vec::new();
    let by_identifier = form.by.as_deref() == Some("identifier");
    if form.by.is_none() {
        errors.push(FieldError { field: "by".into(), code: "required", detail: "Choose how to search".into() });
    }
    let dob = match (form.day.trim(), form.month.trim(), form.year.trim()) {
        ("", "", "") => None,
        (d, m, y) => match date_of(d, m, y) {
            Some(date) => Some(date),
            None => {
                errors.push(FieldError { field: "day".into(), code: "invalid_date", detail: "Date of birth must be a real date".into() });
                None
            }
        },
    };
    let kind = form.kind.as_deref().and_then(IdentifierKind::parse);
    if by_identifier && kind.is_none() {
        errors.push(FieldError { field: "kind".into(), code: "required", detail: "Choose the kind of identifier".into() });
    }
    if let Err(checked) = domain::reasons::check(form.reason.as_deref(), Some(form.reference.trim()).filter(|r| !r.is_empty()), true) {
        for e in checked.0 {
            let (field, detail) = match e.code {
                "reference_required" => ("reference", "Enter the crime or case reference"),
                _ => ("reason", "Choose why you are searching"),
            };
            errors.push(FieldError { field: field.into(), code: e.code, detail: detail.into() });
        }
    }
    if !errors.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, form, errors, None)).into_response();
    }
    let input = match kind {
        Some(kind) if by_identifier => {
            // One box holds a handle's platform or a national identifier's issuing country.
            let qualifier = Some(form.platform.trim().to_owned()).filter(|p| !p.is_empty());
            let (platform, country) = domain::identifiers::qualifiers(kind, qualifier);
            let identifier = IdentifierQuery { kind, platform, country, value: form.value.clone() };
            SearchInput { identifier: Some(identifier), name: None, date_of_birth: None }
        }
        _ => SearchInput {
            identifier: None,
            name: Some(NameQuery { given: form.given.clone(), family: form.family.clone() }),
            date_of_birth: dob,
        },
    };
    let matched_on = match (by_identifier, dob) {
        (true, _) => "Matched on the identifier",
        (false, Some(_)) => "Matched on name and date of birth",
        (false, None) => "Matched on full name",
    };
    let reference = Some(form.reference.trim().to_owned()).filter(|r| !r.is_empty());
    visitor.caller.justification = Justification { reason_code: form.reason.clone(), crime_reference: reference };
    match search::search(&state.ctx, &visitor.caller, input, crate::clock::now()).await {
        Ok(found) => {
            let found = found
                .into_iter()
                .map(|r| Found {
                    id: r.id.to_string(),
                    name: r.primary_name.unwrap_or_else(|| "(no name recorded)".into()),
                    reference: r.reference,
                    managing_org: r.managing_org,
                })
                .collect();
            page(chrome, form, Vec::new(), Some((found, matched_on))).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| FieldError { field: on_page(&e.field).into(), code: e.code, detail: sentence(&e.detail) })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, form, errors, None)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// A date from the three boxes of a GOV.UK date input, if it is a real one.
fn date_of(day: &str, month: &str, year: &str) -> Option<NaiveDate> {
    let (d, m, y) = (day.parse().ok()?, month.parse().ok()?, year.parse::<i32>().ok()?);
    if y < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}
