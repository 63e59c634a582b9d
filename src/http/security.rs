//! Response hardening and request hygiene shared by every route.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Security headers on every response. API answers hold personal data, so nothing is cached.
pub async fn headers(request: Request, next: Next) -> Response {
    let is_docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    // Web pages and assets set their own (`ui`); everything else holds personal data or could.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let csp = if is_docs {
        // Swagger UI is served from this origin and needs its own scripts and inline styles.
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
    };
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    }
    response
}

/// Request ids are ours to assign: a client-sent one is discarded before the id layer runs.
pub async fn drop_client_request_id(mut request: Request, next: Next) -> Response {
    request.headers_mut().remove("x-request-id");
    next.run(request).await
}

/// The tracing span of a request: method, route template, request id and (once the policy
/// has authenticated them) the caller's subject id. Never the path's values, the query string,
/// headers or body, which can carry personal data or tokens.
pub fn span(request: &Request) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let route =
        request.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %request_id,
        subject = tracing::field::Empty
    )
}

/// The access log: one line per request at INFO, when its response is ready, with the status
/// and latency in milliseconds; the span adds method, route template, request id and subject.
pub fn access_log(response: &Response, latency: std::time::Duration, _span: &tracing::Span) {
    tracing::info!(
        target: "vigil::access",
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
}

/// A panic in a handler becomes the same generic 500 as any internal error (with a correlation
/// id in the log), instead of a dropped connection; the panic's message is never sent.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    use axum::response::IntoResponse;
    super::error::ApiError::internal(&"a request handler panicked", None).into_response()
}
