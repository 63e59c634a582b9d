//! "End an address" and "Correct an address" (`src/ui/address_change.rs`) at the HTML level:
//! offered on the personal details tab to the managing force's writers only, a bad form answers
//! 422 with the GOV.UK error summary and writes nothing, a good one ends or corrects the address.

use reqwest::StatusCode;
use vigil::auth::Role;

use crate::orders::id;
use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

async fn signed_in(app: &TestApp, role: Role, org: &str, registrant: &str) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    let path = format!("/registrants/{registrant}/why");
    let csrf = browser.csrf(&path).await;
    let (status, _, _) = browser.post(&path, &[("csrf", &csrf), ("reason", "OFFENDER_MANAGEMENT")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    browser
}

async fn answer(browser: &Browser, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
    let csrf = browser.csrf("/").await;
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    browser.post(path, &fields).await
}

#[tokio::test]
async fn an_officer_corrects_and_ends_an_address_from_the_personal_details() {
    let app = TestApp::spawn_demo().await;
    let registrant = app.registrant("met", registrant_body("Moved")).await;
    let rid = id(&registrant).to_owned();
    let address = registrant["addresses"][0]["id"].as_str().unwrap().to_owned();
    let details = format!("/registrants/{rid}/details");
    let base = format!("{details}/addresses/{address}");
    let browser = signed_in(&app, Role::Ppo, "met", &rid).await;
    let (_, html, _) = browser.get(&details).await;
    assert!(html.contains(&format!("href=\"{base}/end\"")) && html.contains(&format!("href=\"{base}/correct\"")), "{html}");

    let (status, html, _) = browser.get(&format!("{base}/correct")).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"1 Fiction Road\""), "prefilled: {html}");
    let (status, html, _) = answer(&browser, &format!("{base}/correct"), &[("addresses-0-line1", "1 Fiction Road"), ("reason", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#reason\""), "{html}");
    let form = [
        ("addresses-0-line1", "1 Fiction Road"),
        ("addresses-0-line2", "Flat 2"),
        ("addresses-0-postcode", "EX1 1AA"),
        ("addresses-0-from-day", "1"),
        ("addresses-0-from-month", "1"),
        ("addresses-0-from-year", "2025"),
        ("reason", "The flat number was missing."),
    ];
    let (status, _, location) = answer(&browser, &format!("{base}/correct"), &form).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{details}?done=address_correct").as_str())));
    let (_, html, _) = browser.get(&format!("{details}?done=address_correct")).await;
    assert!(html.contains("Address corrected") && html.contains("Flat 2") && html.contains("(corrected)"), "{html}");

    let (status, html, _) = answer(&browser, &format!("{base}/end"), &[("valid_to-day", "31"), ("valid_to-month", "2")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#valid_to-day\""), "{html}");
    let (status, _, _) =
        answer(&browser, &format!("{base}/end"), &[("valid_to-day", "31"), ("valid_to-month", "12"), ("valid_to-year", "2024")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "before it started");
    let (status, _, location) =
        answer(&browser, &format!("{base}/end"), &[("valid_to-day", "1"), ("valid_to-month", "6"), ("valid_to-year", "2026")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{details}?done=address_end").as_str())));
    let (_, html, _) = browser.get(&details).await;
    assert!(html.contains("until 1 June 2026") && !html.contains(&format!("href=\"{base}/end\"")), "{html}");
    assert_eq!(browser.get(&format!("{base}/end")).await.0, StatusCode::CONFLICT);

    // Probation reads the details without the links and may not open the pages.
    let probation = signed_in(&app, Role::Probation, "probation-london", &rid).await;
    let (_, html, _) = probation.get(&details).await;
    assert!(!html.contains(&format!("{base}/correct")), "{html}");
    assert_eq!(probation.get(&format!("{base}/correct")).await.0, StatusCode::FORBIDDEN);
}
