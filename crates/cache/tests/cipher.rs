//! The cache encrypted at rest (issue 17): SQLCipher 4 under sqlx, the file and its log holding
//! none of the community's personal data as bytes; a wrong key told apart from a damaged file
//! before anything is moved; a plain cache of an older Gatehouse encrypted in place with its
//! outbox and audit log.

use std::path::Path;

use gatehouse_buzzin::StatusName;
use gatehouse_cache::{ActionKind, Cache, CacheError, CacheKey, NewAction, PermitQuery};
use gatehouse_testkit::{Sandbox, Seed};

/// Every file in `dir`, as bytes, with its name.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The personal data of the demo community that must not be found as bytes: its contractors'
/// names, phones and e-mails.
async fn personal(sb: &Sandbox) -> Vec<String> {
    let mut words: Vec<String> = sb
        .client()
        .all_contractors()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|c| [c.name, c.phone, c.email])
        .flatten()
        .filter(|w| w.len() >= 6)
        .collect();
    words.sort();
    words.dedup();
    assert!(words.len() >= 10, "the demo has personal data: {words:?}");
    words
}

fn assert_nothing_plain(dir: &Path, words: &[String]) {
    let files = files_in(dir);
    assert!(!files.is_empty());
    for (name, bytes) in &files {
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{name} is a plain SQLite file"
        );
        for w in words {
            assert!(
                !bytes.windows(w.len()).any(|x| x == w.as_bytes()),
                "{name} holds {w:?} in clear"
            );
        }
    }
}

/// A cache of the demo community at `path`, opened by `open`.
async fn fill(sb: &Sandbox, cache: &Cache) {
    let client = sb.client();
    cache
        .upsert_contractors(&client.all_contractors().await.unwrap())
        .await
        .unwrap();
    cache
        .upsert_permits(&client.all_permits().await.unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_cache_holds_no_personal_data_in_clear_and_a_wrong_key_moves_nothing() {
    let sb = Sandbox::seeded(Seed::Demo).await;
    let words = personal(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let key = CacheKey::random();
    let cache = Cache::open(&path, &key).await.unwrap();
    fill(&sb, &cache).await;
    let permits = cache.count_permits().await.unwrap();
    assert!(permits > 0);
    // Open, with its write-ahead log holding the fill, and closed, checkpointed.
    assert!(dir.path().join("cache.sqlite3-wal").exists());
    assert_nothing_plain(dir.path(), &words);
    cache.close().await;
    drop(cache);
    assert_nothing_plain(dir.path(), &words);

    let before = files_in(dir.path());
    let wrong = CacheKey::random();
    let err = Cache::open(&path, &wrong).await.err().expect("a wrong key");
    assert!(
        matches!(err, CacheError::WrongKey { sure: true, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("another key") && err.to_string().contains("left as it is"),
        "{err}"
    );
    let err = Cache::open_or_rebuild(&path, &wrong)
        .await
        .err()
        .expect("not rebuilt");
    assert!(matches!(err, CacheError::WrongKey { .. }), "{err:?}");
    assert_eq!(files_in(dir.path()), before, "nothing moved or written");

    // Without its key check, a key that does not open the file may be wrong or the file
    // damaged: still nothing is moved.
    std::fs::remove_file(dir.path().join("cache.sqlite3.keycheck")).unwrap();
    let err = Cache::open_or_rebuild(&path, &wrong)
        .await
        .err()
        .expect("not rebuilt");
    assert!(
        matches!(err, CacheError::WrongKey { sure: false, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("or the file is damaged"), "{err}");

    let cache = Cache::open(&path, &key).await.unwrap();
    assert_eq!(cache.count_permits().await.unwrap(), permits);
    assert!(
        dir.path().join("cache.sqlite3.keycheck").exists(),
        "the check is written again"
    );
}

#[tokio::test]
async fn a_damaged_encrypted_file_is_set_aside_only_when_its_key_is_known_right() {
    let made = tempfile::tempdir().unwrap();
    let key = CacheKey::random();
    let cache = Cache::open(&made.path().join("cache.sqlite3"), &key)
        .await
        .unwrap();
    cache.close().await;
    drop(cache);
    // The same file's key check, beside a file damaged past reading.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    std::fs::copy(
        made.path().join("cache.sqlite3.keycheck"),
        dir.path().join("cache.sqlite3.keycheck"),
    )
    .unwrap();
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let err = Cache::open(&path, &key).await.err().expect("damaged");
    assert!(matches!(err, CacheError::Corrupt { .. }), "{err:?}");
    let (cache, reason) = Cache::open_or_rebuild(&path, &key).await.unwrap();
    assert!(matches!(reason, Some(CacheError::Corrupt { .. })));
    assert_eq!(cache.count_permits().await.unwrap(), 0);
    let names: Vec<String> = files_in(dir.path()).into_iter().map(|(n, _)| n).collect();
    let aside = names
        .iter()
        .find(|n| n.contains("unreadable-") && !n.ends_with(".keycheck"))
        .expect("the damaged file is kept aside");
    assert!(
        names.contains(&format!("{aside}.keycheck")),
        "its check goes with it: {names:?}"
    );
}

#[tokio::test]
async fn a_plain_cache_is_encrypted_in_place_with_its_outbox_and_audit_log() {
    let sb = Sandbox::seeded(Seed::Demo).await;
    let words = personal(&sb).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let plain = Cache::open_plain(&path).await.unwrap();
    fill(&sb, &plain).await;
    let accepted = PermitQuery {
        statuses: vec![StatusName::Accepted],
        ..PermitQuery::default()
    };
    let permit = plain.permits(&accepted).await.unwrap().rows.remove(0);
    plain
        .enqueue(NewAction {
            kind: ActionKind::RevokePass,
            target_id: permit.id.clone(),
            reason: Some("lost pass".into()),
            actor: "Desk 1".into(),
        })
        .await
        .unwrap();
    let outbox = plain.outbox(false).await.unwrap();
    let audit = plain.audit_log().await.unwrap();
    let count = plain.count_permits().await.unwrap();
    let name = permit.pass_number.clone().expect("a pass number");
    let search = PermitQuery {
        search: Some(name.clone()),
        ..PermitQuery::default()
    };
    let found = plain.permits(&search).await.unwrap().rows.len();
    assert!(found > 0, "{name}");
    assert!(!audit.is_empty());
    drop(plain);
    // An older Gatehouse's file, its log still beside it.
    assert!(
        std::fs::read(&path)
            .unwrap()
            .starts_with(b"SQLite format 3")
    );

    let key = CacheKey::random();
    let cache = Cache::open(&path, &key).await.unwrap();
    assert_eq!(
        format!("{:?}", cache.outbox(false).await.unwrap()),
        format!("{outbox:?}")
    );
    assert_eq!(
        format!("{:?}", cache.audit_log().await.unwrap()),
        format!("{audit:?}")
    );
    assert_eq!(cache.count_permits().await.unwrap(), count);
    assert_eq!(cache.permits(&search).await.unwrap().rows.len(), found);
    let names: Vec<String> = files_in(dir.path()).into_iter().map(|(n, _)| n).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains(".encrypting") && !n.ends_with(".lock")),
        "{names:?}"
    );
    assert_nothing_plain(dir.path(), &words);
    cache.close().await;
    drop(cache);
    assert_nothing_plain(dir.path(), &words);
    // And it stays encrypted: the next open reads it with the key, moving nothing.
    let again = Cache::open(&path, &key).await.unwrap();
    assert_eq!(again.count_permits().await.unwrap(), count);
}

/// The variables that make this test binary a child that opens one cache and exits: the
/// migration test below runs it as a process of its own, to kill it.
const CHILD_PATH: &str = "GATEHOUSE_TEST_OPEN_PATH";
const CHILD_KEY: &str = "GATEHOUSE_TEST_OPEN_KEY";

/// Not a test of its own: opens the cache the parent names and exits (does nothing otherwise).
#[tokio::test]
async fn child_opens_the_cache_it_is_given() {
    let (Some(path), Some(key)) = (std::env::var_os(CHILD_PATH), std::env::var_os(CHILD_KEY))
    else {
        return;
    };
    let key = CacheKey::from_hex(key.to_str().unwrap()).unwrap();
    let cache = Cache::open(Path::new(&path), &key).await.unwrap();
    cache.close().await;
}

/// Copies every file of `from` into a new folder.
fn copy_dir(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for (name, bytes) in files_in(from) {
        std::fs::write(to.path().join(name), bytes).unwrap();
    }
    to
}

/// Runs the child on the cache at `path`, killed (SIGKILL on Unix) after `after` unless it
/// ended before; returns whether it ran to its end.
fn open_in_child(path: &Path, key: &CacheKey, after: Option<std::time::Duration>) -> bool {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_opens_the_cache_it_is_given",
            "--test-threads=1",
        ])
        .env(CHILD_PATH, path)
        .env(CHILD_KEY, key.to_hex().as_str())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    if let Some(after) = after {
        std::thread::sleep(after);
        let _ = child.kill();
    }
    child.wait().unwrap().success()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_killed_at_any_of_twenty_points_loses_nothing_and_leaves_no_clear_copy() {
    let sb = Sandbox::seeded(Seed::Count(3000)).await;
    let fixture = tempfile::tempdir().unwrap();
    let path = fixture.path().join("cache.sqlite3");
    let plain = Cache::open_plain(&path).await.unwrap();
    fill(&sb, &plain).await;
    let accepted = PermitQuery {
        statuses: vec![StatusName::Accepted],
        ..PermitQuery::default()
    };
    let first = plain.permits(&accepted).await.unwrap().rows.remove(0);
    plain
        .enqueue(NewAction {
            kind: ActionKind::RevokePass,
            target_id: first.id.clone(),
            reason: Some("left the site".into()),
            actor: "Desk 1".into(),
        })
        .await
        .unwrap();
    let outbox = format!("{:?}", plain.outbox(false).await.unwrap());
    let audit = format!("{:?}", plain.audit_log().await.unwrap());
    let count = plain.count_permits().await.unwrap();
    // Closed as an older Gatehouse leaves it when it is killed: its log beside it.
    drop(plain);
    let key = CacheKey::random();

    // How long a whole migration takes, process start to exit, spread over twenty kills.
    let whole = copy_dir(fixture.path());
    let started = std::time::Instant::now();
    assert!(open_in_child(
        &whole.path().join("cache.sqlite3"),
        &key,
        None
    ));
    let span = started.elapsed();
    let mut cut_short = 0;
    for point in 0..20u32 {
        let run = copy_dir(fixture.path());
        let at = run.path().join("cache.sqlite3");
        if !open_in_child(&at, &key, Some(span * point / 20)) {
            cut_short += 1;
        }
        let still_plain = std::fs::read(&at).unwrap().starts_with(b"SQLite format 3");
        // Whatever the cut, the next open reads everything, encrypted.
        let cache = Cache::open(&at, &key)
            .await
            .unwrap_or_else(|e| panic!("killed at {point}/20 (plain still: {still_plain}): {e}"));
        assert_eq!(cache.count_permits().await.unwrap(), count, "at {point}/20");
        assert_eq!(format!("{:?}", cache.outbox(false).await.unwrap()), outbox);
        assert_eq!(format!("{:?}", cache.audit_log().await.unwrap()), audit);
        cache.close().await;
        drop(cache);
        let names: Vec<String> = files_in(run.path()).into_iter().map(|(n, _)| n).collect();
        assert!(
            names
                .iter()
                .all(|n| !n.contains(".encrypting") && !n.ends_with(".lock")),
            "at {point}/20: {names:?}"
        );
        assert!(
            !std::fs::read(&at).unwrap().starts_with(b"SQLite format 3"),
            "at {point}/20"
        );
    }
    assert!(cut_short >= 10, "most kills land mid-way: {cut_short}/20");
}
