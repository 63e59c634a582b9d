//! The alerts queue: what the scheduled jobs and the register checks raised for the caller's
//! organisation and nobody has acknowledged yet, sortable on the server (GET parameters; MoJ
//! sortable table re-sorts in the browser when JavaScript runs), with a checkbox per row and
//! "Acknowledge selected" (POST, redirect, success banner). Alerts carry ids, dates and counts
//! only, so the queue shows references and words, never a person's particulars.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::AlertId;
use domain::vocab::AlertKind;
use serde::Deserialize;
use serde_json::Value;

use super::pages::{self, Chrome, Done, date};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::queues::{self, AlertQuery, AlertSort, AlertView};

pub struct Row {
    pub id: String,
    pub title: &'static str,
    pub about: String,
    /// Where the row's title leads: a serial pattern's own page.
    pub href: Option<String>,
    pub registrant: Option<(String, String)>,
    pub raised: String,
    /// For the browser's re-sorting: the instant as an ISO string sorts as text.
    pub raised_sort: String,
}

pub struct Column {
    pub label: &'static str,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria_sort: &'static str,
    /// The link that sorts by this column (the other way round if it is the current one).
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub columns: Vec<Column>,
    pub sort: String,
    pub order: String,
    pub page: u64,
    /// Open alerts in all, and the first and last shown on this page (from 1).
    pub total: u64,
    pub shown: (u64, u64),
    /// URLs of the pages either side, when there are any.
    pub previous: Option<String>,
    pub next: Option<String>,
    pub errors: Vec<FieldError>,
    /// Ids ticked on a form that came back with errors.
    pub ticked: Vec<String>,
}

impl AlertsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    fn is_ticked(&self, id: &str) -> bool {
        self.ticked.iter().any(|t| t == id)
    }
}

/// The alert's name in the queue: words an officer uses, never the code.
pub fn title(kind: AlertKind) -> &'static str {
    queues::kind_title(kind)
}

fn detail_date(detail: &Value, key: &str) -> Option<String> {
    detail.get(key).and_then(Value::as_str).and_then(|d| d.parse().ok()).map(date)
}

/// What the alert says, from its detail (ids, dates and counts only).
fn about(a: &AlertView) -> String {
    let d = &a.detail;
    let reports = d.get("reports").and_then(Value::as_array).map(Vec::len).unwrap_or(0);
    let victims = d.get("distinct_victims").and_then(Value::as_u64).unwrap_or(0);
    match a.kind {
        AlertKind::OrderExpiring => match detail_date(d, "expires_on") {
            Some(on) => format!("The order expires on {on}. Decide whether to apply to renew it."),
            None => "The order expires soon.".into(),
        },
        AlertKind::InterimOrderEnding => match detail_date(d, "expires_on") {
            Some(on) => format!("The interim order ends on {on}. Check the date of the full hearing."),
            None => "The interim order ends soon.".into(),
        },
        AlertKind::ServedNotNotified => "The order was served but the initial notification was not made in time.".into(),
        AlertKind::RequirementWithoutResponsiblePerson => "A positive requirement has nobody named to supervise it.".into(),
        AlertKind::MissingAcknowledgement => "A notification was recorded without the written acknowledgement its regime needs.".into(),
        AlertKind::RiskReviewDue => match detail_date(d, "review_due_on") {
            Some(on) => format!("The risk assessment was due for review on {on}."),
            None => "The risk assessment is due for review.".into(),
        },
        AlertKind::MappaReviewDue => match detail_date(d, "review_due_on") {
            Some(on) => format!("The MAPPA review was due on {on}."),
            None => "The MAPPA review is due.".into(),
        },
        AlertKind::SerialPattern => format!("{} linked reports from {victims} different victims.", reports.max(2)),
        AlertKind::OrderEligibility => {
            format!("{} linked reports and no order in force. Consider applying for a stalking protection order.", reports.max(2))
        }
    }
}

fn row(a: &AlertView) -> Row {
    let registrant = a.registrant_id.map(|id| (id.to_string(), a.registrant_reference.clone().unwrap_or_else(|| "Registrant".into())));
    // A serial pattern has its own page; the others are about the registrant in the next column.
    let href = (a.kind == AlertKind::SerialPattern).then(|| format!("/patterns/{}", a.id));
    Row {
        id: a.id.to_string(),
        title: title(a.kind),
        about: about(a),
        href,
        registrant,
        raised: date(domain::calendar::local_date(a.raised_at)),
        raised_sort: a.raised_at.to_rfc3339(),
    }
}

#[derive(Deserialize, Default)]
pub struct Sorting {
    sort: Option<String>,
    order: Option<String>,
    done: Option<String>,
    /// The page of the queue, from 1.
    page: Option<u64>,
}

/// Alerts per page.
const PAGE: u64 = 100;

const COLUMNS: &[(&str, &str)] = &[("alert", "Alert"), ("registrant", "Registrant"), ("raised", "Raised")];

async fn page(state: &AppState, visitor: &Visitor, sorting: &Sorting, errors: Vec<FieldError>, ticked: Vec<String>) -> Response {
    let mut chrome = Chrome::for_visitor(visitor, "/alerts");
    chrome.banner = Done { done: sorting.done.clone() }.banner(&[("acknowledged", "The alerts you selected have been acknowledged")]);
    let sort = sorting.sort.as_deref().filter(|s| COLUMNS.iter().any(|(key, _)| key == s)).unwrap_or("raised");
    let default_descending = sort == "raised";
    let descending = match sorting.order.as_deref() {
        Some("ascending") => false,
        Some("descending") => true,
        _ => default_descending,
    };
    let order = if descending { "descending" } else { "ascending" };
    let number = sorting.page.unwrap_or(1).clamp(1, 1000);
    let by = match sort {
        "alert" => AlertSort::Kind,
        "registrant" => AlertSort::Registrant,
        _ => AlertSort::Raised,
    };
    let query = AlertQuery { sort: by, descending, limit: PAGE, offset: (number - 1) * PAGE };
    let alerts = match queues::alerts(&state.ctx, &visitor.caller, query, crate::clock::now()).await {
        Ok(alerts) => alerts,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let columns = COLUMNS
        .iter()
        .map(|(key, label)| {
            let current = *key == sort;
            let next = if current { if descending { "ascending" } else { "descending" } } else { "ascending" };
            Column { label, aria_sort: if current { order } else { "none" }, href: format!("/alerts?sort={key}&order={next}") }
        })
        .collect();
    let link = |n: u64| format!("/alerts?sort={sort}&order={order}&page={n}");
    let previous = (number > 1).then(|| link(number - 1));
    let next = (number * PAGE < alerts.total).then(|| link(number + 1));
    let first = (number - 1) * PAGE + 1;
    let shown = (first, first + alerts.items.len() as u64 - 1);
    let rows = alerts.items.iter().map(row).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = AlertsPage {
        chrome,
        rows,
        columns,
        sort: sort.into(),
        order: order.into(),
        page: number,
        total: alerts.total,
        shown,
        previous,
        next,
        errors,
        ticked,
    };
    (status, page).into_response()
}

pub async fn queue(State(state): State<AppState>, visitor: Visitor, Query(sorting): Query<Sorting>) -> Response {
    page(&state, &visitor, &sorting, Vec::new(), Vec::new()).await
}

/// "Acknowledge selected". The form repeats `ids` once per ticked row, which a plain
/// deserialiser cannot hold, so the body is read pair by pair.
pub async fn acknowledge(State(state): State<AppState>, headers: HeaderMap, visitor: Visitor, body: String) -> Response {
    let mut csrf = String::new();
    let mut ticked = Vec::new();
    let mut sorting = Sorting::default();
    for (key, value) in url::form_urlencoded::parse(body.as_bytes()) {
        match key.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "ids" => ticked.push(value.into_owned()),
            "sort" => sorting.sort = Some(value.into_owned()),
            "order" => sorting.order = Some(value.into_owned()),
            "page" => sorting.page = value.parse().ok(),
            _ => {}
        }
    }
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &csrf) {
        return refused;
    }
    let error = |detail: &str| vec![FieldError { field: "ids".into(), code: "invalid", detail: detail.into() }];
    if ticked.is_empty() {
        return page(&state, &visitor, &sorting, error("Select the alerts you want to acknowledge"), ticked).await;
    }
    let ids: Option<Vec<AlertId>> = ticked.iter().map(|t| t.parse::<uuid::Uuid>().ok().map(AlertId::from)).collect();
    let Some(ids) = ids else {
        return page(&state, &visitor, &sorting, error("Select alerts from the list"), Vec::new()).await;
    };
    match queues::acknowledge_alerts(&state.ctx, &visitor.caller, &ids, crate::clock::now()).await {
        Ok(_) => {
            let back = match (sorting.sort.as_deref(), sorting.order.as_deref()) {
                (Some(s), Some(o)) if is_word(s) && is_word(o) => match sorting.page.filter(|n| (2..=1000).contains(n)) {
                    Some(n) => format!("/alerts?sort={s}&order={o}&page={n}&done=acknowledged"),
                    None => format!("/alerts?sort={s}&order={o}&done=acknowledged"),
                },
                _ => "/alerts?done=acknowledged".into(),
            };
            Redirect::to(&back).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| FieldError { field: "ids".into(), code: e.code, detail: pages::sentence(&e.detail) })
                .collect();
            page(&state, &visitor, &sorting, errors, ticked).await
        }
        // Another organisation's alert, or one that no longer exists: nothing was changed.
        Err(ServiceError::NotFound(_)) => {
            page(
                &state,
                &visitor,
                &sorting,
                error("Some of the alerts you selected are not in your queue. Nothing was acknowledged"),
                Vec::new(),
            )
            .await
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/alerts")), e),
    }
}

/// Sort keys and orders are plain lower-case words; anything else is not put back in a URL.
fn is_word(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_lowercase())
}
