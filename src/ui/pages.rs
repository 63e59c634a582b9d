//! What every page shares: the layout's data ([`Chrome`]), the navigation each role sees, the
//! words for roles, and the error pages (403 names who may, 404, 429, 500 with the
//! correlation id), mapped from the services' errors in one place.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::assets;
use crate::auth::{Caller, Role};
use crate::services::ServiceError;

#[derive(Clone)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
    /// How much waits in this queue (MoJ notification badge), when it is one and not empty.
    pub badge: Option<u64>,
}

/// The layout's data: asset version, navigation, who is signed in and the form token.
#[derive(Clone)]
pub struct Chrome {
    pub assets: &'static str,
    pub nav: Vec<NavItem>,
    pub signed_in_as: Option<String>,
    pub csrf: String,
    /// The success banner after a write (POST, redirect, GET): see [`Done`].
    pub banner: Option<&'static str>,
    /// Seconds of idleness before the session ends, for the timeout warning (signed in only).
    pub timeout: Option<i64>,
}

impl Chrome {
    pub fn anonymous() -> Self {
        Self { assets: assets::version(), nav: Vec::new(), signed_in_as: None, csrf: String::new(), banner: None, timeout: None }
    }

    pub fn for_visitor(visitor: &super::session::Visitor, current: &str) -> Self {
        let caller = &visitor.caller;
        let mut nav = vec![NavItem { label: "My work", href: "/", current: current == "/", badge: None }];
        if caller.roles.iter().any(|r| matches!(r, Role::Ppo | Role::Supervisor | Role::Probation)) {
            nav.push(NavItem { label: "Caseload", href: "/caseload", current: current == "/caseload", badge: None });
        }
        if caller.can(crate::auth::Permission::RegistrantReadNational) {
            nav.push(NavItem { label: "Find a registrant", href: "/find", current: current == "/find", badge: None });
        }
        if caller.can(crate::auth::Permission::BreachRead) {
            nav.push(NavItem { label: "Breaches", href: "/breaches", current: current == "/breaches", badge: None });
            nav.push(NavItem { label: "Alerts", href: "/alerts", current: current == "/alerts", badge: None });
        }
        // Public protection only: probation has obligations but not the unit's queue.
        if caller.can(crate::auth::Permission::ObligationRead) && caller.can(crate::auth::Permission::BreachRead) {
            nav.push(NavItem { label: "Overdue", href: "/overdue", current: current == "/overdue", badge: None });
        }
        if caller.can(crate::auth::Permission::LinkDecide) {
            nav.push(NavItem { label: "Link review", href: "/links", current: current == "/links", badge: None });
        }
        if caller.can(crate::auth::Permission::ReportWrite) {
            nav.push(NavItem { label: "Record a report", href: "/reports/new", current: current == "/reports/new", badge: None });
            nav.push(NavItem { label: "My reports", href: "/reports", current: current == "/reports", badge: None });
        }
        use crate::auth::Permission::{OrderDischarge, RegistrantErase, RegistrantMerge};
        if [OrderDischarge, RegistrantErase, RegistrantMerge].into_iter().any(|p| caller.can(p)) {
            nav.push(NavItem { label: "Approvals", href: "/approvals", current: current == "/approvals", badge: None });
        }
        if caller.can(crate::auth::Permission::AuditRead) {
            nav.push(NavItem { label: "Audit", href: "/audit", current: current == "/audit", badge: None });
        }
        if caller.can(crate::auth::Permission::JobsRead) {
            nav.push(NavItem { label: "Job runs", href: "/job-runs", current: current == "/job-runs", badge: None });
        }
        if caller.can(crate::auth::Permission::SessionManage) {
            nav.push(NavItem { label: "Sessions", href: "/sessions", current: current == "/sessions", badge: None });
        }
        let badges = visitor.badges;
        for item in &mut nav {
            item.badge = match item.href {
                "/alerts" => badges.alerts,
                "/overdue" => badges.overdue,
                "/links" => badges.links,
                _ => None,
            }
            .filter(|n| *n > 0);
        }
        Self {
            assets: assets::version(),
            nav,
            signed_in_as: Some(who(caller)),
            csrf: visitor.csrf.clone(),
            banner: None,
            timeout: Some(visitor.idle_seconds),
        }
    }
}

/// What a write redirects to its page with (`?done=<code>`): a fixed code, never personal data,
/// that the page turns into its success banner with [`Done::banner`].
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

impl Done {
    /// The banner for this page's code, from the page's own table of `(code, words)`.
    pub fn banner(&self, table: &[(&str, &'static str)]) -> Option<&'static str> {
        let code = self.done.as_deref()?;
        table.iter().find(|(c, _)| *c == code).map(|(_, words)| *words)
    }
}

/// "Public protection officer, met".
pub fn who(caller: &Caller) -> String {
    let roles: Vec<&str> = caller.roles.iter().map(|r| role_label(*r)).collect();
    format!("{}, {}", roles.join(" and "), caller.org)
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Ppo => "Public protection officer",
        Role::Supervisor => "Supervisor",
        Role::Probation => "Probation officer",
        Role::Intake => "Report intake",
        Role::Auditor => "Auditor",
        Role::Admin => "Administrator",
    }
}

/// Words for a stored code: `failed_to_attend` reads "Failed to attend".
pub fn words(code: &str) -> String {
    sentence(&code.replace('_', " "))
}

/// The text with its first letter in capitals (a service's field detail in an error summary).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The one status-tag colour map for the whole service (`UI.md`): overdue, missed, failed or an
/// open breach red; due soon or acknowledged yellow; met, decided or in force green; interim
/// light blue; not yet due blue; anything paused, excused, withdrawn or ended grey.
pub fn status_tag(status: &str) -> &'static str {
    match status {
        "active" | "varied" | "renewed" => "govuk-tag--green",
        "interim" => "govuk-tag--light-blue",
        "wanted" | "missing" | "overdue" | "missed" | "open" | "failed" => "govuk-tag--red",
        "due_soon" | "acknowledged" => "govuk-tag--yellow",
        "met" | "decided" | "succeeded" => "govuk-tag--green",
        "pending" => "govuk-tag--blue",
        "historical" | "merged" => "govuk-tag--grey",
        "possible_match" => "govuk-tag--yellow",
        // Four-eyes requests, job runs and the audit chain.
        "approved" | "sealed" => "govuk-tag--green",
        "rejected" => "govuk-tag--red",
        "waiting" | "running" | "unsealed" => "govuk-tag--blue",
        // Link review bands: how strongly the linker thinks two records are one person.
        "strong" => "govuk-tag--purple",
        "likely" => "govuk-tag--blue",
        "possible" => "govuk-tag--turquoise",
        _ => "govuk-tag--grey",
    }
}

/// "30 November 2026".
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub body: String,
    pub correlation_id: Option<String>,
}

pub fn error_page(chrome: Option<Chrome>, status: StatusCode, title: &str, body: &str) -> Response {
    let page = ErrorPage { chrome: chrome.unwrap_or_else(Chrome::anonymous), title: title.into(), body: body.into(), correlation_id: None };
    (status, page).into_response()
}

/// The 409 page of a change refused because someone else changed the order since the form was
/// shown (the version it carried is stale): nothing was overwritten.
pub fn order_changed(chrome: Chrome) -> Response {
    error_page(
        Some(chrome),
        StatusCode::CONFLICT,
        "The order has changed since you opened it",
        "Someone else has changed this order. Go back to the order, check it and try again.",
    )
}

/// A service's refusal or failure as a page. Field errors never reach here: forms render them
/// as the GOV.UK error summary.
pub fn service_error(chrome: Option<Chrome>, err: ServiceError) -> Response {
    use crate::auth::AccessError;
    match err {
        ServiceError::NotFound(_) => {
            error_page(chrome, StatusCode::NOT_FOUND, "Page not found", "There is no such record, or it is not one you can see.")
        }
        ServiceError::Forbidden(AccessError::OtherOrganisation) => error_page(
            chrome,
            StatusCode::FORBIDDEN,
            "You cannot change this record",
            "It is managed by another organisation. Its managing organisation's officers can change it.",
        ),
        ServiceError::Forbidden(_) => error_page(
            chrome,
            StatusCode::FORBIDDEN,
            "You do not have access to this page",
            "Your role does not allow this. Ask a supervisor or your administrator if you need it.",
        ),
        // A stale version (someone else changed it first) or a step that no longer applies.
        ServiceError::Conflict { .. } => error_page(
            chrome,
            StatusCode::CONFLICT,
            "This record has changed",
            "Someone else changed it while you were working on it, or it is no longer in a state where this applies. Go back, reload the page and check before trying again.",
        ),
        ServiceError::RateLimited { retry_after_seconds } => error_page(
            chrome,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &format!("Try again in {} minutes.", retry_after_seconds.div_ceil(60).max(1)),
        ),
        other => {
            let id = uuid::Uuid::now_v7().to_string();
            tracing::error!(correlation_id = %id, error = %other, "page failed");
            let page = ErrorPage {
                chrome: chrome.unwrap_or_else(Chrome::anonymous),
                title: "Sorry, there is a problem with the service".into(),
                body: "Try again later. If it keeps happening, give your administrator this reference.".into(),
                correlation_id: Some(id),
            };
            (StatusCode::INTERNAL_SERVER_ERROR, page).into_response()
        }
    }
}
