//! A synthetic register and heavily damaged crime reports with known truth, for the register
//! check's accuracy harness (`bench/accuracy.sh`):
//!
//!   cargo run --release --example accuracy_data -- REGISTRANTS QUERIES SEED CSV_OUT QUERIES_OUT
//!
//! CSV_OUT is a `vigil import registrants` file. QUERIES_OUT has one JSON object per line:
//! `truth` (the registrant's reference, given import order, or null for someone who is not
//! registered), `kinds` (the damage done) and `body` (a `POST /api/v1/reports` body).
//!
//! The damage is heavy on purpose: every report about a registered person has two or three
//! kinds of damage at once, drawn from names (typos, nicknames, swapped, a different surname,
//! initial only), dates of birth (missing, day and month swapped, wrong year, wrong day, an
//! estimated age only), identifiers (missing, one digit wrong, two digits transposed) and
//! addresses (moved, mistyped postcode, missing). Surnames are drawn from a long skewed list
//! (some very common, most rare), as real registers have them.
//!
//! Everything is invented: names from word lists and syllables, NI numbers with the
//! never-issued prefixes ZX/ZY/ZW, passports starting 99, no phone numbers or e-mails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufWriter, Write};

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const FORENAMES: &[&str] = &[
    "james",
    "john",
    "robert",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "charles",
    "christopher",
    "daniel",
    "matthew",
    "anthony",
    "mark",
    "steven",
    "paul",
    "andrew",
    "joshua",
    "kevin",
    "brian",
    "george",
    "edward",
    "ronald",
    "timothy",
    "jason",
    "jeffrey",
    "ryan",
    "jacob",
    "gary",
    "nicholas",
    "eric",
    "jonathan",
    "stephen",
    "larry",
    "justin",
    "scott",
    "brandon",
    "benjamin",
    "samuel",
    "gregory",
    "alexander",
    "patrick",
    "frank",
    "raymond",
    "jack",
    "dennis",
    "jerry",
    "tyler",
    "aaron",
    "adam",
    "henry",
    "nathan",
    "douglas",
    "zachary",
    "peter",
    "kyle",
    "noah",
    "ethan",
    "jeremy",
    "walter",
    "christian",
    "keith",
    "roger",
    "terry",
    "austin",
    "sean",
    "gerald",
    "carl",
    "harold",
    "dylan",
    "arthur",
    "lawrence",
    "jordan",
    "jesse",
    "bryan",
    "billy",
    "bruce",
    "gabriel",
    "joe",
    "logan",
    "alan",
    "juan",
    "albert",
    "willie",
    "elijah",
    "wayne",
    "randy",
    "vincent",
    "mason",
    "roy",
    "ralph",
    "bobby",
    "russell",
    "bradley",
    "philip",
    "eugene",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "lisa",
    "nancy",
    "betty",
    "sandra",
    "margaret",
    "ashley",
    "kimberly",
    "emily",
    "donna",
    "michelle",
    "carol",
    "amanda",
    "melissa",
    "deborah",
    "stephanie",
    "rebecca",
    "laura",
    "helen",
    "sharon",
    "cynthia",
    "kathleen",
    "amy",
    "angela",
    "shirley",
    "brenda",
    "emma",
    "anna",
    "pamela",
    "nicole",
    "samantha",
    "katherine",
    "christine",
    "debra",
    "rachel",
    "carolyn",
    "janet",
    "maria",
    "olivia",
    "heather",
    "catherine",
    "diane",
    "julie",
    "victoria",
    "joyce",
    "lauren",
    "kelly",
    "christina",
    "joan",
    "evelyn",
    "judith",
    "andrea",
    "hannah",
    "megan",
    "cheryl",
    "jacqueline",
    "martha",
    "madison",
    "teresa",
    "gloria",
    "sara",
    "janice",
    "ann",
    "kathryn",
    "abigail",
    "sophia",
    "frances",
    "jean",
    "alice",
    "judy",
    "isabella",
    "julia",
    "grace",
    "amber",
    "denise",
    "danielle",
    "marilyn",
    "beverly",
    "charlotte",
    "natalie",
    "theresa",
    "diana",
    "brittany",
    "doris",
    "kayla",
    "alexis",
    "lori",
    "marie",
    "mohammed",
    "ali",
    "amir",
    "fatima",
    "aisha",
    "priya",
    "rahul",
    "wei",
    "li",
    "oluwaseun",
    "chidi",
    "kwame",
    "ewa",
    "piotr",
    "agnieszka",
    "tomasz",
    "ioana",
    "andrei",
    "sean",
    "niamh",
    "siobhan",
    "cian",
];
/// (formal, diminutive) pairs: most are in the service's nickname table, a few are not.
const NICKNAMES: &[(&str, &str)] = &[
    ("robert", "bob"),
    ("robert", "rob"),
    ("william", "bill"),
    ("william", "will"),
    ("james", "jim"),
    ("james", "jimmy"),
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
    ("edward", "eddie"),
    ("elizabeth", "liz"),
    ("elizabeth", "beth"),
    ("margaret", "maggie"),
    ("jennifer", "jenny"),
    ("susan", "sue"),
    ("rebecca", "becky"),
    ("victoria", "vicky"),
    ("patricia", "pat"),
    ("catherine", "kate"),
    ("katherine", "katie"),
    ("samuel", "sam"),
    ("benjamin", "ben"),
    ("alexander", "alex"),
    ("nicholas", "nick"),
    ("jonathan", "jon"),
    ("timothy", "tim"),
    ("gregory", "greg"),
    ("samantha", "sam"),
    ("kimberly", "kim"),
    ("deborah", "debbie"),
    ("pamela", "pam"),
    ("abigail", "abby"),
];
const COMMON_SURNAMES: &[&str] = &[
    "smith",
    "jones",
    "williams",
    "taylor",
    "brown",
    "davies",
    "evans",
    "wilson",
    "thomas",
    "johnson",
    "roberts",
    "robinson",
    "thompson",
    "wright",
    "walker",
    "white",
    "edwards",
    "hughes",
    "green",
    "hall",
    "lewis",
    "harris",
    "clarke",
    "patel",
    "jackson",
    "wood",
    "turner",
    "martin",
    "cooper",
    "hill",
    "ward",
    "morris",
    "moore",
    "clark",
    "lee",
    "king",
    "baker",
    "harrison",
    "morgan",
    "allen",
    "james",
    "scott",
    "phillips",
    "watson",
    "davis",
    "parker",
    "price",
    "bennett",
    "young",
    "griffiths",
    "mitchell",
    "kelly",
    "cook",
    "carter",
    "richardson",
    "bailey",
    "collins",
    "bell",
    "shaw",
    "murphy",
    "miller",
    "cox",
    "richards",
    "khan",
    "marshall",
    "anderson",
    "simpson",
    "ellis",
    "adams",
    "singh",
    "begum",
    "wilkinson",
    "foster",
    "chapman",
    "powell",
    "webb",
    "rogers",
    "gray",
    "mason",
    "ali",
    "hunt",
    "hussain",
    "campbell",
    "matthews",
    "owen",
    "palmer",
    "holmes",
    "mills",
    "barnes",
    "knight",
    "lloyd",
    "butler",
    "russell",
    "barker",
    "fisher",
    "stevens",
    "jenkins",
    "murray",
    "dixon",
    "harvey",
    "nowak",
];
const ONSETS: &[&str] = &[
    "ash", "black", "brad", "carl", "dun", "fair", "green", "hal", "king", "lang", "mar", "north", "pen", "stan", "thorn", "wal", "west",
    "whit", "brook", "cole", "hol", "ather", "bel", "crom", "dray", "els", "fen", "gar", "hux", "kel", "lock", "mor", "pem", "rad", "sel",
    "tal", "wex", "ab", "bur", "cal", "dal", "ever", "fitz", "gold", "har", "ing", "jar", "kirk", "lud", "mal",
];
const MIDDLES: &[&str] = &["", "", "", "er", "in", "ing", "an", "el", "ow", "ar", "is"];
const CODAS: &[&str] = &[
    "ley", "ton", "wood", "field", "ford", "by", "well", "worth", "ham", "more", "den", "stone", "wick", "shaw", "ridge", "son", "bury",
    "combe", "dale", "gate", "hurst", "land", "mere", "ney", "row", "stead", "thwaite", "wyn", "croft", "ling", "don",
];
const STREETS: &[&str] = &[
    "mill",
    "church",
    "station",
    "victoria",
    "park",
    "high",
    "green",
    "manor",
    "kings",
    "queens",
    "grange",
    "orchard",
    "west",
    "north",
    "meadow",
    "willow",
    "oak",
    "elm",
    "beech",
    "cedar",
    "chapel",
    "school",
    "windsor",
    "york",
    "albert",
    "springfield",
];
const STREET_KINDS: &[&str] = &["road", "street", "lane", "avenue", "close", "drive", "way", "gardens", "crescent", "place"];
/// (town, postcode area) pairs: real place names, made-up streets and units.
const TOWNS: &[(&str, &str)] = &[
    ("Leeds", "LS"),
    ("Manchester", "M"),
    ("Birmingham", "B"),
    ("Exeter", "EX"),
    ("Cardiff", "CF"),
    ("Bristol", "BS"),
    ("Sheffield", "S"),
    ("Liverpool", "L"),
    ("Newcastle", "NE"),
    ("Nottingham", "NG"),
    ("Leicester", "LE"),
    ("Norwich", "NR"),
    ("Plymouth", "PL"),
    ("York", "YO"),
    ("Hull", "HU"),
    ("Derby", "DE"),
    ("Oxford", "OX"),
    ("Cambridge", "CB"),
    ("Bath", "BA"),
    ("Preston", "PR"),
    ("Bolton", "BL"),
    ("Swansea", "SA"),
    ("Reading", "RG"),
    ("Brighton", "BN"),
    ("Coventry", "CV"),
];

#[derive(Clone)]
struct Address {
    line: String,
    town: String,
    postcode: String,
}

#[derive(Clone)]
struct Person {
    given: String,
    family: String,
    dob: NaiveDate,
    address: Option<Address>,
    ni: Option<String>,
    passport: Option<String>,
}

fn title(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Zipf-like: index `k` of `n` with weight about 1/(k+1).
fn zipf(rng: &mut StdRng, n: usize) -> usize {
    let u: f64 = rng.gen_range(0.0..1.0);
    (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n - 1)
}

fn surname(rng: &mut StdRng) -> String {
    if rng.gen_bool(0.45) {
        return COMMON_SURNAMES[zipf(rng, COMMON_SURNAMES.len())].to_owned();
    }
    let onset = ONSETS.choose(rng).unwrap();
    format!("{onset}{}{}", MIDDLES.choose(rng).unwrap(), CODAS[zipf(rng, CODAS.len())])
}

fn address(rng: &mut StdRng) -> Address {
    let (town, area) = TOWNS[zipf(rng, TOWNS.len())];
    let line = format!("{} {} {}", rng.gen_range(1..250), title(STREETS.choose(rng).unwrap()), title(STREET_KINDS.choose(rng).unwrap()));
    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
    let unit: String = (0..2).map(|_| letters[rng.gen_range(0..letters.len())] as char).collect();
    let postcode = format!("{area}{} {}{unit}", rng.gen_range(1..30), rng.gen_range(0..10));
    Address { line, town: town.to_owned(), postcode }
}

fn person(rng: &mut StdRng, serial: usize) -> Person {
    let dob = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Duration::days(rng.gen_range(0..21_000));
    let prefix = ["ZX", "ZY", "ZW", "ZT"][serial / 1_000_000 % 4];
    Person {
        given: FORENAMES[zipf(rng, FORENAMES.len())].to_owned(),
        family: surname(rng),
        dob,
        address: rng.gen_bool(0.8).then(|| address(rng)),
        ni: rng.gen_bool(0.5).then(|| format!("{prefix}{:06}{}", serial % 1_000_000, ['A', 'B', 'C', 'D'][serial % 4])),
        passport: rng.gen_bool(0.2).then(|| format!("99{:07}", serial)),
    }
}

fn csv_row(p: &Person) -> String {
    let (line, town, postcode) = p.address.as_ref().map_or(("", "", ""), |a| (a.line.as_str(), a.town.as_str(), a.postcode.as_str()));
    let ni = p.ni.as_deref().unwrap_or("");
    let passport = p.passport.as_deref().unwrap_or("");
    format!("{},{},{},{line},{town},{postcode},{ni},{passport}", title(&p.given), title(&p.family), p.dob)
}

/// One random edit: a letter dropped, doubled, replaced or two swapped.
fn typo(rng: &mut StdRng, word: &str) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 3 {
        return word.to_owned();
    }
    let i = rng.gen_range(1..c.len() - 1);
    match rng.gen_range(0..4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        2 => c[i] = *b"aeioulnrst".choose(rng).unwrap() as char,
        _ => c.swap(i, i + 1),
    }
    c.into_iter().collect()
}

/// One digit changed, or two neighbouring characters swapped, in the digits of an identifier.
fn misread(rng: &mut StdRng, value: &str, transpose: bool) -> String {
    let mut c: Vec<char> = value.chars().collect();
    let digits: Vec<usize> = (0..c.len()).filter(|i| c[*i].is_ascii_digit()).collect();
    let i = digits[rng.gen_range(0..digits.len() - 1)];
    if transpose && c[i] != c[i + 1] && c[i + 1].is_ascii_digit() {
        c.swap(i, i + 1);
    } else {
        c[i] = char::from_digit((c[i].to_digit(10).unwrap() + rng.gen_range(1..10)) % 10, 10).unwrap();
    }
    c.into_iter().collect()
}

const DAMAGE: &[&str] = &[
    "surname_typo",
    "forename_typo",
    "nickname",
    "swapped_names",
    "other_surname",
    "initial_only",
    "dob_missing",
    "dob_transposed",
    "dob_wrong_year",
    "dob_wrong_day",
    "age_only",
    "id_missing",
    "id_digit",
    "id_transposed",
    "moved",
    "postcode_typo",
    "address_missing",
];

/// The suspect section of a report about `p`, with 2–3 kinds of damage (one per part).
fn damaged(rng: &mut StdRng, p: &Person) -> (Vec<&'static str>, Value) {
    let mut kinds: Vec<&'static str> = Vec::new();
    let count = if rng.gen_bool(0.5) { 2 } else { 3 };
    while kinds.len() < count {
        let k = *DAMAGE.choose(rng).unwrap();
        let part = |k: &str| k.split('_').next().unwrap_or("").to_owned();
        let same_part = kinds.iter().any(|x| part(x) == part(k) || (x.starts_with("dob") && k == "age_only"));
        if !same_part {
            kinds.push(k);
        }
    }
    let (mut given, mut family) = (p.given.clone(), p.family.clone());
    let mut dob = Some(p.dob);
    let mut age = None;
    let mut address = p.address.clone().filter(|_| rng.gen_bool(0.7));
    let mut ids: Vec<(&str, String)> = Vec::new();
    if rng.gen_bool(0.6) {
        ids.extend(p.ni.iter().map(|v| ("ni_number", v.clone())));
        ids.extend(p.passport.iter().map(|v| ("passport", v.clone())));
    }
    for k in &kinds {
        match *k {
            "surname_typo" => family = typo(rng, &family),
            "forename_typo" => given = typo(rng, &given),
            "nickname" => match NICKNAMES.iter().filter(|(f, _)| *f == given).collect::<Vec<_>>().choose(rng) {
                Some((_, nick)) => given = (*nick).to_owned(),
                None => given = typo(rng, &given),
            },
            "swapped_names" => std::mem::swap(&mut given, &mut family),
            "other_surname" => family = surname(rng),
            "initial_only" => given = given.chars().take(1).collect(),
            "dob_missing" => dob = None,
            "dob_transposed" if p.dob.day() <= 12 && p.dob.day() != p.dob.month() => {
                dob = NaiveDate::from_ymd_opt(p.dob.year(), p.dob.day(), p.dob.month())
            }
            "dob_transposed" | "dob_wrong_day" => dob = p.dob.with_day(rng.gen_range(1..=28)).filter(|d| *d != p.dob).or(dob),
            "dob_wrong_year" => dob = p.dob.with_year(p.dob.year() + *[-10, -1, 1, 10].choose(rng).unwrap()),
            "age_only" => {
                dob = None;
                let years = 2026 - p.dob.year();
                age = Some(json!({ "min": (years - 4).max(10), "max": years + 4 }));
            }
            "id_missing" => ids.clear(),
            "id_digit" | "id_transposed" => {
                if ids.is_empty() {
                    ids.extend(p.ni.iter().map(|v| ("ni_number", v.clone())).chain(p.passport.iter().map(|v| ("passport", v.clone()))));
                }
                for (_, v) in &mut ids {
                    *v = misread(rng, v, *k == "id_transposed");
                }
            }
            "moved" => address = Some(self::address(rng)),
            "postcode_typo" => {
                if let Some(a) = &mut address {
                    let mut c: Vec<char> = a.postcode.chars().collect();
                    let i = c.len() - 1;
                    c[i] = if c[i] == 'A' { 'B' } else { 'A' };
                    a.postcode = c.into_iter().collect();
                }
            }
            "address_missing" => address = None,
            _ => {}
        }
    }
    // Ids of the wrong shape after damage (an NI number's check letter) are dropped, as intake
    // would on validation; what remains is what a victim could say.
    let identifiers: Vec<Value> = ids.iter().map(|(k, v)| json!({ "kind": k, "value": v })).collect();
    let mut suspect = json!({ "names": [{ "given": title(&given), "family": title(&family) }], "identifiers": identifiers });
    if let Some(d) = dob {
        suspect["date_of_birth"] = json!(d);
    }
    if let Some(a) = age {
        suspect["age_range"] = a;
    }
    if let Some(a) = address {
        suspect["addresses"] = json!([{ "lines": [a.line], "town": a.town, "postcode": a.postcode }]);
    }
    (kinds, suspect)
}

fn outsider(p: &Person) -> Value {
    let mut suspect = json!({ "names": [{ "given": title(&p.given), "family": title(&p.family) }], "date_of_birth": p.dob });
    if let Some(a) = &p.address {
        suspect["addresses"] = json!([{ "lines": [a.line], "town": a.town, "postcode": a.postcode }]);
    }
    suspect
}

fn report(n: usize, suspect: Value) -> Value {
    json!({
        "crime_reference": format!("ACC/{n}"),
        "principal_classification": "harassment",
        "occurred_from": "2026-03-01",
        "victim": { "reference": format!("AV-{n}") },
        "suspect": suspect
    })
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [registrants, queries, seed, csv_out, queries_out] = args.as_slice() else {
        eprintln!("usage: accuracy_data REGISTRANTS QUERIES SEED CSV_OUT QUERIES_OUT");
        std::process::exit(2);
    };
    let (registrants, queries, seed): (usize, usize, u64) = (registrants.parse().unwrap(), queries.parse().unwrap(), seed.parse().unwrap());
    let mut rng = StdRng::seed_from_u64(seed);
    let mut csv = BufWriter::new(std::fs::File::create(csv_out)?);
    writeln!(csv, "given,family,birth_dates,address_lines,town,postcode,ni_number,passport")?;
    let population: Vec<Person> = (0..registrants).map(|i| person(&mut rng, i)).collect();
    for p in &population {
        writeln!(csv, "{}", csv_row(p))?;
    }
    csv.flush()?;
    let mut out = BufWriter::new(std::fs::File::create(queries_out)?);
    for n in 0..queries {
        let line = if n % 2 == 0 {
            let i = rng.gen_range(0..population.len());
            let (kinds, suspect) = damaged(&mut rng, &population[i]);
            json!({ "truth": format!("VGL-2026-{:06}", i + 1), "kinds": kinds, "body": report(n, suspect) })
        } else {
            // Someone who is not registered, drawn from the same distributions (so sharing
            // common names and dates with registrants, as real strangers do).
            let stranger = person(&mut rng, registrants + n);
            json!({ "truth": null, "kinds": ["unregistered"], "body": report(n, outsider(&stranger)) })
        };
        writeln!(out, "{line}")?;
    }
    out.flush()
}
