//! "My work": where each role's day starts, one card per task that role has.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::Chrome;
use super::session::{self, Visitor};
use crate::auth::Role;
use crate::http::AppState;
use crate::services::approvals;

pub struct Task {
    pub title: &'static str,
    pub href: &'static str,
    pub description: &'static str,
}

/// A queue with how much waits in it ("My work" cards for public protection roles).
pub struct Count {
    pub title: &'static str,
    pub href: &'static str,
    pub count: u64,
    pub words: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub tasks: Vec<Task>,
    /// Four-eyes requests waiting for this supervisor's decision (shown on the Approvals card).
    pub waiting: Option<u64>,
    pub counts: Vec<Count>,
}

/// The queues' counts: COUNT queries only, nothing opened. A failure to count leaves the
/// cards out rather than failing the home page.
/// The navigation's badges are brought up to date with them.
async fn counts(state: &AppState, visitor: &mut Visitor) -> Vec<Count> {
    let roles = &visitor.caller.roles;
    if !roles.iter().any(|r| matches!(r, Role::Ppo | Role::Supervisor)) {
        return Vec::new();
    }
    let Ok(c) = crate::services::queues::counts(&state.ctx, &visitor.caller, crate::clock::now()).await else { return Vec::new() };
    visitor.badges = state.badges.put(&visitor.caller, &c);
    let mut out = Vec::new();
    if let Some(n) = c.open_alerts {
        out.push(Count { title: "Alerts", href: "/alerts", count: n, words: if n == 1 { "open alert" } else { "open alerts" } });
    }
    if let Some(n) = c.overdue {
        out.push(Count { title: "Overdue", href: "/overdue", count: n, words: if n == 1 { "overdue duty" } else { "overdue duties" } });
    }
    if let Some(n) = c.links_to_review {
        out.push(Count {
            title: "Link review",
            href: "/links",
            count: n,
            words: if n == 1 { "link to review" } else { "links to review" },
        });
    }
    out
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
    if has(Role::Supervisor) {
        out.push(Task { title: "Approvals", href: "/approvals", description: "Discharges and erasures waiting for a second supervisor." });
    }
    if has(Role::Auditor) {
        out.push(Task { title: "Audit trail", href: "/audit", description: "Who did what to which record, when, and why." });
    }
    if has(Role::Admin) {
        out.push(Task { title: "Job runs", href: "/job-runs", description: "The scheduled jobs' recent runs and how they went." });
        out.push(Task { title: "Sessions", href: "/sessions", description: "Who is signed in; end a session." });
    }
    out
}

/// `/`: my work when signed in; otherwise the way to sign in.
pub async fn home(State(state): State<AppState>, visitor: Result<Visitor, Response>) -> Response {
    match visitor {
        Ok(mut visitor) => {
            // A count, not a read of anyone's request (see `approvals::waiting`); the card still
            // works if it cannot be had.
            let waiting = approvals::waiting(&state.ctx, &visitor.caller, crate::clock::now()).await.ok();
            let counts = counts(&state, &mut visitor).await;
            HomePage { chrome: Chrome::for_visitor(&visitor, "/"), tasks: tasks(&visitor.caller.roles), waiting, counts }.into_response()
        }
        Err(_) => Redirect::to(&session::sign_in_url(&state, "/")).into_response(),
    }
}
