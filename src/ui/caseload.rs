//! The caseload: the registrants the caller's organisation manages (public protection) or
//! supervises (probation), newest first, a page at a time. Reading one's own caseload is case
//! management, so the list is read and audited under `OFFENDER_MANAGEMENT`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{self, Chrome, words};
use super::session::Visitor;
use crate::auth::{Justification, Permission};
use crate::http::AppState;
use crate::services::registrants::{self, ListFilter};

pub struct Row {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub status: String,
    pub status_tag: &'static str,
    pub risk: String,
    pub managing_org: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "caseload.html")]
pub struct CaseloadPage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub next: Option<String>,
    pub probation: bool,
}

#[derive(Deserialize)]
pub struct Paging {
    after: Option<Uuid>,
}

pub async fn caseload(State(state): State<AppState>, mut visitor: Visitor, Query(paging): Query<Paging>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    visitor.caller.justification = Justification { reason_code: Some("OFFENDER_MANAGEMENT".into()), crime_reference: None };
    let national = visitor.caller.can(Permission::RegistrantReadNational);
    let filter = ListFilter {
        status: None,
        managing_org: national.then(|| visitor.caller.org.clone()),
        risk_level: None,
        after: paging.after,
        limit: domain::paging::DEFAULT_PAGE,
    };
    let page = match registrants::list(&state.ctx, &visitor.caller, filter, crate::clock::now()).await {
        Ok(page) => page,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let rows = page
        .items
        .into_iter()
        .map(|r| Row {
            id: r.id.to_string(),
            name: r.primary_name.unwrap_or_else(|| "(no name recorded)".into()),
            reference: r.reference,
            status: words(r.status.as_str()),
            status_tag: pages::status_tag(r.status.as_str()),
            risk: r.risk_level.map(|l| words(l.as_str())).unwrap_or_else(|| "Not assessed".into()),
            managing_org: r.managing_org,
        })
        .collect();
    CaseloadPage { chrome, rows, next: page.next_after.map(|a| a.to_string()), probation: !national }.into_response()
}
