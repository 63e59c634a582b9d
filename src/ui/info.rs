//! The accessibility statement and the cookies page.

use askama::Template;
use askama_web::WebTemplate;

use super::pages::Chrome;

#[derive(Template, WebTemplate)]
#[template(path = "info.html")]
pub struct InfoPage {
    pub chrome: Chrome,
    pub title: &'static str,
    pub paragraphs: &'static [&'static str],
}

pub async fn accessibility() -> InfoPage {
    InfoPage {
        chrome: Chrome::anonymous(),
        title: "Accessibility statement",
        paragraphs: &[
            "Vigil's web interface is built from the GOV.UK and MoJ design systems and aims to meet the Web Content Accessibility Guidelines 2.2 at level AA.",
            "Every page works without JavaScript, with a keyboard alone and at 320 pixels wide. Pages are checked with automated accessibility tests.",
            "Not yet in the web interface: most tasks beyond the caseload and the registrant overview. Until they are, they are done through the API.",
            "If you find a problem, tell your force's Vigil administrator.",
        ],
    }
}

pub async fn cookies() -> InfoPage {
    InfoPage {
        chrome: Chrome::anonymous(),
        title: "Cookies",
        paragraphs: &[
            "Vigil uses strictly necessary cookies only: one that keeps you signed in (__Host-vigil_session, ended when you sign out or after 30 minutes without use), and, while you sign in through your identity provider, one that ties the sign-in to this browser (__Host-vigil_login, 10 minutes).",
            "There are no analytics or advertising cookies.",
        ],
    }
}
