//! Canary values written through the API must appear nowhere in the database files: not in the
//! SQLite file or its WAL, not in a PostgreSQL dump, in any case or normalised form.

use serde_json::json;
use vigil::auth::Role;

use crate::support::TestApp;

fn canaries() -> (Vec<String>, serde_json::Value) {
    let tag = uuid::Uuid::now_v7().simple().to_string()[20..].to_owned();
    let given = format!("Canarygiven{tag}");
    let family = format!("Canaryfamily{tag}");
    let street = format!("{tag} Canary Street");
    let handle = format!("canaryhandle{tag}");
    let email = format!("canary{tag}@example.org");
    let note = format!("Canary note {tag}");
    let descriptor = format!("Canary tattoo {tag}");
    let officer = format!("DC Canaryofficer{tag}");
    let tool = format!("Canarytool{tag}");
    let platform = format!("canaryplatform{tag}");
    let body = json!({
        "managing_officer": officer,
        "risk": { "level": "high", "tool": tool },
        "names": [{ "kind": "primary", "given": given, "family": family }],
        "birth_dates": ["1977-07-17"],
        "descriptors": [{ "kind": "scar_mark_tattoo", "value": descriptor }],
        "addresses": [{ "kind": "home", "lines": [street], "postcode": "CA1 1NY" }],
        "identifiers": [
            { "kind": "online_handle", "platform": platform, "value": handle },
            { "kind": "email", "value": email },
            { "kind": "phone", "value": "07700 900777" },
            { "kind": "ni_number", "value": "ZX 77 77 77 C" }
        ],
        "notes": note
    });
    let mut values = vec![
        officer,
        tool,
        platform,
        given,
        family,
        street,
        handle,
        email,
        note,
        descriptor,
        "+447700900777".into(),
        "ZX777777C".into(),
        "1977-07-17".into(),
        "CA1 1NY".into(),
    ];
    values.extend(values.clone().into_iter().map(|v| v.to_lowercase()));
    (values, body)
}

fn assert_absent(haystack: &[u8], needles: &[String], place: &str) {
    for needle in needles {
        let found = haystack.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!found, "canary {needle:?} found in {place}");
    }
}

#[tokio::test]
async fn canary_values_never_reach_the_database_in_clear() {
    let app = TestApp::spawn().await;
    let (values, body) = canaries();
    let created = app.registrant("met", body).await;
    let registrant = created["id"].as_str().unwrap().to_owned();
    // An order with a court and a requirement's responsible person, and a notification at a
    // station: the other free text that is sealed.
    let tag = &values[0][16..];
    let (court, responsible, station) =
        (format!("Canarycourt{tag} Magistrates"), format!("Canaryresponsible{tag}"), format!("Canarystation{tag} Police Station"));
    let mut order = crate::orders::dapo("2026-11-02", "2026-11-03");
    order["court"] = json!(court);
    order["conditions"][0]["responsible_person"] = json!(responsible);
    let ppo = app.token(Role::Ppo, "met");
    let (status, made) = app.post(&format!("/api/v1/registrants/{registrant}/orders"), &ppo, &order).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        (made["court"].as_str(), made["conditions"][0]["responsible_person"].as_str()),
        (Some(court.as_str()), Some(responsible.as_str()))
    );
    let notification = json!({ "kind": "initial", "method": "in_person_at_station", "station": station, "acknowledgement_given": true,
        "notified_at": "2026-11-03T10:00:00Z" });
    let (status, notified) = app.post(&format!("/api/v1/registrants/{registrant}/notifications"), &ppo, &notification).await;
    assert_eq!(status, 201, "{notified}");
    assert_eq!(notified["station"].as_str(), Some(station.as_str()));
    let mut values = values;
    for v in [court, responsible, station] {
        values.push(v.to_lowercase());
        values.push(v);
    }
    // Read it back too, so consultations are audited, and prove the values do round-trip.
    let (status, view) = app.get(&format!("/api/v1/registrants/{}", created["id"].as_str().unwrap()), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200);
    for shown in &values[..4] {
        assert!(view.to_string().contains(shown.as_str()), "{shown} reads back");
    }

    if let Some(path) = app.test_db.sqlite_path() {
        for file in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(!bytes.is_empty());
                assert_absent(&bytes, &values, &file.display().to_string());
            }
        }
    }
    if let Some((admin_url, name)) = app.test_db.postgres_name() {
        let url = admin_url.rsplit_once('/').map(|(base, _)| format!("{base}/{name}")).unwrap();
        let output = std::process::Command::new("pg_dump").arg("--dbname").arg(&url).output().expect("pg_dump runs");
        assert!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr));
        assert!(output.stdout.len() > 1000);
        assert_absent(&output.stdout, &values, "pg_dump");
    }
}

/// C11: the SQLite database and its write-ahead log are readable by the service's user only.
#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_files_are_private_to_the_service_user() {
    use std::os::unix::fs::PermissionsExt;
    let app = crate::support::TestApp::spawn().await;
    let Some(path) = app.test_db.sqlite_path() else { return };
    for file in [path.clone(), std::path::PathBuf::from(format!("{}-wal", path.display()))] {
        if file.exists() {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }
}
