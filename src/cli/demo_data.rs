//! Synthetic demo register. Every value is invented: names are drawn from short generic lists,
//! phone numbers from Ofcom's range reserved for drama (07700 900000–900999), e-mail domains
//! from example.org, and identifiers are generated with valid check digits.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::services::registrants::input::{
    AddressInput, DescriptorInput, IdentifierInput, MappaInput, NameInput, NewRegistrantInput, RiskInput,
};
use domain::vocab::{AddressKind, DescriptorKind, IdentifierKind, NameKind, RegistrantStatus, RiskLevel};

const GIVEN: &[&str] = &["Alex", "Sam", "Jordan", "Casey", "Robin", "Morgan", "Jamie", "Taylor", "Charlie", "Drew", "Rowan", "Quinn"];
const FAMILY: &[&str] =
    &["Ashdown", "Brackley", "Corran", "Dunmore", "Elstow", "Farrow", "Garside", "Holloway", "Ilsley", "Jarrow", "Kettering", "Lydford"];
const TOWNS: &[(&str, &str)] = &[("Exampleton", "EX1 1AA"), ("Sampleford", "SF2 3BD"), ("Testbury", "TB4 5EF"), ("Mockley", "MK6 7GH")];
pub const FORCES: &[&str] = &["met", "gmp", "wmp"];
pub const PROBATION: &[&str] = &["probation-london", "probation-northwest", "probation-midlands"];

pub fn registrants(count: usize) -> Vec<NewRegistrantInput> {
    let mut rng = StdRng::seed_from_u64(2026);
    (0..count).map(|i| registrant(&mut rng, i)).collect()
}

/// The first demo registrant recorded a second time, as a transfer from another source might
/// carry them (without their phone), so the demo has one person on two records to merge.
pub fn twin() -> NewRegistrantInput {
    let mut again = registrant(&mut StdRng::seed_from_u64(2026), 0);
    again.identifiers.retain(|i| i.kind != IdentifierKind::Phone);
    again
}

fn registrant(rng: &mut StdRng, i: usize) -> NewRegistrantInput {
    let force = i % FORCES.len();
    let given = GIVEN[rng.gen_range(0..GIVEN.len())];
    let family = FAMILY[rng.gen_range(0..FAMILY.len())];
    let (town, postcode) = TOWNS[rng.gen_range(0..TOWNS.len())];
    let born = NaiveDate::from_ymd_opt(rng.gen_range(1965..2002), rng.gen_range(1..13), rng.gen_range(1..29)).unwrap_or_default();
    let mut names =
        vec![NameInput { kind: NameKind::Primary, given: given.into(), family: family.into(), valid_from: None, valid_to: None }];
    if i.is_multiple_of(3) {
        let alias = GIVEN[(i + 5) % GIVEN.len()];
        names.push(NameInput { kind: NameKind::Alias, given: alias.into(), family: family.into(), valid_from: None, valid_to: None });
    }
    let mut identifiers = vec![
        IdentifierInput {
            country: None,
            kind: IdentifierKind::Phone,
            platform: None,
            value: format!("07700 900{:03}", i % 1000),
            valid_from: None,
            valid_to: None,
        },
        IdentifierInput {
            country: None,
            kind: IdentifierKind::Email,
            platform: None,
            value: format!("{}.{}{}@example.org", given.to_lowercase(), family.to_lowercase(), i),
            valid_from: None,
            valid_to: None,
        },
    ];
    if i.is_multiple_of(2) {
        identifiers.push(IdentifierInput {
            country: None,
            kind: IdentifierKind::OnlineHandle,
            platform: Some(["instagram", "x", "tiktok", "snapchat"][i % 4].into()),
            value: format!("@{}_{}{}", given.to_lowercase(), family.to_lowercase(), i),
            valid_from: None,
            valid_to: None,
        });
    }
    if i % 4 == 1 {
        identifiers.push(IdentifierInput {
            country: None,
            kind: IdentifierKind::Imei,
            platform: None,
            value: imei(rng),
            valid_from: None,
            valid_to: None,
        });
    }
    let status = match i % 10 {
        7 => RegistrantStatus::InCustody,
        8 => RegistrantStatus::WhereaboutsUnknown,
        _ => RegistrantStatus::Active,
    };
    NewRegistrantInput {
        managing_org: Some(FORCES[force].into()),
        managing_officer: Some(format!("PPU officer {}", (i % 5) + 1)),
        // Every other registrant, and the DAPO registrants (9, 19, ...), whose programme probation runs.
        supervising_org: if i.is_multiple_of(2) || i % 10 == 9 { Some(PROBATION[force].into()) } else { None },
        status: Some(status),
        risk: Some(RiskInput {
            level: [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High, RiskLevel::VeryHigh][i % 4],
            tool: Some("SRP".into()),
            next_review_on: NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 15),
        }),
        mappa: if i.is_multiple_of(3) {
            Some(MappaInput {
                category: 2,
                level: 1 + (i % 3) as i16,
                next_review_on: NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1),
            })
        } else {
            None
        },
        names,
        birth_dates: vec![born],
        descriptors: vec![DescriptorInput { kind: DescriptorKind::Height, value: format!("{} cm", rng.gen_range(155..195)) }],
        addresses: vec![AddressInput {
            kind: AddressKind::Home,
            lines: vec![format!("{} Demo Street", rng.gen_range(1..200))],
            town: Some(town.into()),
            postcode: Some(postcode.into()),
            valid_from: NaiveDate::from_ymd_opt(2025, 6, 1),
            valid_to: None,
        }],
        identifiers,
        notes: Some("Synthetic demo record.".into()),
    }
}

/// A random IMEI with a correct Luhn check digit.
fn imei(rng: &mut StdRng) -> String {
    let digits: Vec<u32> = (0..14).map(|_| rng.gen_range(0..10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                *d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    digits.iter().chain(std::iter::once(&check)).map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()
}
