//! How strongly the person authenticated (ASVS 6.3.3, CJIS 5.6.2.2): the identity provider
//! states it in `acr` (the assurance level reached) and `amr` (the methods used). Vigil cannot
//! run the second factor itself; it refuses any token or login that does not say the required
//! level was reached. Both lists are settings, because their values are the force provider's
//! own (`urn:...:mfa`, `hwk`, `phr` for a phishing-resistant key, and so on).

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assurance {
    /// When not empty, `acr` must be one of these.
    pub acr_any: Vec<String>,
    /// When not empty, `amr` must contain at least one of these.
    pub amr_any: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssuranceError {
    #[error("the authentication context (acr) is not one this service accepts")]
    Acr,
    #[error("no accepted authentication method (amr) was used")]
    Amr,
}

impl Assurance {
    pub fn is_required(&self) -> bool {
        !self.acr_any.is_empty() || !self.amr_any.is_empty()
    }

    pub fn check(&self, acr: Option<&str>, amr: &[String]) -> Result<(), AssuranceError> {
        if !self.acr_any.is_empty() && !acr.is_some_and(|a| self.acr_any.iter().any(|x| x == a)) {
            return Err(AssuranceError::Acr);
        }
        if !self.amr_any.is_empty() && !amr.iter().any(|m| self.amr_any.contains(m)) {
            return Err(AssuranceError::Amr);
        }
        Ok(())
    }

    /// `acr` and `amr` from JSON claims (a bearer token's payload).
    pub fn check_claims(&self, claims: &serde_json::Map<String, serde_json::Value>) -> Result<(), AssuranceError> {
        let acr = claims.get("acr").and_then(serde_json::Value::as_str);
        let amr: Vec<String> = match claims.get("amr") {
            Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        self.check(acr, &amr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn nothing_required_accepts_anything() {
        assert_eq!(Assurance::default().check(None, &[]), Ok(()));
    }

    #[test]
    fn acr_must_be_listed_and_amr_must_share_a_method() {
        let a = Assurance { acr_any: strings(&["urn:force:mfa"]), amr_any: strings(&["hwk", "otp"]) };
        assert_eq!(a.check(Some("urn:force:mfa"), &strings(&["pwd", "hwk"])), Ok(()));
        assert_eq!(a.check(Some("urn:force:pwd"), &strings(&["hwk"])), Err(AssuranceError::Acr));
        assert_eq!(a.check(None, &strings(&["hwk"])), Err(AssuranceError::Acr));
        assert_eq!(a.check(Some("urn:force:mfa"), &strings(&["pwd"])), Err(AssuranceError::Amr));
        assert_eq!(a.check(Some("urn:force:mfa"), &[]), Err(AssuranceError::Amr));
    }

    #[test]
    fn claims_are_read_from_a_token_payload() {
        let a = Assurance { acr_any: Vec::new(), amr_any: strings(&["mfa"]) };
        let ok = serde_json::json!({"amr": ["pwd", "mfa"]});
        let not = serde_json::json!({"amr": "mfa"});
        assert_eq!(a.check_claims(ok.as_object().unwrap()), Ok(()));
        assert_eq!(a.check_claims(not.as_object().unwrap()), Err(AssuranceError::Amr), "amr is an array, never a string");
    }
}
