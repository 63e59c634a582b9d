//! Breaches: the organisation's list (filtered by status, with each breach's age in days), a
//! registrant's breaches tab, and `/breaches/{id}` for links that name only the breach (an
//! alert), which goes on to the breach under its registrant's record.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{BreachId, RegistrantId};
use domain::vocab::{BreachSource, BreachStatus};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{self, Chrome, date, words};
use super::record::{Tab, justified, tabs};
use super::session::Visitor;
use crate::http::AppState;
use crate::services::breaches::{self, ListFilter, views::BreachSummary};

const PAGE: u64 = 50;

pub struct Row {
    pub href: String,
    pub reference: String,
    pub what: &'static str,
    pub detected: String,
    pub age: String,
    pub status: String,
    pub status_tag: &'static str,
}

/// What kind of breach it is, in words.
pub fn source_label(source: BreachSource) -> &'static str {
    match source {
        BreachSource::MissedOccurrence => "A duty was missed",
        BreachSource::CrimeReport => "A crime report",
        BreachSource::Officer => "Recorded by an officer",
    }
}

fn rows(items: Vec<BreachSummary>) -> Vec<Row> {
    let today = domain::calendar::local_date(crate::clock::now());
    items
        .into_iter()
        .map(|b| {
            let days = (today - domain::calendar::local_date(b.detected_at)).num_days().max(0);
            Row {
                href: format!("/registrants/{}/breaches/{}", b.registrant_id, b.id),
                reference: b.registrant_reference,
                what: source_label(b.source),
                detected: date(domain::calendar::local_date(b.detected_at)),
                age: if days == 1 { "1 day".into() } else { format!("{days} days") },
                status: words(b.status.as_str()),
                status_tag: pages::status_tag(b.status.as_str()),
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// `open` (the default), `acknowledged`, `decided` or `all`.
    status: Option<String>,
    after: Option<Uuid>,
}

#[derive(Template, WebTemplate)]
#[template(path = "breaches.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub status: String,
    pub statuses: [(&'static str, &'static str); 5],
    pub rows: Vec<Row>,
    pub next: Option<String>,
}

pub async fn list(State(state): State<AppState>, visitor: Visitor, Query(query): Query<ListQuery>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/breaches");
    let status = query.status.unwrap_or_else(|| "open".into());
    let filter =
        ListFilter { status: BreachStatus::parse(&status), registrant_id: None, managing_org: None, after: query.after, limit: PAGE };
    let page = match breaches::list(&state.ctx, &visitor.caller, filter, crate::clock::now()).await {
        Ok(page) => page,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let status = if BreachStatus::parse(&status).is_some() { status } else { "all".into() };
    let next = page.next_after.map(|after| format!("/breaches?status={status}&after={after}"));
    ListPage {
        chrome,
        statuses: [("open", "Open"), ("acknowledged", "Acknowledged"), ("decided", "Decided"), ("withdrawn", "Withdrawn"), ("all", "All")],
        status,
        rows: rows(page.items),
        next,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "breaches_tab.html")]
pub struct TabPage {
    pub chrome: Chrome,
    pub reason: String,
    pub tabs: Vec<Tab>,
    pub rows: Vec<Row>,
}

pub async fn tab(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let filter = ListFilter { status: None, registrant_id: Some(id), managing_org: None, after: None, limit: 100 };
    match breaches::list(&state.ctx, &visitor.caller, filter, crate::clock::now()).await {
        Ok(page) => TabPage { chrome, reason, tabs: tabs(&visitor.caller, id, "/breaches"), rows: rows(page.items) }.into_response(),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// A breach named by its id alone goes on to its place under the registrant's record.
pub async fn by_id(State(state): State<AppState>, visitor: Visitor, Path(id): Path<BreachId>) -> Response {
    match breaches::registrant_of(&state.ctx, &visitor.caller, id).await {
        Ok(registrant) => Redirect::to(&format!("/registrants/{registrant}/breaches/{id}")).into_response(),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/breaches")), e),
    }
}
