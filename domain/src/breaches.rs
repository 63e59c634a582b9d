//! What a missed duty implies. A pending occurrence that is missed — because its due instant
//! plus the grace period passed (the detection job) or because a probation officer recorded
//! non-compliance (the compliance service) — becomes exactly one open breach, sourced from that
//! occurrence, and exactly one notification to the registrant's managing officer. Both callers
//! take the consequence from here, so a session missed in the field and one missed by the clock
//! are enforced the same way.

use crate::vocab::{BreachSource, BreachStatus, OccurrenceStatus};

/// The breach and notification a missed occurrence creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissConsequence {
    pub breach_source: BreachSource,
    pub breach_status: BreachStatus,
    /// The outbox topic of the managing officer's notification.
    pub notification_topic: &'static str,
}

/// What every missed occurrence implies.
pub const MISSED: MissConsequence = MissConsequence {
    breach_source: BreachSource::MissedOccurrence,
    breach_status: BreachStatus::Open,
    notification_topic: "breach.detected",
};

/// The consequence of resolving an occurrence with `status`: only a miss has one. Met and
/// excused occurrences, and those still pending, create nothing.
pub fn consequence_of(status: OccurrenceStatus) -> Option<MissConsequence> {
    (status == OccurrenceStatus::Missed).then_some(MISSED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missed_session_becomes_one_open_breach_and_a_notification() {
        let c = consequence_of(OccurrenceStatus::Missed).expect("a miss has a consequence");
        assert_eq!(c.breach_source, BreachSource::MissedOccurrence);
        assert_eq!(c.breach_status, BreachStatus::Open);
        assert_eq!(c.notification_topic, "breach.detected");
    }

    #[test]
    fn met_excused_and_pending_occurrences_create_nothing() {
        for status in [OccurrenceStatus::Met, OccurrenceStatus::Excused, OccurrenceStatus::Pending] {
            assert_eq!(consequence_of(status), None, "{status}");
        }
    }
}
