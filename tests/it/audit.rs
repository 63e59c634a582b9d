//! The audit trail: one entry per operation, no personal data, a hash chain that detects
//! edits, deletions and reordering.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use vigil::auth::Role;
use vigil::services::audit;

use crate::support::{TestApp, registrant_body};

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap()
}

#[tokio::test]
async fn each_operation_writes_exactly_one_entry_with_its_justification() {
    let app = TestApp::spawn().await;
    let token = app.token_for("officer-7", Role::Ppo, "met");
    let created = app.registrant("met", registrant_body("Audited")).await;
    assert_eq!(app.count("audit_events").await, 1);
    let id = created["id"].as_str().unwrap();
    let response = app
        .client
        .get(format!("{}/api/v1/registrants/{id}", app.base))
        .bearer_auth(&token)
        .header("vigil-reason-code", "INVESTIGATION")
        .header("vigil-crime-reference", "01/123456/26")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.patch(&format!("/api/v1/registrants/{id}"), &token, &json!({"version": 1, "status": "abroad"})).await;
    let entries = rows(&app, "SELECT action, operation, actor_subject, actor_role, actor_org, reason_code, crime_reference, record_ids, outcome FROM audit_events ORDER BY seq").await;
    assert_eq!(entries.len(), 3);
    let text = |r: &sea_orm::QueryResult, c: &str| r.try_get::<Option<String>>("", c).unwrap();
    assert_eq!(text(&entries[0], "action").as_deref(), Some("collection"));
    assert_eq!(text(&entries[1], "action").as_deref(), Some("consultation"));
    assert_eq!(text(&entries[1], "actor_subject").as_deref(), Some("officer-7"));
    assert_eq!(text(&entries[1], "reason_code").as_deref(), Some("INVESTIGATION"));
    assert_eq!(text(&entries[1], "crime_reference").as_deref(), Some("01/123456/26"));
    assert!(text(&entries[1], "record_ids").unwrap().contains(id));
    assert_eq!(text(&entries[2], "action").as_deref(), Some("alteration"));

    // A refused read is audited as denied.
    let probation = app.token(Role::Probation, "probation-elsewhere");
    assert_eq!(app.get(&format!("/api/v1/registrants/{id}"), &probation).await.0, 404);
    let denied = rows(&app, "SELECT outcome FROM audit_events WHERE outcome = 'denied'").await;
    assert_eq!(denied.len(), 1);
    // A malformed justification header is refused before anything happens.
    let response = app
        .client
        .get(format!("{}/api/v1/registrants/{id}", app.base))
        .bearer_auth(&token)
        .header("vigil-reason-code", "bad value!")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_chain_verifies_and_detects_edits_and_deletions() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        app.registrant("met", registrant_body(&format!("Chain{i}"))).await;
    }
    // The app's own background sealer may have chained some entries already; the cheap pass
    // (new entries only) and the full one agree.
    audit::seal_recent(&app.db, vigil::clock::now()).await.unwrap();
    assert_eq!(audit::seal_pending(&app.db, vigil::clock::now()).await.unwrap(), 0, "the cheap pass chained every new entry");
    assert_eq!(audit::seal_recent(&app.db, vigil::clock::now()).await.unwrap(), 0, "sealing is idempotent");
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!((report.links_checked, report.first_broken.clone(), report.unsealed_events), (3, None, 0));

    app.db.execute_unprepared("UPDATE audit_events SET operation = 'registrant.read' WHERE seq = 2").await.unwrap();
    let report = audit::verify(&app.db).await.unwrap();
    let broken = report.first_broken.expect("edit detected");
    assert_eq!((broken.position, broken.reason), (2, "the entry was altered after it was sealed"));

    app.db.execute_unprepared("UPDATE audit_events SET operation = 'registrant.create' WHERE seq = 2").await.unwrap();
    assert!(audit::verify(&app.db).await.unwrap().first_broken.is_none(), "restoring the entry restores the chain");

    app.db.execute_unprepared("DELETE FROM audit_chain WHERE pos = 2").await.unwrap();
    let broken = audit::verify(&app.db).await.unwrap().first_broken.expect("deletion detected");
    assert_eq!(broken.position, 3);
}

#[tokio::test]
async fn concurrent_writers_and_sealers_never_fork_the_chain() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/registrants", app.base);
        let token = app.token(Role::Ppo, "met");
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&registrant_body(&format!("Concurrent{i}"))).send().await.unwrap().status().as_u16()
        }));
    }
    let sealers: Vec<_> = (0..3)
        .map(|_| {
            let db = app.db.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    audit::seal_pending(&db, vigil::clock::now()).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    for s in sealers {
        s.await.unwrap();
    }
    audit::seal_pending(&app.db, vigil::clock::now()).await.unwrap();
    let report = audit::verify(&app.db).await.unwrap();
    assert_eq!((report.links_checked, report.first_broken, report.unsealed_events), (12, None, 0));
}

#[tokio::test]
async fn signed_checkpoints_outside_the_database_detect_a_truncated_tail() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        app.registrant("met", registrant_body(&format!("Tail{i}"))).await;
    }
    audit::seal_pending(&app.db, vigil::clock::now()).await.unwrap();
    let written = audit::checkpoints::write(&app.db, &app.ctx.crypto, dir.path(), vigil::clock::now()).await.unwrap();
    assert!(written.is_some());
    assert!(
        audit::checkpoints::write(&app.db, &app.ctx.crypto, dir.path(), vigil::clock::now()).await.unwrap().is_none(),
        "same tip, no new file"
    );
    let report = audit::checkpoints::check(&app.db, &app.ctx.crypto, dir.path()).await.unwrap();
    assert_eq!((report.checkpoints_checked, report.first_problem), (1, None));

    // Cutting off the newest entry with its link leaves a valid, shorter chain...
    // (One transaction: the app's background sealer must not re-chain the entry in between.)
    use sea_orm::TransactionTrait;
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared("DELETE FROM audit_chain WHERE pos = 3").await.unwrap();
    txn.execute_unprepared("DELETE FROM audit_events WHERE seq = 3").await.unwrap();
    txn.commit().await.unwrap();
    let chain = audit::verify(&app.db).await.unwrap();
    assert!(chain.first_broken.is_none(), "the hash chain alone cannot see a truncated tail");
    // ...which the checkpoint does see.
    let problem =
        audit::checkpoints::check(&app.db, &app.ctx.crypto, dir.path()).await.unwrap().first_problem.expect("truncation detected");
    assert_eq!(problem.position, Some(3));
    assert!(problem.reason.contains("shorter"), "{}", problem.reason);
}

#[tokio::test]
async fn a_forged_or_edited_checkpoint_is_refused() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    app.registrant("met", registrant_body("Forged")).await;
    audit::seal_pending(&app.db, vigil::clock::now()).await.unwrap();
    let path = audit::checkpoints::write(&app.db, &app.ctx.crypto, dir.path(), vigil::clock::now()).await.unwrap().unwrap();
    // Someone moves the checkpoint to match a rewritten chain: the signature no longer holds.
    let mut checkpoint: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    checkpoint["entry_hash"] = json!("0".repeat(64));
    std::fs::write(&path, serde_json::to_vec(&checkpoint).unwrap()).unwrap();
    let problem = audit::checkpoints::check(&app.db, &app.ctx.crypto, dir.path()).await.unwrap().first_problem.expect("refused");
    assert_eq!(problem.reason, "the checkpoint's signature is not ours");
    // A checkpoint signed by another key ring is not ours either.
    let other = vigil::crypto::Crypto::new(vigil::crypto::KeyRing::generate());
    std::fs::remove_file(&path).unwrap();
    audit::checkpoints::write(&app.db, &other, dir.path(), vigil::clock::now()).await.unwrap();
    let problem = audit::checkpoints::check(&app.db, &app.ctx.crypto, dir.path()).await.unwrap().first_problem.expect("refused");
    assert_eq!(problem.reason, "the checkpoint's signature is not ours");
}

#[tokio::test]
async fn auditors_search_by_record_user_and_date_and_each_search_and_export_is_audited() {
    let app = TestApp::spawn().await;
    let first = app.registrant("met", registrant_body("Searched")).await;
    let record = first["id"].as_str().unwrap().to_owned();
    let token = app.token_for("pc-7", Role::Ppo, "met");
    app.get(&format!("/api/v1/registrants/{record}"), &token).await;
    app.registrant("met", registrant_body("Other")).await;
    let auditor = app.token_for("auditor-1", Role::Auditor, "met");

    let (status, page) = app.get(&format!("/api/v1/audit/events?record_id={record}"), &auditor).await;
    assert_eq!(status, 200, "{page}");
    let ops: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["registrant.create", "registrant.read"], "only entries naming that record");
    let (_, by_user) = app.get("/api/v1/audit/events?actor=pc-7", &auditor).await;
    assert_eq!(by_user["items"].as_array().unwrap().len(), 1);
    let future = "2999-01-01T00:00:00Z";
    let (_, none) = app.get(&format!("/api/v1/audit/events?from={future}"), &auditor).await;
    assert_eq!(none["items"], json!([]));
    let (_, paged) = app.get("/api/v1/audit/events?limit=1", &auditor).await;
    let after = paged["next_after"].as_i64().expect("more pages");
    let (_, next) = app.get(&format!("/api/v1/audit/events?limit=1&after={after}"), &auditor).await;
    assert!(next["items"][0]["seq"].as_i64().unwrap() > after);

    // Bad input is named and nothing is searched.
    let (status, problem) = app.get("/api/v1/audit/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", &auditor).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("to")));
    let (status, problem) = app.get("/api/v1/audit/events?limit=0", &auditor).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("limit")));

    // Export needs a recent authentication (step-up), a reason, returns NDJSON, and is itself
    // recorded as a disclosure.
    let now = vigil::clock::now();
    let stale =
        app.issuer.mint_authenticated_at("auditor-1", &[Role::Auditor], "met", now, 600, now - chrono::Duration::minutes(20)).unwrap();
    let response = app.request(reqwest::Method::GET, "/api/v1/audit/export", Some(&stale), None).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers()["www-authenticate"].to_str().unwrap().contains("insufficient_user_authentication"));
    let (status, problem) = app.get("/api/v1/audit/export", &auditor).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Reason-Code")), "{problem}");
    let response = app
        .client
        .get(format!("{}/api/v1/audit/export?record_id={record}", app.base))
        .bearer_auth(&auditor)
        .header("vigil-reason-code", "AUDIT-REVIEW")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    assert_eq!(text.lines().count(), 2);
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["record_ids"][0], record.as_str());
    assert!(!text.contains("Searched"), "no personal data in the trail");
    let recorded = rows(&app, "SELECT operation, action, reason_code FROM audit_events WHERE operation LIKE 'audit.%' ORDER BY seq").await;
    let seen: Vec<(String, String, Option<String>)> =
        recorded.iter().map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap(), r.try_get_by_index(2).unwrap())).collect();
    assert_eq!(seen.iter().filter(|s| s.0 == "audit.search").count(), 5, "each successful search");
    assert_eq!(seen.last().unwrap(), &("audit.export".to_owned(), "disclosure".to_owned(), Some("AUDIT-REVIEW".to_owned())));
    // Others cannot read the trail.
    let (status, _) = app.get("/api/v1/audit/events", &app.token(Role::Supervisor, "met")).await;
    assert_eq!(status, 403);
}
