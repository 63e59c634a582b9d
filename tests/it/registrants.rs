//! Registrants through the API: create, read, list, update, history; validation, concurrency
//! and organisation scoping.

use serde_json::json;
use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

#[tokio::test]
async fn a_registrant_round_trips_with_normalised_identifiers() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Roundtrip")).await;
    assert!(created["reference"].as_str().unwrap().starts_with("VGL-"));
    assert_eq!(created["managing_org"], "met");
    assert_eq!(created["version"], 1);

    let token = app.token(Role::Ppo, "gmp");
    let (status, read) = app.get(&format!("/api/v1/registrants/{}", created["id"].as_str().unwrap()), &token).await;
    assert_eq!(status, 200, "national read by another force: {read}");
    let values: Vec<&str> = read["identifiers"].as_array().unwrap().iter().map(|i| i["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["+447700900123", "someone@example.org", "some_handle"]);
    assert_eq!(read["identifiers"][2]["platform"], "instagram");
    assert_eq!(read["addresses"][0]["postcode"], "EX1 1AA");
    assert_eq!(read["birth_dates"][0]["date"], "1984-02-29");
    assert_eq!(read["names"][0]["family"], "Roundtrip");
}

#[tokio::test]
async fn references_are_sequential_per_year() {
    let app = TestApp::spawn().await;
    let a = app.registrant("met", registrant_body("One")).await;
    let b = app.registrant("met", registrant_body("Two")).await;
    let (ra, rb) = (a["reference"].as_str().unwrap(), b["reference"].as_str().unwrap());
    assert_eq!(&ra[..9], &rb[..9]);
    let n = |r: &str| r[9..].parse::<u32>().unwrap();
    assert_eq!(n(rb), n(ra) + 1);
}

#[tokio::test]
async fn invalid_fields_are_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let mut body = registrant_body("Invalid");
    body["identifiers"][0]["value"] = json!("12345");
    body["identifiers"][1]["value"] = json!("not-an-email");
    body["addresses"][0]["postcode"] = json!("NOTAPOSTCODE");
    let (status, problem) = app.post("/api/v1/registrants", &token, &body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(problem["field"], "addresses[0].postcode");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"identifiers[0].value") && fields.contains(&"identifiers[1].value"), "{fields:?}");
    // The problem never echoes what was submitted.
    assert!(!problem.to_string().contains("not-an-email"));
    for table in ["registrants", "registrant_names", "registrant_identifiers", "blind_indexes", "audit_events"] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
}

#[tokio::test]
async fn malformed_bodies_get_problem_json_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let mut unknown = registrant_body("Unknown");
    unknown["risk_level"] = json!("low");
    let (status, problem) = app.post("/api/v1/registrants", &token, &unknown).await;
    assert_eq!((status, problem["code"].as_str(), problem["field"].as_str()), (422, Some("unknown_field"), Some("risk_level")));

    let mut wrong_kind = registrant_body("Kind");
    wrong_kind["names"][0]["kind"] = json!("nickname");
    let (status, problem) = app.post("/api/v1/registrants", &token, &wrong_kind).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("names[0].kind")));

    let raw = app
        .client
        .post(format!("{}/api/v1/registrants", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"names": [], "names": []}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    let (status, problem) = crate::support::into_parts(raw).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("duplicate_field")));

    let (status, problem) = app.post("/api/v1/registrants", &token, &json!({"names": [{"kind": "alias", "family": "X"}]})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("names")));
    assert_eq!(app.count("registrants").await, 0);
}

#[tokio::test]
async fn a_stale_version_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let created = app.registrant("met", registrant_body("Stale")).await;
    let path = format!("/api/v1/registrants/{}", created["id"].as_str().unwrap());
    let (status, updated) = app.patch(&path, &token, &json!({"version": 1, "status": "in_custody"})).await;
    assert_eq!((status, updated["version"].as_i64()), (200, Some(2)));
    let (status, problem) = app.patch(&path, &token, &json!({"version": 1, "status": "abroad"})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")));
    let (_, now) = app.get(&path, &token).await;
    assert_eq!((now["status"].as_str(), now["version"].as_i64()), (Some("in_custody"), Some(2)));
}

#[tokio::test]
async fn writes_belong_to_the_managing_organisation() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Scoped")).await;
    let path = format!("/api/v1/registrants/{}", created["id"].as_str().unwrap());
    let other = app.token(Role::Ppo, "gmp");
    let (status, problem) = app.patch(&path, &other, &json!({"version": 1, "status": "abroad"})).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let mut body = registrant_body("Elsewhere");
    body["managing_org"] = json!("met");
    let (status, _) = app.post("/api/v1/registrants", &other, &body).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn probation_sees_only_what_it_supervises() {
    let app = TestApp::spawn().await;
    let supervised = app.registrant("met", registrant_body("Supervised")).await;
    let mut other = registrant_body("Unsupervised");
    other["supervising_org"] = json!("probation-midlands");
    let unsupervised = app.registrant("met", other).await;
    let probation = app.token(Role::Probation, "probation-london");

    let (status, _) = app.get(&format!("/api/v1/registrants/{}", supervised["id"].as_str().unwrap()), &probation).await;
    assert_eq!(status, 200);
    let (status, _) = app.get(&format!("/api/v1/registrants/{}", unsupervised["id"].as_str().unwrap()), &probation).await;
    assert_eq!(status, 404);
    let (status, page) = app.get("/api/v1/registrants", &probation).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [supervised["id"].as_str().unwrap()]);
    let (status, _) =
        app.patch(&format!("/api/v1/registrants/{}", supervised["id"].as_str().unwrap()), &probation, &json!({"version": 1})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn listing_filters_and_pages() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        let mut body = registrant_body(&format!("Page{i}"));
        body["risk"]["level"] = json!(if i % 2 == 0 { "high" } else { "low" });
        app.registrant("met", body).await;
    }
    let token = app.token(Role::Ppo, "met");
    let (_, first) = app.get("/api/v1/registrants?limit=2", &token).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let after = first["next_after"].as_str().unwrap();
    let (_, second) = app.get(&format!("/api/v1/registrants?limit=2&after={after}"), &token).await;
    assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);
    let (_, high) = app.get("/api/v1/registrants?risk_level=high", &token).await;
    assert_eq!(high["items"].as_array().unwrap().len(), 3);
    assert_eq!(high["items"][0]["primary_name"], "Testy Page0");
    let (status, problem) = app.get("/api/v1/registrants?limit=1000", &token).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("limit")));
    let (status, _) = app.get("/api/v1/registrants?risk_level=extreme", &token).await;
    assert_eq!(status, 400);
    // Query-string errors name the parameter and never repeat what was sent.
    for (query, field) in [
        ("risk_level=Jane%20Doe%2007700900123", "risk_level"),
        ("limit=Jane%20Doe%2007700900123", "limit"),
        ("after=Jane%20Doe%2007700900123", "after"),
        ("Jane%20Doe%2007700900123=1", "query"),
        ("surname=Doe", "surname"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/registrants?{query}"), &token).await;
        assert_eq!((status, problem["field"].as_str()), (400, Some(field)), "{query}: {problem}");
        let text = problem.to_string();
        assert!(!text.contains("Jane") && !text.contains("07700900123") && !text.contains("Doe"), "{query}: {text}");
    }
}

#[tokio::test]
async fn a_new_home_address_closes_the_previous_one() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let created = app.registrant("met", registrant_body("Mover")).await;
    let path = format!("/api/v1/registrants/{}/addresses", created["id"].as_str().unwrap());
    let (status, view) = app
        .post(&path, &token, &json!({"kind": "home", "lines": ["2 Fiction Road"], "postcode": "EX1 2AB", "valid_from": "2026-03-01"}))
        .await;
    assert_eq!(status, 201, "{view}");
    assert_eq!(view["addresses"][0]["valid_to"], "2026-02-28");
    assert_eq!(view["addresses"][1]["valid_to"], serde_json::Value::Null);
    assert_eq!(view["version"], 2);
    let (status, problem) = app
        .post(
            &format!("/api/v1/registrants/{}/identifiers", created["id"].as_str().unwrap()),
            &token,
            &json!({"kind": "imei", "value": "490154203237519"}),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("value")));
}

#[tokio::test]
async fn exact_search_goes_through_blind_indexes_and_needs_a_reason() {
    let app = TestApp::spawn().await;
    let target = app.registrant("met", registrant_body("Searchable")).await;
    app.registrant("gmp", registrant_body("Other")).await;
    let token = app.token(Role::Ppo, "wmp");
    let search = |body: serde_json::Value, reason: bool| {
        let mut req = app.client.post(format!("{}/api/v1/registrants/search", app.base)).bearer_auth(&token).json(&body);
        if reason {
            req = req.header("vigil-reason-code", "INTELLIGENCE").header("vigil-crime-reference", "INT-1");
        }
        async move { crate::support::into_parts(req.send().await.unwrap()).await }
    };
    let id = target["id"].as_str().unwrap();
    // Differently formatted, same phone number.
    let (status, hits) = search(json!({"identifier": {"kind": "phone", "value": "+44 7700 900123"}}), true).await;
    assert_eq!(status, 200, "{hits}");
    assert_eq!(hits.as_array().unwrap().len(), 2, "both registrants share the synthetic phone number");
    let (_, hits) = search(json!({"name": {"given": "TESTY", "family": "searchable"}, "date_of_birth": "1984-02-29"}), true).await;
    assert_eq!(hits.as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect::<Vec<_>>(), [id]);
    let (_, hits) = search(json!({"name": {"given": "Testy", "family": "Searchable"}, "date_of_birth": "1984-03-01"}), true).await;
    assert!(hits.as_array().unwrap().is_empty(), "wrong date of birth");
    let (_, hits) = search(json!({"identifier": {"kind": "online_handle", "platform": "tiktok", "value": "some_handle"}}), true).await;
    assert!(hits.as_array().unwrap().is_empty(), "same handle on another platform");
    let (status, problem) = search(json!({"identifier": {"kind": "phone", "value": "+44 7700 900123"}}), false).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Reason-Code")));
    let (status, problem) = search(json!({"identifier": {"kind": "imei", "value": "123"}}), true).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("identifier.value")));
    let (status, _) =
        app.post("/api/v1/registrants/search", &app.token(Role::Probation, "probation-london"), &json!({"name": {"family": "x"}})).await;
    assert_eq!(status, 403);
}

/// One request must not keep the service busy (issue 13 item 3): every list in a body has a
/// limit no real record reaches, refused with the field named before any entry is indexed, and
/// nothing is written.
#[tokio::test]
async fn every_list_in_a_body_is_bounded_and_an_oversized_one_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let oversized = [
        (
            "names",
            json!(
                (0..21)
                    .map(|i| json!({ "kind": if i == 0 { "primary" } else { "alias" }, "given": "Testy", "family": format!("Many{i}") }))
                    .collect::<Vec<_>>()
            ),
        ),
        ("birth_dates", json!(vec!["1984-02-29"; 6])),
        ("descriptors", json!(vec![json!({ "kind": "height", "value": "180 cm" }); 31])),
        ("addresses", json!(vec![json!({ "kind": "home", "lines": ["1 Fiction Road"], "postcode": "EX1 1AA" }); 51])),
        ("identifiers", json!(vec![json!({ "kind": "email", "value": "someone@example.org" }); 51])),
    ];
    for (field, list) in oversized {
        let mut body = registrant_body("Bounded");
        body[field] = list;
        let (status, problem) = app.post("/api/v1/registrants", &token, &body).await;
        assert_eq!(
            (status, problem["field"].as_str(), problem["errors"][0]["code"].as_str()),
            (422, Some(field), Some("too_many")),
            "{field}"
        );
    }
    assert_eq!(app.count("registrants").await, 0);
    assert_eq!(app.count("blind_indexes").await, 0);

    let suspect = json!({ "names": [{ "given": "Nobody", "family": "Known" }], "identifiers": vec![json!({ "kind": "email", "value": "x@example.org" }); 51] });
    let (status, problem) =
        app.post("/api/v1/reports", &app.token(Role::Intake, "met"), &crate::register_check::report("MET/99", "V-99", suspect)).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("suspect.identifiers")), "{problem}");
    assert_eq!(app.count("crime_reports").await, 0);
}
