//! The register check's candidate generation through sealed match profiles (issue 15): keys
//! that survive damage to every name or to an identifier, partial suspect names, profiles
//! rebuilt when particulars change, and records written before profiles existed (found from
//! their rows until the backfill builds theirs).

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::register_check::{check, record, report};
use crate::support::TestApp;

async fn registrant(app: &TestApp) -> String {
    let created = app
        .registrant(
            "met",
            json!({
                "managing_officer": "DC Example",
                "names": [{ "kind": "primary", "given": "Robert", "family": "Hartley" }],
                "birth_dates": ["1980-03-04"],
                "identifiers": [{ "kind": "ni_number", "value": "ZX 12 34 56 C" }]
            }),
        )
        .await;
    created["id"].as_str().expect("id").to_owned()
}

fn found<'a>(view: &'a Value, id: &str) -> Option<&'a Value> {
    view["candidates"].as_array()?.iter().find(|c| c["target_id"] == id)
}

fn level(candidate: &Value, field: &str) -> String {
    let fields = candidate["explanation"].as_array().cloned().unwrap_or_default();
    fields.iter().find(|f| f["field"] == field).and_then(|f| f["level"].as_str()).unwrap_or("absent").to_owned()
}

async fn check_suspect(app: &TestApp, token: &str, reference: &str, suspect: Value) -> Value {
    let id = record(app, token, &report(reference, &format!("V-{reference}"), suspect)).await;
    let (status, view, _) = check(app, token, &id).await;
    assert_eq!(status, 200, "{view}");
    view
}

#[tokio::test]
async fn a_misread_national_id_or_a_first_name_alone_still_finds_the_registrant() {
    let app = TestApp::spawn().await;
    let id = registrant(&app).await;
    let ppo = app.token(Role::Ppo, "met");

    // Transposed digits in the NI number, and nothing else in common.
    let view = check_suspect(
        &app,
        &ppo,
        "MP-1",
        json!({ "names": [{ "given": "Zed", "family": "Quux" }], "identifiers": [{ "kind": "ni_number", "value": "ZX123465C" }] }),
    )
    .await;
    let hit = found(&view, &id).unwrap_or_else(|| panic!("found through an identifier variant: {view}"));
    assert_eq!(level(hit, "ni_number"), "one_character");

    // A victim who knew only a first name and a date of birth.
    let view = check_suspect(&app, &ppo, "MP-2", json!({ "names": [{ "given": "Bob" }], "date_of_birth": "1980-03-04" })).await;
    let hit = found(&view, &id).unwrap_or_else(|| panic!("found through the date of birth: {view}"));
    assert_eq!(level(hit, "name"), "forename_only");
    assert_eq!(level(hit, "date_of_birth"), "exact");

    // A name that is neither given nor family is refused, naming the field.
    let body = report("MP-3", "V-MP-3", json!({ "names": [{ "given": " " }] }));
    let (status, problem) = app.post("/api/v1/reports", &ppo, &body).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("suspect.names[0].given")), "{problem}");
    assert_eq!(app.count("crime_reports").await, 2, "nothing written for the refused report");
}

#[tokio::test]
async fn an_address_added_later_is_matched_and_a_wrong_year_with_a_misspelt_surname_is_found() {
    let app = TestApp::spawn().await;
    let id = registrant(&app).await;
    let ppo = app.token(Role::Ppo, "met");
    let address =
        json!({ "kind": "home", "lines": ["7 Fiction Road"], "town": "Exampleton", "postcode": "EX4 7ZZ", "valid_from": "2026-11-01" });
    let (status, body) = app.post(&format!("/api/v1/registrants/{id}/addresses"), &ppo, &address).await;
    assert_eq!(status, 201, "{body}");

    let suspect = json!({ "names": [{ "given": "Ziggy", "family": "Stardust" }], "addresses": [{ "lines": ["7 Fiction Road"], "postcode": "ex47zz" }] });
    let view = check_suspect(&app, &ppo, "MP-4", suspect).await;
    let hit = found(&view, &id).unwrap_or_else(|| panic!("found through the postcode added later: {view}"));
    assert_eq!(level(hit, "address"), "postcode");

    let view =
        check_suspect(&app, &ppo, "MP-5", json!({ "names": [{ "given": "Robert", "family": "Hrtley" }], "date_of_birth": "1979-03-04" }))
            .await;
    let hit = found(&view, &id).unwrap_or_else(|| panic!("found through forename and day of birth: {view}"));
    assert_eq!(level(hit, "date_of_birth"), "day_and_month");
}

#[tokio::test]
async fn records_without_a_match_profile_are_still_found_and_the_backfill_builds_them() {
    let app = TestApp::spawn().await;
    let id = registrant(&app).await;
    let ppo = app.token(Role::Ppo, "met");
    let backend = app.db.get_database_backend();
    app.db.execute_raw(Statement::from_string(backend, "DELETE FROM match_profiles")).await.expect("profiles removed");

    let suspect = json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "date_of_birth": "1980-03-04" });
    let view = check_suspect(&app, &ppo, "MP-6", suspect.clone()).await;
    assert!(found(&view, &id).is_some(), "found from its rows: {view}");

    let built = vigil::services::match_profiles::backfill(&app.db, &app.ctx.crypto, 100).await.expect("backfill");
    assert_eq!(built, 1, "the registrant (the report was recorded after the profiles went)");
    assert_eq!(app.count("match_profiles").await, app.count("registrants").await + app.count("crime_reports").await);
    assert_eq!(vigil::services::match_profiles::backfill(&app.db, &app.ctx.crypto, 100).await.expect("backfill"), 0);
    let view = check_suspect(&app, &ppo, "MP-7", suspect).await;
    assert!(found(&view, &id).is_some(), "found through its profile: {view}");
}
