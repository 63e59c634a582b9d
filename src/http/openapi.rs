//! The OpenAPI 3.1 document (`/api/openapi.json`) and interactive docs (`/api/docs`), generated
//! from the handlers' annotations so the spec cannot drift from the routes.

use axum::Router;
use utoipa::openapi::OpenApi as Spec;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    }
}

pub fn base() -> Spec {
    ApiDoc::openapi()
}

pub fn docs(spec: Spec) -> Router<AppState> {
    Router::from(SwaggerUi::new("/api/docs").url("/api/openapi.json", spec))
}
