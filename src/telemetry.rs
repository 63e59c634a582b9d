//! Logging. Structured JSON when `VIGIL_LOG_FORMAT=json`, human-readable otherwise; level from
//! `RUST_LOG` (default `info`). Nothing that identifies a person is ever passed to a log macro:
//! records are referred to by id, and request bodies are never logged. Logs go to stderr, so
//! that what a command prints on stdout (a report, a token) is only that.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("VIGIL_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr);
    // try_init: a second call (tests spawn several apps in one process) is not an error.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
