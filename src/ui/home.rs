//! "My work": where each role's day starts, one card per task that role has.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::Chrome;
use super::session::{self, Visitor};
use crate::auth::Role;
use crate::http::AppState;

pub struct Task {
    pub title: &'static str,
    pub href: &'static str,
    pub description: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub tasks: Vec<Task>,
}

fn tasks(roles: &[Role]) -> Vec<Task> {
    let mut out = Vec::new();
    let has = |r: Role| roles.contains(&r);
    if has(Role::Ppo) || has(Role::Supervisor) {
        out.push(Task { title: "Caseload", href: "/caseload", description: "Registrants your organisation manages." });
        out.push(Task { title: "Find a registrant", href: "/find", description: "Search the national register by name or identifier." });
    }
    if has(Role::Probation) {
        out.push(Task { title: "Caseload", href: "/caseload", description: "Registrants your region supervises." });
    }
    if has(Role::Intake) {
        out.push(Task {
            title: "Record a crime report",
            href: "/reports/new",
            description: "Record a report and check its suspect against the register.",
        });
        out.push(Task { title: "My reports", href: "/reports", description: "Reports your organisation has recorded, and their checks." });
    }
    if has(Role::Auditor) {
        out.push(Task {
            title: "Audit trail",
            href: "/api/docs",
            description: "Not in the web interface yet: use the API (GET /api/v1/audit/events).",
        });
    }
    if has(Role::Admin) {
        out.push(Task { title: "Job runs and sessions", href: "/api/docs", description: "Not in the web interface yet: use the API." });
    }
    out
}

/// `/`: my work when signed in; otherwise the way to sign in.
pub async fn home(State(state): State<AppState>, visitor: Result<Visitor, Response>) -> Response {
    match visitor {
        Ok(visitor) => HomePage { chrome: Chrome::for_visitor(&visitor, "/"), tasks: tasks(&visitor.caller.roles) }.into_response(),
        Err(_) => Redirect::to(&session::sign_in_url(&state, "/")).into_response(),
    }
}
