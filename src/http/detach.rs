//! Every request runs to completion, whether or not its client waits for the answer.
//!
//! hyper drops a request's future when the client's connection closes, and the request timeout
//! drops it too. Dropped half-way through a database transaction (sea-orm starts a PostgreSQL
//! snapshot with two statements, `BEGIN` then `SET TRANSACTION`), the pooled connection went
//! back to the pool still inside a transaction, and a later request on it failed with 500
//! ("SET TRANSACTION ISOLATION LEVEL must be called before any query"): bench/pages.sh found it
//! on PostgreSQL whenever wrk closed its connections mid-request. So each request is handled in
//! a task of its own: a disconnect or a timeout stops the waiting, never the work.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

pub async fn detach(request: Request, next: Next) -> Response {
    let span = tracing::Span::current();
    match tokio::spawn(next.run(request).instrument(span)).await {
        Ok(response) => response,
        // Re-raised here, so the panic layer outside answers as for any other panic.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // The runtime is shutting down.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
