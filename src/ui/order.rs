//! One order: what the court made (summary list), its prohibitions and positive requirements as
//! numbered cards, the people it protects (only for the roles that may see them, and only after
//! the record's "Why are you accessing this?"), and "Record service". Once an order's initial
//! notification duty exists, an inset says when it is due and the rule behind the date: the
//! date is the one on the duty the service created, never worked out again here.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::{OrderId, RegistrantId};
use domain::regimes::Trigger;
use domain::vocab::{ConditionKind, ObligationKind};

use super::form::{self, DateBoxes, Fields, error};
use super::orders::kind_label;
use super::pages::{self, Chrome, Done, date, sentence, words};
use super::record::{Item, justified};
use super::session::{self, Visitor};
use crate::auth::Permission;
use crate::http::AppState;
use crate::services::obligations::{self, regimes};
use crate::services::orders::input::ServiceInput;
use crate::services::orders::views::OrderView;
use crate::services::{ServiceError, orders};

pub struct Condition {
    pub category: String,
    pub text: String,
    pub details: Vec<Item>,
}

#[derive(Template, WebTemplate)]
#[template(path = "order.html")]
pub struct OrderPage {
    pub chrome: Chrome,
    pub tabs: Vec<super::record::Tab>,
    pub id: String,
    pub order: String,
    pub title: String,
    pub status: String,
    pub status_tag: &'static str,
    pub reason: String,
    pub summary: Vec<Item>,
    pub prohibitions: Vec<Condition>,
    pub requirements: Vec<Condition>,
    /// Conditions a variation removed.
    pub removed: Vec<Condition>,
    /// `None`: the caller may not see protected persons.
    pub protected_persons: Option<Vec<String>>,
    pub former_persons: Vec<String>,
    pub hearings: Vec<Hearing>,
    /// "Initial notification due by …", with its rule.
    pub due: Option<String>,
    pub may_serve: bool,
    pub may_vary: bool,
    pub may_discharge: bool,
}

/// The order, read under the record's reason; it must be this registrant's.
pub(super) async fn read(
    state: &AppState,
    visitor: &mut Visitor,
    id: RegistrantId,
    order: OrderId,
) -> Result<(String, OrderView), Response> {
    let reason = justified(state, visitor, id).await?;
    let chrome = Chrome::for_visitor(visitor, "/caseload");
    match orders::get(&state.ctx, &visitor.caller, order, crate::clock::now()).await {
        Ok(o) if o.registrant_id == id => Ok((reason, o)),
        Ok(_) => Err(pages::service_error(Some(chrome), ServiceError::NotFound("order"))),
        Err(e) => Err(pages::service_error(Some(chrome), e)),
    }
}

/// Whether the caller may record what happens to this order (its service, a variation).
pub(super) fn may_change(visitor: &Visitor, o: &OrderView) -> bool {
    visitor.caller.can(Permission::OrderWrite) && visitor.caller.org == o.managing_org && o.status.is_in_force()
}

fn may_serve(visitor: &Visitor, o: &OrderView) -> bool {
    may_change(visitor, o) && o.served_on.is_none()
}

/// When the order ends, in words.
pub(super) fn end_words(o: &OrderView) -> String {
    match (o.expires_on, o.until_further_order) {
        (Some(d), _) => date(d),
        (None, true) => "Until further order".into(),
        (None, false) => "Not recorded".into(),
    }
}

/// One hearing in the order's court history.
pub struct Hearing {
    pub terms_version: i32,
    pub what: &'static str,
    pub heard: String,
    pub changes: String,
    /// `None`: the caller may not see the court's reasons (they may describe protected persons).
    pub reason: Option<String>,
}

fn hearings(o: &OrderView) -> Vec<Hearing> {
    o.variations
        .iter()
        .map(|v| {
            let mut changes = Vec::new();
            if (v.expires_on, v.until_further_order) != (v.previous_expires_on, v.previous_until_further_order) {
                changes.push(match (v.expires_on, v.until_further_order) {
                    (Some(d), _) => format!("now ends {}", date(d)),
                    _ => "now lasts until further order".to_owned(),
                });
            }
            if !v.removed_conditions.is_empty() {
                changes.push(format!("{} condition{} removed", v.removed_conditions.len(), plural(v.removed_conditions.len())));
            }
            if !v.added_conditions.is_empty() {
                changes.push(format!("{} condition{} added", v.added_conditions.len(), plural(v.added_conditions.len())));
            }
            Hearing {
                terms_version: v.terms_version,
                what: match v.kind {
                    domain::vocab::VariationKind::Variation => "Varied",
                    domain::vocab::VariationKind::Renewal => "Renewed",
                },
                heard: super::order_vary::heard(v),
                changes: if changes.is_empty() { "Protected persons changed".into() } else { sentence(&changes.join(", ")) },
                reason: v.reason.clone(),
            }
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// When the order's initial notification is due, from the occurrence the service created, and
/// the rule that set it (its regime's period and the event it counts from).
async fn initial_due(state: &AppState, visitor: &Visitor, o: &OrderView) -> Result<Option<String>, ServiceError> {
    let duties = obligations::list_for_registrant(&state.ctx, &visitor.caller, o.registrant_id, crate::clock::now()).await?;
    let due_at = duties
        .items
        .iter()
        .filter(|d| d.order_id == Some(o.id) && d.kind == ObligationKind::InitialNotification)
        .flat_map(|d| d.occurrences.iter())
        .map(|occurrence| occurrence.due_at)
        .min();
    let Some(due_at) = due_at else { return Ok(None) };
    // A period is stored as the instant it ends (the start of the next day): the last day to
    // notify is the day before that instant.
    let last_day = domain::calendar::local_date(due_at - chrono::Duration::seconds(1));
    let rule = match regimes::load(&state.ctx.db, &o.regime).await? {
        Some(regime) => match (regime.initial_days, regime.initial_trigger) {
            (Some(days), Trigger::Service) => format!(" ({days} days beginning with the day of service)"),
            (Some(days), Trigger::Made) => format!(" ({days} days beginning with the day the order was made)"),
            _ => String::new(),
        },
        None => String::new(),
    };
    Ok(Some(format!("Initial notification due by {}{rule}", date(last_day))))
}

pub async fn order(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, order)): Path<(RegistrantId, OrderId)>,
    Query(done): Query<Done>,
) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/caseload");
    let (reason, o) = match read(&state, &mut visitor, id, order).await {
        Ok(read) => read,
        Err(page) => return page,
    };
    let due = match initial_due(&state, &visitor, &o).await {
        Ok(due) => due,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let mut summary = vec![
        Item { key: "Court", value: o.court.clone().unwrap_or_else(|| "Not recorded".into()) },
        Item { key: "Case reference", value: o.case_reference.clone().unwrap_or_else(|| "Not recorded".into()) },
        Item { key: "Made on", value: date(o.made_on) },
        Item { key: "Served on", value: o.served_on.map(date).unwrap_or_else(|| "Not yet served".into()) },
    ];
    summary.push(Item { key: "Ends", value: end_words(&o) });
    if let Some(last) = o.variations.last() {
        summary.push(Item { key: "Terms", value: format!("Version {} (from {})", o.terms_version, date(last.effective_on)) });
    }
    let conditions = |list: &[crate::services::orders::views::ConditionView], kind: ConditionKind| {
        list.iter()
            .filter(|c| c.kind == kind)
            .map(|c| {
                let mut details = Vec::new();
                if let Some(p) = &c.responsible_person {
                    details.push(Item { key: "Supervised by", value: p.clone() });
                }
                if let Some(d) = c.starts_on {
                    details.push(Item { key: "Starts", value: date(d) });
                }
                if let Some(d) = c.ends_on {
                    details.push(Item { key: "Ends", value: date(d) });
                }
                if let Some(d) = c.removed_on {
                    details.push(Item { key: "Removed by the court", value: format!("From {}", date(d)) });
                }
                Condition {
                    category: words(c.category.as_str()),
                    text: c.text.clone().unwrap_or_else(|| "Wording not shown: it describes the protected person".into()),
                    details,
                }
            })
            .collect::<Vec<_>>()
    };
    let person = |p: &crate::services::orders::views::ProtectedPersonView| {
        let name = match &p.relationship {
            Some(r) => format!("{} {} ({r})", p.given, p.family),
            None => format!("{} {}", p.given, p.family),
        };
        match p.removed_on {
            Some(d) => format!("{name}, no longer protected from {}", date(d)),
            None => name,
        }
    };
    let protected_persons = o.protected_persons.as_ref().map(|people| people.iter().map(person).collect());
    let former_persons = o.former_protected_persons.as_ref().map(|people| people.iter().map(person).collect()).unwrap_or_default();
    chrome.banner = done.banner(&[
        ("added", "Order added"),
        ("served", "Service recorded"),
        ("variation", "Variation recorded"),
        ("renewal", "Renewal recorded"),
        ("discharge_requested", "Discharge requested. It takes effect only when a second supervisor approves it in Approvals."),
    ]);
    OrderPage {
        chrome,
        tabs: super::record::tabs(&visitor.caller, id, "/orders"),
        id: id.to_string(),
        order: o.id.to_string(),
        title: kind_label(o.kind).to_owned(),
        status: words(o.status.as_str()),
        status_tag: pages::status_tag(o.status.as_str()),
        reason,
        summary,
        prohibitions: conditions(&o.conditions, ConditionKind::Prohibition),
        requirements: conditions(&o.conditions, ConditionKind::Requirement),
        removed: [ConditionKind::Prohibition, ConditionKind::Requirement]
            .into_iter()
            .flat_map(|k| conditions(&o.former_conditions, k))
            .collect(),
        protected_persons,
        former_persons,
        hearings: hearings(&o),
        due,
        may_serve: may_serve(&visitor, &o),
        may_vary: may_change(&visitor, &o),
        may_discharge: super::discharge::may_request(&visitor, &o),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "order_service.html")]
pub struct ServicePage {
    pub chrome: Chrome,
    pub id: String,
    pub order: String,
    pub title: String,
    pub made_on: String,
    pub version: i32,
    pub served_on: DateBoxes,
    pub errors: Vec<FieldError>,
}

impl ServicePage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn service_page(chrome: Chrome, o: &OrderView, served_on: DateBoxes, errors: Vec<FieldError>) -> ServicePage {
    ServicePage {
        chrome,
        id: o.registrant_id.to_string(),
        order: o.id.to_string(),
        title: kind_label(o.kind).to_owned(),
        made_on: date(o.made_on),
        version: o.version,
        served_on,
        errors,
    }
}

/// The order, if this caller may record its service now; otherwise the page that says why not.
async fn servable(state: &AppState, visitor: &mut Visitor, id: RegistrantId, order: OrderId) -> Result<OrderView, Response> {
    let (_, o) = read(state, visitor, id, order).await?;
    if o.served_on.is_some() || !o.status.is_in_force() {
        return Err(Redirect::to(&format!("/registrants/{id}/orders/{order}")).into_response());
    }
    if !may_serve(visitor, &o) {
        let refusal = crate::auth::AccessError::OtherOrganisation;
        return Err(pages::service_error(Some(Chrome::for_visitor(visitor, "/caseload")), ServiceError::Forbidden(refusal)));
    }
    Ok(o)
}

pub async fn service_form(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path((id, order)): Path<(RegistrantId, OrderId)>,
) -> Response {
    let o = match servable(&state, &mut visitor, id, order).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    service_page(Chrome::for_visitor(&visitor, "/caseload"), &o, DateBoxes::default(), Vec::new()).into_response()
}

pub async fn record_service(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut visitor: Visitor,
    Path((id, order)): Path<(RegistrantId, OrderId)>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let o = match servable(&state, &mut visitor, id, order).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let typed = fields.date("served_on");
    let served_on = match typed.date() {
        Ok(Some(d)) => d,
        Ok(None) => {
            let errors = vec![error("served_on-day", "required", "Enter the date the order was served")];
            return (StatusCode::UNPROCESSABLE_ENTITY, service_page(chrome, &o, typed, errors)).into_response();
        }
        Err(()) => {
            let errors = vec![error("served_on-day", "invalid_date", "The date the order was served must be a real date")];
            return (StatusCode::UNPROCESSABLE_ENTITY, service_page(chrome, &o, typed, errors)).into_response();
        }
    };
    // The version read when the form was shown: a change in between is refused, not overwritten.
    let version = fields.get("version").parse().unwrap_or(o.version);
    match orders::record_service(&state.ctx, &visitor.caller, order, ServiceInput { served_on, version }, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("/registrants/{id}/orders/{order}?done=served")).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| {
                    let detail = match e.code {
                        "before_made" => {
                            format!("The date the order was served must be on or after the day it was made ({})", date(o.made_on))
                        }
                        "in_future" => "The date the order was served must be today or in the past".into(),
                        _ => form::message("The date the order was served", &e),
                    };
                    error("served_on-day", e.code, detail)
                })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, service_page(chrome, &o, typed, errors)).into_response()
        }
        Err(ServiceError::Conflict { .. }) => pages::order_changed(chrome),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
