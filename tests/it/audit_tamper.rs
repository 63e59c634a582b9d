//! Tampering with the audit trail, done the way someone with write access to the database (but
//! not the key ring) would, each to a trail of its own; `vigil audit verify` must exit non-zero
//! and name what was done. Also: verify never writes, and the service's own sealer refuses to
//! re-seal a chain that was cut back.

use std::path::PathBuf;
use std::process::Command;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;
use tempfile::TempDir;
use vigil::crypto::{Crypto, KeyRing};
use vigil::services::audit;

use crate::support::{TestApp, registrant_body};

/// A trail of `entries` sealed entries, with the service stopped and a signed checkpoint of its
/// tip in `files/checkpoints`.
struct Trail {
    app: TestApp,
    files: TempDir,
}

impl Trail {
    async fn new(entries: usize) -> Self {
        let files = tempfile::tempdir().unwrap();
        KeyRing::generate().save_new(&files.path().join("keyring.json")).unwrap();
        let mut app = TestApp::spawn_with_crypto(Self::load_crypto(&files)).await;
        for i in 0..entries {
            app.registrant("met", registrant_body(&format!("Trail{i}"))).await;
        }
        app.stop().await;
        audit::chain::seal_all(&app.db, app.ctx.crypto.clone(), vigil::clock::now()).await.unwrap();
        audit::checkpoints::write(&app.db, &app.ctx.crypto, &files.path().join("checkpoints"), vigil::clock::now()).await.unwrap();
        Self { app, files }
    }

    fn load_crypto(files: &TempDir) -> Crypto {
        Crypto::new(KeyRing::load(&files.path().join("keyring.json")).unwrap())
    }

    fn checkpoints(&self) -> PathBuf {
        self.files.path().join("checkpoints")
    }

    async fn sql(&self, statements: &[&str]) {
        let txn = self.app.db.begin().await.unwrap();
        for statement in statements {
            txn.execute_unprepared(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        txn.commit().await.unwrap();
    }

    /// As [`Trail::sql`], with the links' foreign key to their entries out of the way, as the
    /// owner of the tables could do.
    async fn sql_without_foreign_keys(&self, statements: &[&str]) {
        if self.app.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            // A connection of its own: the pragma is per connection and not inside a transaction.
            let mut options = sea_orm::ConnectOptions::new(self.app.test_db.url());
            options.max_connections(1).sqlx_logging(false);
            let conn = sea_orm::Database::connect(options).await.unwrap();
            conn.execute_unprepared("PRAGMA foreign_keys = OFF").await.unwrap();
            for statement in statements {
                conn.execute_unprepared(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            conn.close().await.unwrap();
        } else {
            let mut all = vec!["ALTER TABLE audit_chain DROP CONSTRAINT fk_audit_chain_event_seq"];
            all.extend_from_slice(statements);
            self.sql(&all).await;
        }
    }

    /// The service's sealer, as a replica would run it after the tampering.
    async fn service_seals(&self) -> Result<u64, audit::chain::SealError> {
        audit::chain::Sealer::new(self.app.db.clone(), self.app.ctx.crypto.clone()).seal_all(vigil::clock::now()).await
    }

    /// Runs `vigil audit verify` as an operator would; returns its exit code, its report and
    /// what it said.
    fn verify(&self, sealing_delay_seconds: u64) -> (i32, Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["audit", "verify", "--sealing-delay-seconds", &sealing_delay_seconds.to_string(), "--checkpoints"])
            .arg(self.checkpoints())
            .env("VIGIL__DATABASE__URL", self.app.test_db.url())
            .env("VIGIL__KEYS__FILE", self.files.path().join("keyring.json"))
            .output()
            .expect("the vigil binary runs");
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("no report ({e}): {}\n{said}", String::from_utf8_lossy(&out.stdout)));
        (out.status.code().unwrap_or(-1), report, said)
    }
}

fn kinds(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_owned()).collect()
}

/// Asserts a failed verification that names `kind` (in the report and on stderr).
fn names(result: &(i32, Value, String), kind: &str) {
    let (code, report, said) = result;
    assert_eq!(*code, 2, "verify must fail: {said}");
    assert!(kinds(report).iter().any(|k| k == kind), "{kind} not in {:?}\n{said}", kinds(report));
}

#[tokio::test]
async fn an_intact_trail_verifies_and_verify_writes_nothing() {
    let trail = Trail::new(3).await;
    // An entry written but not yet sealed, younger than the delay, is waiting, not a finding.
    let caller = vigil::auth::Caller::system("met");
    audit::record(&trail.app.db, &trail.app.ctx.crypto, &caller, vigil::clock::now(), crate::support::a_consultation()).await.unwrap();
    let (links, events) = (trail.app.count("audit_chain").await, trail.app.count("audit_events").await);
    let (code, report, said) = trail.verify(300);
    assert_eq!(code, 0, "{said}");
    assert_eq!((report["links_checked"].as_u64(), report["awaiting_seal"].as_u64()), (Some(3), Some(1)));
    assert_eq!(report["checkpoints_checked"].as_u64(), Some(1));
    assert_eq!(
        (trail.app.count("audit_chain").await, trail.app.count("audit_events").await),
        (links, events),
        "verify never seals or writes"
    );
    // The same unsealed entry, once older than the sealing delay, is one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    names(&trail.verify(1), "never_sealed");
}

#[tokio::test]
async fn a_trimmed_tail_is_found_against_the_sealers_mark_and_the_checkpoint() {
    let trail = Trail::new(4).await;
    trail.sql(&["DELETE FROM audit_chain WHERE pos >= 3", "DELETE FROM audit_events WHERE seq >= 3"]).await;
    let result = trail.verify(300);
    names(&result, "missing_tail");
    let details: Vec<&str> = result.1["findings"].as_array().unwrap().iter().filter_map(|f| f["detail"].as_str()).collect();
    assert!(details.iter().any(|d| d.contains("high-water mark") || d.contains("sealer had sealed")), "{details:?}");
    assert!(details.iter().any(|d| d.contains("shorter than this checkpoint")), "{details:?}");
    // The service will not build on the shortened chain.
    assert!(matches!(trail.service_seals().await, Err(audit::chain::SealError::Tampered(_))));
}

#[tokio::test]
async fn a_trimmed_tail_with_the_mark_removed_is_still_found() {
    let trail = Trail::new(4).await;
    trail.sql(&["DELETE FROM audit_chain WHERE pos >= 3", "DELETE FROM audit_events WHERE seq >= 3", "DELETE FROM audit_seal_marks"]).await;
    let result = trail.verify(300);
    names(&result, "missing_tail");
    assert!(matches!(trail.service_seals().await, Err(audit::chain::SealError::Tampered(_))), "a keyed chain without its mark");
}

#[tokio::test]
async fn a_middle_entry_erased_and_the_chain_left_for_the_service_to_reseal_is_found() {
    let trail = Trail::new(4).await;
    // Delete entry 2 with every link from its own on, so the rest looks merely unsealed.
    trail.sql(&["DELETE FROM audit_chain WHERE pos >= 2", "DELETE FROM audit_events WHERE seq = 2"]).await;
    assert!(matches!(trail.service_seals().await, Err(audit::chain::SealError::Tampered(_))), "the sealer refuses");
    names(&trail.verify(300), "missing_tail");

    // Even with the whole chain and the mark gone, a fresh sealer re-seals everything, late,
    // and the checkpoint no longer matches.
    let trail = Trail::new(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    trail.sql(&["DELETE FROM audit_chain", "DELETE FROM audit_events WHERE seq = 2", "DELETE FROM audit_seal_marks"]).await;
    assert_eq!(trail.service_seals().await.unwrap(), 3);
    let result = trail.verify(1);
    names(&result, "missing_tail");
    names(&result, "late_seal");
}

#[tokio::test]
async fn a_forged_entry_is_found_even_after_the_service_sealed_it() {
    let trail = Trail::new(2).await;
    let new_id = match trail.app.db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => "randomblob(16)",
        _ => "gen_random_uuid()",
    };
    // A copy of a genuine row under a new id: every column plausible, its MAC copied too.
    let forged = format!(
        "INSERT INTO audit_events (id, occurred_at, actor_issuer, actor_subject, actor_role, actor_org, action, operation, \
         outcome, record_type, record_ids, reason_code, crime_reference, request_id, mac_key, mac) \
         SELECT {new_id}, occurred_at, actor_issuer, 'someone-else', actor_role, actor_org, action, operation, outcome, \
         record_type, record_ids, reason_code, crime_reference, request_id, mac_key, mac FROM audit_events WHERE seq = 1"
    );
    trail.sql(&[&forged]).await;
    assert_eq!(trail.service_seals().await.unwrap(), 1, "the sealer chains what it finds");
    let result = trail.verify(300);
    names(&result, "forged");
    assert!(result.2.contains("Forged at position 3"), "{}", result.2);
}

#[tokio::test]
async fn an_edited_entry_is_found() {
    let trail = Trail::new(3).await;
    trail.sql(&["UPDATE audit_events SET actor_subject = 'someone-else' WHERE seq = 2"]).await;
    let result = trail.verify(300);
    names(&result, "edit");
    assert!(result.2.contains("Edit at position 2"), "{}", result.2);
}

#[tokio::test]
async fn reordered_links_and_entries_are_found() {
    let trail = Trail::new(4).await;
    // Links 2 and 3 swap places.
    trail
        .sql(&[
            "UPDATE audit_chain SET pos = 100 WHERE pos = 2",
            "UPDATE audit_chain SET pos = 2 WHERE pos = 3",
            "UPDATE audit_chain SET pos = 3 WHERE pos = 100",
        ])
        .await;
    names(&trail.verify(300), "reorder");

    // Entries 2 and 3 swap numbers, their links untouched.
    let trail = Trail::new(4).await;
    trail
        .sql_without_foreign_keys(&[
            "UPDATE audit_events SET seq = 1000 WHERE seq = 2",
            "UPDATE audit_events SET seq = 2 WHERE seq = 3",
            "UPDATE audit_events SET seq = 3 WHERE seq = 1000",
        ])
        .await;
    let result = trail.verify(300);
    names(&result, "reorder");
    assert!(result.2.contains("now carries number"), "{}", result.2);
}

#[tokio::test]
async fn a_gap_and_a_deleted_entry_are_found() {
    let trail = Trail::new(4).await;
    trail.sql(&["DELETE FROM audit_chain WHERE pos = 2"]).await;
    names(&trail.verify(300), "gap");

    // The entry goes and its link stays.
    let trail = Trail::new(3).await;
    trail.sql_without_foreign_keys(&["DELETE FROM audit_events WHERE seq = 2"]).await;
    names(&trail.verify(300), "deleted");
}

#[tokio::test]
async fn a_checkpoint_that_does_not_match_or_is_not_ours_is_found() {
    let trail = Trail::new(2).await;
    let path = std::fs::read_dir(trail.checkpoints()).unwrap().next().unwrap().unwrap().path();
    let original = std::fs::read(&path).unwrap();
    // Edited to match some other chain: the signature no longer holds.
    let mut checkpoint: Value = serde_json::from_slice(&original).unwrap();
    checkpoint["entry_hash"] = Value::String("0".repeat(64));
    std::fs::write(&path, serde_json::to_vec(&checkpoint).unwrap()).unwrap();
    let result = trail.verify(300);
    names(&result, "checkpoint_mismatch");
    assert!(result.2.contains("signature is not ours"), "{}", result.2);
    // Signed by another key ring.
    std::fs::remove_file(&path).unwrap();
    let other = Crypto::new(KeyRing::generate());
    audit::checkpoints::write(&trail.app.db, &other, &trail.checkpoints(), vigil::clock::now()).await.unwrap();
    names(&trail.verify(300), "checkpoint_mismatch");
    // Genuine, but the chain was rewritten under it (the mark too).
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &original).unwrap();
    assert_eq!(trail.verify(300).0, 0);
    trail.sql(&["UPDATE audit_chain SET entry_hash = prev_hash WHERE pos = 2"]).await;
    let result = trail.verify(300);
    names(&result, "checkpoint_mismatch");
    names(&result, "broken_link");
    // The folder itself removed.
    std::fs::remove_dir_all(trail.checkpoints()).unwrap();
    names(&trail.verify(300), "checkpoint_mismatch");
}

/// `serve` with `[audit]` set to `audit`: its exit code and what it said.
fn serve_with(audit: &str) -> (i32, String) {
    let files = tempfile::tempdir().unwrap();
    let config = files.path().join("vigil.toml");
    let text = format!(
        "[database]\nurl = \"sqlite://{db}?mode=rwc\"\n[keys]\nfile = \"{keys}\"\n[oidc]\nissuer = \"https://idp.example\"\naudience = \"vigil-api\"\n\
         roles_claim = \"vigil_roles\"\norg_claim = \"vigil_org\"\n[audit]\n{audit}\n",
        db = files.path().join("vigil.db").display(),
        keys = files.path().join("missing-keyring.json").display(),
    );
    std::fs::write(&config, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil")).arg("--config").arg(&config).arg("serve").output().expect("the vigil binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn serve_refuses_an_unanchored_trail_unless_the_operator_says_so() {
    let (code, said) = serve_with("");
    assert_ne!(code, 0);
    assert!(said.contains("audit.checkpoint_dir") && said.contains("accept_unanchored_trail"), "{said}");
    let (code, said) = serve_with("accept_unanchored_trail = false");
    assert!(code != 0 && said.contains("audit.checkpoint_dir"), "{said}");
    // Accepted in words: start-up goes on to the next check (the key ring, missing here).
    let (code, said) = serve_with("accept_unanchored_trail = true");
    assert!(code != 0 && !said.contains("audit.checkpoint_dir") && said.contains("key"), "{said}");
    let (_, said) = serve_with("checkpoint_dir = \"/tmp/vigil-checkpoints-test\"");
    assert!(!said.contains("audit.checkpoint_dir"), "{said}");
}
