//! Synthetic accuracy and speed of the register check's matching (`vigil::linkage`): blocking
//! keys, Fellegi–Sunter scores and the review threshold, on a generated population.
//!
//! A population of registrants is generated from a seed; queries are made from some of them
//! with the errors seen in crime recording (nicknames, swapped names, transposed or mistyped
//! dates of birth, misspelt surnames, an estimated age instead of a date, a phone with another
//! name) and from people who are not registered. Blocking runs on an in-memory index of the
//! same keys the service blind-indexes (exact values: the service's truncated digests add
//! false candidates that decryption removes, which costs time, not accuracy).
//!
//! A second part times the whole register check through the service (`checks::run`: blind-index
//! lookups, decrypting candidates, scoring, storing the run and its audit entry) on a SQLite
//! database holding BENCH_DB_PEOPLE registrants from the same generator.
//!
//! `cargo bench --bench linkage` (BENCH_PEOPLE, BENCH_QUERIES, BENCH_DB_PEOPLE, BENCH_DB_CHECKS
//! and BENCH_SEED override sizes).
//! All data is synthetic: phones in the 07700 900xxx drama range, e-mails at example.org.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use vigil::crypto::{Crypto, KeyRing};
use vigil::domain::vocab::IdentifierKind;
use vigil::linkage::keys::{BlockKey, query_keys, record_keys};
use vigil::linkage::score::{REVIEW_THRESHOLD, score};
use vigil::linkage::{NameForm, Profile};
use vigil::services::registrants::input::NewRegistrantInput;
use vigil::services::reports::input::NewReportInput;
use vigil::services::{Ctx, checks, registrants, reports};

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
];
const NICKS: &[(&str, &str)] = &[
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
const SYLLABLES_A: &[&str] = &[
    "hart", "ash", "black", "brad", "carl", "dun", "fair", "green", "hal", "king", "lang", "mar", "north", "pen", "ridge", "stan", "thorn",
    "wal", "west", "whit", "brook", "cole", "ford", "hol",
];
const SYLLABLES_B: &[&str] = &[
    "ley", "ton", "wood", "field", "ford", "by", "well", "worth", "ham", "more", "den", "stone", "wick", "shaw", "ridge", "er", "son",
    "bury",
];

#[derive(Clone)]
struct Person {
    given: String,
    family: String,
    dob: NaiveDate,
    phone: Option<String>,
    email: Option<String>,
}

fn person(rng: &mut StdRng, serial: usize) -> Person {
    let family = format!("{}{}", SYLLABLES_A.choose(rng).copied().unwrap_or("hart"), SYLLABLES_B.choose(rng).copied().unwrap_or("ley"));
    let start = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    let dob = start + Duration::days(rng.gen_range(0..20_000));
    // Only a thousand drama-range numbers exist, so only the first thousand people have a phone.
    let phone = (serial < 1000).then(|| format!("+447700900{serial:03}"));
    let email = rng.gen_bool(0.3).then(|| format!("p{serial}@example.org"));
    Person { given: FORENAMES.choose(rng).copied().unwrap_or("john").to_owned(), family, dob, phone, email }
}

fn profile(p: &Person, with_dob: bool) -> Profile {
    let mut out = Profile { names: vec![NameForm { given: p.given.clone(), family: p.family.clone() }], ..Default::default() };
    if with_dob {
        out.birth_dates.push(p.dob);
    }
    if let Some(phone) = &p.phone {
        out.identifiers.push((IdentifierKind::Phone, phone.clone()));
    }
    if let Some(email) = &p.email {
        out.identifiers.push((IdentifierKind::Email, email.clone()));
    }
    out
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

/// A report's view of a registered person, with one kind of recording error.
fn perturb(rng: &mut StdRng, p: &Person, variant: usize) -> (&'static str, Profile) {
    let mut q = profile(p, true);
    // Reports rarely carry every identifier.
    if rng.gen_bool(0.5) {
        q.identifiers.clear();
    }
    let name = &mut q.names[0];
    let kind = match variant % 8 {
        0 => "exact",
        1 => {
            if let Some((_, nick)) = NICKS.iter().find(|(formal, _)| *formal == p.given) {
                name.given = (*nick).to_owned();
            }
            "nickname"
        }
        2 => {
            std::mem::swap(&mut name.given, &mut name.family);
            "swapped_names"
        }
        3 => {
            if p.dob.day() <= 12 {
                q.birth_dates = NaiveDate::from_ymd_opt(p.dob.year(), p.dob.day(), p.dob.month()).into_iter().collect();
            }
            "transposed_dob"
        }
        4 => {
            q.birth_dates = vec![p.dob.with_year(p.dob.year() + if rng.gen_bool(0.5) { 1 } else { -1 }).unwrap_or(p.dob)];
            "year_typo"
        }
        5 => {
            name.family = misspell(rng, &p.family);
            "misspelt_surname"
        }
        6 => {
            q.birth_dates.clear();
            let age = 2026 - p.dob.year();
            q.birth_year_range = Some((2026 - age - 4, 2026 - age + 3));
            "age_range_only"
        }
        _ => {
            name.given = "unknown".into();
            name.family = "caller".into();
            q.birth_dates.clear();
            q.identifiers = p.phone.iter().map(|ph| (IdentifierKind::Phone, ph.clone())).collect();
            "phone_only"
        }
    };
    (kind, q)
}

#[derive(Default)]
struct Tally {
    queries: usize,
    blocked: usize,
    found: usize,
    false_positives: usize,
}

fn main() {
    accuracy();
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().enable_all().build() else { return };
    runtime.block_on(service_speed());
}

fn input(p: &Person) -> NewRegistrantInput {
    let body = serde_json::json!({
        "names": [{ "kind": "primary", "given": p.given, "family": p.family }],
        "birth_dates": [p.dob],
        "identifiers": p.phone.iter().map(|ph| serde_json::json!({ "kind": "phone", "value": ph }))
            .chain(p.email.iter().map(|e| serde_json::json!({ "kind": "email", "value": e }))).collect::<Vec<_>>()
    });
    serde_json::from_value(body).unwrap_or_else(|e| panic!("generated registrant does not parse: {e}"))
}

async fn service_speed() {
    let get = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (people, checks) = (get("BENCH_DB_PEOPLE", 5_000), get("BENCH_DB_CHECKS", 300));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let db = vigil::db::connect(&url, 4).await.unwrap_or_else(|e| panic!("connect: {e}"));
    vigil::db::migrate(&db).await.unwrap_or_else(|e| panic!("migrate: {e}"));
    let ctx = Ctx::new(db, std::sync::Arc::new(Crypto::new(KeyRing::generate())).clone());
    let caller = vigil::cli::import::import_caller("met", "bench");
    let mut rng = StdRng::seed_from_u64(11);
    let population: Vec<Person> = (0..people).map(|i| person(&mut rng, i)).collect();
    let today = vigil::clock::now();
    let started = Instant::now();
    for chunk in population.chunks(500) {
        let valid: Vec<_> = chunk
            .iter()
            .map(|p| registrants::validate_new(&caller, &input(p), today.date_naive()).unwrap_or_else(|e| panic!("invalid: {:?}", e.0)))
            .collect();
        if let Err(e) = registrants::create_batch(&ctx, &caller, &valid, today).await {
            panic!("loading: {e}");
        }
    }
    let load = started.elapsed();
    let mut checker = caller.clone();
    checker.justification.crime_reference = Some("BENCH-1".into());
    let mut times = Vec::with_capacity(checks);
    for n in 0..checks {
        let p = &population[rng.gen_range(0..people)];
        let suspect = serde_json::json!({ "names": [{ "given": NICKS.iter().find(|(f, _)| *f == p.given).map(|(_, k)| *k).unwrap_or(&p.given), "family": p.family }], "date_of_birth": p.dob });
        let body: NewReportInput = serde_json::from_value(serde_json::json!({
            "crime_reference": format!("BENCH/{n}"), "principal_classification": "harassment",
            "victim": { "reference": format!("V-{n}") }, "suspect": suspect
        }))
        .unwrap_or_else(|e| panic!("report body: {e}"));
        let receipt = reports::create(&ctx, &checker, body, today).await.unwrap_or_else(|e| panic!("report: {e}"));
        // A fresh limiter per check: the benchmark measures matching, not the rate limit.
        let ctx = Ctx { checks: std::sync::Arc::default(), ..ctx.clone() };
        let started = Instant::now();
        if let Err(e) = checks::run(&ctx, &checker, receipt.id, today).await {
            panic!("check: {e}");
        }
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "\nservice register check on SQLite: {people} registrants loaded in {:.1} s; {checks} checks: median {:.2} ms, p95 {:.2} ms",
        load.as_secs_f64(),
        at(0.5),
        at(0.95)
    );
}

fn accuracy() {
    let get = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (people, queries, seed) = (get("BENCH_PEOPLE", 20_000), get("BENCH_QUERIES", 4_000), get("BENCH_SEED", 7) as u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let population: Vec<Person> = (0..people).map(|i| person(&mut rng, i)).collect();
    let started = Instant::now();
    let mut index: HashMap<BlockKey, Vec<usize>> = HashMap::new();
    let stored: Vec<Profile> = population.iter().map(|p| profile(p, true)).collect();
    for (i, p) in stored.iter().enumerate() {
        for k in record_keys(p) {
            index.entry(k).or_default().push(i);
        }
    }
    let index_time = started.elapsed();

    let mut tallies: Vec<(&'static str, Tally)> = Vec::new();
    let mut candidates_total = 0usize;
    let mut calibration = [(0usize, 0usize); 10];
    let mut outsider_false = 0usize;
    let started = Instant::now();
    for n in 0..queries {
        // Half the queries are about registered people, half about people who are not.
        let (label, query, truth) = if n % 2 == 0 {
            // "A phone with another name" is only possible for people who have a phone.
            let i = if (n / 2) % 8 == 7 { rng.gen_range(0..people.min(1000)) } else { rng.gen_range(0..people) };
            let (label, q) = perturb(&mut rng, &population[i], n / 2);
            (label, q, Some(i))
        } else {
            let outsider = person(&mut rng, people + n);
            let mut q = profile(&outsider, true);
            q.identifiers.retain(|(kind, _)| *kind == IdentifierKind::Email);
            ("not_registered", q, None)
        };
        let mut candidates: Vec<usize> = query_keys(&query).iter().filter_map(|k| index.get(k)).flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates_total += candidates.len();
        let tally = match tallies.iter_mut().position(|(l, _)| *l == label) {
            Some(i) => &mut tallies[i].1,
            None => {
                tallies.push((label, Tally::default()));
                let last = tallies.len() - 1;
                &mut tallies[last].1
            }
        };
        tally.queries += 1;
        tally.blocked += usize::from(truth.is_some_and(|t| candidates.contains(&t)));
        for c in candidates {
            let s = score(&query, &stored[c]);
            let is_match = truth == Some(c);
            let bucket = ((s.probability * 10.0) as usize).min(9);
            calibration[bucket].0 += 1;
            calibration[bucket].1 += usize::from(is_match);
            if s.probability >= REVIEW_THRESHOLD {
                if is_match {
                    tally.found += 1;
                } else {
                    tally.false_positives += 1;
                    outsider_false += usize::from(truth.is_none());
                }
            }
        }
    }
    let elapsed = started.elapsed();
    println!("linkage benchmark: {people} registrants, {queries} queries, seed {seed}");
    println!(
        "index build {:.0} ms; matching {:.1} µs per query ({:.1} candidates scored per query)",
        index_time.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / queries as f64,
        candidates_total as f64 / queries as f64
    );
    println!("\n| query kind | queries | blocking recall | recall at p ≥ {REVIEW_THRESHOLD} | false positives per query |");
    println!("|---|---|---|---|---|");
    for (label, t) in &tallies {
        let registered = *label != "not_registered";
        let pct = |x: usize| if registered { format!("{:.1}%", 100.0 * x as f64 / t.queries as f64) } else { "—".into() };
        println!(
            "| {label} | {} | {} | {} | {:.3} |",
            t.queries,
            pct(t.blocked),
            pct(t.found),
            t.false_positives as f64 / t.queries as f64
        );
    }
    let (found, fp): (usize, usize) = tallies.iter().fold((0, 0), |a, (_, t)| (a.0 + t.found, a.1 + t.false_positives));
    println!(
        "\nprecision at p ≥ {REVIEW_THRESHOLD}: {:.1}%; unregistered people flagged: {outsider_false}",
        100.0 * found as f64 / (found + fp).max(1) as f64
    );
    println!("\n| predicted probability | pairs | observed match rate |");
    println!("|---|---|---|");
    for (i, (pairs, matches)) in calibration.iter().enumerate() {
        if *pairs > 0 {
            println!("| {:.1}–{:.1} | {pairs} | {:.1}% |", i as f64 / 10.0, (i + 1) as f64 / 10.0, 100.0 * *matches as f64 / *pairs as f64);
        }
    }
}
