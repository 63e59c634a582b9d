//! The audit trail: one entry per operation, no personal data, a keyed chain that the sealer
//! keeps up with under load (tampering: `audit_tamper.rs`).

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

async fn verified(app: &TestApp) -> audit::verify::VerifyReport {
    let options =
        audit::verify::VerifyOptions { now: vigil::clock::now(), sealing_delay: chrono::TimeDelta::seconds(300), checkpoints: None };
    audit::verify::verify(&app.db, &app.ctx.crypto, options).await.unwrap()
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
    // Three more sealers (as on three more replicas) beside the app's own.
    let sealers: Vec<_> = (0..3)
        .map(|_| {
            let mut sealer = audit::chain::Sealer::new(app.db.clone(), app.ctx.crypto.clone());
            tokio::spawn(async move {
                for _ in 0..5 {
                    sealer.seal_recent(vigil::clock::now()).await.unwrap();
                    sealer.look_back(vigil::clock::now()).await.unwrap();
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
    audit::chain::seal_all(&app.db, app.ctx.crypto.clone(), vigil::clock::now()).await.unwrap();
    let report = verified(&app).await;
    assert_eq!((report.links_checked, report.findings.clone(), report.awaiting_seal), (12, vec![], 0), "{report:?}");
}

/// Reads made at once have their audit entries committed in groups (`audit::batch`): every read
/// answers, each has exactly one entry of its own (its request id), and the chain over them
/// verifies.
#[tokio::test]
async fn concurrent_reads_commit_one_entry_each_in_groups_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("ReadAtOnce")).await;
    let path = format!("/api/v1/registrants/{}", created["id"].as_str().unwrap());
    let before = app.count("audit_events").await;
    let reads: Vec<_> = (0..40)
        .map(|i| {
            let (app_client, base, token, path) =
                (app.client.clone(), app.base.clone(), app.token_for(&format!("reader-{i}"), Role::Ppo, "met"), path.clone());
            tokio::spawn(async move {
                let response = app_client
                    .get(format!("{base}{path}"))
                    .bearer_auth(token)
                    .header("vigil-reason-code", "OFFENDER_MANAGEMENT")
                    .send()
                    .await
                    .unwrap();
                response.status().as_u16()
            })
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap(), 200);
    }
    assert_eq!(app.count("audit_events").await, before + 40, "one entry per read");
    let readers = rows(&app, "SELECT DISTINCT actor_subject, request_id FROM audit_events WHERE operation = 'registrant.read'").await;
    assert_eq!(readers.len(), 40, "each read has its own entry");
    audit::chain::seal_all(&app.db, app.ctx.crypto.clone(), vigil::clock::now()).await.unwrap();
    let report = verified(&app).await;
    assert_eq!((report.findings.clone(), report.awaiting_seal), (vec![], 0), "{report:?}");
}

/// Entries that commit long after later ones (a slow transaction) are still chained, while
/// concurrent creates keep the sealer busy: 30 s on PostgreSQL, where numbers commit out of
/// order; 10 s on SQLite, where they cannot.
#[tokio::test]
async fn under_sustained_load_every_entry_is_chained_late_commits_included() {
    let app = TestApp::spawn().await;
    let postgres = app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let run_for = std::time::Duration::from_secs(if postgres { 30 } else { 10 });
    let started = std::time::Instant::now();
    let mut writers = Vec::new();
    for w in 0..8 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/registrants", app.base);
        let token = app.token(Role::Ppo, "met");
        writers.push(tokio::spawn(async move {
            let mut created = 0u32;
            while started.elapsed() < run_for {
                let body = registrant_body(&format!("Load{w}x{created}"));
                assert_eq!(client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap().status(), 201);
                created += 1;
            }
            created
        }));
    }
    // Slow transactions: each takes its entry number early and commits seconds later, after
    // thousands of later numbers were chained. (SQLite takes the write lock for the whole
    // transaction, so there the slow one holds everyone up instead; it runs once, briefly.)
    let mut slow = Vec::new();
    for hold_secs in if postgres { vec![3u64, 8, 20] } else { vec![1] } {
        let ctx = app.ctx.clone();
        slow.push(tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let txn = sea_orm::TransactionTrait::begin(&ctx.db).await.unwrap();
            let caller = vigil::auth::Caller::system("met");
            audit::record(&txn, &ctx.crypto, &caller, vigil::clock::now(), crate::support::a_consultation()).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(hold_secs)).await;
            txn.commit().await.unwrap();
        }));
    }
    let mut created = 0;
    for w in writers {
        created += w.await.unwrap();
    }
    for s in slow {
        s.await.unwrap();
    }
    assert!(created > 50, "the load ran ({created} creates)");
    // The app's own sealer catches up within a few passes (look-back every five seconds).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut report = verified(&app).await;
    while report.awaiting_seal > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        report = verified(&app).await;
    }
    assert_eq!(report.awaiting_seal, 0, "entries left unchained after {created} creates");
    assert!(report.holds(), "{:?}", report.findings);
    assert_eq!(report.links_checked, report.entries);
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
    let (status, problem) = app.unjustified(reqwest::Method::GET, "/api/v1/audit/export", &auditor, None).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Reason-Code")), "{problem}");
    let response = app
        .client
        .get(format!("{}/api/v1/audit/export?record_id={record}", app.base))
        .bearer_auth(&auditor)
        .header("vigil-reason-code", "AUDIT")
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
    assert_eq!(seen.last().unwrap(), &("audit.export".to_owned(), "disclosure".to_owned(), Some("AUDIT".to_owned())));
    // Others cannot read the trail.
    let (status, _) = app.get("/api/v1/audit/events", &app.token(Role::Supervisor, "met")).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_trail_filters_by_kind_of_action_and_says_which_entries_are_sealed() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Kinds")).await;
    let record = created["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/registrants/{record}"), &app.token_for("pc-8", Role::Ppo, "met")).await;
    let auditor = app.token_for("auditor-2", Role::Auditor, "met");
    let (status, page) = app.get(&format!("/api/v1/audit/events?record_id={record}&action=consultation"), &auditor).await;
    assert_eq!(status, 200, "{page}");
    let ops: Vec<&str> = page["items"].as_array().unwrap().iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["registrant.read"], "only the consultation");
    let (status, _) = app.get("/api/v1/audit/events?action=gossip", &auditor).await;
    assert_eq!(status, 400, "an unknown kind of action is refused");

    // Entries read as not yet sealed until the sealer links them, then with when and where.
    audit::chain::seal_all(&app.db, app.ctx.crypto.clone(), vigil::clock::now()).await.unwrap();
    let (_, page) = app.get(&format!("/api/v1/audit/events?record_id={record}"), &auditor).await;
    for item in page["items"].as_array().unwrap() {
        assert!(item["sealed_at"].is_string() && item["chain_position"].as_i64().unwrap() > 0, "{item}");
    }
    app.get(&format!("/api/v1/registrants/{record}"), &app.token_for("pc-8", Role::Ppo, "met")).await;
    let (_, page) = app.get(&format!("/api/v1/audit/events?record_id={record}&action=consultation"), &auditor).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    // The app's own sealer may already have linked the newest entry; either way the fields agree.
    let last = &items[1];
    assert_eq!(last["sealed_at"].is_null(), last["chain_position"].is_null(), "{last}");
}

#[tokio::test]
async fn an_entry_naming_several_records_is_found_by_each_from_the_index_written_with_it() {
    let app = TestApp::spawn().await;
    let (a, b, c) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let mut caller = vigil::auth::Caller::system("met");
    caller.roles = vec![Role::Ppo];
    let entry = |ids: &'static [uuid::Uuid]| audit::Entry {
        action: audit::Action::Consultation,
        operation: "registrant.list",
        permission: vigil::auth::Permission::RegistrantReadNational,
        record_type: "registrant",
        record_ids: ids,
        outcome: audit::Outcome::Success,
    };
    // Leaked so the entries can borrow them for the test's life.
    let both: &'static [uuid::Uuid] = Box::leak(vec![a, b, a].into_boxed_slice());
    let only_c: &'static [uuid::Uuid] = Box::leak(vec![c].into_boxed_slice());
    audit::record(&app.db, &app.ctx.crypto, &caller, vigil::clock::now(), entry(both)).await.expect("a repeated id is indexed once");
    audit::record(&app.db, &app.ctx.crypto, &caller, vigil::clock::now(), entry(only_c)).await.unwrap();
    audit::record(&app.db, &app.ctx.crypto, &caller, vigil::clock::now(), entry(&[])).await.unwrap();
    assert_eq!(app.count("audit_event_records").await, 3, "one row per record and entry");

    let auditor = app.token(Role::Auditor, "met");
    let seqs =
        |page: serde_json::Value| -> Vec<i64> { page["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect() };
    let (_, by_a) = app.get(&format!("/api/v1/audit/events?record_id={a}"), &auditor).await;
    let (_, by_b) = app.get(&format!("/api/v1/audit/events?record_id={b}"), &auditor).await;
    let (_, by_c) = app.get(&format!("/api/v1/audit/events?record_id={c}"), &auditor).await;
    assert_eq!(seqs(by_a.clone()).len(), 1);
    assert_eq!(seqs(by_a), seqs(by_b), "the same entry, found by either record");
    assert_eq!(seqs(by_c).len(), 1);
    let (_, none) = app.get(&format!("/api/v1/audit/events?record_id={}", uuid::Uuid::now_v7()), &auditor).await;
    assert_eq!(none["items"], json!([]));
}
