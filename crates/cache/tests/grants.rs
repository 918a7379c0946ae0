//! What is wanted on each gate panel and where it stands: states, not commands, so a drain can
//! be replayed; a number one permit holds is refused to another; a settle applies only to the
//! state it was read in; all of it survives a reopen.

use gatehouse_cache::{Cache, CacheError, Committed, GrantOutcome, GrantState, WantedGrant};

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

fn wanted(panel: &str, number: &str, permit: &str, to: i64) -> WantedGrant {
    WantedGrant {
        panel: panel.into(),
        kind: "card".into(),
        number: number.into(),
        permit_id: permit.into(),
        owner: format!("GH {permit} Ali"),
        lock: "first".into(),
        valid_from: 1_000,
        valid_to: to,
        max_passes: None,
    }
}

const AT: &str = "2026-12-03T08:00:00.000Z";

#[tokio::test]
async fn grants_move_through_their_states_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    let cache = Cache::open(&path, &KEY).await.unwrap();
    let mut changes = cache.subscribe();
    cache
        .want_grants(
            &[
                wanted("east", "1850186", "p1", 5_000),
                wanted("west", "1850186", "p1", 5_000),
            ],
            AT,
        )
        .await
        .unwrap();
    assert!(matches!(changes.recv().await.unwrap(), Committed::Grants));
    let open = cache.open_grants("east", 50).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, GrantState::Wanted);
    cache
        .settle_grants(&[(open[0].clone(), GrantOutcome::Placed)], AT)
        .await
        .unwrap();
    assert!(cache.open_grants("east", 50).await.unwrap().is_empty());
    // Wanted again exactly so: it stays placed. With a new end: wanted again.
    cache
        .want_grants(&[wanted("east", "1850186", "p1", 5_000)], AT)
        .await
        .unwrap();
    assert!(cache.open_grants("east", 50).await.unwrap().is_empty());
    cache
        .want_grants(&[wanted("east", "1850186", "p1", 9_000)], AT)
        .await
        .unwrap();
    assert_eq!(
        cache.open_grants("east", 50).await.unwrap()[0]
            .grant
            .valid_to,
        9_000
    );

    // Another permit cannot take a number this one holds on that panel; the batch is whole.
    let err = cache
        .want_grants(
            &[
                wanted("east", "44", "p2", 5_000),
                wanted("east", "1850186", "p2", 5_000),
            ],
            AT,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, CacheError::Refused(ref m) if m.contains("another permit (p1)")),
        "{err}"
    );
    assert!(cache.grants_of_permit("p2").await.unwrap().is_empty());

    // Revoked: every panel's row is to be removed; a failed attempt that may have applied stays
    // open, marked uncertain; read back gone, removed.
    let read = cache.open_grants("east", 50).await.unwrap();
    assert_eq!(cache.remove_grants_of("p1", AT).await.unwrap(), 2);
    // A settle from the state read before the revoke changes nothing: the removal stands.
    cache
        .settle_grants(&[(read[0].clone(), GrantOutcome::Placed)], AT)
        .await
        .unwrap();
    let removing = cache.open_grants("east", 50).await.unwrap();
    assert_eq!(removing[0].state, GrantState::Removing);
    cache
        .settle_grants(
            &[(
                removing[0].clone(),
                GrantOutcome::Failed {
                    error: "no answer".into(),
                    uncertain: true,
                },
            )],
            AT,
        )
        .await
        .unwrap();
    drop(cache);
    let cache = Cache::open(&path, &KEY).await.unwrap();
    let after = cache.open_grants("east", 50).await.unwrap();
    assert_eq!(
        (after[0].state, after[0].uncertain, after[0].attempts),
        (GrantState::Removing, true, 1)
    );
    assert_eq!(after[0].last_error.as_deref(), Some("no answer"));
    cache
        .settle_grants(&[(after[0].clone(), GrantOutcome::Removed)], AT)
        .await
        .unwrap();
    assert!(cache.open_grants("east", 50).await.unwrap().is_empty());
    assert_eq!(
        cache.open_grants("west", 50).await.unwrap().len(),
        1,
        "west still has its removal to do"
    );
    // Once removed, the number is free for another permit.
    cache
        .want_grants(&[wanted("east", "1850186", "p2", 5_000)], AT)
        .await
        .unwrap();
    let rows = cache.grants_on("east").await.unwrap();
    assert_eq!(
        (rows[0].grant.permit_id.as_str(), rows[0].state),
        ("p2", GrantState::Wanted)
    );
}
