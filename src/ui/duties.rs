//! A registrant's obligations: what is due and overdue, with "Why is this due?" for each
//! occurrence (regime, rule and the event that started the clock), then what has been met,
//! missed or excused. Actions appear only for who may take them: probation records outcomes of
//! requirements; public protection officers also record notifications and excuse.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use domain::due::WhyDue;
use domain::ids::RegistrantId;
use domain::vocab::OccurrenceStatus;

use super::pages::{self, Chrome, Done, words};
use super::record::{Tab, justified, tabs};
use super::session::Visitor;
use crate::auth::Permission;
use crate::http::AppState;
use crate::services::obligations;

/// Due within this long counts as "due soon" (yellow).
const DUE_SOON: Duration = Duration::days(7);
/// The history shows this many of the latest resolved occurrences.
const HISTORY: usize = 50;

pub struct Row {
    pub id: String,
    pub duty: String,
    pub due: String,
    pub status: &'static str,
    pub status_tag: &'static str,
    pub why: WhyDue,
    /// How it was resolved (an outcome, an excusal's reason, a notification).
    pub resolution: Option<String>,
    pub may_record_outcome: bool,
    pub may_excuse: bool,
    /// A session recorded as missed that was in fact attended can be corrected.
    pub may_correct: bool,
    due_at: DateTime<Utc>,
}

#[derive(Template, WebTemplate)]
#[template(path = "duties.html")]
pub struct DutiesPage {
    pub chrome: Chrome,
    pub id: String,
    pub reason: String,
    pub tabs: Vec<Tab>,
    pub due: Vec<Row>,
    pub history: Vec<Row>,
    pub may_notify: bool,
    pub may_record_travel: bool,
    pub may_suspend: bool,
    /// "Clocks paused since …", with the pause's id for restarting.
    pub paused: Vec<(String, String)>,
}

const BANNERS: &[(&str, &str)] = &[
    ("outcome", "Outcome recorded"),
    ("excused", "Occurrence excused"),
    ("corrected", "Outcome corrected. Any breach the missed session caused is withdrawn and the managing officer told."),
    ("notification", "Notification recorded"),
    (
        "notification_acknowledgement",
        "Notification recorded. The regime requires a written acknowledgement (Stalking Protection Act 2019 s.10) and none was given: give one.",
    ),
    ("notification_late", "Notification recorded. Some deadlines had already passed: they stay as missed for review."),
    ("notification_no_duty", "Notification recorded. No order in force on this record carries a notification duty."),
    ("travel", "Travel recorded. The obligations below show when the registrant must notify it."),
    ("travel_no_duty", "Travel recorded. No order in force on this record requires travel abroad to be notified."),
    ("suspended", "Clocks paused"),
    ("resumed", "Clocks restarted"),
];

/// How an occurrence stands, in words and the service's one colour map.
pub fn standing(status: OccurrenceStatus, overdue: bool, due_at: DateTime<Utc>, now: DateTime<Utc>) -> (&'static str, &'static str) {
    let code = match status {
        OccurrenceStatus::Pending if overdue => "overdue",
        OccurrenceStatus::Pending if due_at - now <= DUE_SOON => "due_soon",
        OccurrenceStatus::Pending => "pending",
        OccurrenceStatus::Met => "met",
        OccurrenceStatus::Missed => "missed",
        OccurrenceStatus::Excused => "excused",
        OccurrenceStatus::Historical => "historical",
    };
    let label = match code {
        "overdue" => "Overdue",
        "due_soon" => "Due soon",
        "pending" => "Not yet due",
        "met" => "Met",
        "missed" => "Missed",
        "historical" => "Before Vigil",
        _ => "Excused",
    };
    (label, pages::status_tag(code))
}

pub async fn duties(
    State(state): State<AppState>,
    mut visitor: Visitor,
    Path(id): Path<RegistrantId>,
    Query(done): Query<Done>,
) -> Response {
    let mut chrome = Chrome::for_visitor(&visitor, "/caseload");
    chrome.banner = done.banner(BANNERS);
    let reason = match justified(&state, &mut visitor, id).await {
        Ok(reason) => reason,
        Err(page) => return page,
    };
    let now = crate::clock::now();
    let list = match obligations::list_for_registrant(&state.ctx, &visitor.caller, id, now).await {
        Ok(list) => list,
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let paused = match crate::services::suspensions::open_for(&state.ctx, &visitor.caller, id, now).await {
        Ok(open) => super::pause::paused(&open),
        Err(e) => return pages::service_error(Some(chrome), e),
    };
    let caller = &visitor.caller;
    let (mut due, mut history) = (Vec::new(), Vec::new());
    for ob in list.items {
        let notification = ob.kind.is_notification();
        for o in ob.occurrences {
            let (status, status_tag) = standing(o.status, o.overdue, o.due_at, now);
            let pending = o.status.is_open();
            let resolution = match (o.compliance.last(), &o.reason) {
                (Some(c), _) => Some(words(c.outcome.as_str())),
                (None, Some(reason)) => Some(reason.clone()),
                (None, None) if o.status == OccurrenceStatus::Met && notification => Some("Notified".into()),
                _ => None,
            };
            let row = Row {
                id: o.id.to_string(),
                duty: words(ob.kind.as_str()),
                due: super::overdue::due_words(o.due_at),
                status,
                status_tag,
                why: o.why,
                resolution,
                may_record_outcome: pending && !notification && caller.can(Permission::ComplianceRecord),
                may_excuse: pending && caller.can(Permission::OccurrenceExcuse),
                may_correct: o.status == OccurrenceStatus::Missed && !notification && caller.can(Permission::ComplianceRecord),
                due_at: o.due_at,
            };
            if pending { due.push(row) } else { history.push(row) }
        }
    }
    due.sort_by_key(|r| r.due_at);
    history.sort_by_key(|r| std::cmp::Reverse(r.due_at));
    history.truncate(HISTORY);
    DutiesPage {
        chrome,
        id: id.to_string(),
        reason,
        tabs: tabs(caller, id, "/obligations"),
        due,
        history,
        may_notify: caller.can(Permission::NotificationRecord),
        may_record_travel: caller.can(Permission::RegistrantWrite),
        may_suspend: caller.can(Permission::SuspensionWrite),
        paused,
    }
    .into_response()
}
