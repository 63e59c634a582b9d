//! `vigil import registrants`: every row is validated before anything is written; a file with
//! a bad row writes nothing and reports line numbers and reasons; a good file is written in
//! batches and is then searchable and linkable like any registrant.

use serde_json::json;
use vigil::auth::Role;
use vigil::cli::import::{import, import_caller};

use crate::support::TestApp;

const HEADER: &str = "given,family,aliases,birth_dates,phones,emails,handles,address_lines,postcode,risk_level,managing_officer\n";

#[tokio::test]
async fn a_file_with_a_bad_row_writes_nothing_and_names_line_and_column() {
    let app = TestApp::spawn().await;
    let csv = format!(
        "{HEADER}Ann,Example,,1980-01-02,07700 900301,ann@example.org,,1 Fiction Road,EX1 1AA,high,DC One\n\
         Ben,Sample,,1981-13-40,07700 900302,,,,,low,\n\
         Cat,Placeholder,,,12345,,instagram,,NOTAPOSTCODE,extreme,\n"
    );
    let caller = import_caller("met", "test-operator");
    let mut batches = 0;
    let outcome =
        import(&app.ctx, &caller, || Ok(std::io::Cursor::new(csv.clone())), 2, vigil::clock::now(), |_, _| batches += 1).await.unwrap();
    assert_eq!((outcome.rows, outcome.written, batches), (3, 0, 0));
    let found: Vec<(u64, &str)> = outcome.rejected.iter().map(|r| (r.line, r.column.as_str())).collect();
    for expected in [(3, "birth_dates"), (4, "phones"), (4, "handles"), (4, "postcode"), (4, "risk_level")] {
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    assert!(outcome.rejected.iter().all(|r| !r.detail.contains("12345") && !r.detail.contains("NOTAPOSTCODE")));
    for table in ["registrants", "registrant_names", "blind_indexes", "audit_events"] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
}

#[tokio::test]
async fn a_valid_file_is_written_in_batches_and_can_be_matched() {
    let app = TestApp::spawn().await;
    let mut csv = HEADER.to_owned();
    for i in 0..5 {
        csv.push_str(&format!(
            "Person{i},Imported,Alias{i}|Other,1980-01-0{},07700 90040{i},p{i}@example.org,instagram:@p{i}_example,{i} Fiction Road|Flat {i},EX1 1AA,medium,DC Two\n",
            i + 1
        ));
    }
    let caller = import_caller("met", "test-operator");
    let mut seen = Vec::new();
    let outcome =
        import(&app.ctx, &caller, || Ok(std::io::Cursor::new(csv.clone())), 2, vigil::clock::now(), |done, total| seen.push((done, total)))
            .await
            .unwrap();
    assert!(outcome.rejected.is_empty(), "{:?}", outcome.rejected);
    // Three batches (2 + 2 + 1), written by concurrent writers in whatever order they finish.
    assert_eq!(outcome.written, 5);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0) && seen.iter().all(|s| s.1 == 5), "{seen:?}");
    assert_eq!(seen.last(), Some(&(5, 5)));
    assert_eq!(app.count("registrants").await, 5);
    assert_eq!(app.count("registrant_names").await, 10);

    // Imported registrants take part in register checks like any other.
    let ppo = app.token(Role::Ppo, "met");
    let body = json!({
        "crime_reference": "MET/90", "principal_classification": "stalking",
        "victim": { "reference": "V-90" },
        "suspect": { "identifiers": [{ "kind": "phone", "value": "+447700900403" }] }
    });
    let (status, receipt) = app.post("/api/v1/reports", &ppo, &body).await;
    assert_eq!(status, 201, "{receipt}");
    let response = app
        .client
        .post(format!("{}/api/v1/reports/{}/checks", app.base, receipt["id"].as_str().unwrap()))
        .bearer_auth(&ppo)
        .header("vigil-reason-code", "INVESTIGATION")
        .header("vigil-crime-reference", "MET-90")
        .send()
        .await
        .unwrap();
    let (status, view) = crate::support::into_parts(response).await;
    assert_eq!((status, view["result"].as_str()), (200, Some("possible_match")), "{view}");
}
