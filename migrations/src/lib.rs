//! Schema history. Each file is one frozen change; none imports the entities crate, so an old
//! migration never changes meaning when a model does. The same migrations run on SQLite and
//! PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_registrants;
mod m20261122_000002_orders;
mod m20261122_000003_obligations;
mod m20261122_000004_audit;
mod m20261122_000005_order_status_changes;
mod m20261122_000006_jobs;
mod m20261122_000007_linkage;
mod m20261122_000020_reference_sequence;
mod m20261122_000021_blind_index_covering;
mod m20261122_000022_web_sessions;
mod m20261122_000023_approvals;
mod m20261122_000024_key_usage;
mod m20261122_000025_session_revalidation;
mod m20261130_000026_keyed_audit;
mod m20261130_000027_seal_free_text;
mod m20261130_000028_web_justifications;
mod m20261130_000029_web_drafts;
mod m20261130_000032_alert_acknowledgement;
mod m20261130_000033_occurrence_basis;
mod m20261130_000034_match_profiles;
mod m20261130_000035_queue_indexes;
mod m20261130_000036_order_replacement;
mod m20261130_000037_order_endings;
mod m20261130_000038_job_run_heartbeats;
mod m20261130_000039_occurrence_subjects;
mod m20261130_000040_breach_withdrawal;
mod m20261130_000041_regime_displacement;
mod m20261130_000042_order_variations;
mod m20261130_000043_address_corrections;
mod m20261130_000044_registrant_trips;
mod m20261201_000045_audit_record_index;
mod m20261201_000046_registrant_duplicates;
mod m20261201_000047_registrant_merges;
mod support;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_registrants::Migration),
            Box::new(m20261122_000002_orders::Migration),
            Box::new(m20261122_000003_obligations::Migration),
            Box::new(m20261122_000004_audit::Migration),
            Box::new(m20261122_000005_order_status_changes::Migration),
            Box::new(m20261122_000006_jobs::Migration),
            Box::new(m20261122_000007_linkage::Migration),
            Box::new(m20261122_000020_reference_sequence::Migration),
            Box::new(m20261122_000021_blind_index_covering::Migration),
            Box::new(m20261122_000022_web_sessions::Migration),
            Box::new(m20261122_000023_approvals::Migration),
            Box::new(m20261122_000024_key_usage::Migration),
            Box::new(m20261122_000025_session_revalidation::Migration),
            Box::new(m20261130_000026_keyed_audit::Migration),
            Box::new(m20261130_000027_seal_free_text::Migration),
            Box::new(m20261130_000028_web_justifications::Migration),
            Box::new(m20261130_000029_web_drafts::Migration),
            Box::new(m20261130_000032_alert_acknowledgement::Migration),
            Box::new(m20261130_000033_occurrence_basis::Migration),
            Box::new(m20261130_000034_match_profiles::Migration),
            Box::new(m20261130_000035_queue_indexes::Migration),
            Box::new(m20261130_000036_order_replacement::Migration),
            Box::new(m20261130_000037_order_endings::Migration),
            Box::new(m20261130_000038_job_run_heartbeats::Migration),
            Box::new(m20261130_000039_occurrence_subjects::Migration),
            Box::new(m20261130_000040_breach_withdrawal::Migration),
            Box::new(m20261130_000041_regime_displacement::Migration),
            Box::new(m20261130_000042_order_variations::Migration),
            Box::new(m20261130_000043_address_corrections::Migration),
            Box::new(m20261130_000044_registrant_trips::Migration),
            Box::new(m20261201_000045_audit_record_index::Migration),
            Box::new(m20261201_000046_registrant_duplicates::Migration),
            Box::new(m20261201_000047_registrant_merges::Migration),
        ]
    }
}
