//! Reference data: the vocabularies and regimes clients need so that they never hard-code them.
//! Nothing here is about a person, so reading it is not audited; every signed-in role may.

use entities::regime;
use sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::obligations::regimes;
use super::{Ctx, ServiceResult};
use crate::auth::Caller;
use domain::reasons::{REASONS, Reason};
use domain::regimes::{ChangeEvent, Trigger};
use domain::vocab::{ComplianceOutcome, ConditionCategory, ConditionKind, IdentifierKind, OrderKind};

/// A code and its words.
#[derive(Serialize, ToSchema)]
pub struct Term {
    pub code: &'static str,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrderKindTerm {
    pub code: &'static str,
    pub label: String,
    /// The notification regime an order of this kind carries unless the order names another
    /// (`none`: no notification requirements).
    pub default_regime: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifierKindTerm {
    pub code: &'static str,
    pub label: String,
    /// What else the identifier needs: `platform` (online handles), `country` (another
    /// country's national identifier), or nothing.
    pub qualifier: Option<&'static str>,
}

/// A notification regime and its rules, as the duties are computed from them.
#[derive(Serialize, ToSchema)]
pub struct RegimeRules {
    pub code: String,
    pub title: String,
    /// What starts the initial notification period.
    pub initial_trigger: Trigger,
    pub initial_days: Option<u32>,
    pub change_days: Option<u32>,
    pub change_events: Vec<ChangeEvent>,
    pub annual: bool,
    pub nfa_weekly: bool,
    pub in_person: bool,
    pub acknowledgement_required: bool,
    pub qualifying_stay_days: Option<u32>,
    pub travel_notice_days: Option<u32>,
    /// Regimes whose requirements, while they apply, displace this one's.
    pub displaced_by: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceData {
    pub regimes: Vec<RegimeRules>,
    pub order_kinds: Vec<OrderKindTerm>,
    pub condition_kinds: Vec<Term>,
    pub condition_categories: Vec<Term>,
    /// Reasons for access (the `Vigil-Reason-Code` header), with whether a crime or case
    /// reference must accompany each.
    pub reason_codes: Vec<Reason>,
    pub compliance_outcomes: Vec<Term>,
    pub identifier_kinds: Vec<IdentifierKindTerm>,
}

fn words(code: &str) -> String {
    let spaced = code.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn terms<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<Term> {
    all.iter().map(|t| Term { code: code(*t), label: words(code(*t)) }).collect()
}

pub async fn all(ctx: &Ctx, _caller: &Caller) -> ServiceResult<ReferenceData> {
    let rows = regime::Entity::find().order_by_asc(regime::Column::Code).all(&ctx.db).await?;
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let regimes = regimes::load_titled(&ctx.db, codes)
        .await?
        .into_iter()
        .map(|(r, title)| RegimeRules {
            code: r.code,
            title,
            initial_trigger: r.initial_trigger,
            initial_days: r.initial_days,
            change_days: r.change_days,
            change_events: r.change_events,
            annual: r.annual,
            nfa_weekly: r.nfa_weekly,
            in_person: r.in_person,
            acknowledgement_required: r.acknowledgement_required,
            qualifying_stay_days: r.qualifying_stay_days,
            travel_notice_days: r.travel_notice_days,
            displaced_by: r.displaced_by,
        })
        .collect();
    Ok(ReferenceData {
        regimes,
        order_kinds: OrderKind::ALL
            .iter()
            .map(|k| OrderKindTerm { code: k.as_str(), label: words(k.as_str()), default_regime: k.default_regime() })
            .collect(),
        condition_kinds: terms(ConditionKind::ALL, ConditionKind::as_str),
        condition_categories: terms(ConditionCategory::ALL, ConditionCategory::as_str),
        reason_codes: REASONS.to_vec(),
        compliance_outcomes: terms(ComplianceOutcome::ALL, ComplianceOutcome::as_str),
        identifier_kinds: IdentifierKind::ALL
            .iter()
            .map(|k| IdentifierKindTerm {
                code: k.as_str(),
                label: words(k.as_str()),
                qualifier: match k {
                    IdentifierKind::OnlineHandle => Some("platform"),
                    IdentifierKind::NationalId => Some("country"),
                    _ => None,
                },
            })
            .collect(),
    })
}
