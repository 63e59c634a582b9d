//! The OpenAPI 3.1 document (`/api/openapi.json`) and interactive docs (`/api/docs`), generated
//! from the handlers' annotations so the spec cannot drift from the routes.

use axum::Router;
use utoipa::openapi::OpenApi as Spec;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigil", description = "Register of serial stalkers: orders, obligations, compliance and breaches."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(super::error::Problem))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        // The browser's session (`/auth/session`, `/auth/logout`), set by `/auth/callback`.
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::services::sessions::SESSION_COOKIE,
                "The session cookie set by /auth/callback",
            ))),
        );
    }
}

pub fn base() -> Spec {
    ApiDoc::openapi()
}

pub fn docs(spec: Spec) -> Router<AppState> {
    let spec = problems_as_problem_json(with_justification_headers(super::examples::with_answer_examples(spec)));
    Router::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", spec))
}

/// Error bodies are sent as `application/problem+json` (RFC 9457); the annotations say only
/// `body = Problem`, which utoipa documents as `application/json`. Rewritten once here rather
/// than repeated in every handler's annotation, and every operation gets a default error
/// response.
fn problems_as_problem_json(spec: Spec) -> Spec {
    let Ok(mut doc) = serde_json::to_value(&spec) else { return spec };
    let problem = serde_json::json!({ "$ref": "#/components/schemas/Problem" });
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths.values_mut().filter_map(|item| item.as_object_mut()).flat_map(|item| item.values_mut()) {
            let Some(responses) = operation.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            // Any operation can also fail in the generic ways (401, 403, 405, 413, 415, 429, 5xx),
            // always with a problem body: said once, as the default response.
            responses.entry("default").or_insert_with(|| {
                serde_json::json!({ "description": "An error, as RFC 9457 problem+json", "content": { "application/json": { "schema": problem } } })
            });
            for content in responses.values_mut().filter_map(|r| r.get_mut("content")).filter_map(|c| c.as_object_mut()) {
                if content.get("application/json").and_then(|c| c.get("schema")) == Some(&problem)
                    && let Some(body) = content.remove("application/json")
                {
                    content.insert("application/problem+json".into(), body);
                }
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(spec)
}

/// Declares `Vigil-Reason-Code` and `Vigil-Crime-Reference` on every operation, from the route
/// policy table (so the interactive docs can send them and the spec cannot drift): required on
/// the reads of a person's content, optional (recorded if given) elsewhere.
fn with_justification_headers(spec: Spec) -> Spec {
    use domain::reasons::{REASON_HEADER, REASONS, REFERENCE_HEADER};
    let Ok(mut doc) = serde_json::to_value(&spec) else { return spec };
    let codes: Vec<&str> = REASONS.iter().map(|r| r.code).collect();
    let needing: Vec<&str> = REASONS.iter().filter(|r| r.needs_reference).map(|r| r.code).collect();
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, operation) in item.iter_mut() {
                let Some(rule) = crate::auth::policy::route(&method.to_ascii_uppercase(), path) else { continue };
                let reason = serde_json::json!({
                    "name": REASON_HEADER, "in": "header", "required": rule.needs_reason,
                    "description": if rule.needs_reason { "Why you are reading this (GET /api/v1/reasons). Recorded in the audit trail." } else { "Optional: why you are doing this. Recorded in the audit trail." },
                    "schema": { "type": "string", "enum": codes }
                });
                let reference = serde_json::json!({
                    "name": REFERENCE_HEADER, "in": "header", "required": false,
                    "description": format!("The crime or case reference; required with {}.", needing.join(", ")),
                    "schema": { "type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9/._-]+$" }
                });
                if let Some(parameters) = operation
                    .as_object_mut()
                    .map(|o| o.entry("parameters").or_insert_with(|| serde_json::json!([])))
                    .and_then(|p| p.as_array_mut())
                {
                    parameters.retain(|p| p["name"] != REASON_HEADER && p["name"] != REFERENCE_HEADER);
                    parameters.push(reason);
                    parameters.push(reference);
                }
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(spec)
}
