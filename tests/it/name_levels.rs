//! Partial name agreements through the register check: an initial with the family name, the
//! right given name with another family name (an alias or a marriage), names the other way
//! round with a typo, and registrants known by one name only.

use serde_json::json;
use vigil::auth::Role;

use crate::register_check::{check, level_of, record, registrant, report};
use crate::support::TestApp;

#[tokio::test]
async fn initials_other_surnames_and_swapped_typos_each_have_their_level() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let id = target["id"].as_str().unwrap();
    let ppo = app.token(Role::Ppo, "kent");
    let cases =
        [("KNT/20", "R", "Hartley", "initial"), ("KNT/21", "Robert", "Okonkwo", "given_only"), ("KNT/22", "Hartly", "Bob", "swapped")];
    for (reference, given, family, expected) in cases {
        let body = report(reference, reference, json!({ "names": [{ "given": given, "family": family }], "date_of_birth": "1980-03-04" }));
        let report_id = record(&app, &ppo, &body).await;
        let (status, view, _) = check(&app, &ppo, &report_id).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(level_of(&view, id, "name"), expected, "{reference}");
    }
}

#[tokio::test]
async fn a_registrant_known_by_one_name_is_recorded_without_an_invented_surname_and_found() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Ppo, "met");
    let body = json!({
        "managing_officer": "DC Example",
        "names": [{ "kind": "primary", "given": "Zephyrine", "family": "" }],
        "birth_dates": ["1979-11-02"]
    });
    let (status, created) = app.post("/api/v1/registrants", &officer, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, read) = app.get(&format!("/api/v1/registrants/{id}"), &officer).await;
    assert_eq!(read["names"][0]["family"], "", "{read}");

    // Neither name at all is still refused, naming the field, and writes nothing.
    let before = app.count("registrants").await;
    let empty = json!({ "managing_officer": "DC Example", "names": [{ "kind": "primary", "given": " ", "family": "" }] });
    let (status, problem) = app.post("/api/v1/registrants", &officer, &empty).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "names[0].given", "{problem}");
    assert_eq!(app.count("registrants").await, before);

    let report_id = record(
        &app,
        &officer,
        &report("MET/30", "V-30", json!({ "names": [{ "given": "Zephyrine", "family": "" }], "date_of_birth": "1979-11-02" })),
    )
    .await;
    let (status, view, _) = check(&app, &officer, &report_id).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(level_of(&view, &id, "name"), "exact", "{view}");

    // The register search finds them by the one name.
    let (status, found) =
        app.post("/api/v1/registrants/search", &officer, &json!({ "name": { "given": "Zephyrine", "family": "" } })).await;
    assert_eq!(status, 200, "{found}");
    assert!(found.to_string().contains(&id), "{found}");
}
