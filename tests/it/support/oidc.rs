//! A real OpenID Provider for the login tests: node's `oidc-provider` (tests/oidc-provider),
//! started as a child process on a free loopback port, and a scripted user agent that logs in
//! through its development login and consent pages, as a browser would.
//!
//! The provider's packages are installed from the committed lock file (`npm ci`) the first time
//! a test needs them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::{Client, StatusCode, header};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CLIENT_ID: &str = "vigil-bff-test";
pub const CLIENT_SECRET: &str = "test-secret-not-used-anywhere-else-0123456789";

static INSTALL: Mutex<()> = Mutex::new(());

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider")
}

/// `npm ci` once, if the packages are not there yet.
fn install() {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if folder().join("node_modules/oidc-provider/package.json").exists() {
        return;
    }
    let status = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(folder())
        .status()
        .expect("npm must be installed to run the login tests (Node.js 20 or later)");
    assert!(status.success(), "npm ci in tests/oidc-provider failed");
}

pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Provider {
    /// Starts a provider that knows one client, whose callback is `redirect_uri`. A start that
    /// fails (the free port was taken in between, or node exited) or is slow (many tests start
    /// providers at once on two cores) is retried on another port.
    /// With `backchannel_uri`, the provider sends back-channel logout tokens there when a
    /// person's session at the provider ends.
    /// `shape` is whose role and organisation claims it imitates: `vigil`, `keycloak` or
    /// `entra` (tests/oidc-provider/README.md).
    pub async fn start(redirect_uri: &str, post_logout_redirect_uri: &str, backchannel_uri: Option<&str>, shape: &str) -> Self {
        install();
        for _ in 0..3 {
            if let Some(provider) = Self::try_start(redirect_uri, post_logout_redirect_uri, backchannel_uri, shape).await {
                return provider;
            }
        }
        panic!("the OpenID Provider did not start after three attempts (its stderr is above)");
    }

    async fn try_start(redirect_uri: &str, post_logout_redirect_uri: &str, backchannel_uri: Option<&str>, shape: &str) -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let mut child = Command::new("node")
            .arg(folder().join("provider.mjs"))
            .env("OP_PORT", port.to_string())
            .env("OP_CLIENT_ID", CLIENT_ID)
            .env("OP_CLIENT_SECRET", CLIENT_SECRET)
            .env("OP_REDIRECT_URI", redirect_uri)
            .env("OP_POST_LOGOUT_REDIRECT_URI", post_logout_redirect_uri)
            .env("OP_BACKCHANNEL_LOGOUT_URI", backchannel_uri.unwrap_or_default())
            .env("OP_CLAIM_SHAPE", shape)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed to run the login tests");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("READY ") {
                    return Some(issuer.trim().to_owned());
                }
            }
            None
        })
        .await;
        match ready.ok().flatten() {
            Some(issuer) => Some(Self { issuer, child }),
            None => {
                let _ = child.start_kill();
                eprintln!("the OpenID Provider on port {port} did not start; retrying");
                None
            }
        }
    }

    /// Makes the provider sign with a new key (and stop publishing the old one).
    pub async fn rotate_keys(&self) {
        self.control("rotate-keys").await;
    }

    /// What an administrator at the provider does: `accounts/<id>/disable`,
    /// `accounts/<id>/role/<role>`, `accounts/<id>/mfa` (see provider.mjs).
    pub async fn control(&self, path: &str) {
        let response = Client::new().post(format!("{}/__test/{path}", self.issuer)).send().await.expect("provider control");
        assert!(response.status().is_success(), "provider control {path} failed: {}", response.status());
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A user agent: follows redirects by hand and keeps cookies by host, name and path, as a
/// browser does (a test needs to see every hop and the exact cookies the service sets).
pub struct Browser {
    pub client: Client,
    cookies: HashMap<(String, String, String), String>,
}

pub struct Hop {
    pub status: StatusCode,
    pub location: Option<String>,
    pub clear_site_data: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

fn host_and_path(url: &str) -> (String, String) {
    reqwest::Url::parse(url)
        .map(|u| (format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0)), u.path().to_owned()))
        .unwrap_or_default()
}

impl Browser {
    pub fn new() -> Self {
        Self { client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"), cookies: HashMap::new() }
    }

    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        self.cookies.get(&(host_and_path(url).0, name.to_owned(), "/".to_owned())).cloned()
    }

    /// Sets a cookie for the whole host (path `/`).
    pub fn set_cookie(&mut self, url: &str, name: &str, value: &str) {
        self.cookies.insert((host_and_path(url).0, name.into(), "/".into()), value.into());
    }

    fn cookie_header(&self, url: &str) -> Option<String> {
        let (host, path) = host_and_path(url);
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .filter(|((h, _, p), _)| *h == host && (path == *p || path.starts_with(&format!("{}/", p.trim_end_matches('/')))))
            .map(|((_, name, _), value)| format!("{name}={value}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder, url: &str) -> Hop {
        let mut request = request;
        if let Some(cookies) = self.cookie_header(url) {
            request = request.header(header::COOKIE, cookies);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let set_cookies: Vec<String> =
            response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
        let host = host_and_path(url).0;
        for line in &set_cookies {
            let mut parts = line.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else { continue };
            let mut path = "/".to_owned();
            let mut expired = value.trim().is_empty();
            for attribute in parts {
                let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
                match key.trim().to_ascii_lowercase().as_str() {
                    "path" => path = val.trim().to_owned(),
                    "max-age" => expired |= val.trim() == "0",
                    "expires" => expired |= val.contains("1970"),
                    _ => {}
                }
            }
            let key = (host.clone(), name.trim().to_owned(), path);
            if expired {
                self.cookies.remove(&key);
            } else {
                self.cookies.insert(key, value.trim().to_owned());
            }
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| reqwest::Url::parse(url).and_then(|base| base.join(l)).map(|u| u.to_string()).unwrap_or_else(|_| l.to_owned()));
        let clear_site_data = response.headers().get("clear-site-data").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        Hop { status, location, clear_site_data, set_cookies, body }
    }

    pub async fn get(&mut self, url: &str) -> Hop {
        let request = self.client.get(url);
        self.send(request, url).await
    }

    pub async fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> Hop {
        let request = self.client.post(url).form(form);
        self.send(request, url).await
    }

    /// Logs in as `account` starting from the service's `/auth/login`, through the provider's
    /// login and consent pages, and stops at the service's callback answer (returned).
    pub async fn log_in(&mut self, app_base: &str, account: &str) -> Hop {
        self.log_in_from(app_base, "/auth/login?return_to=/api/v1/me", account).await
    }

    /// As [`Browser::log_in`], starting from `start` (a path on the service).
    pub async fn log_in_from(&mut self, app_base: &str, start: &str, account: &str) -> Hop {
        let mut hop = self.get(&format!("{app_base}{start}")).await;
        for _ in 0..12 {
            let Some(next) = hop.location.clone() else {
                panic!("login stopped at {} without a redirect: {}", hop.status, hop.body.chars().take(300).collect::<String>());
            };
            hop = self.get(&next).await;
            if next.starts_with(&format!("{app_base}/auth/callback")) {
                return hop;
            }
            if hop.status == StatusCode::OK {
                // An interaction page: the development login form or the consent form.
                let prompt = if hop.body.contains("name=\"login\"") { "login" } else { "consent" };
                let form: Vec<(&str, &str)> = if prompt == "login" {
                    vec![("prompt", "login"), ("login", account), ("password", "any")]
                } else {
                    vec![("prompt", "consent")]
                };
                hop = self.post_form(&next, &form).await;
            }
        }
        panic!("login did not come back to the service");
    }
}

impl Browser {
    /// Logs out at the provider itself (its end-session page and confirmation, as a person
    /// ending their single sign-on session would), which makes it send back-channel logouts.
    pub async fn log_out_at_provider(&mut self, issuer: &str) -> Hop {
        let page = self.get(&format!("{issuer}/session/end")).await;
        assert_eq!(page.status, StatusCode::OK, "end-session page: {}", page.body);
        let xsrf = page.body.split("name=\"xsrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("xsrf field").to_owned();
        self.post_form(&format!("{issuer}/session/end/confirm"), &[("xsrf", &xsrf), ("logout", "yes")]).await
    }
}
