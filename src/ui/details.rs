//! A registrant's personal details: names, dates of birth, addresses and identifiers as summary
//! cards, read under the reason given for the record (`record::justified`). "Add" links, and
//! the add-a-name, add-an-address and add-an-identifier pages behind them, are there only for
//! officers of the managing organisation who may write; everyone else gets the cards alone.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::RegistrantId;

use super::form::{self, Fields};
use super::pages::{self, Chrome, Done, date};
use super::particulars::{self, AddressRow, IdentifierRow, NameRow, Options, Row, rows};
use super::record::justified;
use super::session::{self, Visitor};
use crate::auth::Permission;
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::registrants::views::RegistrantView;
use crate::services::registrants::{self, Addition};

pub struct Card {
    pub title: &'static str,
    /// Where to add another, for those who may.
    pub add: Option<(String, &'static str)>,
    pub items: Vec<CardItem>,
    pub empty: &'static str,
}

/// One row of a card, and what those who may can do to it: (href, words, what it is for the
/// visually hidden part of the link).
pub struct CardItem {
    pub text: String,
    pub actions: Vec<(String, &'static str, String)>,
}

impl From<String> for CardItem {
    fn from(text: String) -> Self {
        Self { text, actions: Vec::new() }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "details.html")]
pub struct DetailsPage {
    pub chrome: Chrome,
    pub tabs: Vec<super::record::Tab>,
    pub name: String,
    pub reference: String,
    pub reason: String,
    pub cards: Vec<Card>,
}

/// Whether this caller may change this registrant: the write permission, in the managing
/// organisation (the service checks both again).
fn may_write(visitor: &Visitor, r: &RegistrantView) -> bool {
    visitor.caller.can(Permission::RegistrantWrite) && visitor.caller.org == r.managing_org
}

pub(super) fn primary_name(r: &RegistrantView) -> String {
    let primary = r.names.iter().find(|n| n.kind.as_str() == "primary").or(r.names.first());
    primary.map(|n| format!("{} {}", n.given, n.family).trim().to_owned()).unwrap_or_else(|| "(no name recorded)".into())
}

const BANNERS: &[(&str, &str)] = &[
    ("name", "Name added"),
    ("address", "Address added"),
    ("identifier", "Identifier added"),
    (
        "address_end",
        "Address ended. If it was their only home address, they now have no home address: the duties tab shows any notification that starts.",
    ),
    ("address_correct", "Address corrected"),
];

pub async fn details(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Query(done): Query<Done>,
) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/caseload");
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let r = match registrants::get(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(r) => r,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let write = may_write(&visitor, &r);
    let add = |what: &str, words: &'static str| write.then(|| (format!("/registrants/{id}/details/{what}/new"), words));
    let cards = vec![
        Card {
            title: "Names",
            add: add("names", "Add a name"),
            items: r.names.iter().map(|n| NameRow::describe(&n.given, &n.family, n.kind).into()).collect(),
            empty: "No names recorded",
        },
        Card { title: "Dates of birth", add: None, items: r.birth_dates.iter().map(|b| date(b.date).into()).collect(), empty: "Not known" },
        Card {
            title: "Addresses",
            add: add("addresses", "Add an address"),
            items: r
                .addresses
                .iter()
                .map(|a| {
                    let mut text = AddressRow::describe(a.kind, &a.lines, a.town.as_deref(), a.postcode.as_deref(), a.valid_from);
                    if let Some(to) = a.valid_to {
                        text.push_str(&format!(", until {}", date(to)));
                    }
                    if a.corrected.is_some() {
                        text.push_str(" (corrected)");
                    }
                    let base = format!("/registrants/{id}/details/addresses/{}", a.id);
                    let mut actions = Vec::new();
                    if write {
                        if a.valid_to.is_none() {
                            actions.push((format!("{base}/end"), "End", format!(" {}", a.lines.first().cloned().unwrap_or_default())));
                        }
                        actions.push((format!("{base}/correct"), "Correct", format!(" {}", a.lines.first().cloned().unwrap_or_default())));
                    }
                    CardItem { text, actions }
                })
                .collect(),
            empty: "No addresses recorded",
        },
        Card {
            title: "Identifiers",
            add: add("identifiers", "Add an identifier"),
            items: r
                .identifiers
                .iter()
                .map(|x| IdentifierRow::describe(x.kind, x.platform.as_deref(), x.country.as_deref(), &x.value).into())
                .collect(),
            empty: "No identifiers recorded",
        },
    ];
    chrome.banner = done.banner(BANNERS);
    let tabs = super::record::tabs(&visitor.caller, id, "/details");
    DetailsPage { chrome, tabs, name: primary_name(&r), reference: r.reference.clone(), reason, cards }.into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "details_add.html")]
pub struct AddPage {
    pub chrome: Chrome,
    pub id: String,
    pub what: &'static str,
    pub title: &'static str,
    pub name: String,
    pub errors: Vec<FieldError>,
    pub names: Vec<Row<NameRow>>,
    pub addresses: Vec<Row<AddressRow>>,
    pub identifiers: Vec<Row<IdentifierRow>>,
    pub name_kinds: Options,
    pub address_kinds: Options,
    pub identifier_kinds: Options,
}

fn what_of(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "names" => Some(("names", "Add a name")),
        "addresses" => Some(("addresses", "Add an address")),
        "identifiers" => Some(("identifiers", "Add an identifier")),
        _ => None,
    }
}

struct Typed {
    name: NameRow,
    address: AddressRow,
    identifier: IdentifierRow,
}

fn add_page(
    chrome: Chrome,
    id: RegistrantId,
    what: (&'static str, &'static str),
    name: String,
    typed: Typed,
    errors: Vec<FieldError>,
) -> AddPage {
    AddPage {
        chrome,
        id: id.to_string(),
        what: what.0,
        title: what.1,
        name,
        names: rows("names", &[typed.name], &errors),
        addresses: rows("addresses", &[typed.address], &errors),
        identifiers: rows("identifiers", &[typed.identifier], &errors),
        name_kinds: particulars::other_name_kinds(),
        address_kinds: particulars::address_kinds(),
        identifier_kinds: particulars::identifier_kinds(),
        errors,
    }
}

/// The registrant, if this caller may add to them; otherwise the page that says why not.
pub(super) async fn writable(state: &AppState, visitor: &mut Visitor, id: RegistrantId) -> Result<RegistrantView, Response> {
    justified(state, visitor, id).await?;
    let chrome = || Chrome::for_visitor(visitor, "/caseload");
    let r = registrants::get(&state.ctx, &visitor.caller, id, crate::clock::now())
        .await
        .map_err(|e| pages::service_error(Some(chrome()), e))?;
    if !may_write(visitor, &r) {
        let refusal = crate::auth::AccessError::OtherOrganisation;
        return Err(pages::service_error(Some(chrome()), ServiceError::Forbidden(refusal)));
    }
    Ok(r)
}

pub async fn add_form(State(state): State<AppState>, mut visitor: Visitor, Path((id, path)): Path<(RegistrantId, String)>) -> Response {
    let Some(what) = what_of(&path) else { return not_found(&visitor) };
    let r = match writable(&state, &mut visitor, id).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let typed = Typed {
        name: NameRow::default(),
        address: AddressRow { kind: "home".into(), ..AddressRow::default() },
        identifier: IdentifierRow::default(),
    };
    add_page(Chrome::for_visitor(&visitor, "/caseload"), id, what, primary_name(&r), typed, Vec::new()).into_response()
}

pub(super) fn not_found(visitor: &Visitor) -> Response {
    pages::error_page(Some(Chrome::for_visitor(visitor, "/caseload")), StatusCode::NOT_FOUND, "Page not found", "There is no such page.")
}

pub async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, path)): Path<(RegistrantId, String)>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let Some(what) = what_of(&path) else { return not_found(&visitor) };
    let r = match writable(&state, &mut visitor, id).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let typed =
        Typed { name: NameRow::read(&fields, 0), address: AddressRow::read(&fields, 0), identifier: IdentifierRow::read(&fields, 0) };
    let (checked, code) = match what.0 {
        "names" => (particulars::check_name(&typed.name, 0, None).map(Addition::Name), "name"),
        "addresses" => (particulars::check_address(&typed.address, 0).map(Addition::Address), "address"),
        _ => (particulars::check_identifier(&typed.identifier, 0).map(Addition::Identifier), "identifier"),
    };
    let addition = match checked {
        Ok(addition) => addition,
        Err(errors) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, add_page(chrome, id, what, primary_name(&r), typed, errors)).into_response();
        }
    };
    match registrants::add(&state.ctx, &visitor.caller, id, addition, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("/registrants/{id}/details?done={code}")).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            // The service names fields from the body's root; on this page they are row 0's.
            let errors = errors.0.into_iter().map(|mut e| {
                e.field = format!("{}[0].{}", what.0, e.field);
                e
            });
            let errors = form::from_service(errors.collect(), |_| "This answer");
            (StatusCode::UNPROCESSABLE_ENTITY, add_page(chrome, id, what, primary_name(&r), typed, errors)).into_response()
        }
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
