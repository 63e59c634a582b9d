//! Who is calling and what they may do.
//!
//! - [`token`] validates bearer JWTs against the issuer's keys ([`jwks`]); [`claims`] finds
//!   roles and organisation in them and maps a provider's role values.
//! - [`policy`] is the one declarative table of what each role may do, and which routes need
//!   which permission.
//! - [`dev`] is the development issuer that only `vigil demo` trusts.
//! - [`login`] and [`sessions`]: browser login (OIDC code flow with PKCE) and server-side
//!   sessions behind an opaque cookie.
//!
//! A [`Caller`] is built once per request from a validated token and is passed to every service
//! function, which checks its permission again before doing anything.

pub mod assurance;
pub mod backchannel;
pub mod claims;
pub mod dev;
pub mod jwks;
pub mod login;
pub mod policy;
pub mod revalidation;
pub mod token;
pub mod token_cache;

use uuid::Uuid;

pub use policy::{Permission, Role};

/// Step-up: erasure, order discharge and audit exports need an authentication this recent.
pub const STEP_UP: chrono::Duration = chrono::Duration::minutes(15);

/// Why the caller is looking at something (DPA 2018 s.62 justification): a reason code and an
/// optional crime reference, taken from request headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Justification {
    pub reason_code: Option<String>,
    pub crime_reference: Option<String>,
}

/// An authenticated caller. Users are keyed by (issuer, subject), never by e-mail.
#[derive(Debug, Clone)]
pub struct Caller {
    pub issuer: String,
    pub subject: String,
    pub roles: Vec<Role>,
    pub org: String,
    pub request_id: String,
    pub justification: Justification,
    /// When the person last authenticated, if known: step-up checks read it.
    pub auth_time: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccessError {
    #[error("the caller's role does not allow {0:?}")]
    Forbidden(Permission),
    #[error("the record belongs to another organisation")]
    OtherOrganisation,
    #[error("a second person must decide what the first one asked for")]
    SamePerson,
    /// Step-up: the action needs an authentication no older than this many seconds.
    #[error("the action needs a recent authentication")]
    StaleAuthentication { max_age_seconds: i64 },
}

impl Caller {
    pub fn can(&self, permission: Permission) -> bool {
        self.roles.iter().any(|role| policy::permissions(*role).contains(&permission))
    }

    pub fn require(&self, permission: Permission) -> Result<(), AccessError> {
        if self.can(permission) { Ok(()) } else { Err(AccessError::Forbidden(permission)) }
    }

    /// The role recorded in audit entries: the first role that grants `permission`, else the
    /// first role held.
    pub fn role_for(&self, permission: Permission) -> Role {
        self.roles
            .iter()
            .copied()
            .find(|r| policy::permissions(*r).contains(&permission))
            .or_else(|| self.roles.first().copied())
            .unwrap_or(Role::Intake)
    }

    /// Step-up for erasure, disclosure and key operations: the person must have authenticated
    /// within `max_age` (`auth_time`). A token that does not say when fails closed.
    pub fn require_recent_auth(&self, now: chrono::DateTime<chrono::Utc>, max_age: chrono::Duration) -> Result<(), AccessError> {
        match self.auth_time {
            Some(at) if now - at <= max_age && at <= now + chrono::Duration::seconds(60) => Ok(()),
            _ => Err(AccessError::StaleAuthentication { max_age_seconds: max_age.num_seconds() }),
        }
    }

    /// Writes belong to the managing organisation.
    pub fn require_managing(&self, managing_org: &str) -> Result<(), AccessError> {
        if self.org == managing_org { Ok(()) } else { Err(AccessError::OtherOrganisation) }
    }

    /// Register reads are national for public protection roles; probation sees only what its
    /// own organisation supervises.
    pub fn may_read_registrant(&self, supervising_org: Option<&str>) -> bool {
        if self.can(Permission::RegistrantReadNational) {
            return true;
        }
        self.can(Permission::RegistrantReadSupervised) && supervising_org == Some(self.org.as_str())
    }

    /// A synthetic caller for work the service does on its own behalf (demo loading, jobs).
    pub fn system(org: &str) -> Self {
        Self {
            issuer: "vigil:system".into(),
            subject: "system".into(),
            roles: vec![Role::Supervisor],
            org: org.into(),
            request_id: Uuid::now_v7().to_string(),
            justification: Justification::default(),
            auth_time: None,
        }
    }
}
