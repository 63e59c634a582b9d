//! Administrators' pages: the scheduled jobs' recent runs (`services::queues::job_runs`) and the
//! live browser sessions (`services::web_sessions`), where a session, or every session of one
//! person, can be ended after an "Are you sure?" page.
//!
//! The session the administrator is using is not ended from here: "Sign out" is the way to end
//! one's own session (it also clears the cookie and the identity provider's session), and a
//! single button that silently signs the administrator out mid-task would be a trap. Ending all
//! of one's own sessions (say, after losing a laptop) is allowed, with a warning that it signs
//! this browser out too.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::errors::FieldError;
use domain::vocab::JobOutcome;
use serde::Deserialize;
use uuid::Uuid;

use super::oversight::when;
use super::pages::{self, Chrome, Done, role_label, sentence};
use super::session::{self, Visitor};
use crate::auth::Role;
use crate::http::AppState;
use crate::services::web_sessions::{self, RevocationInput, SessionQuery, SessionView};
use crate::services::{ServiceError, queues};

/// The job's name as an operator would say it.
fn job_label(job: &str) -> String {
    match job {
        "materialise_occurrences" => "Make upcoming duties".into(),
        "detect_missed" => "Detect missed duties".into(),
        "order_hygiene" => "End expired orders".into(),
        "reviews_due" => "Raise reviews due".into(),
        "deliver_outbox" => "Send notifications".into(),
        other => pages::words(other),
    }
}

fn outcome_words(outcome: JobOutcome) -> (&'static str, &'static str) {
    match outcome {
        JobOutcome::Running => ("Running", pages::status_tag("running")),
        JobOutcome::Succeeded => ("Succeeded", pages::status_tag("succeeded")),
        JobOutcome::Skipped => ("Skipped", pages::status_tag("skipped")),
        JobOutcome::Failed => ("Failed", pages::status_tag("failed")),
    }
}

pub struct RunRow {
    pub job: String,
    pub started: String,
    pub finished: String,
    pub outcome: &'static str,
    pub outcome_tag: &'static str,
    pub examined: i64,
    pub created: i64,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "job_runs.html")]
pub struct JobRunsPage {
    pub chrome: Chrome,
    pub jobs: Vec<(&'static str, String)>,
    pub job: String,
    pub errors: Vec<FieldError>,
    pub rows: Vec<RunRow>,
}

impl JobRunsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct JobFilter {
    #[serde(default)]
    job: String,
}

pub async fn job_runs(State(state): State<AppState>, visitor: Visitor, Query(filter): Query<JobFilter>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/job-runs");
    let jobs = jobs::scheduler::ALL.iter().map(|j| (*j, job_label(j))).collect();
    let job = filter.job.trim().to_owned();
    if !job.is_empty() && !jobs::scheduler::ALL.contains(&job.as_str()) {
        let errors = vec![FieldError { field: "job".into(), code: "invalid", detail: "Choose a job from the list".into() }];
        return (StatusCode::UNPROCESSABLE_ENTITY, JobRunsPage { chrome, jobs, job, errors, rows: Vec::new() }).into_response();
    }
    let wanted = Some(job.clone()).filter(|j| !j.is_empty());
    let runs = match queues::job_runs(&state.ctx, &visitor.caller, wanted, domain::paging::DEFAULT_PAGE, crate::clock::now()).await {
        Ok(runs) => runs,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let rows = runs
        .into_iter()
        .map(|r| {
            let (outcome, outcome_tag) = outcome_words(r.outcome);
            RunRow {
                job: job_label(&r.job),
                started: when(r.started_at),
                finished: match r.finished_at {
                    Some(at) => {
                        let took = (at - r.started_at).num_milliseconds().max(0);
                        let took = if took < 1000 { format!("{took} ms") } else { format!("{:.1} s", took as f64 / 1000.0) };
                        format!("{} ({took})", when(at))
                    }
                    None => "Not finished".into(),
                },
                outcome,
                outcome_tag,
                examined: r.examined,
                created: r.created,
                detail: r.detail.map(|d| sentence(&d)).unwrap_or_default(),
            }
        })
        .collect();
    JobRunsPage { chrome, jobs, job, errors: Vec::new(), rows }.into_response()
}

pub struct SessionRow {
    pub id: String,
    pub subject: String,
    pub roles: String,
    pub organisation: String,
    pub signed_in: String,
    pub last_seen: String,
    pub expires: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "sessions.html")]
pub struct SessionsPage {
    pub chrome: Chrome,
    pub subject: String,
    pub errors: Vec<FieldError>,
    pub rows: Vec<SessionRow>,
}

impl SessionsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

#[derive(Deserialize, Default)]
pub struct SessionFilter {
    #[serde(default)]
    subject: String,
    done: Option<String>,
}

fn roles_words(roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| Role::parse(r).map(role_label).map(str::to_owned).unwrap_or_else(|| pages::words(r)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(visitor: &Visitor, s: &SessionView) -> SessionRow {
    SessionRow {
        id: s.id.to_string(),
        subject: s.subject.clone(),
        roles: roles_words(&s.roles),
        organisation: s.organisation.clone(),
        signed_in: when(s.auth_time),
        last_seen: when(s.last_seen_at),
        expires: when(s.expires_at),
        current: s.id == visitor.session_id,
    }
}

const LIMIT: u64 = 500;

pub async fn sessions(State(state): State<AppState>, visitor: Visitor, Query(filter): Query<SessionFilter>) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/sessions");
    chrome.banner = Done { done: filter.done }.banner(&[("ended", "Session ended."), ("ended-all", "Their sessions have been ended.")]);
    let subject = filter.subject.trim().to_owned();
    if subject.chars().count() > 255 {
        let errors =
            vec![FieldError { field: "subject".into(), code: "invalid", detail: "User id must be 255 characters or fewer".into() }];
        return (StatusCode::UNPROCESSABLE_ENTITY, SessionsPage { chrome, subject, errors, rows: Vec::new() }).into_response();
    }
    let query = SessionQuery { subject: Some(subject.clone()).filter(|s| !s.is_empty()), limit: None };
    let found = match web_sessions::list(&state.ctx, &visitor.caller, query, LIMIT, crate::clock::now()).await {
        Ok(found) => found,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let rows = found.iter().map(|s| row(&visitor, s)).collect();
    SessionsPage { chrome, subject, errors: Vec::new(), rows }.into_response()
}

/// "Are you sure?" for one session, or for every session of one person.
#[derive(Template, WebTemplate)]
#[template(path = "end_session.html")]
pub struct ConfirmPage {
    pub chrome: Chrome,
    pub action: String,
    pub heading: String,
    pub sessions: Vec<SessionRow>,
    pub subject: String,
    /// The administrator's own session is among them.
    pub includes_own: bool,
    pub errors: Vec<FieldError>,
}

impl ConfirmPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

fn own_session_page(visitor: &Visitor) -> Response {
    pages::error_page(
        Some(Chrome::for_visitor(visitor, "/sessions")),
        StatusCode::CONFLICT,
        "This is the session you are using",
        "To end your own session, sign out. To end every session you have, end all of your sessions from the sessions list.",
    )
}

fn ended_already(visitor: &Visitor) -> Response {
    pages::error_page(
        Some(Chrome::for_visitor(visitor, "/sessions")),
        StatusCode::NOT_FOUND,
        "This session has already ended",
        "It is no longer in the list of live sessions.",
    )
}

pub async fn confirm_end(State(state): State<AppState>, visitor: Visitor, Path(id): Path<Uuid>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/sessions");
    if id == visitor.session_id {
        return own_session_page(&visitor);
    }
    let found = match web_sessions::list(&state.ctx, &visitor.caller, SessionQuery::default(), LIMIT, crate::clock::now()).await {
        Ok(found) => found,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let Some(s) = found.iter().find(|s| s.id == id) else { return ended_already(&visitor) };
    ConfirmPage {
        chrome,
        action: format!("/sessions/{id}/end"),
        heading: format!("Are you sure you want to end this session of {}?", s.subject),
        sessions: vec![row(&visitor, s)],
        subject: s.subject.clone(),
        includes_own: false,
        errors: Vec::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn end(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<Uuid>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    if id == visitor.session_id {
        return own_session_page(&visitor);
    }
    match web_sessions::end(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(()) => Redirect::to("/sessions?done=ended").into_response(),
        Err(ServiceError::NotFound(_)) => ended_already(&visitor),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/sessions")), e),
    }
}

#[derive(Deserialize, Default)]
pub struct Person {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
}

async fn person_page(state: &AppState, visitor: &Visitor, subject: String, errors: Vec<FieldError>) -> Response {
    let chrome = Chrome::for_visitor(visitor, "/sessions");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let sessions = if subject.is_empty() || subject.chars().count() > 255 {
        Vec::new()
    } else {
        let query = SessionQuery { subject: Some(subject.clone()), limit: None };
        match web_sessions::list(&state.ctx, &visitor.caller, query, LIMIT, crate::clock::now()).await {
            Ok(found) => found.iter().map(|s| row(visitor, s)).collect(),
            Err(e) => return pages::service_error(Some(chrome), e),
        }
    };
    let includes_own = sessions.iter().any(|s: &SessionRow| s.current);
    let heading = if subject.is_empty() {
        "Whose sessions do you want to end?".to_owned()
    } else {
        format!("Are you sure you want to end every session of {subject}?")
    };
    let page = ConfirmPage { chrome, action: "/sessions/person".into(), heading, sessions, subject, includes_own, errors };
    (status, page).into_response()
}

pub async fn confirm_person(State(state): State<AppState>, visitor: Visitor, Query(person): Query<Person>) -> Response {
    let subject = person.subject.trim().to_owned();
    person_page(&state, &visitor, subject, Vec::new()).await
}

pub async fn end_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    visitor: Visitor,
    Form(person): Form<Person>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &person.csrf) {
        return refused;
    }
    let subject = person.subject.trim().to_owned();
    let own = subject == visitor.caller.subject;
    let input = RevocationInput { subject: Some(subject.clone()), everyone: false };
    match web_sessions::revoke(&state.ctx, &visitor.caller, input, crate::clock::now()).await {
        // This browser's session was among them: it is signed out, as the page warned.
        Ok(_) if own => {
            (jar.add(crate::http::login::removal(crate::services::sessions::SESSION_COOKIE)), Redirect::to("/signed-out")).into_response()
        }
        Ok(_) => Redirect::to("/sessions?done=ended-all").into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| FieldError {
                    field: "subject".into(),
                    code: e.code,
                    detail: if subject.is_empty() {
                        "Enter the user id whose sessions you want to end".into()
                    } else {
                        "User id must be 255 characters or fewer".into()
                    },
                })
                .collect();
            person_page(&state, &visitor, subject, errors).await
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/sessions")), e),
    }
}
