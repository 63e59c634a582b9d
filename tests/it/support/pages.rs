//! A browser for the page tests (`tests/it/ui*.rs`): keeps the session cookie, does not follow
//! redirects, signs in through the development sign-in and reads a form's CSRF token.

use reqwest::{Client, StatusCode};
use vigil::auth::Role;

use super::TestApp;

/// A browser: keeps the session cookie (by hand: it is `__Host-` and Secure, which browsers
/// keep for http://127.0.0.1 as a secure context) and does not follow redirects.
pub struct Browser {
    pub client: Client,
    base: String,
    pub session: std::sync::Mutex<Option<String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { client, base: app.base.clone(), session: std::sync::Mutex::new(None) }
    }

    pub fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.session.lock().unwrap().as_deref() {
            Some(value) => request.header("cookie", format!("__Host-vigil_session={value}")),
            None => request,
        }
    }

    fn keep_cookie(&self, headers: &reqwest::header::HeaderMap) {
        for set in headers.get_all("set-cookie") {
            let text = set.to_str().unwrap();
            if let Some(rest) = text.strip_prefix("__Host-vigil_session=") {
                let value = rest.split(';').next().unwrap_or_default();
                *self.session.lock().unwrap() = (!value.is_empty()).then(|| value.to_owned());
            }
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let response = self.with_cookie(self.client.get(format!("{}{path}", self.base))).send().await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        self.keep_cookie(&headers);
        (status, response.text().await.unwrap(), headers)
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
        let request = self.client.post(format!("{}{path}", self.base)).header("origin", &self.base).form(form);
        let response = self.with_cookie(request).send().await.unwrap();
        self.keep_cookie(response.headers());
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        (response.status(), response.text().await.unwrap(), location)
    }

    /// Signs in as the demo account at `index` of the sign-in page.
    pub async fn sign_in(&self, index: usize) {
        let (status, _, location) = self.post("/sign-in", &[("account", &index.to_string()), ("return_to", "/")]).await;
        assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    }

    pub async fn csrf(&self, path: &str) -> String {
        let (_, html, _) = self.get(path).await;
        let start = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF field") + 19;
        html[start..].split('"').next().unwrap().to_owned()
    }
}

pub fn account(role: Role, org: &str) -> usize {
    vigil::ui::signin_accounts().iter().position(|(r, o)| *r == role && *o == org).unwrap()
}
