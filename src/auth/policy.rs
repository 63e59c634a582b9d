//! The declarative access policy: what each role may do (DESIGN §1), and which permission each
//! API route needs. The HTTP layer refuses any `/api` route missing from [`ROUTES`] (deny by
//! default), and every service function checks its permission again.

pub use domain::vocab::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read any registrant (the register is national, as ViSOR is).
    RegistrantReadNational,
    /// Read registrants that the caller's organisation supervises.
    RegistrantReadSupervised,
    /// Create and change registrants of the caller's organisation.
    RegistrantWrite,
    /// See protected persons (victims) on orders.
    ProtectedPersonRead,
    OrderWrite,
    /// Discharging an order ends a victim's protection: a supervisor's decision, made by two
    /// (one requests, another approves).
    OrderDischarge,
    /// Erasing a registrant: a supervisor's decision, made by two.
    RegistrantErase,
    /// Merging two records of one person, or undoing a merge: a supervisor's decision, made by
    /// two.
    RegistrantMerge,
    ObligationRead,
    ComplianceRecord,
    OccurrenceExcuse,
    NotificationRecord,
    BreachRead,
    BreachWrite,
    AuditRead,
    /// Read the record of scheduled job runs and dead deliveries (operators).
    JobsRead,
    /// Send a dead delivery again (operators).
    OutboxRetry,
    /// Record custody, hospital or time abroad that pauses a registrant's clocks.
    SuspensionWrite,
    /// Record a crime report.
    ReportWrite,
    /// Run a register check on a report (justified, rate-limited, audited).
    RegisterCheck,
    /// See a check's candidates with scores and explanations (public protection roles only;
    /// intake gets minimal disclosure).
    MatchRead,
    /// Confirm or reject proposed links in the review queue.
    LinkDecide,
    /// See and end other people's browser sessions (administrators).
    SessionManage,
    /// Any authenticated user may ask who they are.
    SelfRead,
}

/// The policy table. Roles are sets of permissions, never ordered levels.
pub fn permissions(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Ppo => &[
            RegistrantReadNational,
            RegistrantWrite,
            ProtectedPersonRead,
            OrderWrite,
            ObligationRead,
            ComplianceRecord,
            OccurrenceExcuse,
            NotificationRecord,
            BreachRead,
            BreachWrite,
            SuspensionWrite,
            ReportWrite,
            RegisterCheck,
            MatchRead,
            LinkDecide,
            SelfRead,
        ],
        Role::Supervisor => &[
            RegistrantReadNational,
            RegistrantWrite,
            ProtectedPersonRead,
            OrderWrite,
            OrderDischarge,
            RegistrantErase,
            RegistrantMerge,
            ObligationRead,
            ComplianceRecord,
            OccurrenceExcuse,
            NotificationRecord,
            BreachRead,
            BreachWrite,
            SuspensionWrite,
            ReportWrite,
            RegisterCheck,
            MatchRead,
            LinkDecide,
            SelfRead,
        ],
        Role::Probation => &[RegistrantReadSupervised, ObligationRead, ComplianceRecord, SelfRead],
        // Intake records reports and runs checks, and sees only minimal disclosure.
        Role::Intake => &[ReportWrite, RegisterCheck, SelfRead],
        Role::Auditor => &[AuditRead, SelfRead],
        Role::Admin => &[JobsRead, OutboxRetry, SessionManage, SelfRead],
    }
}

/// Which permission a route needs. Probation's two read permissions are alternatives, so a
/// route names the weakest permission that can ever reach it; services then apply the scope.
pub struct RoutePolicy {
    pub method: &'static str,
    pub path: &'static str,
    pub any_of: &'static [Permission],
    /// A read of a person's content: it needs a justification (`domain::reasons`), which the
    /// audit entry records. Marked `justified` in the table below.
    pub needs_reason: bool,
}

/// Reviewers read any report; intake staff their own organisation's (checked in the service).
const READ_REPORT: &[Permission] = &[Permission::MatchRead, Permission::ReportWrite];
const FOUR_EYES: &[Permission] = &[Permission::OrderDischarge, Permission::RegistrantErase, Permission::RegistrantMerge];
const READ_REGISTRANT: &[Permission] = &[Permission::RegistrantReadNational, Permission::RegistrantReadSupervised];

macro_rules! routes {
    ($($method:literal $path:literal => $perms:expr $(, $justified:ident)?;)+) => {
        pub const ROUTES: &[RoutePolicy] =
            &[$(RoutePolicy { method: $method, path: $path, any_of: $perms, needs_reason: routes!(@reason $($justified)?) }),+];
    };
    (@reason) => { false };
    (@reason justified) => { true };
}

// `justified`: reads of a person's content (names, particulars, protected persons, duties, the
// linking of a person to a crime). Lists of ids, references and dates are not marked.
routes! {
    "GET" "/api/v1/me" => &[Permission::SelfRead];
    "GET" "/api/v1/reference" => &[Permission::SelfRead];
    "GET" "/api/v1/reasons" => &[Permission::SelfRead];
    "GET" "/api/v1/registrants" => READ_REGISTRANT, justified;
    "POST" "/api/v1/registrants" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/search" => &[Permission::RegistrantReadNational], justified;
    "GET" "/api/v1/registrants/{id}" => READ_REGISTRANT, justified;
    "PATCH" "/api/v1/registrants/{id}" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/names" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/addresses" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/travel" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/addresses/{address_id}/end" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/addresses/{address_id}/correction" => &[Permission::RegistrantWrite];
    "POST" "/api/v1/registrants/{id}/identifiers" => &[Permission::RegistrantWrite];
    "GET" "/api/v1/registrants/{id}/orders" => READ_REGISTRANT, justified;
    "POST" "/api/v1/registrants/{id}/orders" => &[Permission::OrderWrite];
    "GET" "/api/v1/orders/{id}" => READ_REGISTRANT, justified;
    "POST" "/api/v1/orders/{id}/service" => &[Permission::OrderWrite];
    "POST" "/api/v1/orders/{id}/status" => &[Permission::OrderWrite];
    "POST" "/api/v1/orders/{id}/variations" => &[Permission::OrderWrite];
    "GET" "/api/v1/registrants/{id}/obligations" => &[Permission::ObligationRead], justified;
    "POST" "/api/v1/registrants/{id}/notifications" => &[Permission::NotificationRecord];
    "POST" "/api/v1/occurrences/{id}/compliance" => &[Permission::ComplianceRecord];
    "POST" "/api/v1/occurrences/{id}/correction" => &[Permission::ComplianceRecord];
    "POST" "/api/v1/occurrences/{id}/excusal" => &[Permission::OccurrenceExcuse];
    "GET" "/api/v1/breaches" => &[Permission::BreachRead];
    "POST" "/api/v1/registrants/{id}/breaches" => &[Permission::BreachWrite];
    "GET" "/api/v1/breaches/{id}" => &[Permission::BreachRead], justified;
    "POST" "/api/v1/breaches/{id}/decisions" => &[Permission::BreachWrite];
    "POST" "/api/v1/breaches/{id}/acknowledgement" => &[Permission::BreachWrite];
    "GET" "/api/v1/occurrences/overdue" => &[Permission::ObligationRead];
    "GET" "/api/v1/alerts" => &[Permission::BreachRead];
    "POST" "/api/v1/alerts/acknowledgements" => &[Permission::BreachWrite];
    "GET" "/api/v1/work" => &[Permission::SelfRead];
    "GET" "/api/v1/exports/caseload" => READ_REGISTRANT, justified;
    "GET" "/api/v1/exports/breaches" => &[Permission::BreachRead], justified;
    "GET" "/api/v1/exports/overdue" => &[Permission::ObligationRead], justified;
    "GET" "/api/v1/jobs/runs" => &[Permission::JobsRead];
    "GET" "/api/v1/jobs/health" => &[Permission::JobsRead];
    "GET" "/api/v1/outbox/dead" => &[Permission::JobsRead];
    "POST" "/api/v1/outbox/{id}/retry" => &[Permission::OutboxRetry];
    "POST" "/api/v1/registrants/{id}/suspensions" => &[Permission::SuspensionWrite];
    "POST" "/api/v1/suspensions/{id}/end" => &[Permission::SuspensionWrite];
    "GET" "/api/v1/reports" => READ_REPORT;
    "POST" "/api/v1/reports" => &[Permission::ReportWrite];
    "GET" "/api/v1/reports/{id}" => READ_REPORT, justified;
    "POST" "/api/v1/reports/{id}/checks" => &[Permission::RegisterCheck], justified;
    "GET" "/api/v1/checks/{id}" => &[Permission::MatchRead], justified;
    "GET" "/api/v1/patterns/{id}" => &[Permission::MatchRead], justified;
    "GET" "/api/v1/links" => &[Permission::LinkDecide];
    "GET" "/api/v1/approvals" => FOUR_EYES;
    "POST" "/api/v1/approvals" => FOUR_EYES;
    "GET" "/api/v1/approvals/{id}" => FOUR_EYES;
    "POST" "/api/v1/approvals/{id}/decision" => FOUR_EYES;
    "GET" "/api/v1/audit/events" => &[Permission::AuditRead];
    "GET" "/api/v1/audit/export" => &[Permission::AuditRead], justified;
    "POST" "/api/v1/links/{id}/decision" => &[Permission::LinkDecide];
    "GET" "/api/v1/duplicates" => &[Permission::LinkDecide];
    "POST" "/api/v1/duplicates/{id}/decision" => &[Permission::LinkDecide];
    "GET" "/api/v1/links/{id}" => &[Permission::LinkDecide], justified;
    "GET" "/api/v1/sessions" => &[Permission::SessionManage];
    "DELETE" "/api/v1/sessions/{id}" => &[Permission::SessionManage];
    "POST" "/api/v1/sessions/revocations" => &[Permission::SessionManage];
}

pub fn route(method: &str, path: &str) -> Option<&'static RoutePolicy> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

/// Which permission each web page needs (any one of them); an empty list means anyone may open
/// it (sign-in, assets, the accessibility statement). The web router refuses any page missing
/// here, and `tests/it/ui_access.rs` checks this table against every role.
pub const UI_ROUTES: &[RoutePolicy] = &[
    ui("GET", "/", &[Permission::SelfRead]),
    ui("GET", "/sign-in", &[]),
    ui("POST", "/sign-in", &[]),
    ui("POST", "/sign-out", &[Permission::SelfRead]),
    ui("GET", "/signed-out", &[]),
    ui("POST", "/session/keep-alive", &[Permission::SelfRead]),
    ui("GET", "/accessibility", &[]),
    ui("GET", "/cookies", &[]),
    ui("GET", "/assets/{*path}", &[]),
    ui("GET", "/caseload", READ_REGISTRANT),
    ui("GET", "/caseload.csv", READ_REGISTRANT),
    ui("GET", "/find", &[Permission::RegistrantReadNational]),
    ui("POST", "/find", &[Permission::RegistrantReadNational]),
    ui("GET", "/registrants/{id}", READ_REGISTRANT),
    ui("GET", "/registrants/{id}/orders", READ_REGISTRANT),
    ui("GET", "/registrants/{id}/why", READ_REGISTRANT),
    ui("POST", "/registrants/{id}/why", READ_REGISTRANT),
    ui("GET", "/registrants/{id}/obligations", &[Permission::ObligationRead]),
    ui("GET", "/registrants/{id}/occurrences/{occurrence}/outcome", &[Permission::ComplianceRecord]),
    ui("POST", "/registrants/{id}/occurrences/{occurrence}/outcome", &[Permission::ComplianceRecord]),
    ui("GET", "/registrants/{id}/occurrences/{occurrence}/correct", &[Permission::ComplianceRecord]),
    ui("POST", "/registrants/{id}/occurrences/{occurrence}/correct", &[Permission::ComplianceRecord]),
    ui("GET", "/registrants/{id}/occurrences/{occurrence}/excuse", &[Permission::OccurrenceExcuse]),
    ui("POST", "/registrants/{id}/occurrences/{occurrence}/excuse", &[Permission::OccurrenceExcuse]),
    ui("GET", "/registrants/{id}/notifications/new", &[Permission::NotificationRecord]),
    ui("POST", "/registrants/{id}/notifications/new", &[Permission::NotificationRecord]),
    ui("GET", "/registrants/{id}/travel/new", &[Permission::RegistrantWrite]),
    ui("POST", "/registrants/{id}/travel/new", &[Permission::RegistrantWrite]),
    ui("GET", "/registrants/{id}/suspensions/new", &[Permission::SuspensionWrite]),
    ui("POST", "/registrants/{id}/suspensions/new", &[Permission::SuspensionWrite]),
    ui("GET", "/registrants/{id}/suspensions/{suspension}/end", &[Permission::SuspensionWrite]),
    ui("POST", "/registrants/{id}/suspensions/{suspension}/end", &[Permission::SuspensionWrite]),
    ui("GET", "/breaches", &[Permission::BreachRead]),
    ui("GET", "/breaches.csv", &[Permission::BreachRead]),
    ui("GET", "/breaches/{id}", &[Permission::BreachRead]),
    ui("GET", "/registrants/{id}/breaches", &[Permission::BreachRead]),
    ui("GET", "/registrants/{id}/breaches/{breach}", &[Permission::BreachRead]),
    ui("POST", "/registrants/{id}/breaches/{breach}/decision", &[Permission::BreachWrite]),
    ui("POST", "/registrants/{id}/breaches/{breach}/acknowledgement", &[Permission::BreachWrite]),
    ui("GET", "/registrants/{id}/details", READ_REGISTRANT),
    ui("GET", "/registrants/{id}/details/{what}/new", &[Permission::RegistrantWrite]),
    ui("POST", "/registrants/{id}/details/{what}/new", &[Permission::RegistrantWrite]),
    ui("GET", "/registrants/{id}/details/addresses/{address}/{what}", &[Permission::RegistrantWrite]),
    ui("POST", "/registrants/{id}/details/addresses/{address}/{what}", &[Permission::RegistrantWrite]),
    ui("GET", "/registrants/{id}/orders/new", &[Permission::OrderWrite]),
    ui("POST", "/registrants/{id}/orders/new", &[Permission::OrderWrite]),
    ui("GET", "/registrants/{id}/orders/{order}", READ_REGISTRANT),
    ui("GET", "/registrants/{id}/orders/{order}/service", &[Permission::OrderWrite]),
    ui("POST", "/registrants/{id}/orders/{order}/service", &[Permission::OrderWrite]),
    ui("GET", "/registrants/{id}/orders/{order}/vary", &[Permission::OrderWrite]),
    ui("POST", "/registrants/{id}/orders/{order}/vary", &[Permission::OrderWrite]),
    ui("GET", "/registrants/{id}/orders/{order}/discharge", &[Permission::OrderDischarge]),
    ui("POST", "/registrants/{id}/orders/{order}/discharge", &[Permission::OrderDischarge]),
    ui("GET", "/registrants/new", &[Permission::RegistrantWrite]),
    ui("POST", "/registrants/new", &[Permission::RegistrantWrite]),
    ui("GET", "/registrants/new/{draft}", &[Permission::RegistrantWrite]),
    ui("GET", "/registrants/new/{draft}/{step}", &[Permission::RegistrantWrite]),
    ui("POST", "/registrants/new/{draft}/{step}", &[Permission::RegistrantWrite]),
    ui("GET", "/reports", READ_REPORT),
    ui("GET", "/reports/new", &[Permission::ReportWrite]),
    ui("POST", "/reports/new", &[Permission::ReportWrite]),
    ui("GET", "/reports/{id}", READ_REPORT),
    ui("GET", "/reports/{id}/why", READ_REPORT),
    ui("POST", "/reports/{id}/why", READ_REPORT),
    ui("POST", "/reports/{id}/checks", &[Permission::RegisterCheck]),
    ui("GET", "/reports/{id}/checks/{check}", READ_REPORT),
    ui("GET", "/patterns/{id}", &[Permission::MatchRead]),
    ui("GET", "/patterns/{id}/why", &[Permission::MatchRead]),
    ui("POST", "/patterns/{id}/why", &[Permission::MatchRead]),
    ui("GET", "/approvals", FOUR_EYES),
    ui("GET", "/approvals/{id}", FOUR_EYES),
    ui("POST", "/approvals/{id}", FOUR_EYES),
    ui("GET", "/audit", &[Permission::AuditRead]),
    ui("GET", "/audit/events/{seq}", &[Permission::AuditRead]),
    ui("GET", "/job-runs", &[Permission::JobsRead]),
    ui("GET", "/sessions", &[Permission::SessionManage]),
    ui("GET", "/sessions/{id}/end", &[Permission::SessionManage]),
    ui("POST", "/sessions/{id}/end", &[Permission::SessionManage]),
    ui("GET", "/sessions/person", &[Permission::SessionManage]),
    ui("POST", "/sessions/person", &[Permission::SessionManage]),
    ui("GET", "/alerts", &[Permission::BreachRead]),
    ui("POST", "/alerts", &[Permission::BreachWrite]),
    // The overdue queue is the public protection unit's (where breaches start); probation sees
    // the duties of those it supervises on each record instead.
    ui("GET", "/overdue", &[Permission::BreachRead]),
    ui("GET", "/overdue.csv", &[Permission::BreachRead]),
    ui("GET", "/links", &[Permission::LinkDecide]),
    ui("GET", "/links/{id}", &[Permission::LinkDecide]),
    ui("POST", "/links/{id}", &[Permission::LinkDecide]),
    ui("GET", "/links/{id}/why", &[Permission::LinkDecide]),
    ui("POST", "/links/{id}/why", &[Permission::LinkDecide]),
    ui("GET", "/duplicates", &[Permission::LinkDecide]),
    ui("GET", "/duplicates/{id}", &[Permission::LinkDecide]),
    ui("POST", "/duplicates/{id}", &[Permission::LinkDecide]),
    ui("POST", "/duplicates/{id}/merge", &[Permission::RegistrantMerge]),
    ui("POST", "/duplicates/{id}/unmerge", &[Permission::RegistrantMerge]),
];

const fn ui(method: &'static str, path: &'static str, any_of: &'static [Permission]) -> RoutePolicy {
    RoutePolicy { method, path, any_of, needs_reason: false }
}

pub fn ui_route(method: &str, path: &str) -> Option<&'static RoutePolicy> {
    UI_ROUTES.iter().find(|r| r.method == method && r.path == path)
}
