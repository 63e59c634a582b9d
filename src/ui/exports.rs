//! "Download as CSV" on the caseload, breaches and overdue pages: the same list, every page of
//! it, under the reason the page itself reads it for (case management for the caseload,
//! compliance for breaches and overdue duties), audited as a disclosure (`services::exports`).

use axum::extract::{Query, State};
use axum::response::Response;
use domain::vocab::{BreachStatus, ObligationKind};
use serde::Deserialize;

use super::pages::{self, Chrome};
use super::session::Visitor;
use crate::auth::Justification;
use crate::http::AppState;
use crate::services::exports;

fn justify(visitor: &mut Visitor, reason: &str) {
    visitor.caller.justification = Justification { reason_code: Some(reason.into()), crime_reference: None };
}

fn answer(visitor: &Visitor, page: &str, result: crate::services::ServiceResult<exports::Csv>) -> Response {
    match result {
        Ok(csv) => crate::http::exports_download(csv),
        Err(e) => pages::service_error(Some(Chrome::for_visitor(visitor, page)), e),
    }
}

pub async fn caseload(State(state): State<AppState>, mut visitor: Visitor) -> Response {
    justify(&mut visitor, "OFFENDER_MANAGEMENT");
    let result = exports::caseload(&state.ctx, &visitor.caller, crate::clock::now()).await;
    answer(&visitor, "/caseload", result)
}

#[derive(Deserialize)]
pub struct BreachFilter {
    status: Option<String>,
}

pub async fn breaches(State(state): State<AppState>, mut visitor: Visitor, Query(filter): Query<BreachFilter>) -> Response {
    justify(&mut visitor, "COMPLIANCE");
    let status = filter.status.as_deref().and_then(BreachStatus::parse);
    let result = exports::breaches(&state.ctx, &visitor.caller, status, crate::clock::now()).await;
    answer(&visitor, "/breaches", result)
}

#[derive(Deserialize)]
pub struct OverdueFilter {
    kind: Option<String>,
}

pub async fn overdue(State(state): State<AppState>, mut visitor: Visitor, Query(filter): Query<OverdueFilter>) -> Response {
    justify(&mut visitor, "COMPLIANCE");
    let kind = filter.kind.as_deref().and_then(ObligationKind::parse);
    let result = exports::overdue(&state.ctx, &visitor.caller, kind, crate::clock::now()).await;
    answer(&visitor, "/overdue", result)
}
