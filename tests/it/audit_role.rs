//! PostgreSQL: the service's database role (deploy/postgres/app-role.sql) can run the service but
//! can only insert and select audit rows. SQLite has no roles: there the trail relies on the
//! hash chain and signed checkpoints alone, so this test has nothing to prove on SQLite.

use sea_orm::{ConnectionTrait, Database};
use vigil::auth::{Caller, Role};
use vigil::services::{Ctx, audit, registrants};

use crate::support::{TestDb, registrant_body};

fn script(role: &str) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/postgres/app-role.sql")).expect("the script");
    let body: String = text.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    body.replace(":\"app_role\"", &format!("\"{role}\"")).split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_service_role_runs_the_register_but_cannot_edit_or_delete_audit_rows() {
    let test_db = TestDb::create().await;
    let Some((_, name)) = test_db.postgres_name() else { return };
    let owner = test_db.connect().await;
    vigil::db::migrate(&owner).await.unwrap();
    let role = format!("{name}_app");
    owner.execute_unprepared(&format!("CREATE ROLE \"{role}\" LOGIN")).await.unwrap();
    for statement in script(&role) {
        owner.execute_unprepared(&statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    // The service connects as the role (trust authentication on the test server).
    let url = test_db.url().replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(url, test_db.url(), "the test server URL names the postgres user");
    let app_db = Database::connect(&url).await.unwrap();
    let ctx = Ctx::new(app_db.clone(), std::sync::Arc::new(vigil::crypto::Crypto::new(vigil::crypto::KeyRing::generate())));
    let caller = Caller::system("met");
    let input = serde_json::from_value(registrant_body("RoleTest")).unwrap();
    let mut ppo = caller.clone();
    ppo.roles = vec![Role::Ppo];
    registrants::create(&ctx, &ppo, input, vigil::clock::now()).await.expect("the service works under its role");
    audit::chain::seal_all(&app_db, ctx.crypto.clone(), vigil::clock::now())
        .await
        .expect("sealing needs only INSERT and SELECT (and the mark)");
    let verify = || async {
        let options =
            audit::verify::VerifyOptions { now: vigil::clock::now(), sealing_delay: chrono::TimeDelta::seconds(300), checkpoints: None };
        audit::verify::verify(&app_db, &ctx.crypto, options).await.unwrap()
    };
    assert!(verify().await.holds());

    for forbidden in [
        "UPDATE audit_events SET operation = 'nothing'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events CASCADE",
        "UPDATE audit_chain SET entry_hash = 'x'",
        "DELETE FROM audit_chain",
        "TRUNCATE audit_chain",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "DROP TABLE audit_chain",
        "DELETE FROM audit_event_records",
        "UPDATE audit_event_records SET record_id = 'x'",
        "TRUNCATE audit_event_records",
        "DROP TRIGGER audit_events_index_records ON audit_events",
    ] {
        let err = app_db.execute_unprepared(forbidden).await.expect_err(forbidden).to_string();
        assert!(err.contains("permission denied") || err.contains("must be owner"), "{forbidden}: {err}");
    }
    let report = verify().await;
    assert_eq!((report.links_checked, report.holds()), (1, true), "the trail is intact");

    app_db.close().await.ok();
    owner.execute_unprepared(&format!("DROP OWNED BY \"{role}\"")).await.unwrap();
    owner.execute_unprepared(&format!("DROP ROLE \"{role}\"")).await.unwrap();
}
