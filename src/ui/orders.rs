//! A registrant's orders: one summary card per order, its prohibitions and positive
//! requirements numbered as the court wrote them, and its protected persons only for the roles
//! that may see them (the service leaves them out for the others, and the wording of a
//! prohibition too, since it describes the person it protects).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::ids::RegistrantId;

use super::pages::{self, Chrome, date, words};
use super::record::{Item, justified};
use super::session::Visitor;
use crate::http::AppState;
use crate::services::orders;

pub struct OrderCard {
    /// The order's own page.
    pub href: String,
    /// Where to record its service, while it is unserved and the caller may.
    pub serve: Option<String>,
    pub title: String,
    pub status: String,
    pub status_tag: &'static str,
    pub summary: Vec<Item>,
    pub prohibitions: Vec<String>,
    pub requirements: Vec<String>,
    /// `None`: the caller may not see protected persons.
    pub protected_persons: Option<Vec<String>>,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders.html")]
pub struct OrdersPage {
    pub chrome: Chrome,
    pub id: String,
    pub reason: String,
    pub orders: Vec<OrderCard>,
    pub tabs: Vec<super::record::Tab>,
    /// Whether the caller may add an order to this record.
    pub may_write: bool,
}

/// The order's name as officers say it, never its code.
pub fn kind_label(kind: domain::vocab::OrderKind) -> &'static str {
    use domain::vocab::OrderKind::*;
    match kind {
        Spo => "Stalking protection order",
        InterimSpo => "Interim stalking protection order",
        Dapo => "Domestic abuse protection order",
        RestrainingOrder => "Restraining order",
        NonMolestationOrder => "Non-molestation order",
        Shpo => "Sexual harm prevention order",
        RegisterNotification => "Notification requirements (Sexual Offences Act 2003, Part 2)",
    }
}

pub async fn orders(State(state): State<AppState>, mut visitor: Visitor, Path(id): Path<RegistrantId>) -> Response {
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let list = match orders::list_for_registrant(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
        Ok(list) => list,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let may_write = |managing_org: &str| visitor.caller.can(crate::auth::Permission::OrderWrite) && visitor.caller.org == managing_org;
    let add_order = list.items.first().map(|o| may_write(&o.managing_org));
    let cards = list
        .items
        .into_iter()
        .map(|o| {
            let href = format!("/registrants/{id}/orders/{}", o.id);
            let serve = (o.served_on.is_none() && o.status.is_in_force() && may_write(&o.managing_org)).then(|| format!("{href}/service"));
            let mut summary = Vec::new();
            if let Some(court) = &o.court {
                summary.push(Item { key: "Court", value: court.clone() });
            }
            if let Some(case) = &o.case_reference {
                summary.push(Item { key: "Case reference", value: case.clone() });
            }
            summary.push(Item { key: "Made on", value: date(o.made_on) });
            summary.push(Item { key: "Served on", value: o.served_on.map(date).unwrap_or_else(|| "Not yet served".into()) });
            summary.push(Item {
                key: "Ends",
                value: match (o.expires_on, o.until_further_order) {
                    (Some(d), _) => date(d),
                    (None, true) => "Until further order".into(),
                    (None, false) => "Not recorded".into(),
                },
            });
            let described = |c: &orders::views::ConditionView| {
                let text = c.text.clone().unwrap_or_else(|| "Wording not shown: it describes the protected person".into());
                format!("{}: {text}", words(c.category.as_str()))
            };
            let kind = |k: &str| o.conditions.iter().filter(|c| c.kind.as_str() == k).map(described).collect::<Vec<_>>();
            OrderCard {
                href,
                serve,
                title: kind_label(o.kind).to_owned(),
                status: words(o.status.as_str()),
                status_tag: pages::status_tag(o.status.as_str()),
                prohibitions: kind("prohibition"),
                requirements: kind("requirement"),
                protected_persons: o.protected_persons.as_ref().map(|people| {
                    people
                        .iter()
                        .map(|p| match &p.relationship {
                            Some(r) => format!("{} {} ({r})", p.given, p.family),
                            None => format!("{} {}", p.given, p.family),
                        })
                        .collect()
                }),
                summary,
            }
        })
        .collect();
    // With no order yet, whether the caller may add one is whether they manage the registrant.
    let may_write = match add_order {
        Some(may) => may,
        None => match crate::services::registrants::get(&state.ctx, &visitor.caller, id, crate::clock::now()).await {
            Ok(r) => may_write(&r.managing_org),
            Err(e) => return pages::service_error(Some(chrome), e),
        },
    };
    let tabs = super::record::tabs(&visitor.caller, id, "/orders");
    OrdersPage { chrome, id: id.to_string(), reason, orders: cards, may_write, tabs }.into_response()
}
