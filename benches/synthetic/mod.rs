//! A synthetic register and damaged crime reports with known truth, shared by the linkage
//! benchmark (accuracy, in memory) and the register-check load generator (CSV for
//! `vigil import`, report bodies for the API).
//!
//! Every value is invented: names from word lists, phones only in Ofcom's 07700 900xxx drama
//! range (so only the first thousand people have one), e-mails at example.org, handles made
//! from serial numbers.
#![allow(dead_code)] // each bench target uses a different part

use chrono::{Datelike, Duration, NaiveDate};
use domain::errors::FieldErrors;
use domain::identifiers::Identifier;
use domain::text::fold;
use domain::vocab::IdentifierKind;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use vigil::linkage::{NameForm, Profile};
use vigil::services::reports::input::{NewReportInput, validate};

const FORENAMES: &[&str] = &[
    "robert",
    "catherine",
    "william",
    "james",
    "michael",
    "david",
    "thomas",
    "richard",
    "stephen",
    "christopher",
    "anthony",
    "andrew",
    "daniel",
    "matthew",
    "joseph",
    "edward",
    "henry",
    "john",
    "nicholas",
    "peter",
    "samuel",
    "benjamin",
    "alexander",
    "charles",
    "elizabeth",
    "margaret",
    "jennifer",
    "susan",
    "rebecca",
    "victoria",
    "amanda",
    "patricia",
    "deborah",
    "sarah",
    "eleanor",
    "abigail",
    "olivia",
    "amelia",
    "isla",
    "ava",
    "mia",
    "grace",
    "noah",
    "oliver",
    "george",
    "leo",
    "arthur",
    "oscar",
    "harriet",
    "imogen",
    "zoe",
    "chloe",
    "renee",
    "noel",
    "joelle",
    "jose",
    "andre",
    "rene",
    "celine",
    "helene",
];
/// Forenames written with diacritics on a report ("Zoë", "Renée"); folding must undo them.
const ACCENTED: &[(&str, &str)] = &[
    ("zoe", "Zoë"),
    ("chloe", "Chloë"),
    ("renee", "Renée"),
    ("noel", "Noël"),
    ("joelle", "Joëlle"),
    ("jose", "José"),
    ("andre", "André"),
    ("rene", "René"),
    ("celine", "Céline"),
    ("helene", "Hélène"),
];
pub const NICKS: &[(&str, &str)] = &[
    ("robert", "bob"),
    ("catherine", "kate"),
    ("william", "bill"),
    ("james", "jim"),
    ("michael", "mike"),
    ("david", "dave"),
    ("thomas", "tom"),
    ("richard", "rick"),
    ("stephen", "steve"),
    ("christopher", "chris"),
    ("anthony", "tony"),
    ("andrew", "andy"),
    ("daniel", "dan"),
    ("matthew", "matt"),
    ("joseph", "joe"),
    ("edward", "ted"),
    ("elizabeth", "liz"),
    ("margaret", "maggie"),
    ("jennifer", "jenny"),
    ("susan", "sue"),
    ("rebecca", "becky"),
    ("victoria", "vicky"),
    ("patricia", "pat"),
    ("sarah", "sally"),
];
// 40 × 30 = 1,200 surnames, drawn with a skew (see `family`) so that common names are common.
const SYLLABLES_A: &[&str] = &[
    "hart", "ash", "black", "brad", "carl", "dun", "fair", "green", "hal", "king", "lang", "mar", "north", "pen", "ridge", "stan", "thorn",
    "wal", "west", "whit", "brook", "cole", "ford", "hol", "ather", "bel", "crom", "dray", "els", "fen", "gar", "hux", "kel", "lock",
    "mor", "pem", "rad", "sel", "tal", "wex",
];
const SYLLABLES_B: &[&str] = &[
    "ley", "ton", "wood", "field", "ford", "by", "well", "worth", "ham", "more", "den", "stone", "wick", "shaw", "ridge", "er", "son",
    "bury", "combe", "dale", "gate", "hurst", "land", "mere", "ney", "row", "stead", "thwaite", "well", "wyn",
];
const PLATFORMS: &[&str] = &["instagram", "x", "tiktok", "snapchat", "facebook"];
/// Reports are dated in this year; estimated ages are counted from it.
pub const REPORT_YEAR: i32 = 2026;

#[derive(Clone)]
pub struct Person {
    pub given: String,
    pub family: String,
    pub dob: NaiveDate,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub handle: Option<(&'static str, String)>,
}

/// Index into a list, skewed towards its start (squared uniform), as surname frequencies are.
fn skewed<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    let u: f64 = rng.gen_range(0.0..1.0);
    list[((u * u) * list.len() as f64) as usize % list.len()]
}

pub fn person(rng: &mut StdRng, serial: usize) -> Person {
    let family = format!("{}{}", skewed(rng, SYLLABLES_A), skewed(rng, SYLLABLES_B));
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    let dob = start + Duration::days(rng.gen_range(0..20_000));
    let phone = (serial < 1000).then(|| format!("+447700900{serial:03}"));
    let email = rng.gen_bool(0.3).then(|| format!("p{serial}@example.org"));
    let handle = rng.gen_bool(0.3).then(|| (*PLATFORMS.choose(rng).unwrap_or(&"x"), format!("user_{serial}")));
    Person { given: skewed(rng, FORENAMES).to_owned(), family, dob, phone, email, handle }
}

/// Body of `POST /api/v1/registrants` (and `NewRegistrantInput`).
pub fn registrant_json(p: &Person) -> Value {
    let mut identifiers: Vec<Value> = Vec::new();
    identifiers.extend(p.phone.iter().map(|v| json!({ "kind": "phone", "value": v })));
    identifiers.extend(p.email.iter().map(|v| json!({ "kind": "email", "value": v })));
    identifiers.extend(p.handle.iter().map(|(platform, v)| json!({ "kind": "online_handle", "platform": platform, "value": v })));
    json!({ "names": [{ "kind": "primary", "given": p.given, "family": p.family }], "birth_dates": [p.dob], "identifiers": identifiers })
}

pub const CSV_HEADER: &str = "given,family,birth_dates,phones,emails,handles";

/// One row under `CSV_HEADER`, in the columns `vigil import registrants` documents.
pub fn csv_row(p: &Person) -> String {
    let handle = p.handle.as_ref().map(|(platform, v)| format!("{platform}:{v}")).unwrap_or_default();
    format!("{},{},{},{},{},{}", p.given, p.family, p.dob, p.phone.as_deref().unwrap_or(""), p.email.as_deref().unwrap_or(""), handle)
}

/// The comparison form of a registered person, as the service builds it from stored rows.
pub fn stored_profile(p: &Person) -> Profile {
    let mut out = Profile { names: vec![NameForm { given: fold(&p.given), family: fold(&p.family) }], ..Default::default() };
    out.birth_dates.push(p.dob);
    let ids = [(IdentifierKind::Phone, None, p.phone.clone()), (IdentifierKind::Email, None, p.email.clone())];
    let handle = p.handle.as_ref().map(|(platform, v)| (IdentifierKind::OnlineHandle, Some(*platform), Some(v.clone())));
    for (kind, platform, value) in ids.into_iter().chain(handle) {
        if let Some(value) = value {
            let id = Identifier::parse("identifier", kind, platform, &value).unwrap_or_else(|e| panic!("generated {kind:?}: {}", e.code));
            out.identifiers.push((kind, id.index_key()));
        }
    }
    out
}

pub const KINDS: &[&str] = &[
    "exact",
    "nickname",
    "swapped_names",
    "transposed_dob",
    "year_typo",
    "misspelt_surname",
    "age_range_only",
    "accents_and_case",
    "reformatted_phone_only",
    "reformatted_handle_only",
    "name_only",
];

/// Picks the registered person a damaged report of kind `variant` is about: the identifier-only
/// kinds need someone who has that identifier.
pub fn pick(rng: &mut StdRng, population: &[Person], variant: usize) -> usize {
    match KINDS[variant % KINDS.len()] {
        "reformatted_phone_only" => rng.gen_range(0..population.len().min(1000)),
        "reformatted_handle_only" => loop {
            let i = rng.gen_range(0..population.len());
            if population[i].handle.is_some() {
                break i;
            }
        },
        _ => rng.gen_range(0..population.len()),
    }
}

fn misspell(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() > 3 {
        let i = rng.gen_range(1..chars.len() - 1);
        match rng.gen_range(0..3) {
            0 => {
                chars.remove(i);
            }
            1 => chars.swap(i, i + 1),
            _ => chars[i] = if chars[i] == 'e' { 'a' } else { 'e' },
        }
    }
    chars.into_iter().collect()
}

fn title(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// `07700 900123` for `+447700900123`: how a victim reads a number out.
fn national(e164: &str) -> String {
    let digits = e164.trim_start_matches("+44");
    format!("0{} {}", &digits[..4], &digits[4..])
}

/// The suspect section of a crime report about `p`, damaged in the way `variant` names.
pub fn damage(rng: &mut StdRng, p: &Person, variant: usize) -> (&'static str, Value) {
    let kind = KINDS[variant % KINDS.len()];
    let (mut given, mut family) = (title(&p.given), title(&p.family));
    let mut dob = Some(p.dob);
    let mut age_range = None;
    // Reports carry an identifier only sometimes.
    let mut identifiers: Vec<Value> = Vec::new();
    if rng.gen_bool(0.5) {
        identifiers.extend(p.phone.iter().map(|v| json!({ "kind": "phone", "value": v })));
        identifiers.extend(p.email.iter().map(|v| json!({ "kind": "email", "value": v })));
    }
    match kind {
        "nickname" => {
            if let Some((_, nick)) = NICKS.iter().find(|(formal, _)| *formal == p.given) {
                given = title(nick);
            }
        }
        "swapped_names" => std::mem::swap(&mut given, &mut family),
        "transposed_dob" if p.dob.day() <= 12 => dob = NaiveDate::from_ymd_opt(p.dob.year(), p.dob.day(), p.dob.month()),
        "year_typo" => dob = p.dob.with_year(p.dob.year() + if rng.gen_bool(0.5) { 1 } else { -1 }),
        "misspelt_surname" => family = title(&misspell(rng, &p.family)),
        "age_range_only" => {
            dob = None;
            let age = REPORT_YEAR - p.dob.year();
            age_range = Some(json!({ "min": (age - 3).max(10), "max": age + 4 }));
        }
        "accents_and_case" => {
            given = ACCENTED.iter().find(|(plain, _)| *plain == p.given).map_or_else(|| given.to_uppercase(), |(_, a)| (*a).to_owned());
            family = p.family.to_uppercase();
        }
        "reformatted_phone_only" => {
            let phone = p.phone.as_deref().map(national).unwrap_or_default();
            return (kind, json!({ "identifiers": [{ "kind": "phone", "value": phone }] }));
        }
        "reformatted_handle_only" => {
            let (platform, handle) = p.handle.clone().unwrap_or(("x", String::new()));
            return (
                kind,
                json!({ "identifiers": [{ "kind": "online_handle", "platform": title(platform), "value": format!("@{}", handle.to_uppercase()) }] }),
            );
        }
        "name_only" => {
            dob = None;
            identifiers.clear();
        }
        _ => {}
    }
    let mut suspect = json!({ "names": [{ "given": given, "family": family }], "identifiers": identifiers });
    if let Some(d) = dob {
        suspect["date_of_birth"] = json!(d);
    }
    if let Some(range) = age_range {
        suspect["age_range"] = range;
    }
    (kind, suspect)
}

/// A suspect who is not on the register (a new person, serial beyond the population).
pub fn outsider(rng: &mut StdRng, serial: usize) -> Value {
    let p = person(rng, serial);
    let email: Vec<Value> = p.email.iter().map(|v| json!({ "kind": "email", "value": v })).collect();
    json!({ "names": [{ "given": title(&p.given), "family": title(&p.family) }], "date_of_birth": p.dob, "identifiers": email })
}

/// Body of `POST /api/v1/reports`.
pub fn report_json(n: usize, suspect: Value) -> Value {
    json!({
        "crime_reference": format!("SYN/{n}"),
        "principal_classification": "harassment",
        "occurred_from": format!("{REPORT_YEAR}-03-01"),
        "victim": { "reference": format!("SV-{n}") },
        "suspect": suspect
    })
}

/// The comparison form the register check builds for a report: the service's own validation
/// and normalisation of the suspect section.
pub fn query_profile(n: usize, suspect: Value) -> Profile {
    let input: NewReportInput = serde_json::from_value(report_json(n, suspect)).unwrap_or_else(|e| panic!("report body: {e}"));
    let today = NaiveDate::from_ymd_opt(REPORT_YEAR, 11, 22).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let valid = validate(&mut errors, input, "met", today);
    match valid {
        Some(v) if errors.0.is_empty() => Profile::of_suspect(&v.suspect, NaiveDate::from_ymd_opt(REPORT_YEAR, 3, 1).unwrap_or_default()),
        _ => panic!("generated report rejected: {:?}", errors.0.iter().map(|e| (&e.field, e.code)).collect::<Vec<_>>()),
    }
}
