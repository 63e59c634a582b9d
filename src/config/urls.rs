//! The identity provider is reached over TLS. An `http://` issuer or key-set URL would let
//! anyone on the path serve their own signing keys and mint any role, so `serve` refuses one —
//! unless it is on this machine (loopback) and `oidc.development_allow_http_loopback` says, in
//! words, that this is a development set-up.

use super::ConfigError;

/// Checks one provider URL: `https://`, or `http://` to a loopback host when allowed.
pub fn check_provider_url(setting: &'static str, url: &str, allow_http_loopback: bool) -> Result<(), ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid { setting, reason: reason.into() };
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid("must be an absolute https:// URL"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_http_loopback && is_loopback(&parsed) => Ok(()),
        "http" if is_loopback(&parsed) => {
            Err(invalid("must use https:// (http:// to this machine needs oidc.development_allow_http_loopback = true)"))
        }
        _ => Err(invalid("must use https://")),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str, allow: bool) -> bool {
        check_provider_url("oidc.issuer", url, allow).is_ok()
    }

    #[test]
    fn the_provider_is_reached_over_tls() {
        assert!(ok("https://idp.example/realms/force", false));
        assert!(!ok("http://idp.example/realms/force", false));
        assert!(!ok("http://idp.example/realms/force", true), "a remote http issuer is never allowed");
        assert!(!ok("ftp://idp.example", true));
        assert!(!ok("idp.example", true));
    }

    #[test]
    fn http_to_this_machine_needs_the_development_setting() {
        for url in ["http://127.0.0.1:4444", "http://localhost:4444/", "http://[::1]:4444", "http://127.10.0.1"] {
            assert!(!ok(url, false), "{url}");
            assert!(ok(url, true), "{url}");
        }
        assert!(!ok("http://127.0.0.1.evil.example", true));
        assert!(!ok("http://localhost.evil.example", true));
    }
}
