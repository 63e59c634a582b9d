//! Reading the `regimes` table into domain [`Regime`]s. A row that does not parse is corrupt
//! configuration and fails the operation rather than silently creating no duties.

use entities::regime;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::services::ServiceResult;
use crate::services::registrants::read::stored;
use domain::regimes::Regime;

pub async fn load(conn: &impl ConnectionTrait, code: &str) -> ServiceResult<Option<Regime>> {
    regime::Entity::find_by_id(code.to_owned()).one(conn).await?.map(to_domain).transpose()
}

pub async fn load_many(conn: &impl ConnectionTrait, codes: impl IntoIterator<Item = &str>) -> ServiceResult<Vec<Regime>> {
    let mut codes: Vec<String> = codes.into_iter().map(str::to_owned).collect();
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    regime::Entity::find().filter(regime::Column::Code.is_in(codes)).all(conn).await?.into_iter().map(to_domain).collect()
}

/// The regimes with their titles ("Stalking Protection Act 2019 s.9"), for explaining duties.
pub async fn load_titled(conn: &impl ConnectionTrait, codes: impl IntoIterator<Item = String>) -> ServiceResult<Vec<(Regime, String)>> {
    let mut codes: Vec<String> = codes.into_iter().collect();
    codes.sort();
    codes.dedup();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let rows = regime::Entity::find().filter(regime::Column::Code.is_in(codes)).all(conn).await?;
    rows.into_iter()
        .map(|m| {
            let title = m.title.clone();
            to_domain(m).map(|r| (r, title))
        })
        .collect()
}

fn days(value: Option<i32>) -> ServiceResult<Option<u32>> {
    value.map(|d| stored(u32::try_from(d).ok())).transpose()
}

fn to_domain(m: regime::Model) -> ServiceResult<Regime> {
    Ok(Regime {
        initial_trigger: m.initial_trigger,
        initial_days: days(m.initial_days)?,
        change_days: days(m.change_days)?,
        change_events: stored(Regime::parse_events(&m.change_events))?,
        annual: m.annual,
        nfa_weekly: m.nfa_weekly,
        in_person: m.in_person,
        acknowledgement_required: m.acknowledgement_required,
        qualifying_stay_days: days(m.qualifying_stay_days)?,
        travel_notice_days: days(m.travel_notice_days)?,
        displaced_by: m.displaced_by.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        code: m.code,
    })
}
