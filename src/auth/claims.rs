//! Where a token carries the person's roles and organisation, and what its role values mean
//! here (docs/identity-providers.md).
//!
//! Providers shape these claims differently: Keycloak nests roles (`realm_access.roles`,
//! `resource_access.<client>.roles`) among roles of its own (`offline_access`,
//! `default-roles-<realm>`); Microsoft Entra ID sends app role values such as `Vigil.PPO` in a
//! top-level `roles` array and names directory extension claims `extn.<name>`, with a dot.
//!
//! - A claim setting is the exact name of a top-level claim, or, when it starts with `/`, a
//!   JSON Pointer (RFC 6901) into nested objects: `/resource_access/vigil/roles`. A dotted
//!   path would be ambiguous with claim names that contain dots (`extn.orgCode`,
//!   `https://vigil.example/roles`); a pointer never is, and plain names keep meaning what they
//!   always meant.
//! - Role values are read strictly by default: every value must be one of Vigil's role names.
//!   With a role map, only the listed provider values grant a role and every other value is
//!   ignored, so a provider's own roles neither fail the login nor grant anything, even one that
//!   happens to be spelt like a Vigil role (a Keycloak realm role `admin`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Role;
use super::token::TokenError;

/// The claim that `setting` names: a top-level claim, or a JSON Pointer through objects.
pub fn find<'a>(claims: &'a Map<String, Value>, setting: &str) -> Option<&'a Value> {
    let Some(pointer) = setting.strip_prefix('/') else { return claims.get(setting) };
    let mut segments = pointer.split('/').map(|s| s.replace("~1", "/").replace("~0", "~"));
    let first = segments.next()?;
    let mut value = claims.get(&first)?;
    for segment in segments {
        value = value.as_object()?.get(&segment)?;
    }
    Some(value)
}

/// A claim setting as the configuration gives it: a name, or a pointer with no empty step and
/// only the two escapes RFC 6901 defines (a typo must stop the start, not every login).
pub fn check_setting(setting: &str) -> Result<(), String> {
    if setting.is_empty() {
        return Err("must name a claim".into());
    }
    let Some(pointer) = setting.strip_prefix('/') else { return Ok(()) };
    for segment in pointer.split('/') {
        if segment.is_empty() {
            return Err("a JSON Pointer has no empty steps (`/a/b`, not `/a//b` or `/a/`)".into());
        }
        let mut rest = segment;
        while let Some(at) = rest.find('~') {
            rest = &rest[at + 1..];
            if !(rest.starts_with('0') || rest.starts_with('1')) {
                return Err("`~` in a JSON Pointer must be `~0` (for ~) or `~1` (for /)".into());
            }
        }
    }
    Ok(())
}

/// The organisation: a non-empty string at the configured claim.
pub fn org(claims: &Map<String, Value>, setting: &str) -> Option<String> {
    find(claims, setting).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Which provider role values mean which Vigil role. Empty: strict, the values must be Vigil's
/// own role names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMap {
    values: BTreeMap<String, Role>,
}

impl RoleMap {
    /// From the configuration's `role_map`: Vigil role name to the provider values that grant
    /// it. A value listed under two roles is refused, as is an unknown role name or an empty value.
    pub fn from_config(by_role: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut values = BTreeMap::new();
        for (name, provider_values) in by_role {
            let role = Role::parse(name).ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("`{name}` is not a role of this service ({})", known.join(", "))
            })?;
            for value in provider_values {
                if value.is_empty() {
                    return Err(format!("an empty value is listed for `{name}`"));
                }
                if let Some(other) = values.insert(value.clone(), role) {
                    return Err(format!("`{value}` is listed for both `{other}` and `{role}`"));
                }
            }
        }
        Ok(Self { values })
    }

    pub fn is_strict(&self) -> bool {
        self.values.is_empty()
    }

    /// The roles a claim grants. A missing or malformed claim, or one that grants no role, is
    /// an invalid token (401), never an authenticated caller who can do nothing, so a provider
    /// misconfiguration shows at once. Strict: an unknown value is refused too. Mapped:
    /// unlisted values are ignored, and each role appears once.
    pub fn roles(&self, claim: Option<&Value>) -> Result<Vec<Role>, TokenError> {
        let names: Vec<&str> = match claim {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().map(Value::as_str).collect::<Option<_>>().ok_or(TokenError::MissingClaim("roles"))?,
            _ => return Err(TokenError::MissingClaim("roles")),
        };
        let roles: Vec<Role> = if self.is_strict() {
            names
                .into_iter()
                .map(|name| Role::parse(name).ok_or_else(|| TokenError::Invalid("unknown role".into())))
                .collect::<Result<_, _>>()?
        } else {
            let mut mapped = Vec::new();
            for role in names.into_iter().filter_map(|name| self.values.get(name).copied()) {
                if !mapped.contains(&role) {
                    mapped.push(role);
                }
            }
            mapped
        };
        if roles.is_empty() {
            return Err(TokenError::MissingClaim("roles"));
        }
        Ok(roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn map(pairs: &[(&str, &[&str])]) -> RoleMap {
        let by_role = pairs.iter().map(|(role, values)| ((*role).to_owned(), values.iter().map(|v| (*v).to_owned()).collect())).collect();
        RoleMap::from_config(&by_role).unwrap()
    }

    fn keycloak() -> Map<String, Value> {
        claims(json!({
            "realm_access": { "roles": ["default-roles-force", "offline_access", "uma_authorization", "vigil-ppo", "admin"] },
            "resource_access": { "vigil": { "roles": ["ppo"] }, "account": { "roles": ["manage-account", "view-profile"] } },
            "extn.orgCode": "met-ppu",
            "a/b": { "c~d": "escaped" },
        }))
    }

    #[test]
    fn a_plain_setting_is_a_top_level_name_even_with_dots_and_a_pointer_walks_objects() {
        let c = keycloak();
        assert_eq!(find(&c, "extn.orgCode"), Some(&json!("met-ppu")));
        assert_eq!(find(&c, "/resource_access/vigil/roles"), Some(&json!(["ppo"])));
        assert_eq!(find(&c, "/realm_access/roles").and_then(Value::as_array).map(Vec::len), Some(5));
        assert_eq!(find(&c, "/a~1b/c~0d"), Some(&json!("escaped")), "RFC 6901 escapes");
        assert_eq!(find(&c, "resource_access.vigil.roles"), None, "no dotted paths: a dot is part of a name");
        assert_eq!(find(&c, "/resource_access/other/roles"), None);
        assert_eq!(find(&c, "/realm_access/roles/0"), None, "pointers walk objects only, never array items");
        assert_eq!(org(&c, "/resource_access/vigil"), None, "an object is no organisation");
        assert_eq!(org(&c, "extn.orgCode").as_deref(), Some("met-ppu"));
    }

    #[test]
    fn settings_with_empty_steps_or_stray_escapes_are_refused() {
        for good in ["vigil_roles", "extn.orgCode", "/realm_access/roles", "/a~1b/c~0d", "https://vigil.example/roles"] {
            assert_eq!(check_setting(good), Ok(()), "{good}");
        }
        for bad in ["", "/", "/a//b", "/a/", "/a~2b", "/a~"] {
            assert!(check_setting(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strict_reading_refuses_any_value_it_does_not_know() {
        let strict = RoleMap::default();
        let c = keycloak();
        assert_eq!(strict.roles(find(&c, "/resource_access/vigil/roles")).unwrap(), vec![Role::Ppo]);
        assert!(matches!(strict.roles(find(&c, "/realm_access/roles")), Err(TokenError::Invalid(_))), "offline_access is unknown");
        assert_eq!(strict.roles(Some(&json!("auditor"))).unwrap(), vec![Role::Auditor], "one role as a string");
        for missing in [None, Some(json!([])), Some(json!(["ppo", 7])), Some(json!({"ppo": true}))] {
            assert!(matches!(strict.roles(missing.as_ref()), Err(TokenError::MissingClaim("roles"))), "{missing:?}");
        }
    }

    #[test]
    fn a_map_grants_only_what_it_lists_and_ignores_the_rest() {
        let m = map(&[("ppo", &["vigil-ppo", "Vigil.PPO"]), ("supervisor", &["Vigil.Supervisor"])]);
        let c = keycloak();
        // `admin` is a realm role of the provider's own: spelt like a Vigil role, it grants nothing.
        assert_eq!(m.roles(find(&c, "/realm_access/roles")).unwrap(), vec![Role::Ppo]);
        assert_eq!(m.roles(Some(&json!(["Vigil.PPO", "vigil-ppo", "Vigil.Supervisor"]))).unwrap(), vec![Role::Ppo, Role::Supervisor]);
        for nothing in [json!(["admin", "ppo", "Vigil.Reports"]), json!(["vigil.ppo", "VIGIL.PPO"]), json!([])] {
            assert!(matches!(m.roles(Some(&nothing)), Err(TokenError::MissingClaim("roles"))), "{nothing}: values are exact");
        }
    }

    #[test]
    fn a_map_naming_an_unknown_role_a_value_twice_or_an_empty_value_is_refused() {
        let config = |pairs: &[(&str, &[&str])]| {
            let by_role = pairs.iter().map(|(r, v)| ((*r).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect();
            RoleMap::from_config(&by_role)
        };
        assert!(config(&[("superuser", &["x"])]).unwrap_err().contains("not a role"));
        assert!(config(&[("ppo", &["x"]), ("admin", &["x"])]).unwrap_err().contains("both"));
        assert!(config(&[("ppo", &[""])]).unwrap_err().contains("empty"));
        assert!(config(&[]).unwrap().is_strict(), "no map: strict");
    }
}
