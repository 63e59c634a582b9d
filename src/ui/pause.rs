//! Pausing a registrant's clocks (custody, hospital, abroad) and restarting them. While paused,
//! duties falling inside the pause stay pending; when it ends the service re-times notification
//! duties and excuses sessions (`services::suspensions`). The record's pages say "Clocks paused
//! since …" while one is open.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::{FieldError, FieldErrors};
use domain::ids::{RegistrantId, SuspensionId};
use domain::vocab::SuspensionKind;
use serde::Deserialize;

use super::forms::{self, Problems};
use super::pages::{self, Chrome, date};
use super::record::justified;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::suspensions::{self, EndSuspensionInput, NewSuspensionInput, SuspensionView};

/// Why the clocks are paused, in words.
pub fn kind_label(kind: SuspensionKind) -> &'static str {
    match kind {
        SuspensionKind::Custody => "In custody",
        SuspensionKind::Hospital => "Detained in hospital",
        SuspensionKind::Abroad => "Abroad",
    }
}

/// "Clocks paused since 3 November 2026 (in custody)" for each open pause.
pub fn paused(open: &[SuspensionView]) -> Vec<(String, String)> {
    open.iter()
        .map(|s| {
            let since = date(domain::calendar::local_date(s.starts_at));
            (format!("Clocks paused since {since} ({})", kind_label(s.kind).to_lowercase()), s.id.to_string())
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct PauseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default, rename = "from-day")]
    from_day: String,
    #[serde(default, rename = "from-month")]
    from_month: String,
    #[serde(default, rename = "from-year")]
    from_year: String,
    #[serde(default, rename = "to-day")]
    to_day: String,
    #[serde(default, rename = "to-month")]
    to_month: String,
    #[serde(default, rename = "to-year")]
    to_year: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pause.html")]
pub struct PausePage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    /// Ending an open pause: only the end date is asked.
    pub ending: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub form: PauseForm,
    pub errors: Vec<FieldError>,
    pub problems: Problems,
}

impl PausePage {
    fn to_hint(&self) -> &'static str {
        if self.ending { "For example, 27 3 2026" } else { "Leave empty if it has not ended" }
    }
}

fn pause_page(chrome: Chrome, action: String, id: RegistrantId, ending: bool, form: PauseForm, errors: Vec<FieldError>) -> PausePage {
    PausePage {
        chrome,
        action,
        back: format!("/registrants/{id}/obligations"),
        ending,
        kinds: SuspensionKind::ALL.iter().map(|k| (k.as_str(), kind_label(*k))).collect(),
        form,
        problems: Problems(errors.clone()),
        errors,
    }
}

pub async fn form(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    pause_page(chrome, format!("/registrants/{id}/suspensions/new"), id, false, PauseForm::default(), Vec::new()).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Form(form): Form<PauseForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let action = format!("/registrants/{id}/suspensions/new");
    let mut errors = FieldErrors::default();
    let kind = SuspensionKind::parse(&form.kind);
    if kind.is_none() {
        errors.push("kind", "required", "Select why the clocks are paused");
    }
    let from = forms::required_date(&mut errors, "from", "The date the pause began", (&form.from_day, &form.from_month, &form.from_year));
    let to = forms::date(&mut errors, "to", "The date the pause ended", &form.to_day, &form.to_month, &form.to_year);
    let result = match (kind, from, errors.is_empty()) {
        (Some(kind), Some(from), true) => {
            let input = NewSuspensionInput {
                kind,
                starts_at: domain::calendar::start_of_day(from),
                ends_at: to.map(domain::calendar::start_of_day),
            };
            suspensions::create(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await.map(|_| ())
        }
        _ => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/registrants/{id}/obligations?done=suspended")).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            let errors = errors.0.into_iter().map(|e| rename(e, "The date the pause ended must not be before it began")).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, pause_page(chrome, action, id, false, form, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// The service names the API's fields; the page's boxes are `to-day`.
fn rename(mut e: FieldError, before_start: &str) -> FieldError {
    if e.field == "ends_at" {
        e.field = "to-day".into();
        e.detail = before_start.into();
    }
    e
}

pub async fn end_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, pause)): Path<(RegistrantId, SuspensionId)>,
) -> Response {
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    pause_page(chrome, format!("/registrants/{id}/suspensions/{pause}/end"), id, true, PauseForm::default(), Vec::new()).into_response()
}

pub async fn end(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, pause)): Path<(RegistrantId, SuspensionId)>,
    Form(form): Form<PauseForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let action = format!("/registrants/{id}/suspensions/{pause}/end");
    let mut errors = FieldErrors::default();
    let to = forms::required_date(&mut errors, "to", "The date the pause ended", (&form.to_day, &form.to_month, &form.to_year));
    let result = match to {
        Some(to) if errors.is_empty() => {
            let input = EndSuspensionInput { ends_at: domain::calendar::start_of_day(to) };
            suspensions::end(&state.ctx, &visitor.caller, pause, input, crate::clock::now()).await.map(|_| ())
        }
        _ => Err(ServiceError::Invalid(errors)),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/registrants/{id}/obligations?done=resumed")).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            let errors = errors.0.into_iter().map(|e| rename(e, "The date the pause ended must not be before it began")).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, pause_page(chrome, action, id, true, form, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
