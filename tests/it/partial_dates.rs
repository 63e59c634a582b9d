//! Dates of birth as they were given when they are not real dates: kept as written, read back,
//! and compared for what they can mean (day and month the other way round; a year and month
//! without the day); a malformed one names the field and writes nothing.

use serde_json::json;
use vigil::auth::Role;

use crate::register_check::{check, level_of, record, registrant, report};
use crate::support::TestApp;

#[tokio::test]
async fn impossible_and_partial_dates_of_birth_are_kept_and_compared_for_what_they_say() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-05-13", "07700 900456").await;
    let id = target["id"].as_str().unwrap();
    let ppo = app.token(Role::Ppo, "kent");

    // Month 13: only the 13th of May is a real reading.
    let swapped = json!({ "names": [{ "given": "Bob", "family": "Hartley" }], "date_of_birth_as_given": "1980-13-05" });
    let report_id = record(&app, &ppo, &report("KNT/50", "V-50", swapped)).await;
    let (status, view, _) = check(&app, &ppo, &report_id).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(level_of(&view, id, "date_of_birth"), "exact", "{view}");
    let (_, stored) = app.get(&format!("/api/v1/reports/{report_id}"), &ppo).await;
    assert_eq!(stored["suspect"]["date_of_birth_as_given"], "1980-13-05", "kept as given: {stored}");

    // Another surname and no day: found by the forename with the year and month.
    let no_day = json!({ "names": [{ "given": "Robert", "family": "Okonkwo" }], "date_of_birth_as_given": "1980-05-00" });
    let report_id = record(&app, &ppo, &report("KNT/51", "V-51", no_day)).await;
    let (_, view, _) = check(&app, &ppo, &report_id).await;
    assert_eq!(level_of(&view, id, "date_of_birth"), "year_and_month_given", "{view}");
    assert_eq!(level_of(&view, id, "name"), "given_only", "{view}");

    // A real date given as is becomes the date of birth.
    let real = json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "date_of_birth_as_given": "1980-05-13" });
    let report_id = record(&app, &ppo, &report("KNT/52", "V-52", real)).await;
    let (_, stored) = app.get(&format!("/api/v1/reports/{report_id}"), &ppo).await;
    assert_eq!(stored["suspect"]["date_of_birth"], "1980-05-13", "{stored}");
}

#[tokio::test]
async fn a_malformed_date_as_given_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "kent");
    let before = app.count("crime_reports").await;
    let cases = [
        (json!({ "names": [{ "given": "A", "family": "B" }], "date_of_birth_as_given": "1980-5-13" }), "invalid_format"),
        (json!({ "names": [{ "given": "A", "family": "B" }], "date_of_birth_as_given": "1850-00-00" }), "implausible"),
        (
            json!({ "names": [{ "given": "A", "family": "B" }], "date_of_birth": "1980-05-13", "date_of_birth_as_given": "1980-05-00" }),
            "not_allowed",
        ),
    ];
    for (n, (suspect, code)) in cases.into_iter().enumerate() {
        let (status, problem) = app.post("/api/v1/reports", &ppo, &report(&format!("KNT/6{n}"), "V-60", suspect)).await;
        assert_eq!(status, 422, "{problem}");
        let first = &problem["errors"][0];
        assert_eq!((first["field"].as_str(), first["code"].as_str()), (Some("suspect.date_of_birth_as_given"), Some(code)), "{problem}");
    }
    assert_eq!(app.count("crime_reports").await, before, "nothing is written");
}
