//! The cache filled from the sandbox over HTTP (through the real client), then queried.

use std::collections::HashSet;

use gatehouse_buzzin::{Contractor, Permit, StatusName, Timestamp};
use gatehouse_cache::{Cache, CacheError, Committed, PermitQuery, PermitSort};
use gatehouse_testkit::{Client, ListQuery, Sandbox, Seed};

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

struct World {
    _sb: Sandbox,
    client: Client,
    cache: Cache,
    contractors: Vec<Contractor>,
    permits: Vec<Permit>,
    _dir: tempfile::TempDir,
}

async fn filled(permits: u64) -> World {
    let sb = Sandbox::seeded(Seed::Count(permits)).await;
    let client = sb.client();
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("community.sqlite3"), &KEY)
        .await
        .unwrap();
    let contractors = client.all_contractors().await.unwrap();
    cache.upsert_contractors(&contractors).await.unwrap();
    let all = client.all_permits().await.unwrap();
    for page in all.chunks(1000) {
        cache.upsert_permits(page).await.unwrap();
    }
    World {
        _sb: sb,
        client,
        cache,
        contractors,
        permits: all,
        _dir: dir,
    }
}

async fn all_pages(cache: &Cache, mut q: PermitQuery) -> Vec<Permit> {
    let mut out = Vec::new();
    loop {
        let page = cache.permits(&q).await.unwrap();
        out.extend(page.rows);
        match page.next {
            Some(next) => q.after = Some(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn documents_read_back_exactly_as_the_api_sent_them() {
    let w = filled(1500).await;
    assert_eq!(w.cache.count_permits().await.unwrap(), 1500);
    for p in w.permits.iter().step_by(97) {
        assert_eq!(w.cache.permit(&p.id).await.unwrap().as_ref(), Some(p));
        let by_pass = w
            .cache
            .permit_by_id_or_pass(p.pass_number.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(by_pass.as_ref(), Some(p));
    }
    for c in w.contractors.iter().step_by(13) {
        assert_eq!(w.cache.contractor(&c.id).await.unwrap().as_ref(), Some(c));
    }
    assert_eq!(w.cache.permit("nope").await.unwrap(), None);
}

#[tokio::test]
async fn keyset_pages_cover_every_permit_once_in_order() {
    let w = filled(1500).await;
    for (sort, descending) in [
        (PermitSort::ValidTill, false),
        (PermitSort::ValidFrom, true),
        (PermitSort::PassNumber, true),
        (PermitSort::UpdatedAt, false),
        (PermitSort::Status, true),
        (PermitSort::PermitType, false),
        (PermitSort::Unit, true),
        (PermitSort::Contractor, false),
    ] {
        let rows = all_pages(
            &w.cache,
            PermitQuery {
                sort,
                descending,
                limit: 137,
                ..PermitQuery::default()
            },
        )
        .await;
        let ids: HashSet<&str> = rows.iter().map(|p| p.id.as_str()).collect();
        assert_eq!((rows.len(), ids.len()), (1500, 1500), "{sort:?}");
        let key = |p: &Permit| match sort {
            PermitSort::ValidTill => p.valid_till.map(|t| t.to_wire()).unwrap_or_default(),
            PermitSort::ValidFrom => p.valid_from.map(|t| t.to_wire()).unwrap_or_default(),
            PermitSort::PassNumber => p.pass_number.clone().unwrap_or_default(),
            PermitSort::UpdatedAt => p.updated_at.map(|t| t.to_wire()).unwrap_or_default(),
            PermitSort::Status => p.status_name().map(|s| s.to_string()).unwrap_or_default(),
            PermitSort::PermitType => p
                .permit_type
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            PermitSort::Unit => p.flat_id.clone().unwrap_or_default(),
            PermitSort::Contractor => w
                .contractors
                .iter()
                .find(|c| Some(&c.id) == p.community_contractor_id.as_ref())
                .and_then(|c| c.name.clone())
                .unwrap_or_default(),
        };
        let ordered = rows.windows(2).all(|pair| {
            let (a, b) = ((key(&pair[0]), &pair[0].id), (key(&pair[1]), &pair[1].id));
            if descending { a >= b } else { a <= b }
        });
        assert!(ordered, "{sort:?} descending={descending}");
    }
}

#[tokio::test]
async fn anchors_open_any_page_exactly_where_paging_through_would_reach_it() {
    let w = filled(1500).await;
    for (q, sorted) in [
        (PermitQuery::default(), "validTill"),
        (
            PermitQuery {
                sort: PermitSort::PassNumber,
                descending: true,
                statuses: vec![StatusName::Accepted, StatusName::Expired],
                ..PermitQuery::default()
            },
            "pass number, descending, two statuses",
        ),
        (
            PermitQuery {
                search: Some("WP-0".into()),
                sort: PermitSort::UpdatedAt,
                ..PermitQuery::default()
            },
            "updatedAt, searched",
        ),
        (
            PermitQuery {
                sort: PermitSort::Contractor,
                descending: true,
                statuses: vec![StatusName::Accepted, StatusName::Pending],
                ..PermitQuery::default()
            },
            "contractor, descending, two statuses",
        ),
    ] {
        let every = 97;
        let all = all_pages(
            &w.cache,
            PermitQuery {
                limit: 500,
                ..q.clone()
            },
        )
        .await;
        let anchors = w.cache.permit_anchors(&q, every).await.unwrap();
        assert_eq!(
            anchors.len(),
            all.len() / every as usize,
            "one anchor per full page ({sorted})"
        );
        for (k, anchor) in anchors.iter().enumerate().step_by(3) {
            let page = w
                .cache
                .permits(&PermitQuery {
                    after: Some(anchor.clone()),
                    limit: every,
                    skip_total: true,
                    ..q.clone()
                })
                .await
                .unwrap();
            let start = (k + 1) * every as usize;
            let expected: Vec<&str> = all[start..(start + every as usize).min(all.len())]
                .iter()
                .map(|p| p.id.as_str())
                .collect();
            let got: Vec<&str> = page.rows.iter().map(|p| p.id.as_str()).collect();
            assert_eq!(got, expected, "page {} ({sorted})", k + 1);
        }
    }
}

#[tokio::test]
async fn a_contractor_sort_keeps_permits_whose_contractor_is_unknown_or_unnamed() {
    let w = filled(300).await;
    let ids = |rows: &[Permit]| rows.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let sorted = |descending| PermitQuery {
        sort: PermitSort::Contractor,
        descending,
        limit: 37,
        ..PermitQuery::default()
    };
    // Every contractor cached and named: the walk by contractor name.
    let walked = ids(&all_pages(&w.cache, sorted(false)).await);

    // A permit whose contractor the cache does not know (yet), and a contractor with no name:
    // both sort as an empty name, first ascending and last descending.
    let mut orphan = w.permits[0].clone();
    orphan.id = "orphan-permit".into();
    orphan.pass_number = Some("WP-ORPHAN".into());
    orphan.community_contractor_id = Some("unknown-contractor".into());
    w.cache
        .upsert_permits(std::slice::from_ref(&orphan))
        .await
        .unwrap();
    let looked_up = ids(&all_pages(&w.cache, sorted(false)).await);
    assert_eq!(looked_up[0], orphan.id);
    assert_eq!(
        looked_up[1..],
        walked[..],
        "the lookup orders the other permits exactly as the walk did"
    );

    let mut unnamed = w.contractors[1].clone();
    unnamed.name = None;
    w.cache
        .upsert_contractors(std::slice::from_ref(&unnamed))
        .await
        .unwrap();
    let name = |p: &Permit| {
        if p.community_contractor_id.as_deref() == Some(unnamed.id.as_str()) {
            return String::new();
        }
        w.contractors
            .iter()
            .find(|c| Some(&c.id) == p.community_contractor_id.as_ref())
            .and_then(|c| c.name.clone())
            .unwrap_or_default()
    };
    for descending in [false, true] {
        let rows = all_pages(&w.cache, sorted(descending)).await;
        let unique: HashSet<&str> = rows.iter().map(|p| p.id.as_str()).collect();
        assert_eq!((rows.len(), unique.len()), (301, 301), "every permit once");
        assert!(
            rows.windows(2).all(|pair| {
                let (a, b) = ((name(&pair[0]), &pair[0].id), (name(&pair[1]), &pair[1].id));
                if descending { a >= b } else { a <= b }
            }),
            "in order, descending={descending}"
        );
        let anchors = w
            .cache
            .permit_anchors(&sorted(descending), 37)
            .await
            .unwrap();
        let page = w
            .cache
            .permits(&PermitQuery {
                after: Some(anchors[2].clone()),
                skip_total: true,
                ..sorted(descending)
            })
            .await
            .unwrap();
        assert_eq!(
            ids(&page.rows),
            ids(&rows[3 * 37..4 * 37]),
            "an anchor opens page 4"
        );
    }
}

#[tokio::test]
async fn filters_agree_with_the_api() {
    let w = filled(1500).await;
    let api_total = |q: ListQuery| {
        let client = w.client.clone();
        async move { client.permits(&q.limit(0)).await.unwrap().total }
    };
    let accepted = w
        .cache
        .permits(&PermitQuery {
            statuses: vec![StatusName::Accepted],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        accepted.total.unwrap(),
        api_total(ListQuery::new().eq("statusName", "ACCEPTED")).await
    );
    assert!(
        accepted
            .rows
            .iter()
            .all(|p| p.status_name() == Some(StatusName::Accepted))
    );

    let contractor = w.permits[0].community_contractor_id.clone().unwrap();
    let theirs = w
        .cache
        .permits(&PermitQuery {
            contractor_id: Some(contractor.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        theirs.total.unwrap(),
        api_total(ListQuery::new().eq("communityContractorId", &contractor)).await
    );

    let now = Timestamp::now();
    let day = Timestamp(now.0 + chrono_hours(24));
    let expiring = w
        .cache
        .permits(&PermitQuery {
            statuses: vec![StatusName::Accepted],
            valid_till_from: Some(now),
            valid_till_before: Some(day),
            ..Default::default()
        })
        .await
        .unwrap();
    let api = api_total(
        ListQuery::new()
            .eq("statusName", "ACCEPTED")
            .op("validTill", "$gte", now.to_wire())
            .op("validTill", "$lt", day.to_wire()),
    )
    .await;
    assert_eq!(expiring.total, Some(api));
    assert!(
        expiring.total.unwrap() > 0,
        "the seed has permits expiring within a day"
    );

    // Starting within a window (the desk's "starting today"): validFrom's bounds as the API's.
    let ago = Timestamp(now.0 - chrono_hours(24 * 20));
    let starting = w
        .cache
        .permits(&PermitQuery {
            valid_from_from: Some(ago),
            valid_from_before: Some(now),
            ..Default::default()
        })
        .await
        .unwrap();
    let api = api_total(ListQuery::new().op("validFrom", "$gte", ago.to_wire()).op(
        "validFrom",
        "$lt",
        now.to_wire(),
    ))
    .await;
    assert_eq!(starting.total, Some(api));
    assert!(
        starting.total.unwrap() > 0,
        "the seed has permits that started lately"
    );
}

fn chrono_hours(h: i64) -> chrono::Duration {
    chrono::Duration::hours(h)
}

#[tokio::test]
async fn search_finds_by_contractor_name_company_phone_and_pass_number() {
    let w = filled(1500).await;
    let by_id: std::collections::HashMap<&str, &Contractor> =
        w.contractors.iter().map(|c| (c.id.as_str(), c)).collect();
    let search = |text: &str| {
        let q = PermitQuery {
            search: Some(text.to_owned()),
            limit: 500,
            ..Default::default()
        };
        let cache = &w.cache;
        async move { all_pages(cache, q).await }
    };
    // A pass number, by prefix.
    let p = &w.permits[321];
    let pass = p.pass_number.clone().unwrap();
    let found = search(&pass[..pass.len() - 1]).await;
    assert!(found.iter().any(|x| x.id == p.id), "{pass} by prefix");
    // The contractor's name (English or Arabic), company and phone.
    for p in w.permits.iter().step_by(211) {
        let c = by_id[p.community_contractor_id.as_deref().unwrap()];
        let name = c.name.clone().unwrap();
        let first = name.split_whitespace().next().unwrap();
        let phone = c.phone.clone().unwrap();
        for term in [name.as_str(), first, &phone[..9]] {
            let found = search(term).await;
            assert!(
                found.iter().any(|x| x.id == p.id),
                "search {term:?} misses {}",
                p.pass_number.as_deref().unwrap()
            );
        }
    }
    // As a desk types them: a phone in its national form, in pieces, with the country code
    // spaced out, or its last seven digits; a pass number without its zeros.
    let p = &w.permits[777];
    let c = by_id[p.community_contractor_id.as_deref().unwrap()];
    let phone = c.phone.clone().unwrap();
    let local = &phone[4..];
    let national = format!("0{local}");
    for term in [
        national.clone(),
        format!("{} {} {}", &national[..3], &national[3..6], &national[6..]),
        format!("+971 {} {} {}", &local[..2], &local[2..5], &local[5..]),
        format!("00971{local}"),
        local[local.len() - 7..].to_owned(),
    ] {
        let found = search(&term).await;
        assert!(
            found.iter().any(|x| x.id == p.id),
            "phone {phone} as {term:?}"
        );
    }
    let pass = p.pass_number.clone().unwrap();
    let bare = pass.rsplit('-').next().unwrap().trim_start_matches('0');
    assert!(
        search(bare).await.iter().any(|x| x.id == p.id),
        "{pass} as {bare}"
    );
    assert!(search("zzzznotaword").await.is_empty());
    // Input that looks like FTS syntax is taken literally.
    assert!(search("\"unbalanced OR NEAR( *").await.is_empty());
}

#[tokio::test]
async fn renaming_a_contractor_renames_it_in_permit_search_and_announces_changes() {
    let w = filled(400).await;
    let mut changes = w.cache.subscribe();
    let p = &w.permits[10];
    let mut c = w
        .contractors
        .iter()
        .find(|c| Some(&c.id) == p.community_contractor_id.as_ref())
        .unwrap()
        .clone();
    c.name = Some("Zubair Qadri".into());
    w.cache
        .upsert_contractors(std::slice::from_ref(&c))
        .await
        .unwrap();
    assert_eq!(
        changes.recv().await.unwrap(),
        Committed::Contractors(vec![c.id.clone()])
    );
    let found = w
        .cache
        .permits(&PermitQuery {
            search: Some("zubair".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(found.rows.iter().any(|x| x.id == p.id));
    assert!(
        found
            .rows
            .iter()
            .all(|x| x.community_contractor_id.as_ref() == Some(&c.id))
    );
    // Sorted by contractor name, a contractor renamed "Aaron …" comes first.
    c.name = Some("Aaron Aaronson".into());
    w.cache
        .upsert_contractors(std::slice::from_ref(&c))
        .await
        .unwrap();
    let _ = changes.recv().await.unwrap();
    let first = w
        .cache
        .permits(&PermitQuery {
            sort: PermitSort::Contractor,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        first.rows[0].community_contractor_id.as_ref(),
        Some(&c.id),
        "the sort follows the new name"
    );

    let mut updated = p.clone();
    updated.status_name = Some(StatusName::Revoked);
    w.cache
        .upsert_permits(std::slice::from_ref(&updated))
        .await
        .unwrap();
    assert_eq!(
        changes.recv().await.unwrap(),
        Committed::Permits(vec![p.id.clone()])
    );
    assert_eq!(
        w.cache.permit(&p.id).await.unwrap().unwrap().status_name(),
        Some(StatusName::Revoked)
    );
}

#[tokio::test]
async fn a_file_from_a_newer_gatehouse_is_reported_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("community.sqlite3");
    drop(Cache::open(&path, &KEY).await.unwrap());
    let pool = sqlx::SqlitePool::connect_with(KEY.connect_options(&path))
        .await
        .unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (99999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let err = Cache::open(&path, &KEY).await.err().expect("refused");
    assert!(matches!(err, CacheError::TooNew { .. }), "{err:?}");
    let (_, reason) = Cache::open_or_rebuild(&path, &KEY).await.unwrap();
    assert!(matches!(reason, Some(CacheError::TooNew { .. })));
}

async fn index_count(path: &std::path::Path) -> i64 {
    let pool = sqlx::SqlitePool::connect_with(KEY.connect_options(path))
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'permits' AND sql IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn a_bulk_load_answers_every_query_exactly_as_a_normal_fill() {
    let w = filled(1200).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.sqlite3");
    let bulk = Cache::open(&path, &KEY).await.unwrap();
    let indexes = index_count(&path).await;
    assert!(indexes >= 7, "the migration's indexes: {indexes}");
    bulk.begin_bulk_load().await.unwrap();
    assert_eq!(index_count(&path).await, 0, "dropped for the load");
    bulk.upsert_contractors(&w.contractors).await.unwrap();
    for chunk in w.permits.chunks(300) {
        bulk.upsert_permits(chunk).await.unwrap();
    }
    bulk.finish_bulk_load().await.unwrap();
    assert_eq!(index_count(&path).await, indexes, "rebuilt after it");

    let c = &w.contractors[3];
    let queries = vec![
        PermitQuery {
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            statuses: vec![StatusName::Accepted, StatusName::Pending],
            sort: PermitSort::PassNumber,
            descending: true,
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            search: c.name.clone(),
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            search: Some(c.phone.clone().unwrap()[..8].to_owned()),
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            search: Some("WP-0001".into()),
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            sort: PermitSort::Contractor,
            limit: 500,
            ..Default::default()
        },
        PermitQuery {
            contractor_id: Some(c.id.clone()),
            limit: 500,
            ..Default::default()
        },
    ];
    for q in queries {
        let ids = |rows: Vec<Permit>| rows.into_iter().map(|p| p.id).collect::<Vec<_>>();
        let normal = ids(all_pages(&w.cache, q.clone()).await);
        let loaded = ids(all_pages(&bulk, q.clone()).await);
        assert_eq!(loaded, normal, "{q:?}");
        if q.search.is_some() {
            assert!(
                !normal.is_empty(),
                "the search {:?} finds something",
                q.search
            );
        }
    }
}

#[tokio::test]
async fn an_interrupted_bulk_load_is_finished_by_the_next_open() {
    let w = filled(300).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.sqlite3");
    let indexes = {
        let cache = Cache::open(&path, &KEY).await.unwrap();
        let n = index_count(&path).await;
        cache.begin_bulk_load().await.unwrap();
        cache.upsert_contractors(&w.contractors).await.unwrap();
        cache.upsert_permits(&w.permits).await.unwrap();
        n // dropped here without finish_bulk_load, as if the process died
    };
    assert_eq!(index_count(&path).await, 0);
    let cache = Cache::open(&path, &KEY).await.unwrap();
    assert_eq!(index_count(&path).await, indexes);
    let name = w.contractors[0].name.clone().unwrap();
    let found = cache
        .permits(&PermitQuery {
            search: Some(name),
            ..Default::default()
        })
        .await
        .unwrap();
    let expected = w
        .permits
        .iter()
        .filter(|p| p.community_contractor_id.as_ref() == Some(&w.contractors[0].id))
        .count() as u64;
    assert!(
        found.total.unwrap() >= expected,
        "search rows were built: {} < {expected}",
        found.total.unwrap()
    );
}

#[tokio::test]
async fn sql_planted_in_the_bulk_load_state_is_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.sqlite3");
    let planted = dir.path().join("planted.db");
    let indexes = {
        let cache = Cache::open(&path, &KEY).await.unwrap();
        let n = index_count(&path).await;
        cache.begin_bulk_load().await.unwrap();
        n
    };
    // What another local user could write into a loose file: a statement that creates a file,
    // beside the statement form an older Gatehouse stored and a name no migration defines.
    let hostile = serde_json::json!([
        format!("ATTACH DATABASE '{}' AS x", planted.display()),
        "CREATE INDEX permits_till ON permits (valid_till, id)",
        "permits_status_till",
        "no_such_index",
    ]);
    {
        let pool = sqlx::SqlitePool::connect_with(KEY.connect_options(&path))
            .await
            .unwrap();
        sqlx::query("UPDATE sync_state SET value = ? WHERE key = 'bulkLoadIndexes'")
            .bind(hostile.to_string())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let _cache = Cache::open(&path, &KEY).await.unwrap();
    assert!(!planted.exists(), "the planted statement ran");
    let names: Vec<String> = {
        let pool = sqlx::SqlitePool::connect_with(KEY.connect_options(&path))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'permits' AND sql IS NOT NULL ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    assert_eq!(names, ["permits_status_till", "permits_till"]);
    assert!(
        indexes > names.len() as i64,
        "only the named ones came back"
    );
}

#[tokio::test]
async fn a_full_bulk_load_rebuilds_every_index_from_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.sqlite3");
    let cache = Cache::open(&path, &KEY).await.unwrap();
    let n = index_count(&path).await;
    assert!(n >= 7);
    cache.begin_bulk_load().await.unwrap();
    assert_eq!(index_count(&path).await, 0);
    cache.finish_bulk_load().await.unwrap();
    assert_eq!(index_count(&path).await, n);
}

#[cfg(unix)]
#[tokio::test]
async fn the_cache_its_side_files_folder_and_set_aside_copy_are_private() {
    use gatehouse_cache::files::mode_of;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("profiles/marina");
    let path = folder.join("cache.sqlite3");
    let cache = Cache::open(&path, &KEY).await.unwrap();
    cache
        .upsert_permits(&filled(20).await.permits)
        .await
        .unwrap();
    assert_eq!(mode_of(&folder).unwrap(), 0o700);
    for f in ["cache.sqlite3", "cache.sqlite3-wal", "cache.sqlite3-shm"] {
        assert_eq!(mode_of(&folder.join(f)).unwrap(), 0o600, "{f}");
    }
    cache.close().await;

    // Files an older Gatehouse left readable are made private on open.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache = Cache::open(&path, &KEY).await.unwrap();
    assert_eq!(mode_of(&path).unwrap(), 0o600);
    assert_eq!(mode_of(&folder).unwrap(), 0o700);
    // The set-aside copy of a damaged cache is checked through the CLI, whose process has
    // closed the file (cli/tests/hostile.rs): here a pool closing in the background may write
    // its log back over the damage.
    cache.close().await;
}

#[tokio::test]
async fn the_upgrade_to_narrow_permits_keeps_the_outbox_and_asks_for_a_first_sync() {
    // A cache as the first version left it: schema 0001 only, with a queued action.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let first = dir.path().join("migrations");
    std::fs::create_dir(&first).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0001_init.sql"),
        first.join("0001_init.sql"),
    )
    .unwrap();
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        sqlx::migrate::Migrator::new(first.as_path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        for sql in [
            "INSERT INTO permits (id, doc) VALUES ('p1', '{\"_id\":\"p1\"}')",
            "INSERT INTO sync_state (key, value) VALUES ('feedCursor', '42')",
            "INSERT INTO outbox (id, kind, target_id, payload, state, created_at, updated_at) VALUES \
             ('a1', 'revokePass', 'p1', '{\"actor\":\"desk\",\"label\":\"WP-000001\",\"reason\":\"lost\"}', 'pending', 't', 't')",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let cache = Cache::open(&path, &KEY).await.unwrap();
    let queued = cache.outbox(true).await.unwrap();
    assert_eq!(queued.len(), 1, "the queued action survives the upgrade");
    assert_eq!(queued[0].reason.as_deref(), Some("lost"));
    assert_eq!(cache.count_permits().await.unwrap(), 0);
    assert_eq!(
        cache.state::<u64>("feedCursor").await.unwrap(),
        None,
        "the next sync is a first sync"
    );
}

#[tokio::test]
async fn contractor_counts_agree_with_the_lists_and_limits_cut_in_name_order() {
    use gatehouse_cache::ContractorState::{Approved, Pending, Removed};
    let w = filled(3000).await;
    for search in [
        None,
        Some("Al"),
        Some("contractor0001"),
        Some("nothing-matches"),
    ] {
        let (p, a, r) = w.cache.contractor_counts(search, None).await.unwrap();
        let len = |s| {
            let cache = &w.cache;
            async move { cache.contractors(Some(s), search).await.unwrap().len() as u64 }
        };
        assert_eq!(
            (p, a, r),
            (len(Pending).await, len(Approved).await, len(Removed).await),
            "{search:?}"
        );
    }
    let all = w.cache.contractors(Some(Approved), None).await.unwrap();
    let first = w
        .cache
        .contractors_first(Some(Approved), None, None, 7)
        .await
        .unwrap();
    assert_eq!(first, all[..7].to_vec());

    // The pending queue comes oldest first.
    let pending = w.cache.contractors(Some(Pending), None).await.unwrap();
    let created: Vec<_> = pending.iter().map(|c| c.created_at.map(|t| t.0)).collect();
    let mut sorted = created.clone();
    sorted.sort_by_key(|t| (t.is_none(), *t));
    assert_eq!(created, sorted, "oldest first");

    // Licences expiring before a date: the counts and the lists agree, and every one listed
    // expires before it.
    let before = "2027-06-30";
    let (p, a, r) = w.cache.contractor_counts(None, Some(before)).await.unwrap();
    let soon = w
        .cache
        .contractors_first(Some(Approved), None, Some(before), u32::MAX)
        .await
        .unwrap();
    assert_eq!(soon.len() as u64, a);
    assert!(
        p + a + r > 0,
        "the seed has licences expiring before {before}"
    );
    assert!(soon.iter().all(|c| {
        c.company
            .as_ref()
            .and_then(|co| co.trade_license_expiry_date.as_deref())
            .is_some_and(|d| d < before)
    }));
    let expected = all
        .iter()
        .filter(|c| {
            c.company
                .as_ref()
                .and_then(|co| co.trade_license_expiry_date.as_deref())
                .is_some_and(|d| d < before)
        })
        .count() as u64;
    assert_eq!(a, expected);
}

#[tokio::test]
async fn a_reissue_s_old_code_stays_known_as_superseded_and_an_older_copy_revives_nothing() {
    let w = filled(30).await;
    let p = w
        .permits
        .iter()
        .find(|p| p.status_name() == Some(StatusName::Accepted))
        .unwrap();
    let old = p.access_code.clone().unwrap();
    let live = w.cache.known_code(&old).await.unwrap().unwrap();
    assert_eq!(live.permit_id, p.id);
    assert_eq!(live.superseded_at, None);

    w.client.reissue_pass(&p.id).await.unwrap();
    let fresh = w.client.permit(&p.id).await.unwrap();
    let new = fresh.access_code.clone().unwrap();
    assert_ne!(new, old);
    w.cache
        .upsert_permits(std::slice::from_ref(&fresh))
        .await
        .unwrap();
    let superseded = async |code: &str| {
        w.cache
            .known_code(code)
            .await
            .unwrap()
            .unwrap()
            .superseded_at
    };
    assert_eq!(
        superseded(&old).await,
        Some(fresh.updated_at.unwrap().to_wire()),
        "superseded when the reissued copy says it changed"
    );
    assert_eq!(superseded(&new).await, None, "the new code lives");

    // The older copy put back (an undone overlay, a stale page) supersedes nothing.
    w.cache
        .upsert_permits(std::slice::from_ref(p))
        .await
        .unwrap();
    assert_eq!(
        superseded(&new).await,
        None,
        "an older copy revives nothing"
    );
    assert!(w.cache.known_code("NEVER-SEEN").await.unwrap().is_none());
}

#[tokio::test]
async fn audit_lines_filter_by_action_result_and_literal_text_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("community.sqlite3"), &KEY)
        .await
        .unwrap();
    let line =
        |action: &'static str, result: &'static str, detail: &str| gatehouse_cache::LocalRecord {
            actor: "desk-1".into(),
            action,
            target_id: "p1".into(),
            result,
            detail: Some(detail.into()),
            online: true,
        };
    cache
        .record_local(&[
            line("print", "printed", "WP-000001: label"),
            line("print", "refused", "WP-000002: revoked"),
            line("check", "valid", "WP-000001: valid at 100% load"),
            line("check", "refused", "WP-000003_x: expired"),
        ])
        .await
        .unwrap();
    let read = async |f: gatehouse_cache::AuditFilter| {
        let (rows, total) = cache.audit_lines(&f).await.unwrap();
        (
            rows.iter()
                .map(|r| r.detail.clone().unwrap())
                .collect::<Vec<_>>(),
            total,
        )
    };
    let printed = read(gatehouse_cache::AuditFilter {
        actions: vec!["print".into()],
        result: Some("printed".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(printed, (vec!["WP-000001: label".to_owned()], 1));
    // `%` and `_` are the text itself, not patterns.
    let percent = read(gatehouse_cache::AuditFilter {
        text: Some("100%".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(percent.1, 1, "{percent:?}");
    let underscore = read(gatehouse_cache::AuditFilter {
        text: Some("3_x".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(underscore.1, 1, "{underscore:?}");
    assert_eq!(
        read(gatehouse_cache::AuditFilter {
            text: Some("0_0".into()),
            ..Default::default()
        })
        .await
        .1,
        0,
        "_ matches only _"
    );
    // Newest first with a limit; the total counts them all.
    let newest = read(gatehouse_cache::AuditFilter {
        newest_first: true,
        limit: Some(2),
        ..Default::default()
    })
    .await;
    assert_eq!(
        newest,
        (
            vec![
                "WP-000003_x: expired".to_owned(),
                "WP-000001: valid at 100% load".to_owned()
            ],
            4
        )
    );
}

#[tokio::test]
async fn a_batch_reads_permits_by_id_or_pass_number_and_their_contractors_at_once() {
    let w = filled(1200).await;
    let (a, b) = (&w.permits[3], &w.permits[1100]);
    let keys = vec![
        a.id.clone(),
        b.pass_number.clone().unwrap(),
        "NO-SUCH-PASS".to_owned(),
    ];
    let found = w.cache.permits_by_keys(&keys).await.unwrap();
    assert_eq!(found.len(), 2, "the unknown key finds nothing");
    assert_eq!(found[&keys[0]].id, a.id);
    assert_eq!(found[&keys[1]].id, b.id);
    // More keys than one statement takes: every one is read.
    let many: Vec<String> = w.permits.iter().map(|p| p.id.clone()).collect();
    assert_eq!(w.cache.permits_by_keys(&many).await.unwrap().len(), 1200);
    let ids: Vec<String> = w.contractors.iter().map(|c| c.id.clone()).collect();
    let contractors = w.cache.contractors_by_ids(&ids).await.unwrap();
    assert_eq!(contractors.len(), w.contractors.len());
    assert_eq!(contractors[&ids[0]], w.contractors[0]);
}

#[tokio::test]
async fn contractors_are_found_by_a_phone_as_people_say_it() {
    let w = filled(300).await;
    let c = w.contractors.iter().find(|c| c.phone.is_some()).unwrap();
    let phone = c.phone.clone().unwrap();
    let local = &phone[4..];
    for term in [
        format!("0{local}"),
        format!("0{} {} {}", &local[..2], &local[2..5], &local[5..]),
        format!("+971-{local}"),
    ] {
        let found = w.cache.contractors(None, Some(&term)).await.unwrap();
        assert!(found.iter().any(|x| x.id == c.id), "{phone} as {term:?}");
    }
}

#[tokio::test]
async fn names_are_found_as_people_type_them_in_arabic_and_latin_spellings() {
    let w = filled(50).await;
    let named = |id: &str, name: &str, company: &str| -> Contractor {
        serde_json::from_value(serde_json::json!({
            "_id": id, "name": name, "approved": true,
            "company": { "companyName": company },
        }))
        .unwrap()
    };
    let people = [
        named("6a0000000000000000000001", "أحمد النعيمي", "مؤسسة الإمارات"),
        named("6a0000000000000000000002", "عبد الله فاطمة", "شركة مصطفى"),
        named("6a0000000000000000000003", "عبدالرحمن محـمد", "Gulf Works"),
        named("6a0000000000000000000004", "Mohamed Hussein", "Al Noor LLC"),
        named("6a0000000000000000000005", "Yusuf Khaled", "Marina Build"),
    ];
    w.cache.upsert_contractors(&people).await.unwrap();
    for (typed, id) in [
        ("احمد", 1),
        ("أحمد نعيمي", 1),
        ("النعيمي", 1),
        ("نعيمي", 1),
        ("الامارات", 1),
        ("مؤسسه", 1),
        ("عبدالله", 2),
        ("عبد الله", 2),
        ("فاطمه", 2),
        ("مصطفي", 2),
        ("عبد الرحمن", 3),
        ("عبدالرحمن محمد", 3),
        ("Muhammad", 4),
        ("mohammed hussain", 4),
        ("Yousef Khalid", 5),
        ("youssef", 5),
    ] {
        let want = format!("6a000000000000000000000{id}");
        let found = w.cache.contractors(None, Some(typed)).await.unwrap();
        assert!(
            found.iter().any(|c| c.id == want),
            "{typed:?} finds {want}: {:?}",
            found.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
    }
    // A word that is not there finds nothing: the forms add words, they do not match anything.
    assert!(
        w.cache
            .contractors(None, Some("نعيمي زززز"))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Whether a permit search for `text` finds the permit `id`.
async fn finds(cache: &Cache, text: &str, id: &str) -> bool {
    let q = PermitQuery {
        search: Some(text.to_owned()),
        limit: 500,
        ..Default::default()
    };
    all_pages(cache, q).await.iter().any(|x| x.id == id)
}

#[tokio::test]
async fn representatives_are_found_by_the_same_name_forms_and_again_after_a_reindex() {
    let w = filled(120).await;
    let path = w.cache.path().to_owned();
    let mut a = w.permits[5].clone();
    a.representative_name = Some("سالم النعيمي".into());
    let mut b = w.permits[9].clone();
    b.representative_name = Some("Mohamed Yousef".into());
    w.cache
        .upsert_permits(&[a.clone(), b.clone()])
        .await
        .unwrap();
    let typed = [
        ("نعيمي", &a.id),
        ("سالم نعيمي", &a.id),
        ("muhammad", &b.id),
        ("Mohammed Yusuf", &b.id),
    ];
    for (text, id) in typed {
        assert!(finds(&w.cache, text, id).await, "{text:?}");
    }
    assert!(!finds(&w.cache, "نعيمي زززز", &a.id).await);
    // As the previous version left it: no forms, no version recorded; the reopened cache
    // makes them.
    let raw = sqlx::SqlitePool::connect_with(KEY.connect_options(&path))
        .await
        .unwrap();
    for sql in [
        "UPDATE permits SET representative_forms = ''",
        "UPDATE permit_search SET text = 'nothing'",
        "DELETE FROM sync_state WHERE key = 'search_text_version'",
    ] {
        sqlx::query(sql).execute(&raw).await.unwrap();
    }
    raw.close().await;
    drop(w.cache);
    let reopened = Cache::open(&path, &KEY).await.unwrap();
    for (text, id) in typed {
        assert!(
            finds(&reopened, text, id).await,
            "{text:?} after the reindex"
        );
    }
}

#[tokio::test]
async fn a_cache_indexed_by_an_older_search_text_is_reindexed_when_it_opens() {
    let w = filled(200).await;
    let path = w.cache.path().to_owned();
    let p = &w.permits[17];
    let pass = p.pass_number.clone().unwrap();
    let bare = pass
        .rsplit('-')
        .next()
        .unwrap()
        .trim_start_matches('0')
        .to_owned();
    assert!(finds(&w.cache, &bare, &p.id).await);
    // As the previous version left it: the pass number's text alone, no version recorded.
    let raw = sqlx::SqlitePool::connect_with(KEY.connect_options(&path))
        .await
        .unwrap();
    sqlx::query("UPDATE permit_search SET text = 'nothing'")
        .execute(&raw)
        .await
        .unwrap();
    sqlx::query("DELETE FROM sync_state WHERE key = 'search_text_version'")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    drop(w.cache);
    let reopened = Cache::open(&path, &KEY).await.unwrap();
    assert!(finds(&reopened, &bare, &p.id).await, "{pass} as {bare}");
}
