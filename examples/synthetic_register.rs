//! Writes a synthetic register and damaged crime reports about it, for bench/checks.sh:
//!
//!   cargo run --release --example synthetic_register -- REGISTRANTS REPORTS CSV_OUT REPORTS_OUT
//!
//! CSV_OUT is a `vigil import registrants` file; REPORTS_OUT has one `POST /api/v1/reports` body
//! per line, half about registered people (damaged as in the linkage benchmark), half about
//! people who are not registered. Everything is invented (see benches/synthetic).

// A benchmark, example or test harness stops at the first failure: the house rule against
// unwrap/expect/panic is for the service, not for code whose whole job is to check it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

use std::io::{BufWriter, Write};

use rand::SeedableRng;
use rand::rngs::StdRng;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [registrants, reports, csv_out, reports_out] = args.as_slice() else {
        eprintln!("usage: synthetic_register REGISTRANTS REPORTS CSV_OUT REPORTS_OUT");
        std::process::exit(2);
    };
    let (registrants, reports): (usize, usize) = match (registrants.parse(), reports.parse()) {
        (Ok(r), Ok(q)) => (r, q),
        _ => {
            eprintln!("REGISTRANTS and REPORTS must be whole numbers");
            std::process::exit(2);
        }
    };
    let mut rng = StdRng::seed_from_u64(7);
    let mut csv = BufWriter::new(std::fs::File::create(csv_out)?);
    writeln!(csv, "{}", synthetic::CSV_HEADER)?;
    let population: Vec<synthetic::Person> = (0..registrants).map(|i| synthetic::person(&mut rng, i)).collect();
    for p in &population {
        writeln!(csv, "{}", synthetic::csv_row(p))?;
    }
    csv.flush()?;
    let mut out = BufWriter::new(std::fs::File::create(reports_out)?);
    for n in 0..reports {
        let suspect = if n % 2 == 0 {
            let i = synthetic::pick(&mut rng, &population, n / 2);
            synthetic::damage(&mut rng, &population[i], n / 2).1
        } else {
            synthetic::outsider(&mut rng, registrants + n)
        };
        writeln!(out, "{}", synthetic::report_json(n, suspect))?;
    }
    out.flush()
}
