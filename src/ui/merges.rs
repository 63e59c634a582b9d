//! Asking for a merge of two records confirmed as one person, or for a merge to be undone: the
//! first of the two supervisors each needs (four eyes). The request waits in Approvals for a
//! second supervisor, whose approval does it. The same service as `POST /api/v1/approvals` with
//! `registrant.merge` or `registrant.unmerge`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::vocab::ApprovalAction;
use uuid::Uuid;

use super::duplicates::pair_page;
use super::form::{self, Fields, error};
use super::pages::{self, Chrome};
use super::session::{self, Visitor};
use crate::http::AppState;
use crate::services::ServiceError;
use crate::services::approvals::{self, ApprovalRequestInput};

pub async fn merge(
    state: State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    id: Path<Uuid>,
    raw: Form<Vec<(String, String)>>,
) -> Response {
    ask(state, headers, visitor, id, raw, ApprovalAction::RegistrantMerge).await
}

pub async fn unmerge(
    state: State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    id: Path<Uuid>,
    raw: Form<Vec<(String, String)>>,
) -> Response {
    ask(state, headers, visitor, id, raw, ApprovalAction::RegistrantUnmerge).await
}

async fn ask(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    Path(id): Path<Uuid>,
    Form(raw): Form<Vec<(String, String)>>,
    action: ApprovalAction,
) -> Response {
    let fields = Fields(raw);
    if let Some(refused) = visitor.refuse_form(session::same_origin(&headers), fields.get("csrf")) {
        return refused;
    }
    let reason = fields.get("reason").to_owned();
    let again = |errors: Vec<domain::errors::FieldError>, status: StatusCode| {
        let (state, visitor, reason) = (state.clone(), &visitor, reason.clone());
        async move {
            match pair_page(&state, visitor, id).await {
                Ok(mut page) => {
                    (page.merge_reason, page.errors) = (reason, errors);
                    (status, page).into_response()
                }
                Err(response) => response,
            }
        }
    };
    if reason.trim().is_empty() {
        let detail = if action == ApprovalAction::RegistrantMerge {
            "Enter why these records should be merged"
        } else {
            "Enter why the merge should be undone"
        };
        return again(vec![error("reason", "required", detail)], StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let Ok(version) = fields.get("version").parse() else {
        return again(vec![error("reason", "stale", "Reload the page and ask again")], StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = ApprovalRequestInput { action, target_id: id, version, reason: reason.clone(), effective_on: None };
    match approvals::request(&state.ctx, &visitor.caller, input, crate::clock::now()).await {
        Ok(requested) => Redirect::to(&format!("/approvals/{}", requested.id)).into_response(),
        Err(ServiceError::Invalid(invalid)) => {
            let errors = invalid.0.into_iter().map(|e| error("reason", e.code, form::message("The reason", &e))).collect();
            again(errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::Conflict { code: "approval_pending", .. }) => pages::error_page(
            Some(Chrome::for_visitor(&visitor, "/links")),
            StatusCode::CONFLICT,
            "This is already waiting for approval",
            "It has already been asked for. A second supervisor decides it in Approvals.",
        ),
        Err(ServiceError::Conflict { detail, .. }) => {
            again(vec![error("reason", "conflict", pages::sentence(&detail))], StatusCode::CONFLICT).await
        }
        Err(e) => pages::service_error(Some(Chrome::for_visitor(&visitor, "/links")), e),
    }
}
