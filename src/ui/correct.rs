//! Correcting a session recorded as missed (attended, but entered after the grace period; or an
//! absence that was acceptable): the form, its error summary, and the correction itself, which
//! withdraws the breach the miss caused (`services::obligations::correction`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::{OccurrenceId, RegistrantId};
use domain::vocab::{ComplianceOutcome, OccurrenceStatus};
use serde::Deserialize;

use super::pages::{self, Chrome};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::obligations::{correction, input::CorrectionInput, views::OccurrenceView};

#[derive(Deserialize, Default, Clone)]
pub struct CorrectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "correct.html")]
pub struct CorrectPage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    pub duty: String,
    pub due: String,
    pub form: CorrectForm,
    pub errors: Vec<FieldError>,
}

impl CorrectPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

/// The occurrence (missed, of this registrant's sessions) with its duty's name.
async fn missed(
    state: &AppState,
    visitor: &mut Visitor,
    id: RegistrantId,
    occ: OccurrenceId,
) -> Result<(OccurrenceView, String), Response> {
    super::outcome::occurrence_in(state, visitor, (id, occ), OccurrenceStatus::Missed, "This is not a missed session").await
}

fn page(visitor: &Visitor, id: RegistrantId, occ: OccurrenceId, o: &OccurrenceView, duty: String, form: CorrectForm) -> CorrectPage {
    CorrectPage {
        chrome: Chrome::for_visitor(visitor, "/caseload"),
        action: format!("/registrants/{id}/occurrences/{occ}/correct"),
        back: format!("/registrants/{id}/obligations"),
        duty,
        due: super::overdue::due_words(o.due_at).to_lowercase(),
        form,
        errors: Vec::new(),
    }
}

pub async fn form(State(state): State<AppState>, mut visitor: Visitor, Path((id, occ)): Path<(RegistrantId, OccurrenceId)>) -> Response {
    match missed(&state, &mut visitor, id, occ).await {
        Ok((o, duty)) => {
            let form = CorrectForm { version: o.version, ..Default::default() };
            page(&visitor, id, occ, &o, duty, form).into_response()
        }
        Err(refused) => refused,
    }
}

pub async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, occ)): Path<(RegistrantId, OccurrenceId)>,
    Form(form): Form<CorrectForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let (o, duty) = match missed(&state, &mut visitor, id, occ).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let back = format!("/registrants/{id}/obligations");
    let Some(outcome) = ComplianceOutcome::parse(&form.outcome) else {
        let mut shown = page(&visitor, id, occ, &o, duty, form);
        shown.errors = vec![FieldError { field: "outcome".into(), code: "required", detail: "Select what really happened".into() }];
        return (StatusCode::UNPROCESSABLE_ENTITY, shown).into_response();
    };
    let notes = (!form.notes.trim().is_empty()).then(|| form.notes.trim().to_owned());
    let input = CorrectionInput { outcome, notes, reason: form.reason.clone(), version: form.version };
    match correction::correct(&state.ctx, &visitor.caller, occ, input, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("{back}?done=corrected")).into_response(),
        Err(ServiceError::Invalid(mut errors)) => {
            for e in &mut errors.0 {
                e.detail = match (e.field.as_str(), e.code) {
                    ("reason", "required") => "Enter why it was recorded as missed".into(),
                    ("notes", _) => "Enter why the absence was acceptable".into(),
                    _ => pages::sentence(&e.detail),
                };
            }
            let mut shown = page(&visitor, id, occ, &o, duty, form);
            shown.errors = errors.0;
            (StatusCode::UNPROCESSABLE_ENTITY, shown).into_response()
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/caseload")), e),
    }
}
