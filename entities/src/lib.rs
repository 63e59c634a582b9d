//! sea-orm models, one file per table, and nothing else: no business rules, no queries.
//! Sealed columns (`*_sealed`) hold AES-256-GCM envelopes that only the service can open.
//! Because `Debug` is derived here, these models must never be logged: sealed bytes are
//! ciphertext, but row ids and references are still records of the register.

pub mod alert;
pub mod approval;
pub mod audit_chain;
pub mod audit_event;
pub mod audit_seal_mark;
pub mod backchannel_logout;
pub mod blind_index;
pub mod breach;
pub mod compliance_record;
pub mod crime_report;
pub mod enforcement_decision;
pub mod job_run;
pub mod job_state;
pub mod key_usage;
pub mod link;
pub mod login_attempt;
pub mod match_candidate;
pub mod match_profile;
pub mod notification_event;
pub mod obligation;
pub mod occurrence;
pub mod order;
pub mod order_condition;
pub mod order_protected_person;
pub mod order_status_change;
pub mod order_variation;
pub mod outbox;
pub mod reference_counter;
pub mod regime;
pub mod register_check;
pub mod registrant;
pub mod registrant_address;
pub mod registrant_birth_date;
pub mod registrant_descriptor;
pub mod registrant_duplicate;
pub mod registrant_identifier;
pub mod registrant_name;
pub mod registrant_trip;
pub mod suspension;
pub mod web_draft;
pub mod web_justification;
pub mod web_session;
