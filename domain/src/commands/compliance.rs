//! Recording what happened at a session or appointment: a probation-practice outcome whose
//! shape says what it carries. An acceptable absence always has its reason; a rescheduled
//! session always has its new time, and no other outcome has one. Built from the request at the
//! edge (`TryFrom`), so the service never reads the raw body again.

use chrono::{DateTime, SubsecRound, Utc};

use crate::errors::FieldErrors;
use crate::text;
use crate::vocab::{ComplianceOutcome, OccurrenceStatus};

/// Notes and reasons are free text of at most this many characters (sealed when stored).
pub const NOTES_MAX: usize = 4000;

/// What the officer recorded, with exactly the data each outcome needs.
#[derive(Clone, PartialEq, Eq)]
pub enum Outcome {
    AttendedComplied {
        notes: Option<String>,
    },
    AttendedFailedToComply {
        notes: Option<String>,
    },
    /// The reason the absence was acceptable is required.
    AcceptableAbsence {
        reason: String,
    },
    UnacceptableAbsence {
        notes: Option<String>,
    },
    FailedToAttend {
        notes: Option<String>,
    },
    /// The session now takes place at `to` (whole seconds: the instant is part of a unique key
    /// and must compare equal on both backends).
    Rescheduled {
        to: DateTime<Utc>,
        notes: Option<String>,
    },
}

/// A compliance record for one occurrence, guarded by the version the officer read.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordCompliance {
    pub outcome: Outcome,
    pub version: i32,
}

impl Outcome {
    /// What happened at a session can be recorded only once it has started: attendance, or its
    /// absence, is a fact about the past. An acceptable absence agreed beforehand and a
    /// rescheduling may be recorded in advance.
    pub fn check_session_started(&self, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), FieldErrors> {
        let in_advance = matches!(self, Self::AcceptableAbsence { .. } | Self::Rescheduled { .. });
        if in_advance || starts_at <= now {
            return Ok(());
        }
        Err(FieldErrors::single(
            "outcome",
            "session_not_started",
            "the session has not started yet: record attendance once it has taken place",
        ))
    }

    /// The outcome's name in the vocabulary.
    pub fn kind(&self) -> ComplianceOutcome {
        match self {
            Self::AttendedComplied { .. } => ComplianceOutcome::AttendedComplied,
            Self::AttendedFailedToComply { .. } => ComplianceOutcome::AttendedFailedToComply,
            Self::AcceptableAbsence { .. } => ComplianceOutcome::AcceptableAbsence,
            Self::UnacceptableAbsence { .. } => ComplianceOutcome::UnacceptableAbsence,
            Self::FailedToAttend { .. } => ComplianceOutcome::FailedToAttend,
            Self::Rescheduled { .. } => ComplianceOutcome::Rescheduled,
        }
    }

    /// What the outcome means for the occurrence it is recorded against.
    pub fn occurrence_status(&self) -> OccurrenceStatus {
        self.kind().occurrence_status()
    }

    /// The free text to seal with the record: the reason for an acceptable absence, otherwise
    /// any notes.
    pub fn notes(&self) -> Option<&str> {
        match self {
            Self::AcceptableAbsence { reason } => Some(reason),
            Self::AttendedComplied { notes }
            | Self::AttendedFailedToComply { notes }
            | Self::UnacceptableAbsence { notes }
            | Self::FailedToAttend { notes }
            | Self::Rescheduled { notes, .. } => notes.as_deref(),
        }
    }

    /// The new time of a rescheduled session.
    pub fn rescheduled_to(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Rescheduled { to, .. } => Some(*to),
            _ => None,
        }
    }
}

/// Parses an outcome as submitted; every problem names its field.
pub fn parse(
    kind: ComplianceOutcome,
    notes: Option<&str>,
    rescheduled_to: Option<DateTime<Utc>>,
    version: i32,
) -> Result<RecordCompliance, FieldErrors> {
    let mut errors = FieldErrors::default();
    let notes = notes.and_then(|n| errors.take(text::clean("notes", n, NOTES_MAX))).filter(|n| !n.is_empty());
    if kind != ComplianceOutcome::Rescheduled && rescheduled_to.is_some() {
        errors.push("rescheduled_to", "not_allowed", "only a rescheduled outcome has a new time");
    }
    let outcome = match kind {
        ComplianceOutcome::AttendedComplied => Some(Outcome::AttendedComplied { notes }),
        ComplianceOutcome::AttendedFailedToComply => Some(Outcome::AttendedFailedToComply { notes }),
        ComplianceOutcome::UnacceptableAbsence => Some(Outcome::UnacceptableAbsence { notes }),
        ComplianceOutcome::FailedToAttend => Some(Outcome::FailedToAttend { notes }),
        ComplianceOutcome::AcceptableAbsence => match notes {
            Some(reason) => Some(Outcome::AcceptableAbsence { reason }),
            None => {
                if errors.is_empty() {
                    errors.push("notes", "required", "say why the absence was acceptable");
                }
                None
            }
        },
        ComplianceOutcome::Rescheduled => match rescheduled_to {
            Some(to) => Some(Outcome::Rescheduled { to: to.trunc_subsecs(0), notes }),
            None => {
                errors.push("rescheduled_to", "required", "say when the session now takes place");
                None
            }
        },
    };
    errors.finish()?;
    match outcome {
        Some(outcome) => Ok(RecordCompliance { outcome, version }),
        // Every branch without an outcome pushed an error, so `finish` returned above.
        None => Err(FieldErrors::single("outcome", "invalid", "is not a complete outcome")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().expect("a valid instant")
    }

    fn fields(errors: FieldErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_acceptable_absence_carries_its_reason() {
        let c = parse(ComplianceOutcome::AcceptableAbsence, Some(" In hospital "), None, 3).expect("valid");
        assert_eq!(c.version, 3);
        assert_eq!(c.outcome.notes(), Some("In hospital"));
        assert_eq!(c.outcome.occurrence_status(), OccurrenceStatus::Excused);
        let missing = parse(ComplianceOutcome::AcceptableAbsence, Some("   "), None, 1).err().expect("refused");
        assert_eq!(fields(missing), ["notes"]);
    }

    #[test]
    fn only_a_rescheduled_session_has_a_new_time_and_it_must() {
        let c = parse(ComplianceOutcome::Rescheduled, None, Some(at()), 1).expect("valid");
        assert_eq!(c.outcome.rescheduled_to(), Some(at()));
        let missing = parse(ComplianceOutcome::Rescheduled, None, None, 1).err().expect("refused");
        assert_eq!(fields(missing), ["rescheduled_to"]);
        let stray = parse(ComplianceOutcome::FailedToAttend, None, Some(at()), 1).err().expect("refused");
        assert_eq!(fields(stray), ["rescheduled_to"]);
    }

    #[test]
    fn attendance_is_recorded_once_the_session_has_started_and_absences_agreed_beforehand_at_any_time() {
        let before = at() - chrono::Duration::minutes(1);
        for kind in [ComplianceOutcome::AttendedComplied, ComplianceOutcome::FailedToAttend, ComplianceOutcome::UnacceptableAbsence] {
            let c = parse(kind, None, None, 1).expect("valid");
            assert_eq!(fields(c.outcome.check_session_started(at(), before).expect_err("refused")), ["outcome"]);
            assert!(c.outcome.check_session_started(at(), at()).is_ok());
        }
        let agreed = parse(ComplianceOutcome::AcceptableAbsence, Some("Hospital appointment"), None, 1).expect("valid");
        assert!(agreed.outcome.check_session_started(at(), before).is_ok());
    }

    #[test]
    fn a_failure_to_attend_is_a_miss_and_notes_are_optional() {
        let c = parse(ComplianceOutcome::FailedToAttend, None, None, 1).expect("valid");
        assert_eq!(c.outcome.kind(), ComplianceOutcome::FailedToAttend);
        assert_eq!(c.outcome.occurrence_status(), OccurrenceStatus::Missed);
        assert_eq!(c.outcome.notes(), None);
    }
}
