//! Another country's national identifier, with its issuing country: recorded, shown, searched,
//! matched (misread digits included) only within its country, and refused without a known
//! country, naming the field and writing nothing.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::register_check::{check, level_of, record, report};
use crate::support::TestApp;

fn registrant_body(identifier: Value) -> Value {
    json!({
        "managing_officer": "DC Example",
        "names": [{ "kind": "primary", "given": "Quentin", "family": "Marchetti" }],
        "birth_dates": ["1984-05-06"],
        "identifiers": [identifier]
    })
}

#[tokio::test]
async fn a_foreign_national_identifier_is_kept_with_its_country_and_matched_within_it() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Ppo, "met");
    let body = registrant_body(json!({ "kind": "national_id", "country": "fr", "value": "12 345 678 90" }));
    let (status, created) = app.post("/api/v1/registrants", &officer, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, read) = app.get(&format!("/api/v1/registrants/{id}"), &officer).await;
    let stored = &read["identifiers"][0];
    assert_eq!(
        (stored["kind"].as_str(), stored["country"].as_str(), stored["value"].as_str()),
        (Some("national_id"), Some("FR"), Some("1234567890"))
    );
    assert!(stored["platform"].is_null(), "{stored}");

    // Search by the identifier needs its country too.
    let search = |country: &str| json!({ "identifier": { "kind": "national_id", "country": country, "value": "1234567890" } });
    let (status, hits) = app.post("/api/v1/registrants/search", &officer, &search("FR")).await;
    assert_eq!(status, 200, "{hits}");
    assert!(hits.to_string().contains(&id), "{hits}");
    let (_, hits) = app.post("/api/v1/registrants/search", &officer, &search("DE")).await;
    assert!(!hits.to_string().contains(&id), "the same number from another country is another person's: {hits}");

    // A report under another name carrying the number with two digits transposed finds them.
    let misread = json!({
        "names": [{ "given": "Unknown", "family": "Caller" }],
        "identifiers": [{ "kind": "national_id", "country": "FR", "value": "1234567809" }]
    });
    let report_id = record(&app, &officer, &report("MET/40", "V-40", misread)).await;
    let (status, view, _) = check(&app, &officer, &report_id).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(level_of(&view, &id, "national_id"), "one_character", "{view}");
}

#[tokio::test]
async fn a_national_identifier_without_a_known_country_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Ppo, "met");
    let before = app.count("registrants").await;
    let cases = [
        (json!({ "kind": "national_id", "value": "1234567890" }), "identifiers[0].country", "required"),
        (json!({ "kind": "national_id", "country": "XX", "value": "1234567890" }), "identifiers[0].country", "invalid_country"),
        (json!({ "kind": "phone", "country": "FR", "value": "07700 900123" }), "identifiers[0].country", "not_allowed"),
    ];
    for (identifier, field, code) in cases {
        let (status, problem) = app.post("/api/v1/registrants", &officer, &registrant_body(identifier)).await;
        assert_eq!(status, 422, "{problem}");
        let first = &problem["errors"][0];
        assert_eq!((first["field"].as_str(), first["code"].as_str()), (Some(field), Some(code)), "{problem}");
    }
    assert_eq!(app.count("registrants").await, before, "nothing is written");

    // A report is refused the same way.
    let body = report(
        "MET/41",
        "V-41",
        json!({ "names": [{ "given": "A", "family": "B" }], "identifiers": [{ "kind": "national_id", "value": "123456" }] }),
    );
    let (status, problem) = app.post("/api/v1/reports", &officer, &body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "suspect.identifiers[0].country", "{problem}");
}
