//! Prometheus metrics: the `metrics` facade, recorded where the work happens, rendered in the
//! Prometheus text format by `metrics-exporter-prometheus` on a listener of its own
//! (`[metrics] listen`, [`super::exporter`]), never on the public port.
//!
//! Labels are route templates, statuses, job names, outcomes and key ids: a fixed, small set.
//! Nothing from a path's values, a query, a header or a body is ever a label, so no personal
//! data reaches the metrics and the series count cannot grow with the data.
//!
//! The recorder is process-wide; it is installed once, by the first app that asks for it, and
//! every app in the process (tests start several) records into it. With metrics switched off
//! (`[metrics] enabled = false`) nothing is installed and every macro call is a no-op.

use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Unit, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub const HTTP_DURATION: &str = "vigil_http_request_duration_seconds";
pub const CHECK_DURATION: &str = "vigil_register_check_duration_seconds";
pub const CHECKS: &str = "vigil_register_checks_total";
pub const CHECK_CANDIDATES: &str = "vigil_register_check_candidates";

/// Latency buckets, in seconds: from a cached read (1 ms) to a request's timeout (30 s).
const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static RECORDER: LazyLock<Option<PrometheusHandle>> = LazyLock::new(|| {
    let handle = PrometheusBuilder::new()
        .set_buckets(&BUCKETS)
        .inspect_err(|e| tracing::warn!(error = %e, "metrics buckets refused; metrics are off"))
        .ok()?
        .install_recorder()
        .inspect_err(|e| tracing::warn!(error = %e, "metrics recorder not installed; metrics are off"))
        .ok()?;
    describe();
    Some(handle)
});

/// Installs the recorder (once per process) and gives the handle that renders it.
pub fn install() -> Option<PrometheusHandle> {
    RECORDER.clone()
}

/// Whether this process records metrics (the HTTP layer is only added when it does).
pub fn enabled() -> bool {
    LazyLock::get(&RECORDER).is_some_and(Option::is_some)
}

fn describe() {
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer a request, by method, route template and status.");
    describe_histogram!(CHECK_DURATION, Unit::Seconds, "Time a register check took, from reading to commit.");
    describe_counter!(CHECKS, "Register checks run, by result (possible_match, no_match, rate_limited).");
    describe_histogram!(CHECK_CANDIDATES, "Candidates a register check scored and stored.");
    describe_counter!(jobs::runner::RUNS, "Scheduled job runs, by job and outcome.");
    describe_histogram!(jobs::runner::DURATION, Unit::Seconds, "How long each job run took, by job.");
    describe_counter!(jobs::runner::EXAMINED, "Items a job run examined, by job.");
    describe_counter!(jobs::runner::CREATED, "Items a job run created (occurrences, breaches, alerts, deliveries), by job.");
    super::exporter::describe();
}

/// Records each request's latency under its route template. A request that matched no route
/// is `unmatched`: its path, which could hold anything, is never a label.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status).record(started.elapsed().as_secs_f64());
    response
}

/// The standard methods by name; anything else (which no route accepts) as `other`, so a
/// client cannot mint label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_are_one_label() {
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
    }
}
