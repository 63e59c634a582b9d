//! Crime reports once recorded: "My reports" (the organisation's reports, no sealed content),
//! a report's page (what was recorded and its checks' outcomes, read under a reason, as the
//! API's `GET /api/v1/reports/{id}` is), the register check result, and running the check
//! again.
//!
//! The result page says only "No match" or "Possible match — the public protection unit has
//! been told" and the check reference, for every role: nothing about any registrant. Officers
//! who may see candidates review them in the link review queue.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{CheckId, RecordId, ReportId};
use domain::reasons::REASONS;
use domain::vocab::CheckResult;
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{self, Chrome, Done, date, words};
use super::record::{Item, WhyPage};
use super::session::{self, Visitor};
use crate::auth::Permission;
use crate::http::AppState;
use crate::services::reports::read::{self, ReportFilter, ReportView};
use crate::services::{ServiceError, checks, justifications};

/// "3:04pm on 30 November 2026", Europe/London.
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&domain::calendar::LEGAL_TZ);
    format!("{} on {}", local.format("%-I:%M%P"), date(local.date_naive()))
}

/// What a check's result says, and its tag colour from the one colour map.
fn result_words(result: CheckResult) -> (&'static str, &'static str) {
    let words = match result {
        CheckResult::NoMatch => "No match",
        CheckResult::PossibleMatch => "Possible match — the public protection unit has been told",
    };
    (words, pages::status_tag(result.as_str()))
}

pub struct Listed {
    pub id: String,
    pub crime_reference: String,
    pub classification: String,
    pub occurred: String,
    pub recorded: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub org: String,
    pub reports: Vec<Listed>,
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct Paging {
    after: Option<Uuid>,
}

/// "My reports": the caller's organisation's reports, oldest first, 50 a page.
pub async fn list(State(state): State<AppState>, visitor: Visitor, Query(paging): Query<Paging>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/reports");
    // Reviewers may list every force's reports; this page is their own organisation's.
    let filter = ReportFilter { force: Some(visitor.caller.org.clone()), after: paging.after, limit: 50 };
    match read::list(&state.ctx, &visitor.caller, filter, crate::clock::now()).await {
        Ok(found) => ReportsPage {
            chrome,
            org: visitor.caller.org.clone(),
            reports: found
                .items
                .into_iter()
                .map(|r| Listed {
                    id: r.id.to_string(),
                    crime_reference: r.crime_reference,
                    classification: words(r.principal_classification.as_str()),
                    occurred: r.occurred_from.map(date).unwrap_or_else(|| "Not known".into()),
                    recorded: when(r.created_at),
                })
                .collect(),
            next: found.next_after.map(|id| id.to_string()),
        }
        .into_response(),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

/// The caller with the reason given for this report; or the way to the page that asks.
async fn justified(state: &AppState, visitor: &mut Visitor, id: ReportId) -> Result<(), Response> {
    match justifications::current(&state.ctx, visitor.session_id, id.uuid(), crate::clock::now()).await {
        Ok(Some(given)) => {
            visitor.caller.justification = given;
            Ok(())
        }
        Ok(None) => Err(Redirect::to(&format!("/reports/{id}/why")).into_response()),
        Err(e) => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/reports")), e)),
    }
}

pub struct CheckRow {
    pub id: String,
    pub reference: String,
    pub result: &'static str,
    pub tag: &'static str,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub id: String,
    pub crime_reference: String,
    pub cards: Vec<Card>,
    pub checks: Vec<CheckRow>,
    /// Serial-pattern alerts of the caller's force that include this report (officers only).
    pub patterns: Vec<String>,
}

pub struct Card {
    pub title: &'static str,
    pub items: Vec<Item>,
}

fn or_none(items: Vec<String>) -> String {
    if items.is_empty() { "None given".into() } else { items.join(", ") }
}

fn describe(r: &ReportView) -> (Vec<Item>, Vec<Item>, Vec<Item>) {
    let mut classes = vec![words(r.principal_classification.as_str())];
    classes.extend(r.included_classifications.iter().map(|c| words(c.as_str())));
    let occurred = match (r.occurred_from, r.occurred_to) {
        (Some(from), Some(to)) => format!("{} to {}", date(from), date(to)),
        (Some(from), None) => format!("From {}", date(from)),
        (None, Some(to)) => format!("Until {}", date(to)),
        (None, None) => "Not known".into(),
    };
    let crime = vec![
        Item { key: "Crime reference", value: r.crime_reference.clone() },
        Item { key: "Classifications", value: classes.join(", ") },
        Item { key: "When", value: occurred },
        Item { key: "Contact made by", value: or_none(r.channels.iter().map(|c| words(c.as_str())).collect()) },
        Item { key: "Summary", value: r.summary.clone().unwrap_or_else(|| "None given".into()) },
        Item { key: "Recorded", value: format!("{} by {}", when(r.created_at), r.intake_org) },
    ];
    let mut victim = vec![Item { key: "Victim reference", value: r.victim_reference.clone() }];
    if let Some(v) = &r.victim {
        victim.push(Item { key: "Name", value: format!("{} {}", v.given, v.family).trim().to_owned() });
        if let Some(d) = v.date_of_birth {
            victim.push(Item { key: "Date of birth", value: date(d) });
        }
    }
    let s = &r.suspect;
    let mut suspect = vec![Item {
        key: "Names",
        value: or_none(s.names.iter().map(|n| format!("{} {}", n.given, n.family).trim().to_owned()).collect()),
    }];
    let born = match (s.date_of_birth, s.birth_year, s.age_range) {
        (Some(d), _, _) => date(d),
        (None, Some(y), _) => format!("In {y}"),
        (None, None, Some((min, max))) => format!("Aged about {min} to {max} at the time"),
        (None, None, None) => "Not known".into(),
    };
    suspect.push(Item { key: "Born", value: born });
    suspect.push(Item {
        key: "Identifiers",
        value: or_none(
            s.identifiers
                .iter()
                .map(|i| {
                    super::particulars::identifier_words(&words(i.kind.as_str()), i.platform.as_deref(), i.country.as_deref(), &i.value)
                })
                .collect(),
        ),
    });
    suspect.push(Item {
        key: "Addresses",
        value: or_none(
            s.addresses
                .iter()
                .map(|a| a.lines.iter().chain(a.town.iter()).chain(a.postcode.iter()).cloned().collect::<Vec<_>>().join(", "))
                .collect(),
        ),
    });
    suspect.push(Item {
        key: "Description",
        value: or_none(s.descriptors.iter().map(|d| format!("{}: {}", words(d.kind.as_str()), d.value)).collect()),
    });
    (crime, victim, suspect)
}

/// A report's page: what was recorded and the outcome of every check run on it.
pub async fn report(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<ReportId>, Query(done): Query<Done>) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/reports");
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let r = match read::get(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(r) => r,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    chrome.banner = done.banner(&[
        ("not-checked", "The report is recorded. The register check did not run: run it again below."),
        ("checked", "The register check has run."),
    ]);
    let (crime, victim, suspect) = describe(&r);
    let cards = vec![
        Card { title: "The crime", items: crime },
        Card { title: "The victim", items: victim },
        Card { title: "The suspect", items: suspect },
    ];
    let patterns = r.serial_patterns.iter().map(|a| a.to_string()).collect();
    let checks = r
        .checks
        .iter()
        .map(|c| {
            let (result, tag) = result_words(c.result);
            CheckRow { id: c.id.to_string(), reference: c.check_reference.clone(), result, tag, when: when(c.created_at) }
        })
        .collect();
    ReportPage { chrome, id: id.to_string(), crime_reference: r.crime_reference, cards, checks, patterns }.into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "check_result.html")]
pub struct ResultPage {
    pub chrome: Chrome,
    pub report_id: String,
    pub crime_reference: String,
    pub title: &'static str,
    pub matched: bool,
    pub reference: String,
    pub when: String,
    pub reviewer: bool,
}

/// The outcome of one register check: the result and the check reference, nothing else.
pub async fn result(State(state): State<AppState>, mut visitor: Visitor, Path((id, check)): Path<(ReportId, CheckId)>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/reports");
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    let r = match read::get(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(r) => r,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let Some(c) = r.checks.iter().find(|c| c.id == check) else {
        return pages::service_error(Some(chrome), ServiceError::NotFound("register check"));
    };
    ResultPage {
        chrome,
        report_id: id.to_string(),
        crime_reference: r.crime_reference.clone(),
        title: result_words(c.result).0,
        matched: c.result == CheckResult::PossibleMatch,
        reference: c.check_reference.clone(),
        when: when(c.created_at),
        reviewer: visitor.caller.can(Permission::LinkDecide),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct CheckForm {
    csrf: String,
    #[serde(default)]
    reference: String,
}

/// Runs the register check on a report again, under the reason given for it.
pub async fn check_again(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path(id): Path<ReportId>,
    Form(form): Form<CheckForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    if let Err(page) = justified(&state, &mut visitor, id).await {
        return page;
    }
    // A reason that needs no reference was given without one: the check still names the crime
    // it is for, the report's own reference (sent back by its page).
    if visitor.caller.justification.crime_reference.is_none() {
        let reference = form.reference.trim();
        let ok =
            !reference.is_empty() && reference.len() <= 64 && reference.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_/.".contains(&b));
        visitor.caller.justification.crime_reference = ok.then(|| reference.to_owned());
    }
    let chrome = Chrome::for_visitor(&visitor, "/reports");
    match checks::run_with_id(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok((check, _)) => Redirect::to(&format!("/reports/{id}/checks/{check}")).into_response(),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

pub async fn why(visitor: Visitor, Path(id): Path<ReportId>) -> Response {
    why_page(&visitor, id, String::new(), String::new(), Vec::new(), StatusCode::OK)
}

fn why_page(
    visitor: &Visitor,
    id: ReportId,
    chosen: String,
    reference: String,
    errors: Vec<domain::errors::FieldError>,
    status: StatusCode,
) -> Response {
    let page = WhyPage {
        chrome: Chrome::for_visitor(visitor, "/reports"),
        action: format!("/reports/{id}/why"),
        next: String::new(),
        reasons: REASONS,
        chosen,
        reference,
        errors,
    };
    (status, page).into_response()
}

#[derive(Deserialize)]
pub struct WhyForm {
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
}

pub async fn give_reason(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<ReportId>,
    Form(form): Form<WhyForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let now = crate::clock::now();
    match justifications::give(&state.ctx, visitor.session_id, id.uuid(), form.reason.as_deref(), form.reference.as_deref(), now).await {
        Ok(_) => Redirect::to(&format!("/reports/{id}")).into_response(),
        Err(ServiceError::Invalid(errors)) => why_page(
            &visitor,
            id,
            form.reason.unwrap_or_default(),
            form.reference.unwrap_or_default(),
            errors.0,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/reports")), e),
    }
}
