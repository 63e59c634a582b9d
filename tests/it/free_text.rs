//! Free text is sealed (issue 13, item 6). Every text column of the schema is listed here with
//! why it may be stored in clear; a new text column fails this test until it is sealed or
//! listed. Values left in a plaintext column by an earlier version are sealed at start-up.

use sea_orm::{ConnectionTrait, Statement};
use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

/// Closed vocabularies (stored enums), checked on the way in and out.
const VOCABULARY: &[&str] = &[
    "alerts.kind",
    // The event that started an occurrence's clock (`domain::due::DueEvent`).
    "occurrences.basis_event",
    // The same event, or empty, as part of the occurrence's unique key.
    "occurrences.subject",
    "alerts.status",
    "alerts.subject_type",
    "approvals.action",
    "approvals.status",
    "approvals.decided_role",
    "approvals.requested_role",
    "audit_events.action",
    "audit_events.actor_role",
    "audit_events.outcome",
    "audit_events.operation",
    "audit_events.record_type",
    "audit_events.reason_code",
    "blind_indexes.field",
    "blind_indexes.kind",
    "blind_indexes.owner_kind",
    "blind_indexes.source_table",
    "match_profiles.owner_kind",
    "breaches.source",
    "breaches.status",
    "compliance_records.outcome",
    "crime_reports.channels",
    "crime_reports.included_classifications",
    "crime_reports.principal_classification",
    "enforcement_decisions.action",
    "enforcement_decisions.decided_role",
    "job_runs.job",
    "job_runs.outcome",
    "job_state.job",
    "links.decided_role",
    "registrant_duplicates.status",
    "registrant_duplicates.decided_role",
    "links.status",
    "links.target_kind",
    "match_candidates.outcome",
    "match_candidates.target_kind",
    "notification_events.kind",
    "notification_events.method",
    "obligations.kind",
    "obligations.regime_code",
    "obligations.status",
    "occurrences.status",
    "order_conditions.category",
    "order_conditions.kind",
    "order_protected_persons.data_subject_category",
    "order_status_changes.changed_role",
    "order_status_changes.from_status",
    "order_status_changes.to_status",
    "order_variations.kind",
    "orders.kind",
    "orders.regime_code",
    "orders.status",
    "outbox.status",
    "outbox.topic",
    "register_checks.actor_role",
    "register_checks.algorithm_version",
    "registrant_duplicates.algorithm_version",
    "register_checks.reason_code",
    "register_checks.result",
    "registrant_addresses.kind",
    "registrant_descriptors.kind",
    "registrant_identifiers.kind",
    "registrant_names.kind",
    "registrants.risk_level",
    "registrants.status",
    "suspensions.kind",
    "web_sessions.ended_reason",
    "web_sessions.roles",
    "web_justifications.reason_code",
];
/// Organisation codes (forces, probation regions): who holds a record, not who it is about.
const ORGANISATIONS: &[&str] = &[
    "alerts.managing_org",
    "approvals.org",
    "audit_events.actor_org",
    "breaches.managing_org",
    "compliance_records.recorded_org",
    "crime_reports.force",
    "crime_reports.intake_org",
    "orders.managing_org",
    "outbox.recipient_org",
    "register_checks.actor_org",
    "register_checks.contact_org",
    "registrants.managing_org",
    "registrants.supervising_org",
    "web_sessions.org",
];
/// Staff identities as the identity provider gives them (issuer and subject ids, not names).
const STAFF: &[&str] = &[
    "alerts.acknowledged_by",
    "approvals.decided_by_issuer",
    "approvals.decided_by_subject",
    "approvals.requested_by_issuer",
    "approvals.requested_by_subject",
    "audit_events.actor_issuer",
    "audit_events.actor_subject",
    "breaches.recorded_by",
    "breaches.withdrawn_by",
    "compliance_records.recorded_by",
    "crime_reports.created_by",
    "enforcement_decisions.decided_by",
    "links.decided_by",
    "registrant_duplicates.decided_by",
    "notification_events.recorded_by",
    "occurrences.resolved_by",
    "order_status_changes.changed_by",
    "order_variations.recorded_by",
    "registrant_addresses.corrected_by",
    "registrant_trips.recorded_by",
    "orders.created_by",
    "register_checks.actor_issuer",
    "register_checks.actor_subject",
    "registrants.created_by",
    "suspensions.recorded_by",
    "web_sessions.issuer",
    "web_sessions.subject",
    "job_runs.holder",
    "job_state.lease_holder",
];
/// References and keys made by Vigil or another system, naming nobody: register and check
/// references, crime and victim reference numbers, dedupe and pending keys, request ids.
const REFERENCES: &[&str] = &[
    "alerts.dedupe_key",
    "approvals.pending_key",
    "audit_events.crime_reference",
    "audit_events.request_id",
    "audit_events.record_ids",
    // One id from an entry's record_ids (the search index filled by a trigger).
    "audit_event_records.record_id",
    "crime_reports.crime_reference",
    "crime_reports.victim_reference",
    "register_checks.crime_reference",
    "register_checks.reference",
    "registrants.reference",
    "web_sessions.sid",
    "web_justifications.reference",
];
/// Hashes, MACs and digests.
const DIGESTS: &[&str] = &[
    "audit_chain.entry_hash",
    "audit_chain.prev_hash",
    "audit_events.mac",
    "audit_seal_marks.entry_hash",
    "audit_seal_marks.mac",
    "backchannel_logouts.jti_hash",
    "login_attempts.binding_hash",
    "login_attempts.state_hash",
    "web_sessions.token_hash",
];
/// Structured data of ids, dates, counts and rules, never values about a person: alert and job
/// details, match explanations (field names and agreement levels), schedules, reference
/// regimes, the outbox payload and delivery errors, a login's return path within Vigil, the
/// ids of the rows a merge moved.
const STRUCTURED: &[&str] = &[
    "alerts.detail",
    "job_runs.detail",
    "match_candidates.explanation",
    "registrant_duplicates.explanation",
    "registrant_duplicates.merge_moves",
    "obligations.schedule",
    "order_conditions.schedule",
    "outbox.payload",
    "outbox.last_error",
    "regimes.change_events",
    "regimes.displaced_by",
    "regimes.code",
    "regimes.initial_trigger",
    "regimes.title",
    "login_attempts.return_to",
];
/// Plaintext columns of an earlier version, replaced by sealed ones and emptied at start-up
/// (`services::legacy`); never written now.
const LEGACY_EMPTIED: &[&str] = &[
    "registrants.managing_officer",
    "registrants.risk_tool",
    "registrant_identifiers.platform",
    "orders.court",
    "order_conditions.responsible_person",
    "notification_events.station",
    "outbox.recipient_officer",
];

async fn text_columns(app: &TestApp) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT table_name::text || '.' || column_name::text FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name NOT LIKE 'seaql%' AND data_type IN ('text', 'character varying')"
        }
        _ => {
            "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'seaql%' AND m.name NOT LIKE 'sqlite%' AND lower(p.type) IN ('text', 'varchar')"
        }
    };
    let rows = app.db.query_all_raw(Statement::from_string(backend, sql.to_owned())).await.unwrap();
    let mut columns: Vec<String> = rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
    columns.sort();
    columns
}

#[tokio::test]
async fn every_text_column_is_sealed_or_says_why_it_may_be_clear() {
    let app = TestApp::spawn().await;
    let mut listed: Vec<String> = [VOCABULARY, ORGANISATIONS, STAFF, REFERENCES, DIGESTS, STRUCTURED, LEGACY_EMPTIED]
        .concat()
        .into_iter()
        .map(str::to_owned)
        .collect();
    listed.sort();
    let mut twice = listed.clone();
    twice.dedup();
    assert_eq!(twice.len(), listed.len(), "a column is listed twice");
    let in_schema = text_columns(&app).await;
    let unlisted: Vec<&String> = in_schema.iter().filter(|c| !listed.contains(c)).collect();
    let gone: Vec<&String> = listed.iter().filter(|c| !in_schema.contains(c)).collect();
    assert!(unlisted.is_empty(), "text columns neither sealed nor listed: {unlisted:?}");
    assert!(gone.is_empty(), "listed columns that are not in the schema: {gone:?}");
}

#[tokio::test]
async fn values_an_earlier_version_left_in_clear_are_sealed_at_start_up() {
    let mut app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Legacy")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    app.stop().await;
    // As an earlier version wrote it: the officer in the plaintext column, no sealed value.
    let sql = |s: &str| Statement::from_string(app.db.get_database_backend(), s.to_owned());
    app.db.execute_raw(sql("UPDATE registrants SET managing_officer = 'DC Legacy Officer', managing_officer_sealed = NULL")).await.unwrap();
    app.db
        .execute_raw(sql(
            "UPDATE registrant_identifiers SET platform = 'legacyplatform', platform_sealed = NULL WHERE platform_sealed IS NOT NULL",
        ))
        .await
        .unwrap();
    let moved = vigil::services::legacy::seal_plaintext(&app.db, &app.ctx.crypto).await.unwrap();
    assert_eq!(moved, 2);
    assert_eq!(vigil::services::legacy::seal_plaintext(&app.db, &app.ctx.crypto).await.unwrap(), 0, "idempotent");
    for check in [
        "SELECT COUNT(*) FROM registrants WHERE managing_officer IS NOT NULL OR managing_officer_sealed IS NULL",
        "SELECT COUNT(*) FROM registrant_identifiers WHERE platform IS NOT NULL",
    ] {
        let row = app.db.query_one_raw(sql(check)).await.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0, "{check}");
    }
    // The moved values read back through the service.
    let view = vigil::services::registrants::get(&app.ctx, &officer(), id.parse().unwrap(), vigil::clock::now()).await.unwrap();
    assert_eq!(view.managing_officer.as_deref(), Some("DC Legacy Officer"));
    assert!(view.identifiers.iter().any(|i| i.platform.as_deref() == Some("legacyplatform")));
}

fn officer() -> vigil::auth::Caller {
    let mut caller = vigil::auth::Caller::system("met");
    caller.roles = vec![Role::Ppo];
    caller
}
