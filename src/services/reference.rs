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
use domain::regimes::Regime;
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

/// A notification regime, its title and its rules, as the duties are computed from them.
#[derive(Serialize, ToSchema)]
pub struct RegimeRules {
    pub title: String,
    #[serde(flatten)]
    pub rules: Regime,
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
    let regimes = regimes::load_titled(&ctx.db, codes).await?.into_iter().map(|(rules, title)| RegimeRules { title, rules }).collect();
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
