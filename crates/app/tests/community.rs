//! With no profile, the app's community is the demo: a sandbox started in-process, synced into
//! a fresh cache in the background, its state reported for the status bar.

use std::time::Duration;

use gatehouse_app::{Community, Paths};

#[tokio::test]
async fn with_no_profile_the_demo_community_opens_and_syncs_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let community = Community::open(&paths).await.unwrap();
    let mut changes = community.changes();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        let s = community.status().await.unwrap();
        if s.last_sync_at.is_some() && s.syncing.is_none() {
            break s;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status.community, "Demo community");
    assert!(status.demo && status.online, "{status:?}");
    assert_eq!((status.permits, status.contractors), (400, 60));
    assert_eq!((status.pending, status.rejected), (0, 0));
    assert!(changes.try_recv().is_ok(), "the sync announced its writes");
    assert!(dir.path().join("demo/cache.sqlite3").exists());

    // The contractor queue: three tabs that add up to everyone, narrowed by a search.
    let pending = community.contractors("pending", "").await.unwrap();
    assert_eq!(pending.pending + pending.approved + pending.removed, 60);
    assert_eq!(pending.rows.len() as u32, pending.pending);
    assert!(pending.rows.iter().all(|r| r.state == "pending"));
    let name = pending.rows[0].name.clone();
    let found = community.contractors("pending", &name).await.unwrap();
    assert!(found.rows.iter().any(|r| r.name == name));
    assert!(found.pending <= pending.pending);
    let err = community.contractors("banned", "").await.unwrap_err();
    assert_eq!(err.code, gatehouse_app::ErrorCode::InvalidInput);
    let err = community
        .contractors("pending", &"x".repeat(201))
        .await
        .unwrap_err();
    assert_eq!(err.code, gatehouse_app::ErrorCode::InvalidInput);
    community.close();
}

#[tokio::test]
async fn a_profile_without_its_key_opens_its_cached_data_and_says_why_nothing_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let mut profiles = gatehouse_app::Profiles::default();
    profiles
        .add(gatehouse_app::Profile {
            name: "marina".into(),
            base_url: "https://api.example.invalid".into(),
            auth_header: None,
            actor: None,
        })
        .unwrap();
    profiles.save(&paths).unwrap();
    // No key anywhere: none in the environment, and none filed in a keychain for this profile.
    assert!(
        std::env::var_os("GATEHOUSE_API_KEY").is_none(),
        "run this test without GATEHOUSE_API_KEY set"
    );
    let community = Community::open(&paths).await.unwrap();
    let status = community.status().await.unwrap();
    assert_eq!(status.community, "marina");
    assert!(!status.demo);
    let problem = status.problem.expect("a reason");
    assert!(problem.contains("GATEHOUSE_API_KEY"), "{problem}");
    assert!(status.syncing.is_none());
}
