//! `cargo bench -p gatehouse-cache --bench fill`: a first fill of the cache with 100,000 permits
//! paged from the sandbox over HTTP in bulk-load mode (what a first full sync does), against a bare SQLite bulk
//! insert of the same rows into a plain table, measured in the same run. Prints figures for
//! BENCHMARKS.md; asserts only that everything arrived.

use std::time::{Duration, Instant};

use gatehouse_cache::{Cache, PermitQuery};
use gatehouse_client::{Client, ListQuery, Settings};
use gatehouse_sandbox::{Config, Seed};

const PERMITS: u64 = 100_000;

#[tokio::main]
async fn main() {
    let sb = gatehouse_sandbox::start(
        Config {
            seed: Seed::Count(PERMITS),
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let client = Client::new(Settings::new(sb.base_url(), &sb.api_key)).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // First fill: contractors, then permits, page by page, each page stored as it arrives.
    let t = Instant::now();
    let cache = Cache::open(&dir.path().join("community.sqlite3"))
        .await
        .unwrap();
    cache.begin_bulk_load().await.unwrap();
    let mut n = 0;
    loop {
        let page = client
            .contractors(&ListQuery::new().limit(1000).skip(n))
            .await
            .unwrap();
        if page.data.is_empty() {
            break;
        }
        n += page.data.len() as u64;
        cache.upsert_contractors(&page.data).await.unwrap();
    }
    let mut all = Vec::with_capacity(PERMITS as usize);
    let (mut fetching, mut storing) = (Duration::ZERO, Duration::ZERO);
    loop {
        let t_fetch = Instant::now();
        let page = client
            .permits(&ListQuery::new().limit(1000).skip(all.len() as u64))
            .await
            .unwrap();
        fetching += t_fetch.elapsed();
        if page.data.is_empty() {
            break;
        }
        let t_store = Instant::now();
        cache.upsert_permits(&page.data).await.unwrap();
        storing += t_store.elapsed();
        all.extend(page.data);
    }
    let t_finish = Instant::now();
    cache.finish_bulk_load().await.unwrap();
    let finishing = t_finish.elapsed();
    let fill = t.elapsed();
    assert_eq!(cache.count_permits().await.unwrap(), PERMITS);

    // Baseline: the same permits as (id, doc) rows, bulk-inserted into a plain table.
    let docs: Vec<(String, String)> = all
        .iter()
        .map(|p| (p.id.clone(), serde_json::to_string(p).unwrap()))
        .collect();
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bare.sqlite3").display()
    ))
    .await
    .unwrap();
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let t = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    for chunk in docs.chunks(400) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO t (id, doc) ");
        q.push_values(chunk, |mut b, (id, doc)| {
            b.push_bind(id).push_bind(doc);
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let bare = t.elapsed();

    // A search + filter + first page over the full cache.
    let q = PermitQuery {
        search: Some("ahmed".into()),
        statuses: vec![gatehouse_buzzin::StatusName::Accepted],
        limit: 100,
        ..Default::default()
    };
    let t = Instant::now();
    let page = cache.permits(&q).await.unwrap();
    let search = t.elapsed();

    println!(
        "first fill of {PERMITS} permits from the sandbox over HTTP into the cache: {:.2} s",
        fill.as_secs_f64()
    );
    println!(
        "  of which fetching permits over HTTP: {:.2} s, storing them: {:.2} s, building indexes and search: {:.2} s",
        fetching.as_secs_f64(),
        storing.as_secs_f64(),
        finishing.as_secs_f64()
    );
    println!(
        "bare bulk insert of the same {PERMITS} rows: {:.2} s; ratio {:.1}x",
        bare.as_secs_f64(),
        fill.as_secs_f64() / bare.as_secs_f64()
    );
    println!(
        "search 'ahmed' + status filter + first page of 100 over {PERMITS}: {:.1} ms ({} matches)",
        search.as_secs_f64() * 1000.0,
        page.total
    );
}
