//! `cargo bench -p gatehouse-sync --bench sync`: the sync engine against a sandbox of 100,000
//! permits (10,000 contractors) on loopback, over HTTP.
//!
//! - the first full sync into an empty cache, and a bare SQLite bulk insert of the same permits
//!   into a plain table in the same run (their ratio);
//! - an incremental sync of 1,000 events (1,000 passes reissued on the server beforehand);
//! - search + filter + first page of 100 over the 100,000 permits, for several queries
//!   (median and worst of 25 runs each, after one warm-up).
//!
//! Prints figures for BENCHMARKS.md; asserts only that everything arrived.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gatehouse_buzzin::{StatusName, Timestamp};
use gatehouse_cache::{Cache, PermitQuery};
use gatehouse_client::ListQuery;
use gatehouse_sync::{Engine, Phase};
use gatehouse_testkit::{Sandbox, Seed};

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

const PERMITS: u64 = 100_000;
const EVENTS: usize = 1_000;

#[tokio::main]
async fn main() {
    let sb = Sandbox::seeded(Seed::Count(PERMITS)).await;
    let client = sb.client();
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(
        Cache::open(&dir.path().join("community.sqlite3"), &KEY)
            .await
            .unwrap(),
    );
    let engine = Engine::new(client.clone(), cache.clone());

    // ---- first full sync ------------------------------------------------------------------
    let mut progress = engine.progress();
    let t = Instant::now();
    let phases = tokio::spawn(async move {
        let mut marks: Vec<(Phase, Duration)> = Vec::new();
        while progress.changed().await.is_ok() {
            let phase = progress.borrow().phase;
            if marks.last().map(|m| m.0) != Some(phase) {
                marks.push((phase, t.elapsed()));
            }
        }
        marks
    });
    let report = engine.sync(false).await.unwrap();
    let first = t.elapsed();
    assert_eq!(cache.count_permits().await.unwrap(), PERMITS);
    assert_eq!(report.first_sync_documents, PERMITS + PERMITS / 10);

    // Baseline: the same permits as (id, doc) rows, bulk-inserted into a plain table.
    let docs: Vec<(String, String)> = client
        .all_permits()
        .await
        .unwrap()
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
    let t_bare = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    for chunk in docs.chunks(400) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO t (id, doc) ");
        q.push_values(chunk, |mut b, (id, doc)| {
            b.push_bind(id).push_bind(doc);
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let bare = t_bare.elapsed();

    // ---- incremental sync of 1,000 events -------------------------------------------------
    let accepted = client
        .permits(
            &ListQuery::new()
                .eq("statusName", "ACCEPTED")
                .limit(EVENTS as u64),
        )
        .await
        .unwrap()
        .data;
    assert_eq!(accepted.len(), EVENTS);
    for p in &accepted {
        client.reissue_pass(&p.id).await.unwrap();
    }
    let t_inc = Instant::now();
    let inc = engine.sync(false).await.unwrap();
    let incremental = t_inc.elapsed();
    assert_eq!(inc.events, EVENTS as u64);
    let sample = cache.permit(&accepted[0].id).await.unwrap().unwrap();
    assert_eq!(
        sample.access_code,
        client.permit(&accepted[0].id).await.unwrap().access_code
    );

    // ---- search + filter + first page -----------------------------------------------------
    let now = Timestamp::now();
    let queries: Vec<(&str, PermitQuery)> = vec![
        (
            "search 'ahmed' + ACCEPTED",
            PermitQuery {
                search: Some("ahmed".into()),
                statuses: vec![StatusName::Accepted],
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "search 'WP-0012' (pass number prefix)",
            PermitQuery {
                search: Some("WP-0012".into()),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "search 'kitchen' + buildUp, by pass number",
            PermitQuery {
                search: Some("kitchen".into()),
                permit_type: Some(gatehouse_buzzin::PermitType::BuildUp),
                sort: gatehouse_cache::PermitSort::PassNumber,
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "ACCEPTED expiring within 24 h",
            PermitQuery {
                statuses: vec![StatusName::Accepted],
                valid_till_from: Some(now),
                valid_till_before: Some(Timestamp(now.0 + chrono::Duration::hours(24))),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "all permits, newest first",
            PermitQuery {
                sort: gatehouse_cache::PermitSort::UpdatedAt,
                descending: true,
                limit: 100,
                ..Default::default()
            },
        ),
    ];
    let mut search_lines = Vec::new();
    for (label, q) in &queries {
        // The first page (what the table paints), and the exact total (shown beside it, asked
        // for in the same breath but not needed to paint the rows).
        let page_only = PermitQuery {
            skip_total: true,
            ..q.clone()
        };
        let warm = cache.permits(q).await.unwrap();
        let (mut pages, mut counts) = (Vec::new(), Vec::new());
        for _ in 0..25 {
            let t = Instant::now();
            let page = cache.permits(&page_only).await.unwrap();
            pages.push(t.elapsed());
            assert_eq!(page.rows.len(), warm.rows.len());
            let t = Instant::now();
            let counted = cache.permits(q).await.unwrap();
            counts.push(t.elapsed());
            assert_eq!(counted.total, warm.total);
        }
        pages.sort();
        counts.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        search_lines.push(format!(
            "  {label}: first page median {:.1} ms, worst {:.1} ms; with the exact total ({}) median {:.1} ms, worst {:.1} ms",
            ms(pages[pages.len() / 2]),
            ms(*pages.last().unwrap()),
            warm.total.unwrap(),
            ms(counts[counts.len() / 2]),
            ms(*counts.last().unwrap()),
        ));
    }

    if let Ok(keep) = std::env::var("GATEHOUSE_BENCH_KEEP") {
        // A copy of the filled cache, for looking at query plans.
        let copy = sqlx::SqlitePool::connect_with(KEY.connect_options(cache.path()))
            .await
            .unwrap();
        sqlx::query("VACUUM INTO ?")
            .bind(&keep)
            .execute(&copy)
            .await
            .unwrap();
    }
    drop(engine);
    let marks = phases.await.unwrap();
    println!(
        "first full sync of {PERMITS} permits and {} contractors from the sandbox over HTTP: {:.2} s",
        PERMITS / 10,
        first.as_secs_f64()
    );
    let line: Vec<String> = marks
        .iter()
        .map(|(p, at)| format!("{p:?} at {:.2} s", at.as_secs_f64()))
        .collect();
    println!("  phases: {}", line.join(", "));
    println!(
        "bare bulk insert of the same {PERMITS} permits: {:.2} s; ratio {:.1}x",
        bare.as_secs_f64(),
        first.as_secs_f64() / bare.as_secs_f64()
    );
    println!(
        "incremental sync of {} events ({} permits updated): {:.0} ms",
        inc.events,
        inc.updated_permits,
        incremental.as_secs_f64() * 1000.0
    );
    println!("search + filter + first page of 100 over {PERMITS} permits:");
    for l in search_lines {
        println!("{l}");
    }
}
