//! The register check's blocking lookup (`services::blind::candidates_any`) against the real
//! database: one statement for many keys, owners aggregated per key, on SQLite and PostgreSQL.

use uuid::Uuid;
use vigil::crypto::{BlindField, BlindKind};
use vigil::services::blind::{self, IndexTerm, OWNER_REGISTRANT, OWNER_REPORT};

use crate::support::TestApp;

fn term(field: BlindField, kind: BlindKind, normalised: &str) -> IndexTerm<'_> {
    IndexTerm { source_table: "registrant_names", source_id: Uuid::now_v7(), field, kind, normalised }
}

#[tokio::test]
async fn each_key_gets_exactly_its_owners_of_the_kinds_asked_for() {
    let app = TestApp::spawn().await;
    let (db, crypto) = (&app.ctx.db, &app.ctx.crypto);
    let a = Uuid::now_v7();
    let b = Uuid::now_v7();
    let r = Uuid::now_v7();
    let shared = (BlindField::FullName, BlindKind::Exact, "ada lovelace");
    let only_a = (BlindField::Phone, BlindKind::Exact, "+447700900123");
    let nobody = (BlindField::Email, BlindKind::Exact, "nobody@example.org");
    blind::write(db, crypto, OWNER_REGISTRANT, a, &[term(shared.0, shared.1, shared.2), term(only_a.0, only_a.1, only_a.2)]).await.unwrap();
    blind::write(db, crypto, OWNER_REGISTRANT, b, &[term(shared.0, shared.1, shared.2)]).await.unwrap();
    blind::write(db, crypto, OWNER_REPORT, r, &[term(shared.0, shared.1, shared.2)]).await.unwrap();
    // Many owners under one key: a common name comes back as one aggregated row.
    let many: Vec<Uuid> = (0..300).map(|_| Uuid::now_v7()).collect();
    for id in &many {
        blind::write(db, crypto, OWNER_REGISTRANT, *id, &[term(BlindField::FullName, BlindKind::Exact, "john smith")]).await.unwrap();
    }

    let keys = [shared, only_a, nobody, (BlindField::FullName, BlindKind::Exact, "john smith")];
    let hits = blind::candidates_any(db, crypto, &[OWNER_REGISTRANT, OWNER_REPORT], &keys).await.unwrap();
    assert_eq!(hits.len(), keys.len());
    let mut first = hits[0].clone();
    first.sort();
    let mut expected = vec![(OWNER_REGISTRANT.to_owned(), a), (OWNER_REGISTRANT.to_owned(), b), (OWNER_REPORT.to_owned(), r)];
    expected.sort();
    assert_eq!(first, expected);
    assert_eq!(hits[1], vec![(OWNER_REGISTRANT.to_owned(), a)]);
    assert!(hits[2].is_empty());
    assert!(hits[3].iter().all(|(kind, _)| kind == OWNER_REGISTRANT));
    let mut common: Vec<Uuid> = hits[3].iter().map(|(_, id)| *id).collect();
    common.sort();
    let mut many = many;
    many.sort();
    assert_eq!(common, many);

    // Only the kinds asked for, and nothing at all for no keys.
    let registrants_only = blind::candidates_any(db, crypto, &[OWNER_REGISTRANT], &keys[..1]).await.unwrap();
    assert_eq!(registrants_only[0].len(), 2);
    assert!(registrants_only[0].iter().all(|(kind, _)| kind == OWNER_REGISTRANT));
    assert!(blind::candidates_any(db, crypto, &[OWNER_REGISTRANT], &[]).await.unwrap().is_empty());
}
