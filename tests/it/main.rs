//! The one integration-test binary (one binary links once; many would each link the whole
//! service). Each module tests one capability through the real HTTP API against a real
//! database: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set.

// A benchmark, example or test harness stops at the first failure: the house rule against
// unwrap/expect/panic is for the service, not for code whose whole job is to check it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod access_log;
mod access_matrix;
mod addresses;
mod alert_pages;
mod approvals;
mod audit;
mod audit_role;
mod audit_tamper;
mod auth;
mod back_loading;
mod blind_lookup;
mod breaches;
mod canary;
mod corrections;
mod data_dir;
mod dead_deliveries;
mod deploy;
mod disconnects;
mod duplicates;
mod exports;
mod failures;
mod forged_tokens;
mod free_text;
mod identity_provider_tokens;
mod identity_providers;
mod import;
mod job_runs;
mod jobs;
mod justification;
mod jwks;
mod key_rotation;
mod login;
mod match_profiles;
mod merges;
mod migrations;
mod name_levels;
mod national_ids;
mod notifications;
mod obligations;
mod openapi_examples;
mod order_endings;
mod order_lifecycle;
mod order_variations;
mod orders;
mod partial_dates;
mod prometheus;
mod reference;
mod register_check;
mod registrant_status;
mod registrants;
mod reports;
mod restore_drill;
mod schedules;
mod security_log;
mod session_control;
mod stall;
mod travel;
mod ui;
mod ui_addresses;
mod ui_details;
mod ui_duplicates;
mod ui_duties;
mod ui_intake;
mod ui_oversight;
mod ui_review;
mod ui_variations;
mod why_due;
