//! Key rotation: a new key pair is added, replicas restarted with both keys keep serving old and
//! new rows, `rotate` moves everything (resuming where a partial run stopped), and once the old
//! keys are retired every row still opens and every search still finds its record.

use reqwest::Client;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use vigil::auth::Role;
use vigil::crypto::{Crypto, KeyRing, columns};
use vigil::services::{key_usage, rotation};

use crate::support::{TestApp, into_parts, registrant_body};

async fn call(base: &str, token: &str, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut request =
        Client::new().request(method, format!("{base}{path}")).bearer_auth(token).header("vigil-reason-code", "OFFENDER_MANAGEMENT");
    if let Some(b) = body {
        request = request.json(b);
    }
    into_parts(request.send().await.unwrap()).await
}

async fn search_phone(base: &str, token: &str) -> usize {
    let body = json!({"identifier": {"kind": "phone", "value": "07700 900123"}});
    let (status, hits) = call(base, token, reqwest::Method::POST, "/api/v1/registrants/search", Some(&body)).await;
    assert_eq!(status, 200, "{hits}");
    hits.as_array().unwrap().len()
}

fn ring(path: &std::path::Path) -> Crypto {
    Crypto::new(KeyRing::load(path).unwrap())
}

#[tokio::test]
async fn rotation_moves_every_row_while_replicas_serve_and_old_keys_can_then_be_retired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyring.json");
    KeyRing::generate().save_new(&path).unwrap();
    let app = TestApp::spawn_with_crypto(ring(&path)).await;
    let token = app.token(Role::Ppo, "met");
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.registrant("met", registrant_body(&format!("Rotated{i}"))).await["id"].as_str().unwrap().to_owned());
    }
    let suspect = json!({ "names": [{ "given": "Testy", "family": "Rotated0" }], "date_of_birth": "1984-02-29" });
    let report = crate::register_check::report("CR-ROT-1", "V-1", suspect);
    let (status, created) = app.post("/api/v1/reports", &token, &report).await;
    assert_eq!(status, 201, "{created}");

    // 1. A new key pair; a replica restarted with it reads the old rows and finds them.
    let mut keys = KeyRing::load(&path).unwrap();
    let (new_encryption, new_blind) = keys.add_keys();
    assert_eq!((new_encryption, new_blind), (2, 2));
    keys.save_replacing(&path).unwrap();
    let both = ring(&path);
    let (replica, _stop) = app.replica(ring(&path)).await;
    let (status, seen) = call(&replica, &token, reqwest::Method::GET, &format!("/api/v1/registrants/{}", ids[0]), None).await;
    assert_eq!((status, seen["names"][0]["family"].as_str()), (200, Some("Rotated0")), "{seen}");
    assert_eq!(search_phone(&replica, &token).await, 5, "old-key blind indexes are still searched");
    // It writes under the new keys, and both kinds are found together.
    let (status, _) = call(&replica, &token, reqwest::Method::POST, "/api/v1/registrants", Some(&registrant_body("RotatedNew"))).await;
    assert_eq!(status, 201);
    assert_eq!(search_phone(&replica, &token).await, 6, "old and new keys side by side");

    // 2. A run that stops part-way (one column done), then the full run resumes.
    let names = rotation::reseal::column(&app.db, &both, columns::NAME, rotation::Pace::batch(2), &|_| {}).await.unwrap();
    assert_eq!(names, 10, "two names for each of the five old registrants");
    let left = rotation::remaining(&app.db, &both, 100).await.unwrap();
    assert!(left.sealed_values > 0 && left.indexed_owners == 6, "{left:?}");
    assert_eq!(search_phone(&replica, &token).await, 6, "serving mid-way");
    let done = rotation::rotate(&app.db, &both, rotation::Pace::batch(3), &|_| {}).await.unwrap();
    assert_eq!(done.reindexed_owners, 6, "five registrants and one report");
    assert_eq!(rotation::remaining(&app.db, &both, 100).await.unwrap(), rotation::Remaining::default());
    let again = rotation::rotate(&app.db, &both, rotation::Pace::batch(3), &|_| {}).await.unwrap();
    assert_eq!((again.resealed, again.reindexed_owners), (0, 0), "a second run finds nothing to do");

    // 3. Retire the old keys: everything still opens and is still found, under the new keys only.
    let mut keys = KeyRing::load(&path).unwrap();
    keys.retire(Some(1), Some(1)).unwrap();
    assert!(keys.retire(Some(2), None).is_err(), "the active key cannot be retired");
    keys.save_replacing(&path).unwrap();
    let (fresh, _stop2) = app.replica(ring(&path)).await;
    for id in &ids {
        let (status, seen) = call(&fresh, &token, reqwest::Method::GET, &format!("/api/v1/registrants/{id}"), None).await;
        assert_eq!(status, 200, "{seen}");
        assert!(seen["identifiers"].as_array().is_some_and(|i| !i.is_empty()));
    }
    assert_eq!(search_phone(&fresh, &token).await, 6);
    let by_name = json!({"name": {"given": "Testy", "family": "Rotated3"}, "date_of_birth": "1984-02-29"});
    let (_, hits) = call(&fresh, &token, reqwest::Method::POST, "/api/v1/registrants/search", Some(&by_name)).await;
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    let path_check = format!("/api/v1/reports/{}/checks", created["id"].as_str().unwrap());
    let client = Client::new();
    let response = client
        .post(format!("{fresh}{path_check}"))
        .bearer_auth(&token)
        .header("vigil-reason-code", "INVESTIGATION")
        .header("vigil-crime-reference", "CR-ROT-1")
        .send()
        .await
        .unwrap();
    let (status, check) = into_parts(response).await;
    assert_eq!(status, 200, "{check}");
    assert!(check["candidates"].as_array().unwrap().iter().any(|c| c["target_id"] == ids[0].as_str()), "the report still links: {check}");

    // Every encryption under the new key was counted.
    key_usage::flush(&app.db, &both, vigil::clock::now()).await.unwrap();
    let totals = key_usage::totals(&app.db).await.unwrap();
    assert!(totals.iter().any(|(k, n)| *k == 2 && *n >= 10), "{totals:?}");
}

#[tokio::test]
async fn every_sealed_column_in_the_schema_is_rotated() {
    let app = TestApp::spawn().await;
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%\\_sealed'"
        }
        _ => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name LIKE '%\\_sealed' ESCAPE '\\'"
        }
    };
    let rows = app.db.query_all_raw(Statement::from_string(backend, sql.to_owned())).await.unwrap();
    let mut in_schema: Vec<(String, String)> =
        rows.iter().map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap())).collect();
    in_schema.sort();
    let mut listed: Vec<(String, String)> = columns::ALL.iter().map(|c| (c.table.to_owned(), c.column.to_owned())).collect();
    listed.sort();
    assert_eq!(listed, in_schema, "crypto::columns::ALL must list every sealed column");
}
