//! Synthetic accuracy and speed of the register check's matching (`vigil::linkage`): blocking
//! keys, Fellegi–Sunter scores and the review threshold, on a generated population
//! (`synthetic`: skewed name frequencies, phones, e-mails, handles).
//!
//! Queries are crime reports made from registered people with the errors seen in crime
//! recording (nicknames, swapped names, transposed or mistyped dates of birth, misspelt
//! surnames, an estimated age instead of a date, accents and capitals, a phone read out in
//! national format, a handle with `@` and capitals, a name with nothing else), and from people
//! who are not registered. Each report goes through the service's own validation and
//! normalisation. Blocking runs on an in-memory index of the same keys the service
//! blind-indexes (exact values: the service's truncated digests add false candidates that
//! decryption removes, which costs time, not accuracy).
//!
//! A second part times the whole register check through the service (`checks::run`: blind-index
//! lookups, decrypting candidates, scoring, storing the run and its audit entry) on a SQLite
//! database holding BENCH_DB_PEOPLE registrants; the load test at scale is bench/checks.sh.
//!
//! `cargo bench --bench linkage` (BENCH_PEOPLE — a comma-separated list of register sizes —,
//! BENCH_QUERIES, BENCH_CAP (candidates opened per query; 0 for no cap), BENCH_DB_PEOPLE (0
//! skips the service part), BENCH_DB_CHECKS and BENCH_SEED).

// A benchmark, example or test harness stops at the first failure: the house rule against
// unwrap/expect/panic is for the service, not for code whose whole job is to check it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "synthetic/mod.rs"]
mod synthetic;

use std::collections::HashMap;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use synthetic::{KINDS, Person};
use vigil::crypto::{Crypto, KeyRing};
use vigil::linkage::keys::{BlockKey, query_keys, record_keys};
use vigil::linkage::score::{REVIEW_THRESHOLD, Score, compete, score};
use vigil::linkage::{Profile, blocking};
use vigil::services::registrants::input::NewRegistrantInput;
use vigil::services::reports::input::NewReportInput;
use vigil::services::{Ctx, checks, registrants, reports};

#[derive(Default)]
struct Tally {
    queries: usize,
    blocked: usize,
    opened: usize,
    found: usize,
    ranked_first: usize,
    false_positives: usize,
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let sizes = std::env::var("BENCH_PEOPLE").unwrap_or_else(|_| "20000".into());
    for size in sizes.split(',').filter_map(|s| s.trim().parse::<usize>().ok()) {
        accuracy(size);
    }
    if setting("BENCH_DB_PEOPLE", 5_000) == 0 {
        return;
    }
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().enable_all().build() else { return };
    runtime.block_on(service_speed());
}

fn input(p: &Person) -> NewRegistrantInput {
    serde_json::from_value(synthetic::registrant_json(p)).unwrap_or_else(|e| panic!("generated registrant does not parse: {e}"))
}

async fn service_speed() {
    let (people, checks) = (setting("BENCH_DB_PEOPLE", 5_000), setting("BENCH_DB_CHECKS", 300));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let db = vigil::db::connect(&url, 4).await.unwrap_or_else(|e| panic!("connect: {e}"));
    vigil::db::migrate(&db).await.unwrap_or_else(|e| panic!("migrate: {e}"));
    let mut ctx = Ctx::new(db, std::sync::Arc::new(Crypto::new(KeyRing::generate())));
    // The benchmark measures matching, not the rate limit.
    ctx.checks = std::sync::Arc::new(checks::limiter::CheckLimiter::per_hour(u32::MAX));
    let caller = vigil::cli::import::import_caller("met", "bench");
    let mut rng = StdRng::seed_from_u64(11);
    let population: Vec<Person> = (0..people).map(|i| synthetic::person(&mut rng, i)).collect();
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
        let i = synthetic::pick(&mut rng, &population, n);
        let (_, suspect) = synthetic::damage(&mut rng, &population[i], n);
        let body: NewReportInput =
            serde_json::from_value(synthetic::report_json(n, suspect)).unwrap_or_else(|e| panic!("report body: {e}"));
        let receipt = reports::create(&ctx, &checker, body, today).await.unwrap_or_else(|e| panic!("report: {e}"));
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

fn accuracy(people: usize) {
    let (queries, seed) = (setting("BENCH_QUERIES", 4_400), setting("BENCH_SEED", 7) as u64);
    let mut rng = StdRng::seed_from_u64(seed);
    let population: Vec<Person> = (0..people).map(|i| synthetic::person(&mut rng, i)).collect();
    let started = Instant::now();
    let mut index: HashMap<BlockKey, Vec<u32>> = HashMap::new();
    let stored: Vec<Profile> = population.iter().map(synthetic::stored_profile).collect();
    for (i, p) in stored.iter().enumerate() {
        for k in record_keys(p) {
            index.entry(k).or_default().push(i as u32);
        }
    }
    let index_time = started.elapsed();

    let mut tallies: Vec<(&'static str, Tally)> = KINDS.iter().chain(&["not_registered"]).map(|k| (*k, Tally::default())).collect();
    let (mut candidates_total, mut found_total) = (0usize, 0usize);
    let cap = match setting("BENCH_CAP", blocking::MAX_CANDIDATES) {
        0 => usize::MAX,
        n => n,
    };
    let mut calibration = [(0usize, 0usize); 10];
    let started = Instant::now();
    for n in 0..queries {
        // Half the queries are about registered people, half about people who are not.
        let (label, query, truth) = if n % 2 == 0 {
            let i = synthetic::pick(&mut rng, &population, n / 2);
            let (label, suspect) = synthetic::damage(&mut rng, &population[i], n / 2);
            (label, synthetic::query_profile(n, suspect), Some(i))
        } else {
            let suspect = synthetic::outsider(&mut rng, people + n);
            ("not_registered", synthetic::query_profile(n, suspect), None)
        };
        let hits: Vec<Vec<usize>> = query_keys(&query)
            .iter()
            .map(|k| index.get(k).map(|owners| owners.iter().map(|c| *c as usize).collect()).unwrap_or_default())
            .collect();
        let mut found: Vec<usize> = hits.iter().flatten().copied().collect();
        found.sort_unstable();
        found.dedup();
        // The service opens only the best-ranked candidates; so does the benchmark.
        let candidates = blocking::select(&hits, cap);
        found_total += found.len();
        candidates_total += candidates.len();
        let Some((_, tally)) = tallies.iter_mut().find(|(l, _)| *l == label) else { continue };
        tally.queries += 1;
        tally.blocked += usize::from(truth.is_some_and(|t| found.binary_search(&t).is_ok()));
        tally.opened += usize::from(truth.is_some_and(|t| candidates.contains(&t)));
        let mut scores: Vec<(usize, Score)> = candidates.iter().map(|c| (*c, score(&query, &stored[*c]))).collect();
        compete(scores.iter_mut().map(|(_, s)| s));
        let mut best: Option<(f64, usize)> = None;
        for (c, s) in scores {
            let is_match = truth == Some(c);
            let bucket = ((s.probability * 10.0) as usize).min(9);
            calibration[bucket].0 += 1;
            calibration[bucket].1 += usize::from(is_match);
            if best.is_none_or(|(p, _)| s.probability > p) {
                best = Some((s.probability, c));
            }
            if s.probability >= REVIEW_THRESHOLD {
                if is_match {
                    tally.found += 1;
                } else {
                    tally.false_positives += 1;
                }
            }
        }
        tally.ranked_first += usize::from(truth.is_some() && best.map(|(_, c)| c) == truth);
    }
    let elapsed = started.elapsed();
    println!("\n## linkage benchmark: {people} registrants, {queries} queries, seed {seed}\n");
    println!(
        "index build {:.1} s; matching {:.1} µs per query ({:.1} candidates found, {:.1} opened and scored per query, cap {cap})",
        index_time.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / queries as f64,
        found_total as f64 / queries as f64,
        candidates_total as f64 / queries as f64
    );
    println!(
        "\n| query kind | queries | blocking recall | opened (within the cap) | recall at p ≥ {REVIEW_THRESHOLD} | recall@1 | false positives per query |"
    );
    println!("|---|---|---|---|---|---|---|");
    let pct = |x: usize, of: usize| format!("{:.1}%", 100.0 * x as f64 / of.max(1) as f64);
    for (label, t) in tallies.iter().filter(|(_, t)| t.queries > 0) {
        let registered = *label != "not_registered";
        let show = |x: usize| if registered { pct(x, t.queries) } else { "—".into() };
        println!(
            "| {label} | {} | {} | {} | {} | {} | {:.3} |",
            t.queries,
            show(t.blocked),
            show(t.opened),
            show(t.found),
            show(t.ranked_first),
            t.false_positives as f64 / t.queries as f64
        );
    }
    let sum = |f: fn(&Tally) -> usize, registered: bool| -> usize {
        tallies.iter().filter(|(l, _)| (*l != "not_registered") == registered).map(|(_, t)| f(t)).sum()
    };
    let (asked, found, first) = (sum(|t| t.queries, true), sum(|t| t.found, true), sum(|t| t.ranked_first, true));
    let fp = sum(|t| t.false_positives, true) + sum(|t| t.false_positives, false);
    let precision = found as f64 / (found + fp).max(1) as f64;
    let recall = found as f64 / asked.max(1) as f64;
    println!(
        "\nat the review threshold p ≥ {REVIEW_THRESHOLD}: precision {:.1}%, recall {:.1}%, F1 {:.3}; recall@1 {}; \
         unregistered people flagged: {} of {}",
        100.0 * precision,
        100.0 * recall,
        2.0 * precision * recall / (precision + recall).max(f64::EPSILON),
        pct(first, asked),
        sum(|t| t.false_positives, false),
        sum(|t| t.queries, false)
    );
    println!("\n| predicted probability | pairs | observed match rate |");
    println!("|---|---|---|");
    for (i, (pairs, matches)) in calibration.iter().enumerate() {
        if *pairs > 0 {
            println!("| {:.1}–{:.1} | {pairs} | {:.1}% |", i as f64 / 10.0, (i + 1) as f64 / 10.0, 100.0 * *matches as f64 / *pairs as f64);
        }
    }
}
