//! The restore drill, as an operator would run it: back up a running demo while it is being
//! written to, wipe its database and checkpoints, restore, verify the audit trail, start again
//! and read back every registrant whose creation was acknowledged before the backup began.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;

fn vigil(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vigil")).args(args).env_remove("VIGIL__DATABASE__URL").output().expect("vigil runs")
}

/// `vigil demo` on a free port with an empty register; returns the process and its address.
#[expect(clippy::zombie_processes, reason = "the child is returned; the test kills and waits for it")]
fn demo(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["demo", "--port", "0", "--registrants", "0", "--data-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("vigil demo starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!("the demo ended before it said where it runs");
        }
        if let Some(base) = line.trim().strip_prefix("Vigil demo running at ") {
            // Keep reading what it prints next: a closed pipe would fail its next line.
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
            return (child, base.to_owned());
        }
    }
}

async fn create(client: &reqwest::Client, base: &str, token: &str, n: usize) -> Option<String> {
    let body = json!({
        "managing_officer": "DC Drill",
        "names": [{ "kind": "primary", "given": format!("Drill{n}"), "family": "Restore" }],
        "birth_dates": ["1980-01-01"]
    });
    let response = match client.post(format!("{base}/api/v1/registrants")).bearer_auth(token).json(&body).send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("create {n}: {e}");
            return None;
        }
    };
    if response.status() != 201 {
        eprintln!("create {n}: {} {}", response.status(), response.text().await.unwrap_or_default());
        return None;
    }
    let text = response.text().await.ok()?;
    let id = serde_json::from_str::<serde_json::Value>(&text).ok()?["id"].as_str().map(str::to_owned);
    if id.is_none() {
        eprintln!("create {n}: no id in {}", text.len());
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_restores_every_acknowledged_write_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backup = dir.path().join("backup");
    let folder = data.to_str().unwrap().to_owned();
    let (mut running, base) = demo(&data);
    let token = String::from_utf8(vigil(&["dev-token", "--role", "ppo", "--org", "met", "--data-dir", &folder]).stdout).unwrap();
    let token = token.trim().to_owned();
    let client = reqwest::Client::new();

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    for n in 0..20 {
        let id = create(&client, &base, &token, n).await.expect("written");
        acknowledged.lock().unwrap().push(id);
    }
    // A writer keeps going while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (client, base, token, acknowledged, stop) = (client.clone(), base.clone(), token.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 100;
            while !stop.load(Ordering::Relaxed) {
                if let Some(id) = create(&client, &base, &token, n).await {
                    acknowledged.lock().unwrap().push(id);
                }
                n += 1;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before_backup = acknowledged.lock().unwrap().clone();
    let out = tokio::task::spawn_blocking({
        let (folder, backup) = (folder.clone(), backup.clone());
        move || vigil(&["backup", "--data-dir", &folder, "--out", backup.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the key ring is NOT included"));
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(acknowledged.lock().unwrap().len() > before_backup.len(), "writes went on during and after the backup");
    assert!(!backup.join("keyring.json").exists() && backup.join("README.txt").exists());
    running.kill().unwrap();
    let _ = running.wait();

    // Lose the database and the checkpoints; keep the key ring (kept elsewhere, as advised).
    for name in ["vigil.db", "vigil.db-wal", "vigil.db-shm"] {
        let _ = std::fs::remove_file(data.join(name));
    }
    let _ = std::fs::remove_dir_all(data.join("audit-checkpoints"));
    let out = vigil(&["restore", "--data-dir", &folder, "--from", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = vigil(&["audit", "verify", "--data-dir", &folder]);
    assert!(out.status.success(), "audit verify after the restore: {}", String::from_utf8_lossy(&out.stdout));

    let (mut running, base) = demo(&data);
    for id in &before_backup {
        let response = client
            .get(format!("{base}/api/v1/registrants/{id}"))
            .bearer_auth(&token)
            .header("vigil-reason-code", "OFFENDER_MANAGEMENT")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "registrant {id}, acknowledged before the backup, is back");
    }
    running.kill().unwrap();
    let _ = running.wait();
}
