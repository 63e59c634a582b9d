//! Recording what happened at a session (an outcome: radios, then check answers, then the
//! record) and excusing an occurrence with its reason. An outcome that is a failure records a
//! breach in the same write (the service does); the officer is then taken to that breach to
//! decide the enforcement.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldErrors;
use domain::ids::{OccurrenceId, RegistrantId};
use domain::vocab::{ComplianceOutcome, OccurrenceStatus};
use serde::Deserialize;

use super::forms::{self, Problems, date_time};
use super::pages::{self, Chrome, words};
use super::record::justified;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::obligations::input::{ComplianceInput, ExcusalInput};
use crate::services::obligations::{self, compliance, views::OccurrenceView};
use crate::services::{ServiceError, breaches};

/// The occurrence (pending, of this registrant) with its duty's name; read under the record's
/// justification like the obligations tab.
async fn pending(
    state: &AppState,
    visitor: &mut Visitor,
    id: RegistrantId,
    occ: OccurrenceId,
) -> Result<(OccurrenceView, String), Response> {
    occurrence_in(state, visitor, (id, occ), OccurrenceStatus::Pending, "This has already been resolved").await
}

/// The occurrence of this registrant's duties (other than notifications when `wanted` is not
/// pending) with its duty's name, if it has status `wanted`; otherwise a 409 page titled
/// `otherwise`. Read under the record's justification like the obligations tab.
pub(super) async fn occurrence_in(
    state: &AppState,
    visitor: &mut Visitor,
    (id, occ): (RegistrantId, OccurrenceId),
    wanted: OccurrenceStatus,
    otherwise: &str,
) -> Result<(OccurrenceView, String), Response> {
    justified(state, visitor, id).await?;
    let chrome = || Some(Chrome::for_visitor(visitor, "/caseload"));
    let list = obligations::list_for_registrant(&state.ctx, &visitor.caller, id, crate::clock::now())
        .await
        .map_err(|e| pages::service_error(chrome(), e))?;
    let found = list.items.into_iter().filter(|ob| wanted == OccurrenceStatus::Pending || !ob.kind.is_notification()).find_map(|ob| {
        let duty = words(ob.kind.as_str());
        ob.occurrences.into_iter().find(|o| o.id == occ).map(|o| (o, duty))
    });
    match found {
        Some((o, duty)) if o.status == wanted || (wanted.is_open() && o.status.is_open()) => Ok((o, duty)),
        Some(_) => Err(pages::error_page(chrome(), StatusCode::CONFLICT, otherwise, "Go back to the obligations and reload.")),
        None => Err(pages::service_error(chrome(), ServiceError::NotFound("occurrence"))),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct OutcomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    reason: String,
    #[serde(default, rename = "to-day")]
    to_day: String,
    #[serde(default, rename = "to-month")]
    to_month: String,
    #[serde(default, rename = "to-year")]
    to_year: String,
    #[serde(default, rename = "to-time")]
    to_time: String,
    #[serde(default)]
    version: i32,
    /// Set by the check-answers page: record it now.
    #[serde(default)]
    confirm: String,
    /// Set by a "Change" button on the check-answers page: back to the form, answers kept.
    #[serde(default)]
    change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "outcome.html")]
pub struct OutcomePage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    pub duty: String,
    pub due: String,
    pub outcomes: Vec<(&'static str, String)>,
    /// The session is still to come: only an absence agreed beforehand or a new time.
    pub not_started: bool,
    pub form: OutcomeForm,
    pub errors: Vec<domain::errors::FieldError>,
    pub problems: Problems,
}

#[derive(Template, WebTemplate)]
#[template(path = "outcome_check.html")]
pub struct CheckPage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    pub duty: String,
    pub due: String,
    /// Question, answer and the form field its "Change" goes back to.
    pub answers: Vec<(&'static str, String, &'static str)>,
    pub breach: bool,
    pub form: OutcomeForm,
}

/// The outcomes that can be recorded now: attendance only once the session has started
/// (`domain::commands::compliance`), an agreed absence or a new time at any time.
fn outcomes(started: bool) -> Vec<(&'static str, String)> {
    let allowed = |o: &&ComplianceOutcome| started || matches!(o, ComplianceOutcome::AcceptableAbsence | ComplianceOutcome::Rescheduled);
    ComplianceOutcome::ALL.iter().filter(allowed).map(|o| (o.as_str(), words(o.as_str()))).collect()
}

pub async fn outcome_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, occ)): Path<(RegistrantId, OccurrenceId)>,
) -> Response {
    let (o, duty) = match pending(&state, &mut visitor, id, occ).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    OutcomePage {
        chrome: Chrome::for_visitor(&visitor, "/caseload"),
        action: format!("/registrants/{id}/occurrences/{occ}/outcome"),
        back: format!("/registrants/{id}/obligations"),
        duty,
        due: super::overdue::due_words(o.due_at).to_lowercase(),
        outcomes: outcomes(o.due_at <= crate::clock::now()),
        not_started: o.due_at > crate::clock::now(),
        form: OutcomeForm { version: o.version, ..Default::default() },
        errors: Vec::new(),
        problems: Problems::none(),
    }
    .into_response()
}

/// The form as the API's request: the same validation (`domain::commands::compliance`), plus
/// the page's own reading of the date and time boxes.
fn as_input(form: &OutcomeForm) -> Result<ComplianceInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(outcome) = ComplianceOutcome::parse(&form.outcome) else {
        return Err(FieldErrors::single("outcome", "required", "Select what happened"));
    };
    let rescheduled_to = if outcome == ComplianceOutcome::Rescheduled {
        let day = forms::required_date(&mut errors, "to", "The new date", (&form.to_day, &form.to_month, &form.to_year));
        let time = forms::time(&mut errors, "to-time", "The new time", &form.to_time);
        day.zip(time).map(|(d, t)| forms::instant(d, t))
    } else {
        None
    };
    let notes = if outcome == ComplianceOutcome::AcceptableAbsence { &form.reason } else { &form.notes };
    let notes = (!notes.trim().is_empty()).then(|| notes.trim().to_owned());
    let input = ComplianceInput { outcome, notes, version: form.version, rescheduled_to };
    if let Err(mut more) = domain::commands::compliance::RecordCompliance::try_from(&input) {
        for e in &mut more.0 {
            // The service names its fields as the API does; the page's boxes are these.
            e.field = match e.field.as_str() {
                "notes" if outcome == ComplianceOutcome::AcceptableAbsence => "reason".into(),
                "rescheduled_to" => "to-day".into(),
                other => other.into(),
            };
            e.detail = pages::sentence(&e.detail);
        }
        if errors.is_empty() {
            errors = more;
        }
    }
    errors.finish()?;
    Ok(input)
}

pub async fn outcome(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, occ)): Path<(RegistrantId, OccurrenceId)>,
    Form(form): Form<OutcomeForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let (o, duty) = match pending(&state, &mut visitor, id, occ).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let action = format!("/registrants/{id}/occurrences/{occ}/outcome");
    let back = format!("/registrants/{id}/obligations");
    let form_page = |form: OutcomeForm, errors: Vec<domain::errors::FieldError>| OutcomePage {
        chrome: chrome.clone(),
        action: action.clone(),
        back: back.clone(),
        duty: duty.clone(),
        due: super::overdue::due_words(o.due_at).to_lowercase(),
        outcomes: outcomes(o.due_at <= crate::clock::now()),
        not_started: o.due_at > crate::clock::now(),
        problems: Problems(errors.clone()),
        errors,
        form,
    };
    if !form.change.is_empty() {
        return form_page(OutcomeForm { confirm: String::new(), change: String::new(), ..form }, Vec::new()).into_response();
    }
    let input = match as_input(&form) {
        Ok(input) => input,
        Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, form_page(form, errors.0)).into_response(),
    };
    if form.confirm != "yes" {
        let breach = domain::breaches::consequence_of(input.outcome.occurrence_status()).is_some();
        let page = CheckPage {
            chrome,
            action,
            back,
            duty,
            due: super::overdue::due_words(o.due_at).to_lowercase(),
            answers: check_answers(&input),
            breach,
            form,
        };
        return page.into_response();
    }
    let now = crate::clock::now();
    match compliance::record(&state.ctx, &visitor.caller, occ, input, now).await {
        Ok(result) if result.occurrence.status == OccurrenceStatus::Missed => {
            // The failure is a breach now: take the officer to decide its enforcement.
            match breaches::for_occurrence(&state.ctx, &visitor.caller, id, occ, now).await {
                Ok(Some(breach)) => Redirect::to(&format!("/registrants/{id}/breaches/{breach}?done=outcome_breach")).into_response(),
                _ => Redirect::to(&format!("{back}?done=outcome")).into_response(),
            }
        }
        Ok(_) => Redirect::to(&format!("{back}?done=outcome")).into_response(),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// What the check-answers page lists, each row with the field its "Change" goes back to.
fn check_answers(input: &ComplianceInput) -> Vec<(&'static str, String, &'static str)> {
    let mut answers = vec![("What happened", words(input.outcome.as_str()), "outcome")];
    if let Some(at) = input.rescheduled_to {
        answers.push(("New date and time", date_time(at), "to-day"));
    }
    if let Some(notes) = &input.notes {
        if input.outcome == ComplianceOutcome::AcceptableAbsence {
            answers.push(("Why it was acceptable", notes.clone(), "reason"));
        } else {
            answers.push(("Notes", notes.clone(), "notes"));
        }
    }
    answers
}

#[derive(Deserialize)]
pub struct ExcuseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "excuse.html")]
pub struct ExcusePage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    pub duty: String,
    pub due: String,
    pub reason: String,
    pub version: i32,
    pub errors: Vec<domain::errors::FieldError>,
}

pub async fn excuse_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, occ)): Path<(RegistrantId, OccurrenceId)>,
) -> Response {
    let (o, duty) = match pending(&state, &mut visitor, id, occ).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    ExcusePage {
        chrome: Chrome::for_visitor(&visitor, "/caseload"),
        action: format!("/registrants/{id}/occurrences/{occ}/excuse"),
        back: format!("/registrants/{id}/obligations"),
        duty,
        due: super::overdue::due_words(o.due_at).to_lowercase(),
        reason: String::new(),
        version: o.version,
        errors: Vec::new(),
    }
    .into_response()
}

pub async fn excuse(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, occ)): Path<(RegistrantId, OccurrenceId)>,
    Form(form): Form<ExcuseForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let (o, duty) = match pending(&state, &mut visitor, id, occ).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let back = format!("/registrants/{id}/obligations");
    let input = ExcusalInput { reason: form.reason.clone(), version: form.version };
    match compliance::excuse(&state.ctx, &visitor.caller, occ, input, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("{back}?done=excused")).into_response(),
        Err(ServiceError::Invalid(mut errors)) => {
            for e in &mut errors.0 {
                e.detail = if e.code == "required" { "Enter why this is excused".into() } else { pages::sentence(&e.detail) };
            }
            let page = ExcusePage {
                chrome,
                action: format!("/registrants/{id}/occurrences/{occ}/excuse"),
                back,
                duty,
                due: super::overdue::due_words(o.due_at).to_lowercase(),
                reason: form.reason,
                version: form.version,
                errors: errors.0,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
