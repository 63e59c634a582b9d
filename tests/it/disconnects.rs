//! A client that goes away in the middle of a request never leaves a pooled database
//! connection inside a transaction: every request after it answers as it should. (Found by
//! bench/pages.sh on PostgreSQL: when wrk closed its connections, a request dropped between
//! `BEGIN` and `SET TRANSACTION` returned its connection to the pool mid-transaction, and a later
//! page failed with 500.)

use std::time::Duration;

use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

#[tokio::test]
async fn requests_abandoned_mid_flight_leave_no_connection_inside_a_transaction() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Abandoned")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let token = app.token(Role::Ppo, "met");
    let url = format!("{}/api/v1/registrants/{id}", app.base);
    // Clients that give up after 0.3 to 4.2 ms, 16 at a time, so requests are dropped at every
    // stage of a read.
    for round in 0..60u64 {
        let mut tasks = Vec::new();
        for i in 0..16u64 {
            let client = reqwest::Client::builder().timeout(Duration::from_micros(300 + ((i * 61 + round * 7) % 80) * 50)).build().unwrap();
            let (url, token) = (url.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let _ = client.get(&url).bearer_auth(&token).header("vigil-reason-code", "OFFENDER_MANAGEMENT").send().await;
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    }
    // Every pooled connection is used again: none may be left inside a transaction.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, token) = (url.clone(), token.clone());
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                let response =
                    client.get(&url).bearer_auth(&token).header("vigil-reason-code", "OFFENDER_MANAGEMENT").send().await.unwrap();
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}
