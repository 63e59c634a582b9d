//! The overdue queue: duties past due and still pending on the registrants the caller's
//! organisation manages, oldest first, filtered by what is due and by officer (GET, so a
//! filtered queue can be bookmarked; neither filter is personal data). Each row leads to the
//! registrant's obligations. Working one's own queue is checking compliance, so the list is
//! read and audited under `COMPLIANCE`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::calendar;
use domain::vocab::ObligationKind;
use serde::Deserialize;

use super::pages::{self, Chrome, date};
use super::session::Visitor;
use crate::auth::Justification;
use crate::http::AppState;
use crate::services::queues::{self, OverdueFilter};

pub struct Row {
    pub registrant_id: String,
    pub reference: String,
    pub what: &'static str,
    pub due: String,
    pub overdue: String,
    pub officer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "overdue.html")]
pub struct OverduePage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub kind: String,
    pub officer: String,
    pub filtered: bool,
    pub overdue_tag: &'static str,
    /// This page's number, from 1; the URLs of the pages either side, with the filters.
    pub page: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl OverduePage {
    fn is_kind(&self, code: &str) -> bool {
        self.kind == code
    }
}

/// What is due, in words.
pub fn what_is_due(kind: ObligationKind) -> &'static str {
    match kind {
        ObligationKind::InitialNotification => "Initial notification",
        ObligationKind::ChangeNotification => "Notification of a change",
        ObligationKind::AnnualNotification => "Annual notification",
        ObligationKind::WeeklyNotification => "Weekly notification",
        ObligationKind::AttendProgramme => "Programme session",
        ObligationKind::AttendAppointment => "Appointment",
        ObligationKind::OtherRequirement => "Other requirement",
    }
}

/// A deadline at local midnight is the end of the day before ("end of 5 March 2026"); any
/// other time is said as "5 March 2026, 10:00am".
pub fn due_words(due: DateTime<Utc>) -> String {
    let local = due.with_timezone(&calendar::LEGAL_TZ);
    if local.time() == chrono::NaiveTime::MIN {
        let day = calendar::local_date(due - chrono::Duration::seconds(1));
        format!("End of {}", date(day))
    } else {
        format!("{}, {}", date(local.date_naive()), local.format("%-I:%M%P"))
    }
}

/// Whole local days since the deadline's day.
pub fn days_overdue(due: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let day = calendar::local_date(due - chrono::Duration::seconds(1));
    (calendar::local_date(now) - day).num_days().max(0)
}

pub fn days_words(days: i64) -> String {
    match days {
        0 => "Less than 1 day".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

#[derive(Deserialize, Default)]
pub struct Filters {
    kind: Option<String>,
    officer: Option<String>,
    page: Option<u64>,
}

/// Duties per page of the queue.
const PER_PAGE: u64 = 100;
/// The furthest page offered (as far as the API's overdue queue reaches).
const LAST_PAGE: u64 = 1_000;

/// The query string of page `page` with these filters.
fn page_link(kind: Option<ObligationKind>, officer: Option<&str>, page: u64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(kind) = kind {
        query.append_pair("kind", kind.as_str());
    }
    if let Some(officer) = officer {
        query.append_pair("officer", officer);
    }
    query.append_pair("page", &page.to_string());
    format!("/overdue?{}", query.finish())
}

pub async fn queue(State(state): State<AppState>, mut visitor: Visitor, Query(filters): Query<Filters>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/overdue");
    visitor.caller.justification = Justification { reason_code: Some("COMPLIANCE".into()), crime_reference: None };
    let kind = filters.kind.as_deref().and_then(ObligationKind::parse);
    let officer = filters.officer.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned);
    let now = crate::clock::now();
    let page = filters.page.unwrap_or(1).clamp(1, LAST_PAGE);
    // One more than a page, to know whether there is a next one.
    let filter = OverdueFilter { managing_org: None, officer: officer.clone(), kind, limit: PER_PAGE + 1, skip: (page - 1) * PER_PAGE };
    let mut items = match queues::overdue(&state.ctx, &visitor.caller, filter, now).await {
        Ok(items) => items,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let more = items.len() as u64 > PER_PAGE;
    items.truncate(PER_PAGE as usize);
    let previous = (page > 1).then(|| page_link(kind, officer.as_deref(), page - 1));
    let next = (more && page < LAST_PAGE).then(|| page_link(kind, officer.as_deref(), page + 1));
    let rows = items
        .into_iter()
        .map(|i| Row {
            registrant_id: i.registrant_id.to_string(),
            reference: i.registrant_reference,
            what: what_is_due(i.obligation_kind),
            due: due_words(i.due_at),
            overdue: days_words(days_overdue(i.due_at, now)),
            officer: i.managing_officer.unwrap_or_else(|| "Not recorded".into()),
        })
        .collect();
    OverduePage {
        chrome,
        rows,
        kinds: ObligationKind::ALL.iter().map(|k| (k.as_str(), what_is_due(*k))).collect(),
        kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        officer: officer.clone().unwrap_or_default(),
        filtered: kind.is_some() || officer.is_some(),
        overdue_tag: pages::status_tag("overdue"),
        page,
        previous,
        next,
    }
    .into_response()
}
