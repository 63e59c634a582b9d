//! Reference data for clients: regimes with their rules and every vocabulary a request uses,
//! open to every signed-in role, refused without a token.

use vigil::auth::Role;

use crate::support::TestApp;

#[tokio::test]
async fn every_role_reads_the_vocabularies_and_regimes_a_client_needs() {
    let app = TestApp::spawn().await;
    let (status, data) = app.get("/api/v1/reference", &app.token(Role::Intake, "kent")).await;
    assert_eq!(status, 200, "{data}");
    let spa = data["regimes"].as_array().unwrap().iter().find(|r| r["code"] == "spa2019_s9").expect("the SPA 2019 regime");
    assert_eq!((spa["initial_trigger"].as_str(), spa["initial_days"].as_u64()), (Some("service"), Some(3)), "{spa}");
    assert!(spa["title"].as_str().is_some_and(|t| t.contains("2019")), "{spa}");
    let spo = data["order_kinds"].as_array().unwrap().iter().find(|k| k["code"] == "spo").unwrap();
    assert_eq!(spo["default_regime"], "spa2019_s9");
    let national = data["identifier_kinds"].as_array().unwrap().iter().find(|k| k["code"] == "national_id").unwrap();
    assert_eq!(national["qualifier"], "country");
    let investigation = data["reason_codes"].as_array().unwrap().iter().find(|r| r["code"] == "INVESTIGATION").unwrap();
    assert_eq!(investigation["needs_reference"], true);
    for list in ["condition_kinds", "condition_categories", "compliance_outcomes"] {
        assert!(data[list].as_array().is_some_and(|l| l.len() >= 2 && l.iter().all(|t| t["label"].is_string())), "{list}: {data}");
    }

    let (status, problem) = app.get("/api/v1/reference", "not-a-token").await;
    assert_eq!(status, 401, "{problem}");
}
