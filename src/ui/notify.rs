//! Recording a notification made in person: what was notified, how and where, when, and
//! whether the written acknowledgement was given; then check answers, then the record. What the
//! service warns about (a deadline already passed, an acknowledgement the regime requires) is
//! said in the success banner.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::{FieldError, FieldErrors};
use domain::ids::RegistrantId;
use domain::vocab::{NotificationKind, NotificationMethod};
use serde::Deserialize;

use super::forms::{self, Problems, date_time};
use super::pages::{self, Chrome, words};
use super::record::justified;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::obligations::{input::NotificationInput, notifications};

#[derive(Deserialize, Default, Clone)]
pub struct NotifyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    station: String,
    #[serde(default, rename = "on-day")]
    on_day: String,
    #[serde(default, rename = "on-month")]
    on_month: String,
    #[serde(default, rename = "on-year")]
    on_year: String,
    #[serde(default, rename = "on-time")]
    on_time: String,
    #[serde(default)]
    acknowledgement: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    confirm: String,
    /// Set by a "Change" button on the check-answers page: back to the form, answers kept.
    #[serde(default)]
    change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notify.html")]
pub struct NotifyPage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    pub kinds: Vec<(&'static str, String)>,
    pub methods: [(&'static str, &'static str); 2],
    pub form: NotifyForm,
    pub errors: Vec<FieldError>,
    pub problems: Problems,
}

#[derive(Template, WebTemplate)]
#[template(path = "notify_check.html")]
pub struct CheckPage {
    pub chrome: Chrome,
    pub action: String,
    pub back: String,
    /// Question, answer and the form field its "Change" goes back to.
    pub answers: Vec<(&'static str, String, &'static str)>,
    pub form: NotifyForm,
}

const METHODS: [(&str, &str); 2] =
    [("in_person_at_station", "In person at a police station"), ("in_person_elsewhere", "In person somewhere else")];

fn form_page(chrome: Chrome, id: RegistrantId, form: NotifyForm, errors: Vec<FieldError>) -> NotifyPage {
    NotifyPage {
        chrome,
        action: format!("/registrants/{id}/notifications/new"),
        back: format!("/registrants/{id}/obligations"),
        kinds: NotificationKind::ALL.iter().map(|k| (k.as_str(), words(k.as_str()))).collect(),
        methods: METHODS,
        form,
        problems: Problems(errors.clone()),
        errors,
    }
}

pub async fn form(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let today = domain::calendar::local_date(crate::clock::now());
    let form = NotifyForm {
        on_day: today.format("%-d").to_string(),
        on_month: today.format("%-m").to_string(),
        on_year: today.format("%Y").to_string(),
        ..Default::default()
    };
    form_page(Chrome::for_visitor(&visitor, "/caseload"), id, form, Vec::new()).into_response()
}

/// The form as the API's request; the service validates it again as it does the API's.
fn as_input(form: &NotifyForm) -> Result<NotificationInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = NotificationKind::parse(&form.kind);
    if kind.is_none() {
        errors.push("kind", "required", "Select what was notified");
    }
    let method = NotificationMethod::parse(&form.method);
    if method.is_none() {
        errors.push("method", "required", "Select where the notification was made");
    }
    let day = forms::required_date(&mut errors, "on", "The date of the notification", (&form.on_day, &form.on_month, &form.on_year));
    let time = forms::time(&mut errors, "on-time", "The time of the notification", &form.on_time);
    errors.finish()?;
    let (Some(kind), Some(method), Some(day), Some(time)) = (kind, method, day, time) else {
        return Err(FieldErrors::single("kind", "required", "Select what was notified"));
    };
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let input = NotificationInput {
        kind,
        method,
        station: text(&form.station),
        acknowledgement_given: form.acknowledgement == "yes",
        notified_at: forms::instant(day, time),
        details: text(&form.details),
    };
    crate::services::obligations::input::notification(&input, crate::clock::now()).map_err(|mut e| {
        for f in &mut e.0 {
            if f.field == "notified_at" {
                f.field = "on-day".into();
                f.detail = "The date and time of the notification must not be in the future".into();
            } else if f.field == "station" {
                f.detail = "Enter the police station".into();
            } else {
                f.detail = pages::sentence(&f.detail);
            }
        }
        e
    })?;
    Ok(input)
}

pub async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Form(form): Form<NotifyForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    if !form.change.is_empty() {
        let form = NotifyForm { confirm: String::new(), change: String::new(), ..form };
        return form_page(chrome, id, form, Vec::new()).into_response();
    }
    let input = match as_input(&form) {
        Ok(input) => input,
        Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, form_page(chrome, id, form, errors.0)).into_response(),
    };
    if form.confirm != "yes" {
        let mut answers = vec![
            ("What was notified", words(input.kind.as_str()), "kind"),
            (
                "Where",
                METHODS.iter().find(|(c, _)| *c == input.method.as_str()).map(|(_, l)| (*l).to_owned()).unwrap_or_default(),
                "method",
            ),
        ];
        if let Some(station) = &input.station {
            answers.push(("Police station", station.clone(), "station"));
        }
        answers.push(("When", date_time(input.notified_at), "on-day"));
        answers.push((
            "Written acknowledgement given",
            if input.acknowledgement_given { "Yes".into() } else { "No".into() },
            "acknowledgement",
        ));
        if let Some(details) = &input.details {
            answers.push(("Details", details.clone(), "details"));
        }
        let back = format!("/registrants/{id}/obligations");
        return CheckPage { chrome, action: format!("/registrants/{id}/notifications/new"), back, answers, form }.into_response();
    }
    match notifications::record(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(view) => {
            let code = if view.warnings.iter().any(|w| w.code == "acknowledgement_missing") {
                "notification_acknowledgement"
            } else if view.warnings.iter().any(|w| w.code == "late") {
                "notification_late"
            } else if view.warnings.iter().any(|w| w.code == "no_notification_duty") {
                "notification_no_duty"
            } else {
                "notification"
            };
            Redirect::to(&format!("/registrants/{id}/obligations?done={code}")).into_response()
        }
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, form_page(chrome, id, form, errors.0)).into_response(),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
