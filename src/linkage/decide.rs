//! What a register check does with each scored candidate, and whom intake is told to contact.
//! Pure: the service loads the links officers already decided, asks here, then stores.
//!
//! A candidate becomes a pending link for review when its probability reaches
//! [`REVIEW_THRESHOLD`]. A pair an officer already rejected is never proposed again, and a
//! confirmed pair stays confirmed; an open link is refreshed with the new score rather than
//! duplicated. A link is "strong" (shown first, worth an urgent call) when an identifier agreed
//! exactly or the probability reaches [`STRONG_THRESHOLD`], and stays strong once it was.

use domain::vocab::{CandidateOutcome, LinkStatus, TargetKind};

use super::score::{REVIEW_THRESHOLD, STRONG_THRESHOLD, Score};

/// What to do with the link between the report and one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// Leave any existing link as it is.
    Keep,
    /// Put the new score on the open link; `strong` is the link's new strength.
    Refresh { strong: bool },
    /// Propose a new pending link.
    Create { strong: bool },
}

/// The decision for one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub outcome: CandidateOutcome,
    pub action: LinkAction,
}

/// An earlier link between the same report and target, as officers left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorLink {
    pub status: LinkStatus,
    pub strong: bool,
}

pub fn is_strong(score: &Score) -> bool {
    score.strong_identifier || score.probability >= STRONG_THRESHOLD
}

/// When a candidate becomes a pending link, and what happens to a link that already exists.
pub fn decide(prior: Option<PriorLink>, score: &Score) -> Decision {
    let strong = is_strong(score);
    let (outcome, action) = match prior {
        Some(PriorLink { status: LinkStatus::Rejected, .. }) => (CandidateOutcome::PreviouslyRejected, LinkAction::Keep),
        Some(PriorLink { status: LinkStatus::Confirmed, .. }) => (CandidateOutcome::AlreadyConfirmed, LinkAction::Keep),
        _ if score.probability < REVIEW_THRESHOLD => (CandidateOutcome::BelowThreshold, LinkAction::Keep),
        Some(link) => (CandidateOutcome::Review, LinkAction::Refresh { strong: strong || link.strong }),
        None => (CandidateOutcome::Review, LinkAction::Create { strong }),
    };
    Decision { outcome, action }
}

/// Whether a candidate with this outcome makes the check a possible match (and so a contact).
pub fn is_match(outcome: CandidateOutcome) -> bool {
    matches!(outcome, CandidateOutcome::Review | CandidateOutcome::AlreadyConfirmed)
}

/// The contact route intake is given: the managing unit of a matched registrant beats the
/// recording force of a matched earlier report, and otherwise the first match found stands.
/// Candidates arrive best first, so the first registrant is the best-scoring one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ContactRoute {
    best: Option<(TargetKind, String)>,
}

impl ContactRoute {
    pub fn offer(&mut self, kind: TargetKind, org: &str) {
        let better = match &self.best {
            None => true,
            Some((held, _)) => *held == TargetKind::Report && kind == TargetKind::Registrant,
        };
        if better {
            self.best = Some((kind, org.to_owned()));
        }
    }

    /// The organisation to contact, if anything matched.
    pub fn into_org(self) -> Option<String> {
        self.best.map(|(_, org)| org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(probability: f64, strong_identifier: bool) -> Score {
        Score { probability, strong_identifier, ..Score::default() }
    }

    #[test]
    fn a_candidate_at_the_review_threshold_becomes_a_pending_link() {
        let d = decide(None, &score(REVIEW_THRESHOLD, false));
        assert_eq!(d, Decision { outcome: CandidateOutcome::Review, action: LinkAction::Create { strong: false } });
    }

    #[test]
    fn a_candidate_below_the_threshold_creates_nothing() {
        let d = decide(None, &score(REVIEW_THRESHOLD - 0.01, true));
        assert_eq!(d, Decision { outcome: CandidateOutcome::BelowThreshold, action: LinkAction::Keep });
    }

    #[test]
    fn a_rejected_pair_is_never_proposed_again_however_strong() {
        let prior = PriorLink { status: LinkStatus::Rejected, strong: false };
        let d = decide(Some(prior), &score(0.999, true));
        assert_eq!(d, Decision { outcome: CandidateOutcome::PreviouslyRejected, action: LinkAction::Keep });
    }

    #[test]
    fn a_confirmed_pair_stays_confirmed_and_counts_as_a_match() {
        let prior = PriorLink { status: LinkStatus::Confirmed, strong: false };
        let d = decide(Some(prior), &score(0.1, false));
        assert_eq!(d.outcome, CandidateOutcome::AlreadyConfirmed);
        assert_eq!(d.action, LinkAction::Keep);
        assert!(is_match(d.outcome));
    }

    #[test]
    fn an_open_link_is_refreshed_and_stays_strong_once_it_was() {
        for status in [LinkStatus::Pending, LinkStatus::NeedsInfo] {
            let d = decide(Some(PriorLink { status, strong: true }), &score(0.6, false));
            assert_eq!(d, Decision { outcome: CandidateOutcome::Review, action: LinkAction::Refresh { strong: true } });
        }
    }

    #[test]
    fn an_exact_identifier_or_a_high_probability_makes_a_link_strong() {
        assert!(is_strong(&score(0.6, true)));
        assert!(is_strong(&score(STRONG_THRESHOLD, false)));
        assert!(!is_strong(&score(STRONG_THRESHOLD - 0.01, false)));
    }

    #[test]
    fn the_managing_unit_of_a_registrant_beats_the_force_of_an_earlier_report() {
        let mut route = ContactRoute::default();
        route.offer(TargetKind::Report, "force-a");
        route.offer(TargetKind::Registrant, "unit-b");
        route.offer(TargetKind::Registrant, "unit-c");
        route.offer(TargetKind::Report, "force-d");
        assert_eq!(route.into_org().as_deref(), Some("unit-b"));
    }

    #[test]
    fn no_match_means_no_contact_route() {
        assert_eq!(ContactRoute::default().into_org(), None);
    }
}
