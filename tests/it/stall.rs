//! One request must not stall the service (issue 13, item 3): while clients keep sending the
//! largest registrant the API accepts, `/health/live` still answers promptly, because sealing
//! and indexing run on the blocking pool, not on the async workers. The bound here is loose (a
//! debug build on a shared two-core machine); `bench/stall.sh` measures the release build.

use std::time::{Duration, Instant};

use vigil::auth::Role;

use crate::support::{TestApp, largest_registrant_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_bodies_do_not_hold_up_a_health_check() {
    let app = TestApp::spawn_with(vigil::http::HttpLimits { body_limit_bytes: 64 * 1024, request_timeout: Duration::from_secs(60) }).await;
    let token = app.token(Role::Ppo, "met");
    let body = largest_registrant_body("x");
    assert!(serde_json::to_vec(&body).unwrap().len() < 64 * 1024, "fits the body limit");
    let (status, created) = app.post("/api/v1/registrants", &token, &body).await;
    assert_eq!(status, 201, "{created}");

    let run_for = Duration::from_secs(6);
    let started = Instant::now();
    let mut senders = Vec::new();
    for s in 0..6 {
        let (client, url, token) = (app.client.clone(), format!("{}/api/v1/registrants", app.base), token.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = 0;
            while started.elapsed() < run_for {
                let body = largest_registrant_body(&format!("s{s}r{sent}"));
                assert_eq!(client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap().status(), 201);
                sent += 1;
            }
            sent
        }));
    }
    let probe = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    let mut probes = 0;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while started.elapsed() < run_for {
        let asked = Instant::now();
        assert_eq!(probe.get(format!("{}/health/live", app.base)).send().await.unwrap().status(), 200);
        slowest = slowest.max(asked.elapsed());
        probes += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut sent = 0;
    for s in senders {
        sent += s.await.unwrap();
    }
    assert!(sent >= 6, "the load ran ({sent} largest creates)");
    eprintln!("slowest of {probes} health checks under load ({sent} creates): {slowest:?}");
    assert!(slowest < Duration::from_millis(750), "slowest of {probes} health checks under load: {slowest:?}");
}
