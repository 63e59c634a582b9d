//! Pure domain rules: vocabularies, parsing and normalising what users submit, and the legal
//! clocks. No database, no HTTP, no system clock: callers pass `today`/`now` in.

pub mod errors;
pub mod identifiers;
pub mod orders;
pub mod person;
pub mod regimes;
pub mod text;
pub mod vocab;

/// The legal calendar and recurring schedules live in the jobs crate so that the jobs and the
/// service share one implementation; they are part of the domain all the same.
pub use jobs::{calendar, schedule};
