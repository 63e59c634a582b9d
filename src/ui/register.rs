//! Add a registrant: a start page, a task list, one question page per section (names with
//! aliases, dates of birth, addresses and identifiers as add-another lists that work without
//! JavaScript, then management and risk), check answers, an interruption card when the register
//! already holds someone who may be the same person, and a confirmation panel with the new
//! reference. Answers between pages are a sealed draft bound to the browser session
//! (`services::web_drafts`), never in a URL; nothing reaches the register until the check
//! answers page submits it to the same service as `POST /api/v1/registrants`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::RegistrantId;
use domain::vocab::{NameKind, RiskLevel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{DateBoxes, Fields, error};
use super::pages::{self, Chrome, words};
use super::particulars::{self, AddressRow, IdentifierRow, NameRow, Options, Row, rows};
use super::session::{self, Visitor};
use crate::auth::Justification;
use crate::http::AppState;
use crate::services::registrants::input::{MappaInput, NewRegistrantInput, RiskInput};
use crate::services::registrants::search::{self, IdentifierQuery, NameQuery, SearchInput};
use crate::services::{ServiceError, registrants, web_drafts};

/// The most rows one add-another list offers (the service's own limits are higher).
const MAX_ROWS: usize = 10;

/// The sections of the task list, in order: (path, title, hint).
const SECTIONS: &[(&str, &str, &str)] = &[
    ("names", "Names", "The name they use now, and any other names"),
    ("dates", "Dates of birth", "Optional"),
    ("addresses", "Addresses", "Optional"),
    ("identifiers", "Identifiers", "Optional: phone numbers, email addresses, online handles and other numbers"),
    ("management", "Management and risk", "Optional: officer, supervising probation service, risk and MAPPA"),
];

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct Management {
    pub officer: String,
    pub supervising_org: String,
    pub risk: String,
    pub risk_tool: String,
    pub mappa_category: String,
    pub mappa_level: String,
}

/// What has been answered so far. `form` names the draft's kind, so that a draft of another
/// form never opens as this one.
#[derive(Serialize, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    form: String,
    names: Vec<NameRow>,
    dates: Vec<DateBoxes>,
    addresses: Vec<AddressRow>,
    identifiers: Vec<IdentifierRow>,
    management: Management,
    done: Vec<String>,
    /// Once added: the registrant and their reference, for the confirmation page.
    created: Option<(RegistrantId, String)>,
}

const FORM: &str = "add_registrant";

#[derive(Template, WebTemplate)]
#[template(path = "register_start.html")]
pub struct StartPage {
    pub chrome: Chrome,
}

pub async fn start_page(visitor: Visitor) -> StartPage {
    StartPage { chrome: Chrome::for_visitor(&visitor, "/find") }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn start(State(state): State<AppState>, headers: HeaderMap, visitor: Visitor, Form(form): Form<CsrfOnly>) -> Response {
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), &form.csrf) {
        return refused;
    }
    let draft = Draft { form: FORM.into(), names: vec![NameRow { kind: "primary".into(), ..NameRow::default() }], ..Draft::default() };
    match web_drafts::create(&state.ctx, visitor.session_id, &draft, crate::clock::now()).await {
        Ok(id) => Redirect::to(&format!("/registrants/new/{id}")).into_response(),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/find")), e),
    }
}

/// The draft of this session, or the page that says it has gone.
async fn draft(state: &AppState, visitor: &Visitor, id: Uuid) -> Result<Draft, Response> {
    match web_drafts::load::<Draft>(&state.ctx, visitor.session_id, id, crate::clock::now()).await {
        Ok(Some(d)) if d.form == FORM => Ok(d),
        Ok(_) => Err(pages::error_page(
            Some(Chrome::for_visitor(visitor, "/find")),
            StatusCode::NOT_FOUND,
            "Your answers have gone",
            "Answers are kept for 2 hours after your last change, and only while you stay signed in. Start again from Add a registrant.",
        )),
        Err(e) => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/find")), e)),
    }
}

async fn keep(state: &AppState, visitor: &Visitor, id: Uuid, draft: &Draft) -> Result<(), Response> {
    match web_drafts::save(&state.ctx, visitor.session_id, id, draft, crate::clock::now()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(pages::error_page(
            Some(Chrome::for_visitor(visitor, "/find")),
            StatusCode::NOT_FOUND,
            "Your answers have gone",
            "Answers are kept for 2 hours after your last change, and only while you stay signed in. Start again from Add a registrant.",
        )),
        Err(e) => Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/find")), e)),
    }
}

pub struct Task {
    pub path: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    pub done: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_tasks.html")]
pub struct TasksPage {
    pub chrome: Chrome,
    pub draft: String,
    pub tasks: Vec<Task>,
    pub can_check: bool,
}

pub async fn tasks(State(state): State<AppState>, visitor: Visitor, Path(id): Path<Uuid>) -> Response {
    let d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    if d.created.is_some() {
        return Redirect::to(&format!("/registrants/new/{id}/done")).into_response();
    }
    let tasks = SECTIONS.iter().map(|(path, title, hint)| Task { path, title, hint, done: d.done.iter().any(|s| s == path) }).collect();
    let can_check = d.done.iter().any(|s| s == "names");
    TasksPage { chrome: Chrome::for_visitor(&visitor, "/find"), draft: id.to_string(), tasks, can_check }.into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "register_step.html")]
pub struct StepPage {
    pub chrome: Chrome,
    pub draft: String,
    pub step: &'static str,
    pub title: &'static str,
    pub errors: Vec<FieldError>,
    pub names: Vec<Row<NameRow>>,
    pub dates: Vec<Row<DateBoxes>>,
    pub addresses: Vec<Row<AddressRow>>,
    pub identifiers: Vec<Row<IdentifierRow>>,
    pub management: Management,
    pub name_kinds: Options,
    pub address_kinds: Options,
    pub identifier_kinds: Options,
    pub risk_levels: Options,
    pub mappa_categories: Options,
    pub mappa_levels: Options,
    pub max_rows: usize,
}

impl StepPage {
    fn err(&self, id: &str) -> Option<&str> {
        super::form::error_for(&self.errors, id)
    }
}

fn step_of(path: &str) -> Option<(&'static str, &'static str)> {
    SECTIONS.iter().find(|(p, _, _)| *p == path).map(|(p, t, _)| (*p, *t))
}

fn step_page(chrome: Chrome, id: Uuid, step: (&'static str, &'static str), d: &Draft, errors: Vec<FieldError>) -> StepPage {
    let at_least_one = |n: usize| n.max(1);
    let mut dates = d.dates.clone();
    dates.resize(at_least_one(dates.len()), DateBoxes::default());
    StepPage {
        chrome,
        draft: id.to_string(),
        step: step.0,
        title: step.1,
        names: rows("names", &d.names, &errors),
        dates: rows("dates", &dates, &errors),
        addresses: rows("addresses", &d.addresses, &errors),
        identifiers: rows("identifiers", &d.identifiers, &errors),
        management: d.management.clone(),
        name_kinds: particulars::other_name_kinds(),
        address_kinds: particulars::address_kinds(),
        identifier_kinds: particulars::identifier_kinds(),
        risk_levels: RiskLevel::ALL.iter().map(|k| (k.as_str().to_owned(), words(k.as_str()))).collect(),
        mappa_categories: (1..=4).map(|n| (n.to_string(), format!("Category {n}"))).collect(),
        mappa_levels: (1..=3).map(|n| (n.to_string(), format!("Level {n}"))).collect(),
        max_rows: MAX_ROWS,
        errors,
    }
}

pub async fn step_form(State(state): State<AppState>, visitor: Visitor, Path((id, path)): Path<(Uuid, String)>) -> Response {
    match path.as_str() {
        "check" => return check_answers(state, visitor, id).await,
        "done" => return done(state, visitor, id).await,
        _ => {}
    }
    let Some(step) = step_of(&path) else { return not_found(&visitor) };
    let mut d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    // An empty list still shows one row to fill in.
    match step.0 {
        "addresses" if d.addresses.is_empty() => d.addresses.push(AddressRow { kind: "home".into(), ..AddressRow::default() }),
        "identifiers" if d.identifiers.is_empty() => d.identifiers.push(IdentifierRow::default()),
        _ => {}
    }
    step_page(Chrome::for_visitor(&visitor, "/find"), id, step, &d, Vec::new()).into_response()
}

fn not_found(visitor: &Visitor) -> Response {
    pages::error_page(Some(Chrome::for_visitor(visitor, "/find")), StatusCode::NOT_FOUND, "Page not found", "There is no such page.")
}

/// What one list's "Add another" and "Remove" buttons do to it; `true` if the button was one
/// of them (the page is shown again, nothing checked).
fn add_or_remove<T: Default>(list: &mut Vec<T>, action: &str, keep_first: bool) -> bool {
    if action == "add" {
        if list.len() < MAX_ROWS {
            list.push(T::default());
        }
        return true;
    }
    if let Some(i) = action.strip_prefix("remove-").and_then(|i| i.parse::<usize>().ok()) {
        if i < list.len() && !(keep_first && i == 0) {
            list.remove(i);
        }
        return true;
    }
    false
}

pub async fn step_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path((id, path)): Path<(Uuid, String)>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    if path == "check" {
        return submit(state, visitor, id, fields).await;
    }
    let Some(step) = step_of(&path) else { return not_found(&visitor) };
    let mut d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/find");
    let action = fields.get("action");
    let today = domain::calendar::local_date(crate::clock::now());
    let mut errors = Vec::new();
    match step.0 {
        "names" => {
            d.names = fields.rows("names", MAX_ROWS).into_iter().map(|i| NameRow::read(&fields, i)).collect();
            if d.names.is_empty() {
                d.names.push(NameRow::default());
            }
            if add_or_remove(&mut d.names, action, true) {
                return step_page(chrome, id, step, &d, errors).into_response();
            }
            d.names = d.names.iter().enumerate().filter(|(i, n)| *i == 0 || !n.is_blank()).map(|(_, n)| n.clone()).collect();
            for (i, n) in d.names.iter().enumerate() {
                let kind = (i == 0).then_some(NameKind::Primary);
                errors.extend(particulars::check_name(n, i, kind).err().unwrap_or_default());
            }
        }
        "dates" => {
            d.dates = fields.rows("dates", MAX_ROWS).into_iter().map(|i| fields.date(&format!("dates-{i}"))).collect();
            if add_or_remove(&mut d.dates, action, false) {
                return step_page(chrome, id, step, &d, errors).into_response();
            }
            d.dates.retain(|b| !b.is_blank());
            for (i, b) in d.dates.iter().enumerate() {
                errors.extend(particulars::check_birth_date(b, i, today).err());
            }
        }
        "addresses" => {
            d.addresses = fields.rows("addresses", MAX_ROWS).into_iter().map(|i| AddressRow::read(&fields, i)).collect();
            if add_or_remove(&mut d.addresses, action, false) {
                return step_page(chrome, id, step, &d, errors).into_response();
            }
            d.addresses.retain(|a| !a.is_blank());
            for (i, a) in d.addresses.iter().enumerate() {
                errors.extend(particulars::check_address(a, i).err().unwrap_or_default());
            }
        }
        "identifiers" => {
            d.identifiers = fields.rows("identifiers", MAX_ROWS).into_iter().map(|i| IdentifierRow::read(&fields, i)).collect();
            if add_or_remove(&mut d.identifiers, action, false) {
                return step_page(chrome, id, step, &d, errors).into_response();
            }
            d.identifiers.retain(|x| !x.is_blank());
            for (i, x) in d.identifiers.iter().enumerate() {
                errors.extend(particulars::check_identifier(x, i).err().unwrap_or_default());
            }
        }
        _ => {
            let get = |name: &str| fields.get(name).trim().to_owned();
            d.management = Management {
                officer: get("officer"),
                supervising_org: get("supervising_org"),
                risk: get("risk"),
                risk_tool: get("risk_tool"),
                mappa_category: get("mappa_category"),
                mappa_level: get("mappa_level"),
            };
            errors = management(&d.management).err().unwrap_or_default();
        }
    }
    if !errors.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, step_page(chrome, id, step, &d, errors)).into_response();
    }
    if !d.done.iter().any(|s| s == step.0) {
        d.done.push(step.0.to_owned());
    }
    if let Err(page) = keep(&state, &visitor, id, &d).await {
        return page;
    }
    Redirect::to(&format!("/registrants/new/{id}")).into_response()
}

type Managed = (Option<String>, Option<String>, Option<RiskInput>, Option<MappaInput>);

/// The management answers checked as the service checks them.
fn management(m: &Management) -> Result<Managed, Vec<FieldError>> {
    use crate::services::registrants::input::{org_code, short_text};
    let mut errors = domain::errors::FieldErrors::default();
    let present = |s: &str| Some(s).filter(|s| !s.is_empty()).map(str::to_owned);
    let officer = short_text(&mut errors, "officer", present(&m.officer).as_deref(), 100);
    let supervising = org_code(&mut errors, "supervising_org", present(&m.supervising_org).as_deref());
    let tool = short_text(&mut errors, "risk_tool", present(&m.risk_tool).as_deref(), 40);
    let mut page: Vec<FieldError> = super::form::from_service(errors.0, |f| match f {
        "officer" => "The officer's name",
        "supervising_org" => "The probation service",
        _ => "The assessment tool",
    });
    for e in &mut page {
        if e.code == "invalid_organisation" {
            e.detail = "Enter the probation service's code, like probation-london".into();
        }
    }
    let risk = match m.risk.as_str() {
        "" => None,
        code => match RiskLevel::parse(code) {
            Some(level) => Some(RiskInput { level, tool: tool.clone(), next_review_on: None }),
            None => {
                page.push(error("risk", "invalid", "Choose a risk level from the list"));
                None
            }
        },
    };
    if risk.is_none() && tool.is_some() {
        page.push(error("risk", "required", "Choose the risk level the assessment found"));
    }
    let mappa = match (m.mappa_category.parse::<i16>().ok(), m.mappa_level.parse::<i16>().ok()) {
        (Some(category), Some(level)) if (1..=4).contains(&category) && (1..=3).contains(&level) => {
            Some(MappaInput { category, level, next_review_on: None })
        }
        (None, None) if m.mappa_category.is_empty() && m.mappa_level.is_empty() => None,
        (category, _) => {
            if category.is_none_or(|c| !(1..=4).contains(&c)) {
                page.push(error("mappa_category", "required", "Choose the MAPPA category, or neither category nor level"));
            } else {
                page.push(error("mappa_level", "required", "Choose the MAPPA level, or neither category nor level"));
            }
            None
        }
    };
    if page.is_empty() { Ok((officer, supervising, risk, mappa)) } else { Err(page) }
}

/// The whole draft as the service's request, checked again page by page.
fn request(d: &Draft) -> Result<NewRegistrantInput, Vec<FieldError>> {
    let today = domain::calendar::local_date(crate::clock::now());
    let mut errors = Vec::new();
    let mut names = Vec::new();
    for (i, n) in d.names.iter().enumerate() {
        match particulars::check_name(n, i, (i == 0).then_some(NameKind::Primary)) {
            Ok(name) => names.push(name),
            Err(e) => errors.extend(e),
        }
    }
    let mut birth_dates = Vec::new();
    for (i, b) in d.dates.iter().enumerate() {
        match particulars::check_birth_date(b, i, today) {
            Ok(date) => birth_dates.extend(date),
            Err(e) => errors.push(e),
        }
    }
    let mut addresses = Vec::new();
    for (i, a) in d.addresses.iter().enumerate() {
        match particulars::check_address(a, i) {
            Ok(address) => addresses.push(address),
            Err(e) => errors.extend(e),
        }
    }
    let mut identifiers = Vec::new();
    for (i, x) in d.identifiers.iter().enumerate() {
        match particulars::check_identifier(x, i) {
            Ok(identifier) => identifiers.push(identifier),
            Err(e) => errors.extend(e),
        }
    }
    let managed = management(&d.management).map_err(|e| errors.extend(e)).ok();
    if !errors.is_empty() {
        return Err(errors);
    }
    let (managing_officer, supervising_org, risk, mappa) = managed.unwrap_or_default();
    Ok(NewRegistrantInput {
        managing_org: None,
        managing_officer,
        supervising_org,
        status: None,
        risk,
        mappa,
        names,
        birth_dates,
        descriptors: Vec::new(),
        addresses,
        identifiers,
        notes: None,
    })
}

pub struct Answer {
    /// The row's id; the first row of a section is the one its errors link to.
    pub anchor: String,
    pub key: &'static str,
    pub values: Vec<String>,
    pub change: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_check.html")]
pub struct CheckPage {
    pub chrome: Chrome,
    pub draft: String,
    pub answers: Vec<Answer>,
    pub errors: Vec<FieldError>,
}

fn answers(d: &Draft) -> Vec<Answer> {
    let mut out = Vec::new();
    let names = d
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let kind = if i == 0 { Some(NameKind::Primary) } else { NameKind::parse(&n.kind) };
            NameRow::describe(&n.given, &n.family, kind.unwrap_or(NameKind::Alias))
        })
        .collect();
    out.push(Answer { anchor: String::new(), key: "Names", values: names, change: "names" });
    let dates = d.dates.iter().map(|b| b.date().ok().flatten().map(pages::date).unwrap_or_default()).collect();
    out.push(Answer { anchor: String::new(), key: "Dates of birth", values: dates, change: "dates" });
    let addresses = d
        .addresses
        .iter()
        .filter_map(|a| {
            let checked = particulars::check_address(a, 0).ok()?;
            // The postcode as it will be stored.
            let postcode = checked.postcode.map(|p| domain::person::uk_postcode("postcode", &p).unwrap_or(p));
            Some(AddressRow::describe(checked.kind, &checked.lines, checked.town.as_deref(), postcode.as_deref(), checked.valid_from))
        })
        .collect();
    out.push(Answer { anchor: String::new(), key: "Addresses", values: addresses, change: "addresses" });
    let identifiers = d
        .identifiers
        .iter()
        .filter_map(|x| {
            let checked = particulars::check_identifier(x, 0).ok()?;
            Some(IdentifierRow::describe(checked.kind, checked.platform.as_deref(), checked.country.as_deref(), checked.value.trim()))
        })
        .collect();
    out.push(Answer { anchor: String::new(), key: "Identifiers", values: identifiers, change: "identifiers" });
    let m = &d.management;
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    out.push(Answer {
        anchor: String::new(),
        key: "Managing officer",
        values: some(&m.officer).into_iter().collect(),
        change: "management",
    });
    out.push(Answer {
        anchor: String::new(),
        key: "Supervised by",
        values: some(&m.supervising_org).into_iter().collect(),
        change: "management",
    });
    let risk = some(&m.risk).map(|r| match some(&m.risk_tool) {
        Some(tool) => format!("{} ({tool})", words(&r)),
        None => words(&r),
    });
    out.push(Answer { anchor: String::new(), key: "Risk", values: risk.into_iter().collect(), change: "management" });
    let mappa = (!m.mappa_category.is_empty()).then(|| format!("Category {}, level {}", m.mappa_category, m.mappa_level));
    out.push(Answer { anchor: String::new(), key: "MAPPA", values: mappa.into_iter().collect(), change: "management" });
    for i in 0..out.len() {
        let first = out[..i].iter().all(|a| a.change != out[i].change);
        out[i].anchor = if first { format!("answer-{}", out[i].change) } else { format!("answer-{}-{i}", out[i].change) };
    }
    out
}

async fn check_answers(state: AppState, visitor: Visitor, id: Uuid) -> Response {
    let d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    if d.created.is_some() {
        return Redirect::to(&format!("/registrants/new/{id}/done")).into_response();
    }
    if !d.done.iter().any(|s| s == "names") {
        return Redirect::to(&format!("/registrants/new/{id}")).into_response();
    }
    CheckPage { chrome: Chrome::for_visitor(&visitor, "/find"), draft: id.to_string(), answers: answers(&d), errors: Vec::new() }
        .into_response()
}

pub struct Existing {
    pub id: String,
    pub name: String,
    pub reference: String,
    pub managing_org: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_duplicate.html")]
pub struct DuplicatePage {
    pub chrome: Chrome,
    pub draft: String,
    pub existing: Vec<Existing>,
}

/// Who on the register may be the same person: the same full name (with the date of birth, if
/// one was given), or the same identifier. Searched as `Find a registrant` searches, and
/// audited as a search made to keep the register free of duplicates.
async fn possible_duplicates(state: &AppState, visitor: &Visitor, input: &NewRegistrantInput) -> Result<Vec<Existing>, ServiceError> {
    let mut caller = visitor.caller.clone();
    caller.justification = Justification { reason_code: Some("DATA_QUALITY".into()), crime_reference: None };
    let mut queries = Vec::new();
    for n in &input.names {
        let name = Some(NameQuery { given: n.given.clone(), family: n.family.clone() });
        queries.push(SearchInput { identifier: None, name, date_of_birth: input.birth_dates.first().copied() });
    }
    for x in &input.identifiers {
        let identifier =
            Some(IdentifierQuery { kind: x.kind, platform: x.platform.clone(), country: x.country.clone(), value: x.value.clone() });
        queries.push(SearchInput { identifier, name: None, date_of_birth: None });
    }
    let mut found: Vec<Existing> = Vec::new();
    for query in queries {
        let matches = match search::search(&state.ctx, &caller, query, crate::clock::now()).await {
            Ok(m) => m,
            // Answers the service cannot search on were already checked page by page.
            Err(ServiceError::Invalid(_)) => continue,
            Err(e) => return Err(e),
        };
        for m in matches {
            let id = m.id.to_string();
            if !found.iter().any(|f| f.id == id) {
                found.push(Existing {
                    id,
                    name: m.primary_name.unwrap_or_else(|| "(no name recorded)".into()),
                    reference: m.reference,
                    managing_org: m.managing_org,
                });
            }
        }
    }
    Ok(found)
}

async fn submit(state: AppState, visitor: Visitor, id: Uuid, fields: Fields) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/find");
    let mut d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    if d.created.is_some() {
        return Redirect::to(&format!("/registrants/new/{id}/done")).into_response();
    }
    let invalid = |d: &Draft, errors: Vec<FieldError>| {
        // On this page each problem links to the answer it is about.
        let errors = errors
            .into_iter()
            .map(|e| {
                let section = e.field.split('-').next().unwrap_or_default();
                let anchor = match section {
                    "names" | "dates" | "addresses" | "identifiers" => section,
                    _ => "management",
                };
                FieldError { field: format!("answer-{anchor}"), ..e }
            })
            .collect();
        let page = CheckPage { chrome: Chrome::for_visitor(&visitor, "/find"), draft: id.to_string(), answers: answers(d), errors };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let input = match request(&d) {
        Ok(input) => input,
        Err(errors) => return invalid(&d, errors),
    };
    if fields.get("confirm") != "anyway" {
        match possible_duplicates(&state, &visitor, &input).await {
            Ok(existing) if !existing.is_empty() => {
                return DuplicatePage { chrome, draft: id.to_string(), existing }.into_response();
            }
            Ok(_) => {}
            Err(e) => return pages::service_error(Some(chrome), e),
        }
    }
    match registrants::create(&state.ctx, &visitor.caller, input, crate::clock::now()).await {
        Ok(view) => {
            // The answers are no longer needed: only what the confirmation shows is kept.
            d = Draft { form: FORM.into(), created: Some((view.id, view.reference)), ..Draft::default() };
            if let Err(page) = keep(&state, &visitor, id, &d).await {
                return page;
            }
            Redirect::to(&format!("/registrants/new/{id}/done")).into_response()
        }
        Err(ServiceError::Invalid(errors)) => {
            let errors = super::form::from_service(errors.0, |_| "This answer");
            invalid(&d, errors)
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register_done.html")]
pub struct DonePage {
    pub chrome: Chrome,
    pub id: String,
    pub reference: String,
}

async fn done(state: AppState, visitor: Visitor, id: Uuid) -> Response {
    let d = match draft(&state, &visitor, id).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    match d.created {
        Some((registrant, reference)) => {
            DonePage { chrome: Chrome::for_visitor(&visitor, "/find"), id: registrant.to_string(), reference }.into_response()
        }
        None => Redirect::to(&format!("/registrants/new/{id}")).into_response(),
    }
}
