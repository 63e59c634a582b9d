//! The audit trail for auditors: a filter (who, what kind of action, which record, between which
//! dates) in GET parameters, so a search can be bookmarked and shared with a colleague who may
//! read it, and a page for each entry with every field it has and whether the sealer has linked
//! it into the keyed chain yet (`services::audit::search`, audited as the API's search is).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::errors::FieldError;
use serde::Deserialize;
use uuid::Uuid;

use super::oversight::when;
use super::pages::{self, Chrome, role_label, sentence, words};
use super::session::Visitor;
use crate::auth::Role;
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::audit::search::{self, AuditEventView, AuditQuery};
use crate::services::audit::{Action, Outcome};

const HERE: &str = "/audit";

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    who: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    record: String,
    #[serde(default, rename = "from-day")]
    from_day: String,
    #[serde(default, rename = "from-month")]
    from_month: String,
    #[serde(default, rename = "from-year")]
    from_year: String,
    #[serde(default, rename = "to-day")]
    to_day: String,
    #[serde(default, rename = "to-month")]
    to_month: String,
    #[serde(default, rename = "to-year")]
    to_year: String,
    after: Option<i64>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        [
            &self.who,
            &self.action,
            &self.record,
            &self.from_day,
            &self.from_month,
            &self.from_year,
            &self.to_day,
            &self.to_month,
            &self.to_year,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    /// This search's parameters, for the next page's link.
    fn query_string(&self) -> String {
        let pairs = [
            ("who", &self.who),
            ("action", &self.action),
            ("record", &self.record),
            ("from-day", &self.from_day),
            ("from-month", &self.from_month),
            ("from-year", &self.from_year),
            ("to-day", &self.to_day),
            ("to-month", &self.to_month),
            ("to-year", &self.to_year),
        ];
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
            out.append_pair(k, v.trim());
        }
        out.finish()
    }
}

pub struct Row {
    pub seq: i64,
    pub when: String,
    pub who: String,
    pub role: String,
    pub what: String,
    pub action: String,
    pub outcome: Option<(String, &'static str)>,
    pub records: String,
    pub reason: String,
    pub sealed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub filter: Filter,
    pub actions: Vec<(&'static str, String)>,
    pub errors: Vec<FieldError>,
    /// `None` until a search has run.
    pub rows: Option<Vec<Row>>,
    pub next: Option<String>,
}

/// One GOV.UK date input of the filter.
pub struct DateBox<'a> {
    pub prefix: &'static str,
    pub legend: &'static str,
    pub day: &'a str,
    pub month: &'a str,
    pub year: &'a str,
    pub error: Option<&'a str>,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    fn date_boxes(&self) -> Vec<DateBox<'_>> {
        let f = &self.filter;
        vec![
            DateBox {
                prefix: "from",
                legend: "Date from",
                day: &f.from_day,
                month: &f.from_month,
                year: &f.from_year,
                error: self.error_for("from-day"),
            },
            DateBox {
                prefix: "to",
                legend: "Date to",
                day: &f.to_day,
                month: &f.to_month,
                year: &f.to_year,
                error: self.error_for("to-day"),
            },
        ]
    }
}

/// "Registrant read" for `registrant.read`.
pub fn operation_words(operation: &str) -> String {
    words(&operation.replace('.', " "))
}

fn role_words(role: &str) -> String {
    Role::parse(role).map(role_label).map(str::to_owned).unwrap_or_else(|| words(role))
}

/// The reason given and its reference, in words ("Protecting a victim or a person at risk,
/// reference CASE/1").
fn reason_words(e: &AuditEventView) -> String {
    let title = e.reason_code.as_deref().map(|c| domain::reasons::find(c).map(|r| r.title.to_owned()).unwrap_or_else(|| words(c)));
    match (title, &e.crime_reference) {
        (Some(t), Some(r)) => format!("{t}, reference {r}"),
        (Some(t), None) => t,
        (None, Some(r)) => format!("Reference {r}"),
        (None, None) => "None given".into(),
    }
}

fn outcome_tag(outcome: Outcome) -> Option<(String, &'static str)> {
    match outcome {
        Outcome::Success => None,
        Outcome::Denied => Some(("Refused".into(), pages::status_tag("failed"))),
        Outcome::Failure => Some(("Failed".into(), pages::status_tag("failed"))),
    }
}

/// A date from a GOV.UK date input: `None` when all three boxes are empty, `Some(None)` when
/// they do not make a real date.
fn date_of(day: &str, month: &str, year: &str) -> Option<Option<NaiveDate>> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    let parsed = (|| {
        let year = y.parse::<i32>().ok().filter(|y| (2000..=9999).contains(y))?;
        NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
    })();
    Some(parsed)
}

fn error(field: &str, detail: &str) -> FieldError {
    FieldError { field: field.into(), code: "invalid", detail: detail.into() }
}

/// The service's query for the filter, or what is wrong with it.
fn query(f: &Filter) -> Result<AuditQuery, Vec<FieldError>> {
    let mut errors = Vec::new();
    let who = Some(f.who.trim().to_owned()).filter(|w| !w.is_empty());
    let action = match f.action.trim() {
        "" => None,
        code => match Action::parse(code) {
            Some(a) => Some(a),
            None => {
                errors.push(error("action", "Choose an action from the list"));
                None
            }
        },
    };
    let record_id = match f.record.trim() {
        "" => None,
        text => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(error("record", "Enter a record id in the form it is shown, like 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
                None
            }
        },
    };
    let from = match date_of(&f.from_day, &f.from_month, &f.from_year) {
        Some(None) => {
            errors.push(error("from-day", "Date from must be a real date, like 27 3 2026"));
            None
        }
        Some(Some(d)) => Some(domain::calendar::start_of_day(d)),
        None => None,
    };
    // "To" includes the whole of that day: the search ends as the next day begins.
    let to = match date_of(&f.to_day, &f.to_month, &f.to_year) {
        Some(None) => {
            errors.push(error("to-day", "Date to must be a real date, like 27 3 2026"));
            None
        }
        Some(Some(d)) => Some(domain::calendar::end_of_days_beginning_with(d, 1)),
        None => None,
    };
    if let (Some(from), Some(to)) = (from, to)
        && to <= from
    {
        errors.push(error("to-day", "Date to must be the same as or after date from"));
    }
    if errors.is_empty() { Ok(AuditQuery { record_id, actor: who, action, from, to, after: f.after, limit: None }) } else { Err(errors) }
}

/// Where on this page a service's field error belongs.
fn on_page(field: &str) -> &'static str {
    match field {
        "actor" => "who",
        "to" => "to-day",
        "from" => "from-day",
        _ => "who",
    }
}

fn actions() -> Vec<(&'static str, String)> {
    Action::ALL.iter().map(|a| (a.as_str(), words(a.as_str()))).collect()
}

pub async fn trail(State(state): State<AppState>, visitor: Visitor, Query(filter): Query<Filter>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, HERE);
    let page = |filter, errors, rows, next| AuditPage {
        chrome: Chrome::for_visitor(&visitor, HERE),
        filter,
        actions: actions(),
        errors,
        rows,
        next,
    };
    if filter.is_empty() && filter.after.is_none() {
        return page(filter, Vec::new(), None, None).into_response();
    }
    let q = match query(&filter) {
        Ok(q) => q,
        // Nothing is searched (or audited) with a filter that does not make sense.
        Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, page(filter, errors, None, None)).into_response(),
    };
    match search::search(&state.ctx, &visitor.caller, q, crate::clock::now()).await {
        Ok(found) => {
            let rows = found
                .items
                .iter()
                .map(|e| Row {
                    seq: e.seq,
                    when: when(e.occurred_at),
                    who: e.actor_subject.clone(),
                    role: format!("{}, {}", role_words(&e.actor_role), e.actor_org),
                    what: operation_words(&e.operation),
                    action: words(e.action.as_str()),
                    outcome: outcome_tag(e.outcome),
                    records: match e.record_ids.len() {
                        0 => "None".into(),
                        1 => "1 record".into(),
                        n => format!("{n} records"),
                    },
                    reason: reason_words(e),
                    sealed: e.sealed_at.is_some(),
                })
                .collect();
            let next = found.next_after.map(|after| {
                let rest = filter.query_string();
                if rest.is_empty() { format!("after={after}") } else { format!("{rest}&after={after}") }
            });
            page(filter, Vec::new(), Some(rows), next).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| FieldError { field: on_page(&e.field).into(), code: e.code, detail: sentence(&e.detail) })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, page(filter, errors, None, None)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

pub struct Field {
    pub key: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_event.html")]
pub struct EventPage {
    pub chrome: Chrome,
    pub seq: i64,
    pub fields: Vec<Field>,
    pub records: Vec<String>,
    pub sealed: Option<String>,
}

pub async fn event(State(state): State<AppState>, visitor: Visitor, Path(seq): Path<i64>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, HERE);
    // The search for the entries after the one before: this entry, if it exists (audited as a
    // search, as every read of the trail is).
    let q = AuditQuery { after: Some(seq.saturating_sub(1)), limit: Some(1), ..AuditQuery::default() };
    let found = match search::search(&state.ctx, &visitor.caller, q, crate::clock::now()).await {
        Ok(found) => found,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let Some(e) = found.items.into_iter().next().filter(|e| e.seq == seq) else {
        return pages::service_error(Some(chrome), ServiceError::NotFound("audit entry"));
    };
    let mut fields = vec![
        Field { key: "Entry number", value: e.seq.to_string() },
        Field { key: "Entry id", value: e.id.to_string() },
        Field { key: "When", value: when(e.occurred_at) },
        Field { key: "Who", value: e.actor_subject.clone() },
        Field { key: "Signed in through", value: e.actor_issuer.clone() },
        Field { key: "Acting as", value: role_words(&e.actor_role) },
        Field { key: "Organisation", value: e.actor_org.clone() },
        Field { key: "What", value: operation_words(&e.operation) },
        Field { key: "Kind of action", value: words(e.action.as_str()) },
        Field {
            key: "Outcome",
            value: match e.outcome {
                Outcome::Success => "Done".into(),
                Outcome::Denied => "Refused".into(),
                Outcome::Failure => "Failed".into(),
            },
        },
        Field { key: "Kind of record", value: e.record_type.as_deref().map(words).unwrap_or_else(|| "None".into()) },
    ];
    fields.push(Field {
        key: "Reason given",
        value: e
            .reason_code
            .as_deref()
            .map(|c| domain::reasons::find(c).map(|r| r.title.to_owned()).unwrap_or_else(|| words(c)))
            .unwrap_or_else(|| "None given".into()),
    });
    fields.push(Field { key: "Crime or case reference", value: e.crime_reference.clone().unwrap_or_else(|| "None given".into()) });
    fields.push(Field { key: "Request id", value: e.request_id.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "None".into()) });
    let sealed = match (e.sealed_at, e.chain_position) {
        (Some(at), Some(pos)) => Some(format!("Sealed {} at position {pos} of the chain", when(at))),
        _ => None,
    };
    EventPage { chrome, seq: e.seq, fields, records: e.record_ids.iter().map(Uuid::to_string).collect(), sealed }.into_response()
}
