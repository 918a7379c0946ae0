//! The SQLite under the cache is SQLCipher (issue 17's ground): a file written with a key is
//! unreadable without it (SQLite's error 26, "file is not a database", the same code a damaged
//! file gives), readable with it, and a file written without a key stays plain SQLite, as the
//! sandbox's `--data` is.

use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

async fn open(path: &std::path::Path, key: Option<&str>) -> sqlx::SqliteConnection {
    let mut o = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .unwrap()
        .create_if_missing(true);
    if let Some(k) = key {
        o = o.pragma("key", format!("'{k}'"));
    }
    o.connect().await.unwrap()
}

#[tokio::test]
async fn a_keyed_file_reads_only_with_its_key_and_a_keyless_one_stays_plain() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = open(&dir.path().join("probe.db"), None).await;
    let version: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
        .fetch_optional(&mut c)
        .await
        .unwrap();
    assert!(
        version.as_deref().is_some_and(|v| v.starts_with('4')),
        "SQLCipher 4 under sqlx: {version:?}"
    );
    c.close().await.unwrap();

    let keyed = dir.path().join("keyed.db");
    let mut c = open(&keyed, Some("right key")).await;
    sqlx::query("CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('Ali Hassan')")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    let raw = std::fs::read(&keyed).unwrap();
    assert!(!raw.starts_with(b"SQLite format 3"), "no plain header");
    assert!(
        !raw.windows(10).any(|w| w == b"Ali Hassan"),
        "no plain text"
    );

    for key in [None, Some("wrong key")] {
        let mut c = open(&keyed, key).await;
        let err = sqlx::query_scalar::<_, String>("SELECT name FROM t")
            .fetch_one(&mut c)
            .await
            .unwrap_err();
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("26"), "{key:?}: {err}");
    }
    let mut c = open(&keyed, Some("right key")).await;
    let name: String = sqlx::query_scalar("SELECT name FROM t")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(name, "Ali Hassan");

    let plain = dir.path().join("plain.db");
    let mut c = open(&plain, None).await;
    sqlx::query("CREATE TABLE t (name TEXT)")
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    assert!(
        std::fs::read(&plain)
            .unwrap()
            .starts_with(b"SQLite format 3")
    );
}
