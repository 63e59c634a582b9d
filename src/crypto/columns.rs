//! The sealed columns. Each constant names the table and column that a sealed value belongs to;
//! both go into the AES-GCM associated data, so a ciphertext copied to another column or table
//! fails to open.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    pub table: &'static str,
    pub column: &'static str,
}

const fn col(table: &'static str, column: &'static str) -> Column {
    Column { table, column }
}

pub const NAME: Column = col("registrant_names", "name_sealed");
pub const BIRTH_DATE: Column = col("registrant_birth_dates", "birth_date_sealed");
pub const DESCRIPTOR: Column = col("registrant_descriptors", "value_sealed");
pub const ADDRESS: Column = col("registrant_addresses", "address_sealed");
pub const IDENTIFIER: Column = col("registrant_identifiers", "value_sealed");
pub const REGISTRANT_NOTES: Column = col("registrants", "notes_sealed");
pub const ORDER_CASE_REFERENCE: Column = col("orders", "case_reference_sealed");
pub const PROTECTED_PERSON: Column = col("order_protected_persons", "details_sealed");
pub const ORDER_STATUS_REASON: Column = col("order_status_changes", "reason_sealed");
pub const CONDITION_TEXT: Column = col("order_conditions", "text_sealed");
pub const CONDITION_PARAMETERS: Column = col("order_conditions", "parameters_sealed");
pub const COMPLIANCE_NOTES: Column = col("compliance_records", "notes_sealed");
pub const NOTIFICATION_DETAILS: Column = col("notification_events", "details_sealed");
pub const OCCURRENCE_REASON: Column = col("occurrences", "reason_sealed");
pub const BREACH_SUMMARY: Column = col("breaches", "summary_sealed");
pub const BREACH_WITHDRAWAL_REASON: Column = col("breaches", "withdrawal_reason_sealed");
pub const DECISION_REASON: Column = col("enforcement_decisions", "reason_sealed");
pub const REPORT_VICTIM: Column = col("crime_reports", "victim_sealed");
pub const REPORT_SUSPECT: Column = col("crime_reports", "suspect_sealed");
pub const REPORT_SUMMARY: Column = col("crime_reports", "summary_sealed");
pub const LINK_REASON: Column = col("links", "reason_sealed");
pub const SESSION_ID_TOKEN: Column = col("web_sessions", "id_token_sealed");
pub const SESSION_REFRESH_TOKEN: Column = col("web_sessions", "refresh_sealed");
pub const LOGIN_SECRETS: Column = col("login_attempts", "secrets_sealed");
pub const APPROVAL_REASON: Column = col("approvals", "reason_sealed");
pub const REGISTRANT_OFFICER: Column = col("registrants", "managing_officer_sealed");
pub const RISK_TOOL: Column = col("registrants", "risk_tool_sealed");
pub const IDENTIFIER_PLATFORM: Column = col("registrant_identifiers", "platform_sealed");
pub const ORDER_COURT: Column = col("orders", "court_sealed");
pub const CONDITION_RESPONSIBLE: Column = col("order_conditions", "responsible_person_sealed");
pub const NOTIFICATION_STATION: Column = col("notification_events", "station_sealed");
pub const APPROVAL_DECISION_REASON: Column = col("approvals", "decision_reason_sealed");
pub const WEB_DRAFT: Column = col("web_drafts", "draft_sealed");
pub const MATCH_PROFILE: Column = col("match_profiles", "profile_sealed");
pub const VARIATION_COURT: Column = col("order_variations", "court_sealed");
pub const VARIATION_CASE_REFERENCE: Column = col("order_variations", "case_reference_sealed");
pub const VARIATION_REASON: Column = col("order_variations", "reason_sealed");
pub const ADDRESS_CORRECTION_REASON: Column = col("registrant_addresses", "correction_reason_sealed");
pub const TRIP_DESTINATION: Column = col("registrant_trips", "destination_sealed");
pub const DUPLICATE_REASON: Column = col("registrant_duplicates", "reason_sealed");

/// Every sealed column, each keyed by its table's `id` (the row id in the associated data).
/// Key rotation re-seals exactly these; a column missing here would keep its old key forever,
/// which `tests/it/key_rotation.rs` checks against the schema.
pub const ALL: &[Column] = &[
    NAME,
    BIRTH_DATE,
    DESCRIPTOR,
    ADDRESS,
    IDENTIFIER,
    REGISTRANT_NOTES,
    ORDER_CASE_REFERENCE,
    PROTECTED_PERSON,
    ORDER_STATUS_REASON,
    CONDITION_TEXT,
    CONDITION_PARAMETERS,
    COMPLIANCE_NOTES,
    NOTIFICATION_DETAILS,
    OCCURRENCE_REASON,
    BREACH_SUMMARY,
    BREACH_WITHDRAWAL_REASON,
    DECISION_REASON,
    REPORT_VICTIM,
    REPORT_SUSPECT,
    REPORT_SUMMARY,
    LINK_REASON,
    SESSION_ID_TOKEN,
    SESSION_REFRESH_TOKEN,
    LOGIN_SECRETS,
    APPROVAL_REASON,
    APPROVAL_DECISION_REASON,
    REGISTRANT_OFFICER,
    RISK_TOOL,
    IDENTIFIER_PLATFORM,
    ORDER_COURT,
    CONDITION_RESPONSIBLE,
    NOTIFICATION_STATION,
    WEB_DRAFT,
    MATCH_PROFILE,
    VARIATION_COURT,
    VARIATION_CASE_REFERENCE,
    VARIATION_REASON,
    ADDRESS_CORRECTION_REASON,
    TRIP_DESTINATION,
    DUPLICATE_REASON,
];
