//! Link review: the queue of links a register check proposed (references and a band in words,
//! never a score in a title or URL), and one link side by side: the report's suspect against the
//! candidate, field by field, with what the linker made of each field; then confirm, reject or
//! refer (needs more information) with a reason. Both sides are people's particulars, so the
//! review page first asks why (as a record does), remembers the reason for this link and this
//! session, and reads and audits under it. Victims are never shown.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::LinkId;
use domain::reasons::REASONS;
use domain::vocab::{IdentifierKind, LinkDecision, LinkStatus, TargetKind};
use serde::Deserialize;

use super::form::DecisionForm;
use super::pages::{self, Chrome, Done, date};
use super::record::WhyPage;
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::linkage::score::FieldScore;
use crate::services::checks::views::{LinkDecisionInput, LinkView};
use crate::services::links::{self, LinkReview, Particulars};
use crate::services::{ServiceError, justifications};

/// How strongly the linker thinks the two are one person, in words: a strong identifier in
/// common (or a very high probability) is "Strong", then "Likely" and "Possible".
pub fn band(link: &LinkView) -> &'static str {
    if link.strong {
        "Strong"
    } else if link.probability >= 0.8 {
        "Likely"
    } else {
        "Possible"
    }
}

pub struct Row {
    pub id: String,
    pub report: String,
    pub candidate: String,
    pub candidate_kind: &'static str,
    pub band: &'static str,
    pub band_tag: &'static str,
    pub proposed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "links.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub waiting_for_information: bool,
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    status: Option<String>,
    done: Option<String>,
}

const DONE: &[(&str, &str)] = &[
    ("confirmed", "Link confirmed: the two records are about the same person"),
    ("rejected", "Link rejected: it will not be proposed again"),
    ("referred", "Link referred: it waits under ‘Waiting for information’"),
];

pub async fn queue(State(state): State<AppState>, visitor: Visitor, Query(q): Query<QueueQuery>) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/links");
    chrome.banner = Done { done: q.done.clone() }.banner(DONE);
    let waiting = q.status.as_deref() == Some("needs_info");
    let status = if waiting { LinkStatus::NeedsInfo } else { LinkStatus::Pending };
    let list = match links::queue(&state.ctx, &visitor.caller, status, 500, crate::clock::now()).await {
        Ok(list) => list,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let rows = list
        .iter()
        .map(|l| Row {
            id: l.id.to_string(),
            report: l.report_reference.clone(),
            candidate: l.target_reference.clone(),
            candidate_kind: kind_words(l.target_kind),
            band: band(l),
            band_tag: pages::status_tag(&band(l).to_lowercase()),
            proposed: date(domain::calendar::local_date(l.created_at)),
        })
        .collect();
    QueuePage { chrome, rows, waiting_for_information: waiting }.into_response()
}

fn kind_words(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Registrant => "Registrant",
        TargetKind::Report => "Earlier report",
    }
}

/// One line of the side-by-side comparison.
pub struct Compared {
    pub label: String,
    pub suspect: String,
    pub candidate: String,
    /// What the linker made of this field, in words; empty when it did not compare it.
    pub finding: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "link.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub id: String,
    pub reason: String,
    pub report: String,
    pub candidate: String,
    pub candidate_kind: &'static str,
    /// The candidate's record, when it is a registrant.
    pub candidate_href: Option<String>,
    pub held_by: String,
    pub band: &'static str,
    pub band_tag: &'static str,
    pub status: String,
    pub open: bool,
    pub may_refer: bool,
    pub proposed: String,
    pub rows: Vec<Compared>,
    /// Findings not tied to one row (other candidates sharing the particulars).
    pub notes: Vec<String>,
    pub version: i32,
    pub decision: String,
    pub why: String,
    pub errors: Vec<FieldError>,
}

impl ReviewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }
}

fn level_words(level: &str) -> &'static str {
    match level {
        "exact" => "Exactly the same",
        "nickname" => "Same name, one a nickname of the other",
        "swapped" => "Given and family names the other way round",
        "phonetic" => "Names that sound the same",
        "similar" => "Similar spelling",
        "surname_only" => "Only the family name agrees",
        "given_only" => "Only the given name agrees",
        "forename_only" => "The given name agrees; no family name on one side",
        "initial" => "An initial that agrees, and the same family name",
        "initial_similar" => "An initial that agrees, and a similar family name",
        "day_and_month" => "Same day and month, different year",
        "year_and_month" => "Same year and month, different day",
        "year_and_month_given" => "Same year and month (the day was not given)",
        "postcode" => "Same postcode",
        "street_and_town" => "Same street and town",
        "district" => "Same postcode district",
        "town" => "Same town",
        "one_character" => "One character different",
        "transposed" => "Day and month the other way round",
        "one_digit" => "One digit different",
        "year_only" => "Same year only",
        "year" => "Same year of birth",
        "age_range" => "Within the estimated age",
        "outside_age_range" => "Outside the estimated age",
        "agree" => "The same",
        "disagree" => "Different",
        "shared" => "Other registrants share these particulars",
        _ => "Compared",
    }
}

/// "Exactly the same: counts for (+7.2)": the level in words and which way it pushed the
/// linker, with the weight it gave (a log-likelihood ratio; the explanation never has values).
pub fn finding(f: &FieldScore) -> String {
    let direction = if f.weight >= 0.0 { "counts for" } else { "counts against" };
    format!("{}: {direction} ({:+.1})", level_words(&f.level), f.weight)
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() { "Not known".into() } else { items.join("; ") }
}

fn names(p: &Particulars) -> String {
    list(p.names.iter().map(|n| format!("{} {}", n.given, n.family).trim().to_owned()).collect())
}

fn birth(p: &Particulars) -> String {
    let mut out: Vec<String> = p.dates_of_birth.iter().map(|d| date(*d)).collect();
    if let Some(year) = p.birth_year {
        out.push(format!("Born in {year}"));
    }
    if let (Some(from), Some(to)) = (p.age_from, p.age_to) {
        out.push(format!("Aged about {from} to {to}"));
    }
    list(out)
}

fn identifiers(p: &Particulars, kind: IdentifierKind) -> String {
    list(
        p.identifiers
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| match (&i.platform, &i.country) {
                (Some(platform), _) => format!("{} on {platform}", i.value),
                (None, Some(country)) => format!("{} (issued by {country})", i.value),
                (None, None) => i.value.clone(),
            })
            .collect(),
    )
}

pub fn identifier_label(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Phone => "Phone number",
        IdentifierKind::Email => "Email address",
        IdentifierKind::OnlineHandle => "Online handle",
        IdentifierKind::Imei => "Phone handset (IMEI)",
        IdentifierKind::VehicleRegistration => "Vehicle registration",
        IdentifierKind::PncId => "PNC ID",
        IdentifierKind::NiNumber => "National Insurance number",
        IdentifierKind::Passport => "Passport number",
        IdentifierKind::NationalId => "Another country's national identifier",
    }
}

/// The comparison rows: names, date of birth, every kind of identifier either side has, and
/// postcodes; each with the linker's finding for that field.
fn compare(review: &LinkReview) -> (Vec<Compared>, Vec<String>) {
    let explanation = &review.link.explanation;
    let found = |field: &str| explanation.iter().find(|f| f.field == field).map(finding).unwrap_or_default();
    let (s, c) = (&review.suspect, &review.candidate);
    let mut rows = vec![
        Compared { label: "Names".into(), suspect: names(s), candidate: names(c), finding: found("name") },
        Compared { label: "Date of birth".into(), suspect: birth(s), candidate: birth(c), finding: found("date_of_birth") },
    ];
    for kind in IdentifierKind::ALL {
        let either = s.identifiers.iter().chain(c.identifiers.iter()).any(|i| i.kind == *kind);
        if either {
            rows.push(Compared {
                label: identifier_label(*kind).into(),
                suspect: identifiers(s, *kind),
                candidate: identifiers(c, *kind),
                finding: found(kind.as_str()),
            });
        }
    }
    if !s.postcodes.is_empty() || !c.postcodes.is_empty() {
        rows.push(Compared {
            label: "Postcode".into(),
            suspect: list(s.postcodes.clone()),
            candidate: list(c.postcodes.clone()),
            finding: found("postcode"),
        });
    }
    let notes = explanation.iter().filter(|f| f.field == "competing_candidates").map(finding).collect();
    (rows, notes)
}

/// The reason given for this link in this session, or the way to the page that asks.
async fn justified(state: &AppState, visitor: &mut Visitor, id: LinkId) -> Result<String, Response> {
    match justifications::current(&state.ctx, visitor.session_id, id.into(), crate::clock::now()).await {
        Ok(Some(given)) => {
            let title = given.reason_code.as_deref().and_then(domain::reasons::find).map(|r| r.title).unwrap_or_default().to_owned();
            visitor.caller.justification = given;
            Ok(title)
        }
        Ok(None) => Err(Redirect::to(&format!("/links/{id}/why")).into_response()),
        Err(e) => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/links")), e)),
    }
}

struct Entered {
    decision: String,
    why: String,
    errors: Vec<FieldError>,
}

async fn review_page(state: &AppState, visitor: &Visitor, id: LinkId, reason: String, entered: Entered, status: StatusCode) -> Response {
    let chrome = Chrome::for_visitor(visitor, "/links");
    let review = match links::review(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(review) => review,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let (rows, notes) = compare(&review);
    let link = &review.link;
    let open = matches!(link.status, LinkStatus::Pending | LinkStatus::NeedsInfo);
    let page = ReviewPage {
        chrome,
        id: id.to_string(),
        reason,
        report: link.report_reference.clone(),
        candidate: link.target_reference.clone(),
        candidate_kind: kind_words(link.target_kind),
        candidate_href: (link.target_kind == TargetKind::Registrant).then(|| format!("/registrants/{}", link.target_id)),
        held_by: review.candidate.held_by.clone(),
        band: band(link),
        band_tag: pages::status_tag(&band(link).to_lowercase()),
        status: match link.status {
            LinkStatus::Pending => "Waiting for review".into(),
            LinkStatus::NeedsInfo => "Waiting for information".into(),
            other => pages::words(other.as_str()),
        },
        open,
        may_refer: link.status == LinkStatus::Pending,
        proposed: date(domain::calendar::local_date(link.created_at)),
        rows,
        notes,
        version: link.version,
        decision: entered.decision,
        why: entered.why,
        errors: entered.errors,
    };
    (status, page).into_response()
}

pub async fn review(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<LinkId>) -> Response {
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let entered = Entered { decision: String::new(), why: String::new(), errors: Vec::new() };
    review_page(&state, &visitor, id, reason, entered, StatusCode::OK).await
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path(id): Path<LinkId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    // The page being decided on was read under a reason; deciding without one (it expired)
    // goes back to ask.
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let decision = form.decision.as_deref().and_then(LinkDecision::parse);
    let mut errors = form.errors(decision.is_some(), "Choose whether this is the same person");
    let back = |errors: Vec<FieldError>| Entered { decision: form.decision.clone().unwrap_or_default(), why: form.why.clone(), errors };
    let (Some(decision), Some(version), true) = (decision, form.version, errors.is_empty()) else {
        if form.version.is_none() && errors.is_empty() {
            errors.push(FieldError { field: "decision".into(), code: "stale", detail: "Reload the page and decide again".into() });
        }
        return review_page(&state, &visitor, id, reason, back(errors), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = LinkDecisionInput { decision, reason: form.why.clone(), version };
    match links::decide(&state.ctx, &visitor.caller, id, input, crate::clock::now()).await {
        Ok(_) => {
            let done = match decision {
                LinkDecision::Confirm => "confirmed",
                LinkDecision::Reject => "rejected",
                LinkDecision::NeedsInfo => "referred",
            };
            Redirect::to(&format!("/links?done={done}")).into_response()
        }
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| {
                    let field = if e.field == "reason" { "why" } else { "decision" };
                    FieldError { field: field.into(), code: e.code, detail: pages::sentence(&e.detail) }
                })
                .collect();
            review_page(&state, &visitor, id, reason, back(errors), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // Someone decided it first, or it changed since this page was read: say so on the page.
        Err(ServiceError::Conflict { .. }) => {
            let errors = vec![FieldError {
                field: "decision".into(),
                code: "conflict",
                detail: "This link has changed since you opened it, or someone has already decided it. Check it again".into(),
            }];
            review_page(&state, &visitor, id, reason, back(errors), StatusCode::CONFLICT).await
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/links")), e),
    }
}

fn why_page(visitor: &Visitor, id: LinkId) -> WhyPage {
    WhyPage {
        chrome: Chrome::for_visitor(visitor, "/links"),
        action: format!("/links/{id}/why"),
        next: String::new(),
        reasons: REASONS,
        chosen: String::new(),
        reference: String::new(),
        errors: Vec::new(),
    }
}

pub async fn why(visitor: Visitor, Path(id): Path<LinkId>) -> Response {
    why_page(&visitor, id).into_response()
}

#[derive(Deserialize)]
pub struct WhyForm {
    #[serde(default)]
    csrf: String,
    reason: Option<String>,
    reference: Option<String>,
}

pub async fn give_reason(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<LinkId>,
    Form(form): Form<WhyForm>,
) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let now = crate::clock::now();
    match justifications::give(&state.ctx, visitor.session_id, id.into(), form.reason.as_deref(), form.reference.as_deref(), now).await {
        Ok(_) => Redirect::to(&format!("/links/{id}")).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = why_page(&visitor, id);
            page.chosen = form.reason.unwrap_or_default();
            page.reference = form.reference.unwrap_or_default();
            page.errors = errors.0;
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/links")), e),
    }
}
