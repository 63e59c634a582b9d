//! Every command that works on a database finds a `vigil demo` data folder with `--data-dir`,
//! as `dev-token` does, instead of needing the database URL and key ring spelled out; a folder
//! without a database says how to make one.

use std::process::{Command, Output};

fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL__DATABASE__URL")
        .env_remove("VIGIL__KEYS__FILE")
        .output()
        .expect("the vigil binary runs")
}

fn said(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn import_jobs_keys_and_outbox_find_the_demo_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let out = vigil(&["keys", "generate", "--out", &format!("{folder}/keyring.json")]);
    assert!(out.status.success(), "{}", said(&out));
    // A zero-length file is an empty SQLite database; `vigil demo` would have made it.
    std::fs::write(dir.path().join("vigil.db"), b"").unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "given,family,birth_dates\nRobert,Hartley,1980-03-04\nBob,Hartley,1980-03-04\n").unwrap();

    let out = vigil(&["import", "registrants", csv.to_str().unwrap(), "--org", "met", "--operator", "test", "--data-dir", folder]);
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("imported 2 registrants; 1 of them proposed as possible duplicates"), "{text}");

    // The summary counts rows, not problems: one row with two problems is one row.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "given,family,birth_dates,postcode\nAnn,Valid,1980-03-04,\nRow,Twoproblems,1980-13-45,NOTAPOSTCODE\n").unwrap();
    let out = vigil(&["import", "registrants", bad.to_str().unwrap(), "--org", "met", "--operator", "test", "--data-dir", folder]);
    let text = said(&out);
    assert!(!out.status.success() && text.contains("1 of 2 rows rejected (") && !text.contains("(1 problem,"), "{text}");

    let out = vigil(&["jobs", "status", "--data-dir", folder]);
    assert!(out.status.success(), "{}", said(&out));
    let out = vigil(&["keys", "status", "--data-dir", folder]);
    assert!(out.status.success() && said(&out).contains("encryption_keys"), "{}", said(&out));
    let out = vigil(&["outbox", "dead", "--data-dir", folder]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "[]", "{}", said(&out));
    let unknown = uuid::Uuid::now_v7().to_string();
    let out = vigil(&["outbox", "retry", &unknown, "--operator", "test", "--data-dir", folder]);
    assert!(!out.status.success() && said(&out).contains("delivery not found"), "{}", said(&out));

    let empty = tempfile::tempdir().unwrap();
    let out = vigil(&["jobs", "status", "--data-dir", empty.path().to_str().unwrap()]);
    assert!(!out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("holds no vigil.db: start `vigil demo --data-dir"), "{}", said(&out));
}

#[test]
fn a_demo_on_a_taken_port_says_so_at_once_and_what_to_try() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let out = vigil(&["demo", "--port", &port.to_string(), "--data-dir", dir.path().to_str().unwrap()]);
    let text = said(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port} is already in use")) && text.contains(&format!("try --port {}", port + 1)), "{text}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was created or loaded first");
}
