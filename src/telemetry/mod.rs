//! Logging. Structured JSON when `VIGIL_LOG_FORMAT=json`, human-readable otherwise; level from
//! `RUST_LOG` (default: [`DEFAULT_FILTER`]). Nothing that identifies a person is ever passed to a
//! log macro: records are referred to by id, and request bodies are never logged. Logs go to
//! stderr, so that what a command prints on stdout (a report, a token) is only that.
//!
//! Every line keeps its target, so that a SIEM can route `vigil::security` (authentication and
//! authorisation failures) and `vigil::access` (one line per request: method, route template,
//! status, latency, request id, caller subject) apart from the rest. Colour only on a terminal.

pub mod exporter;
pub mod metrics;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// INFO for Vigil; the database drivers' per-statement lines and the cron scheduler's start-up
/// chatter only when they warn.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,tokio_cron_scheduler=warn";

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let json = std::env::var("VIGIL_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // try_init: a second call (tests spawn several apps in one process) is not an error.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
