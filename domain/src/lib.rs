//! The ground floor: Vigil's vocabularies, id newtypes, the legal calendar and schedules,
//! regimes and order rules, field errors, normalisers, parsed commands and the pure decisions
//! that the service and the jobs share.
//!
//! No database, no HTTP, no system clock: callers pass `today`/`now` in. Every other crate
//! stands on this one (`domain ← entities ← jobs ← vigil`). The sea-orm and utoipa derives sit
//! behind the `sea-orm` and `openapi` features, so the rules themselves depend on no I/O crate.

pub mod breaches;
pub mod calendar;
pub mod commands;
pub mod due;
pub mod errors;
pub mod given_date;
pub mod holidays;
pub mod identifiers;
pub mod ids;
pub mod limits;
pub mod orders;
pub mod paging;
pub mod person;
pub mod reasons;
pub mod regimes;
pub mod schedule;
pub mod text;
pub mod variations;
pub mod vocab;
