//! RFC 9457 problem details for every error. Each problem has a stable `code`, names the
//! offending `field` when there is one, and never contains submitted values, SQL, key ids or
//! internal messages: a 5xx says only that something failed, with a correlation id that the
//! log line for the real cause also carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AccessError;
use crate::services::ServiceError;
use domain::errors::{FieldError, FieldErrors};

#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// The first offending field, as a JSON path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every offending field, when validation found several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

/// An error on its way to becoming a problem+json response. Boxed, so that `Result<_, ApiError>`
/// stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: String,
    title: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    field: Option<String>,
    correlation_id: Option<String>,
    www_authenticate: bool,
    retry_after: Option<u64>,
    step_up_max_age: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, title: &'static str, detail: impl Into<String>) -> Self {
        Self(Box::new(Details {
            status,
            code: code.into(),
            title,
            detail: detail.into(),
            errors: Vec::new(),
            field: None,
            correlation_id: None,
            www_authenticate: false,
            retry_after: None,
            step_up_max_age: None,
        }))
    }

    /// Carries the id that the log line for the real cause also carries.
    fn correlated(mut self, request_id: &str) -> Self {
        self.0.correlation_id = Some(request_id.to_owned());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    pub fn unauthenticated(detail: &str) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required", detail);
        e.0.www_authenticate = true;
        e
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", "your role does not allow this operation")
    }

    pub fn validation(errors: FieldErrors) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Invalid input", "one or more fields are invalid");
        e.0.field = errors.0.first().map(|f| f.field.clone());
        e.0.errors = errors.0;
        e
    }

    /// An internal failure: the cause is logged here, once, and never sent to the client.
    pub fn internal(cause: &dyn std::fmt::Display, correlation_id: Option<String>) -> Self {
        let id = correlation_id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        tracing::error!(correlation_id = %id, error = %cause, "request failed");
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the request could not be completed");
        e.0.correlation_id = Some(id);
        e
    }

    pub fn from_service(err: ServiceError, request_id: &str) -> Self {
        match err {
            ServiceError::Invalid(errors) => Self::validation(errors),
            ServiceError::NotFound(what) => Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", format!("{what} not found")),
            ServiceError::Forbidden(AccessError::Forbidden(_)) => Self::forbidden(),
            ServiceError::Forbidden(AccessError::OtherOrganisation) => {
                Self::new(StatusCode::FORBIDDEN, "other_organisation", "Not allowed", "the record is managed by another organisation")
            }
            ServiceError::Forbidden(AccessError::SamePerson) => Self::new(
                StatusCode::FORBIDDEN,
                "second_person_required",
                "Not allowed",
                "a four-eyes action must be decided by someone other than the person who asked",
            ),
            ServiceError::Forbidden(AccessError::StaleAuthentication { max_age_seconds }) => {
                let mut e = Self::new(
                    StatusCode::UNAUTHORIZED,
                    "insufficient_user_authentication",
                    "Recent authentication required",
                    format!(
                        "log in again (in a browser: /auth/login?step_up=true): this action needs an authentication within the last {} minutes",
                        max_age_seconds / 60
                    ),
                );
                e.0.step_up_max_age = Some(max_age_seconds);
                e
            }
            ServiceError::Conflict { code, detail } => Self::new(StatusCode::CONFLICT, code, "Conflict", detail),
            ServiceError::RateLimited { retry_after_seconds } => {
                let mut e = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Too many requests",
                    "the register check limit for your account has been reached; try again later",
                );
                e.0.retry_after = Some(retry_after_seconds);
                e
            }
            ServiceError::Unavailable(ref db) => {
                tracing::error!(correlation_id = %request_id, error = %db, "database unavailable");
                let e = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the service is temporarily unavailable",
                );
                e.correlated(request_id)
            }
            ServiceError::CorruptData(ref detail) => {
                // Logged once, here; the stored text is a vocabulary column's, never personal data.
                tracing::error!(correlation_id = %request_id, error = %detail, "corrupt stored data");
                let detail = "a stored record could not be read; operators have been told";
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "corrupt_data", "Internal error", detail).correlated(request_id)
            }
            other => Self::internal(&other, Some(request_id.to_owned())),
        }
    }
}

tokio::task_local! {
    /// The id of the request being handled, set by [`request_scope`] for the whole request, so
    /// that an error converted with `?` carries the same correlation id as the request's log.
    static REQUEST_ID: String;
}

/// Runs the rest of the stack with the request's id in scope (after `SetRequestIdLayer`).
pub async fn request_scope(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    REQUEST_ID.scope(id, next.run(request)).await
}

/// The current request's id; outside a request (or before the id layer) a fresh one, so a
/// logged cause can still be found.
fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).ok().filter(|id| !id.is_empty()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// Handlers return service errors with `?`: the correlation id is the request's own.
impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        Self::from_service(err, &current_request_id())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The security log (catalogue L03): every refused request (failed authentication,
        // denied access, invalid input, including mass-assignment attempts) with its outcome,
        // code and field, inside the request's span (method, route, request id). Never a value.
        if self.0.status == StatusCode::UNAUTHORIZED || self.0.status == StatusCode::FORBIDDEN {
            tracing::warn!(target: "vigil::security", outcome = "failure", status = self.0.status.as_u16(), code = %self.0.code, field = self.0.field.as_deref().unwrap_or(""), "request refused");
        } else if self.0.status.is_client_error() {
            tracing::info!(target: "vigil::security", outcome = "failure", status = self.0.status.as_u16(), code = %self.0.code, field = self.0.field.as_deref().unwrap_or(""), "request refused");
        }
        let body = Problem {
            kind: format!("urn:vigil:problem:{}", self.0.code),
            title: self.0.title.to_owned(),
            status: self.0.status.as_u16(),
            detail: self.0.detail,
            code: self.0.code,
            field: self.0.field,
            errors: self.0.errors,
            correlation_id: self.0.correlation_id,
        };
        let mut response = (self.0.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.0.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(max_age) = self.0.step_up_max_age {
            // RFC 9470: tells the client to come back with a fresher authentication.
            let challenge = format!("Bearer realm=\"vigil\", error=\"insufficient_user_authentication\", max_age={max_age}");
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        } else if self.0.www_authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"vigil\""));
        }
        response
    }
}
