//! "Request discharge": the first of the two people a discharge needs (four eyes). A supervisor
//! of the managing force records the court's discharge, the day it took effect and why; the
//! request waits in Approvals for a second supervisor, and only their approval discharges the
//! order. The same service as `POST /api/v1/approvals` with `order.discharge`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::errors::FieldError;
use domain::ids::{OrderId, RegistrantId};
use domain::vocab::{ApprovalAction, OrderStatus};

use super::form::{self, DateBoxes, Fields, error};
use super::order::read;
use super::orders::kind_label;
use super::pages::{self, Chrome, date};
use super::session::{self, Visitor};
use crate::auth::{AccessError, Permission};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::approvals::{self, ApprovalRequestInput};
use crate::services::orders::views::OrderView;

#[derive(Template, WebTemplate)]
#[template(path = "discharge.html")]
pub struct DischargePage {
    pub chrome: Chrome,
    pub id: String,
    pub order: String,
    pub title: String,
    pub made_on: String,
    pub version: i32,
    pub effective_on: DateBoxes,
    pub reason: String,
    pub errors: Vec<FieldError>,
}

impl DischargePage {
    fn err(&self, id: &str) -> Option<&str> {
        form::error_for(&self.errors, id)
    }
}

fn page(chrome: Chrome, o: &OrderView, effective_on: DateBoxes, reason: String, errors: Vec<FieldError>) -> DischargePage {
    DischargePage {
        chrome,
        id: o.registrant_id.to_string(),
        order: o.id.to_string(),
        title: kind_label(o.kind).to_owned(),
        made_on: date(o.made_on),
        version: o.version,
        effective_on,
        reason,
        errors,
    }
}

/// Whether the caller may ask for this order's discharge: a supervisor of the managing force,
/// while the order can still be discharged.
pub(super) fn may_request(visitor: &Visitor, o: &OrderView) -> bool {
    visitor.caller.can(Permission::OrderDischarge) && visitor.caller.org == o.managing_org && o.status.can_become(OrderStatus::Discharged)
}

async fn dischargeable(state: &AppState, visitor: &mut Visitor, id: RegistrantId, order: OrderId) -> Result<OrderView, Response> {
    let (_, o) = read(state, visitor, id, order).await?;
    if !o.status.can_become(OrderStatus::Discharged) {
        return Err(Redirect::to(&format!("/registrants/{id}/orders/{order}")).into_response());
    }
    if !may_request(visitor, &o) {
        let chrome = Chrome::for_visitor(visitor, "/caseload");
        return Err(pages::service_error(Some(chrome), ServiceError::Forbidden(AccessError::OtherOrganisation)));
    }
    Ok(o)
}

pub async fn form_page(State(state): State<AppState>, mut visitor: Visitor, Path((id, order)): Path<(RegistrantId, OrderId)>) -> Response {
    match dischargeable(&state, &mut visitor, id, order).await {
        Ok(o) => page(Chrome::for_visitor(&visitor, "/caseload"), &o, DateBoxes::default(), String::new(), Vec::new()).into_response(),
        Err(page) => page,
    }
}

pub async fn request(
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
    let o = match dischargeable(&state, &mut visitor, id, order).await {
        Ok(o) => o,
        Err(page) => return page,
    };
    let chrome = Chrome::for_visitor(&visitor, "/caseload");
    let typed = fields.date("effective_on");
    let reason = fields.get("reason").to_owned();
    let mut errors = Vec::new();
    let effective_on = typed.date().unwrap_or_else(|()| {
        errors.push(error("effective_on-day", "invalid_date", "The date the discharge took effect must be a real date"));
        None
    });
    if reason.trim().is_empty() {
        errors.push(error("reason", "required", "Enter why the order is discharged"));
    }
    if !errors.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, &o, typed, reason, errors)).into_response();
    }
    let input = ApprovalRequestInput {
        action: ApprovalAction::OrderDischarge,
        target_id: order.into(),
        // The version read when the form was shown: a change in between is refused.
        version: fields.get("version").parse().unwrap_or(o.version),
        reason: reason.clone(),
        effective_on,
    };
    match approvals::request(&state.ctx, &visitor.caller, input, crate::clock::now()).await {
        Ok(_) => Redirect::to(&format!("/registrants/{id}/orders/{order}?done=discharge_requested")).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid
                .0
                .into_iter()
                .map(|e| match e.field.as_str() {
                    "effective_on" => {
                        let detail = match e.code {
                            "before_made" => "The date the discharge took effect must be on or after the day the order was made".into(),
                            "in_future" => "The date the discharge took effect must be today or in the past".into(),
                            "after_expiry" => "The date the discharge took effect must be before the order expired".into(),
                            _ => form::message("The date the discharge took effect", &e),
                        };
                        error("effective_on-day", e.code, detail)
                    }
                    _ => error("reason", e.code, form::message("The reason", &e)),
                })
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, page(chrome, &o, typed, reason, errors)).into_response()
        }
        Err(ServiceError::Conflict { code: "approval_pending", .. }) => pages::error_page(
            Some(chrome),
            StatusCode::CONFLICT,
            "A discharge is already waiting for approval",
            "This order's discharge has already been requested. A second supervisor decides it in Approvals.",
        ),
        Err(ServiceError::Conflict { .. }) => pages::order_changed(chrome),
        Err(e) => pages::service_error(Some(chrome), e),
    }
}
