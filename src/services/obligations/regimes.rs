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

fn to_domain(m: regime::Model) -> ServiceResult<Regime> {
    stored(m.to_domain())
}
