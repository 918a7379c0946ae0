//! With no profile, the app's community is the demo: a sandbox started in-process, synced into
//! a fresh cache in the background, its state reported for the status bar.

use std::time::Duration;

use gatehouse_app::vocabulary::ContractorState;
use gatehouse_app::{Community, Paths};
use gatehouse_testkit::eventually;

#[tokio::test]
async fn with_no_profile_the_demo_community_opens_and_syncs_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let community = Community::open(&paths).await.unwrap();
    let mut changes = community.writes();

    let status = eventually("the first sync", Duration::from_secs(20), || async {
        let s = community.status().await.unwrap();
        if s.last_sync_at.is_some() && s.syncing.is_none() {
            Ok(s)
        } else {
            Err(format!("{s:?}"))
        }
    })
    .await;
    assert_eq!(status.community, "Demo community");
    assert!(status.demo && status.online, "{status:?}");
    assert_eq!((status.permits, status.contractors), (400, 60));
    assert_eq!((status.pending, status.refused), (0, 0));
    assert!(changes.try_recv().is_ok(), "the sync announced its writes");
    assert!(dir.path().join("demo/cache.sqlite3").exists());

    // The contractor queue: three tabs that add up to everyone, narrowed by a search.
    let pending = community
        .contractors(ContractorState::Pending, "", false)
        .await
        .unwrap();
    assert_eq!(pending.pending + pending.approved + pending.removed, 60);
    assert_eq!(pending.rows.len() as u32, pending.pending);
    assert!(
        pending
            .rows
            .iter()
            .all(|r| r.state == ContractorState::Pending)
    );
    let name = pending.rows[0].name.clone();
    let found = community
        .contractors(ContractorState::Pending, &name, false)
        .await
        .unwrap();
    assert!(found.rows.iter().any(|r| r.name == name));
    assert!(found.pending <= pending.pending);
    // A tab that does not exist is refused where it arrives, as the webview sends it.
    assert!(serde_json::from_str::<ContractorState>("\"banned\"").is_err());
    let err = community
        .contractors(ContractorState::Pending, &"x".repeat(201), false)
        .await
        .unwrap_err();
    assert_eq!(err.code, gatehouse_app::ErrorCode::InvalidInput);

    // It comes with its directory: every permit's place reads by name.
    let places = community.places_view();
    assert_eq!(
        (places.towers, places.units, places.problem),
        (4, 200, None)
    );
    let rows = community
        .permits(&gatehouse_app::PermitFilter::default(), 0)
        .await
        .unwrap()
        .rows;
    for r in &rows {
        let (tower, unit) = r.place.text.split_once(" · ").unwrap();
        assert!(
            !tower.starts_with("DAMAC") && !tower.starts_with('…'),
            "named, not by an id: {:?}",
            r.place
        );
        assert!(
            unit.len() == 4 && unit.chars().all(|c| c.is_ascii_digit()),
            "{:?}",
            r.place
        );
    }
    community.close();
}

#[tokio::test]
async fn the_demo_s_sandbox_takes_no_well_known_key() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let community = Community::open(&paths).await.unwrap();
    let url = community.demo_url().expect("the demo serves");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let err = gatehouse_testkit::client_at(&url, "sandbox-key")
        .contractors(&gatehouse_testkit::ListQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, gatehouse_testkit::ClientError::Unauthorized(_)),
        "another local user could drive the demo with the README's key: {err:?}"
    );
    assert!(dir.path().join("demo/.gatehouse-demo").exists());
}

#[tokio::test]
async fn the_demo_deletes_only_a_folder_it_marked_as_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    // A portable install in a folder that already has someone's "demo" folder.
    let theirs = dir.path().join("demo");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("thesis.docx"), b"years of work").unwrap();
    let err = Community::open(&paths).await.err().expect("refused");
    assert!(err.message.contains(".gatehouse-demo"), "{}", err.message);
    assert_eq!(
        std::fs::read(theirs.join("thesis.docx")).unwrap(),
        b"years of work"
    );

    // Gatehouse's own demo folder is made anew at each start.
    std::fs::remove_dir_all(&theirs).unwrap();
    let first = Community::open(&paths).await.unwrap();
    drop(first);
    std::fs::write(theirs.join("left-by-the-last-run"), b"x").unwrap();
    let again = Community::open(&paths).await.unwrap();
    assert!(!theirs.join("left-by-the-last-run").exists());
    assert!(again.demo_url().is_some());
}

#[tokio::test]
async fn a_profile_without_its_key_opens_its_cached_data_and_says_why_nothing_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let mut profiles = gatehouse_app::Profiles::default();
    profiles
        .add(gatehouse_app::Profile::new(
            "marina",
            "https://api.example.invalid",
        ))
        .unwrap();
    profiles.save(&paths).unwrap();
    // No key anywhere: none in the environment, and none filed in a keychain for this profile.
    assert!(
        std::env::var_os("GATEHOUSE_API_KEY").is_none(),
        "run this test without GATEHOUSE_API_KEY set"
    );
    // The cache key is given (as a host without a keychain gives it); the API key is not.
    let profile = gatehouse_app::Profiles::load(&paths)
        .unwrap()
        .pick(None)
        .unwrap()
        .clone();
    let community =
        Community::open_profile_with_cache_key(&paths, profile, gatehouse_app::CacheKey::random())
            .await
            .unwrap();
    let status = community.status().await.unwrap();
    assert_eq!(status.community, "marina");
    assert!(!status.demo);
    let problem = status.problem.expect("a reason");
    assert!(problem.contains("GATEHOUSE_API_KEY"), "{problem}");
    assert!(status.syncing.is_none());
}

mod actions {
    //! Admin actions from the app's side, against a sandbox over HTTP: each is queued, sent by
    //! the background engine, and the sandbox agrees.

    use std::future::Future;
    use std::time::Duration;

    use gatehouse_app::vocabulary::{ActionKind, ContractorState, PermitSort, StatusName};
    use gatehouse_app::{CacheKey, Community, ErrorCode, PermitFilter, Profile};
    use gatehouse_testkit::{Client, Sandbox, eventually_true};

    /// Waits up to 20 s for `check`.
    async fn eventually<F, Fut>(what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        eventually_true(what, Duration::from_secs(20), check).await
    }

    struct World {
        community: Community,
        api: Client,
        base_url: String,
        key: String,
        _sandbox: Sandbox,
        _dir: tempfile::TempDir,
    }

    async fn world() -> World {
        let sandbox = Sandbox::demo().await;
        let dir = tempfile::tempdir().unwrap();
        let paths = gatehouse_app::Paths::at(dir.path()).unwrap();
        let profile = Profile::new("marina", sandbox.base_url()).with_actor(Some("desk-1".into()));
        let community = Community::open_profile_with_keys(
            &paths,
            profile,
            sandbox.api_key().into(),
            CacheKey::random(),
        )
        .await
        .unwrap();
        eventually("the first sync", || async {
            let s = community.status().await.unwrap();
            s.last_sync_at.is_some() && s.syncing.is_none() && s.permits == 400
        })
        .await;
        let api = sandbox.client();
        World {
            community,
            api,
            base_url: sandbox.base_url(),
            key: sandbox.api_key().to_owned(),
            _sandbox: sandbox,
            _dir: dir,
        }
    }

    #[tokio::test]
    async fn an_expired_licence_is_approved_only_with_a_reason_and_likely_duplicates_are_named() {
        let w = world().await;
        let c = &w.community;
        let control = gatehouse_testkit::Control::new(w.base_url.clone(), w.key.clone());
        let company = serde_json::json!({
            "companyName": "Lapsed Works LLC",
            "tradeLicense": { "type": "url", "url": "https://files.example.com/license.pdf" },
            "tradeLicenseExpiryDate": "2026-01-31"
        });
        let lapsed = control
            .new_contractor(
                901,
                serde_json::json!({ "company": company.clone(), "phone": "+971551000901" }),
            )
            .await;
        let twin = control
            .new_contractor(
                902,
                serde_json::json!({ "name": "Rep 901", "company": company, "phone": "+971551000902" }),
            )
            .await;
        c.retry_now();
        eventually("both arrive", || async {
            c.contractor(&lapsed.id).await.is_ok() && c.contractor(&twin.id).await.is_ok()
        })
        .await;
        // The queue flags the licence and lists it among the licences to look at.
        let soon = c
            .contractors(ContractorState::Pending, "", true)
            .await
            .unwrap();
        let row = soon
            .rows
            .iter()
            .find(|r| r.id == lapsed.id)
            .expect("listed as expiring");
        assert!(row.licence_days_left.is_some_and(|d| d < 0), "{row:?}");
        assert!(
            soon.rows
                .iter()
                .all(|r| r.licence_days_left.is_some_and(|d| d <= 30)),
            "only licences expired or expiring within 30 days"
        );
        // The pending queue is oldest first: the two new ones come last.
        let all = c
            .contractors(ContractorState::Pending, "", false)
            .await
            .unwrap();
        let at: Vec<&str> = all.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(&at[at.len() - 2..], [lapsed.id.as_str(), twin.id.as_str()]);
        // The same name and company under another phone (a re-registration): named as a likely
        // duplicate, both ways.
        let d = c.contractor(&lapsed.id).await.unwrap();
        assert_eq!(d.duplicates.len(), 1, "{:?}", d.duplicates);
        assert_eq!(
            (d.duplicates[0].id.as_str(), d.duplicates[0].why.as_str()),
            (twin.id.as_str(), "same name and company")
        );
        assert_eq!(
            c.contractor(&twin.id).await.unwrap().duplicates[0].id,
            lapsed.id
        );
        // A community whose profile refuses expired licences refuses, reason or not.
        let dir = tempfile::tempdir().unwrap();
        let paths = gatehouse_app::Paths::at(dir.path()).unwrap();
        let strict = Community::open_profile_with_keys(
            &paths,
            Profile::new("strict", w.base_url.clone()).with_refuse_expired_licence(true),
            w.key.clone(),
            CacheKey::random(),
        )
        .await
        .unwrap();
        eventually("the strict desk has it", || async {
            strict.contractor(&lapsed.id).await.is_ok()
        })
        .await;
        let d = strict.contractor(&lapsed.id).await.unwrap();
        assert!(!d.can_approve && d.approve_refused.is_some(), "{d:?}");
        let err = strict
            .approve_contractor(&lapsed.id, Some("Renewed licence seen"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Refused, "{err:?}");
        drop(strict);
        // Here: no approval without a reason; with one, it is sent and the reason kept.
        let err = c.approve_contractor(&lapsed.id, None).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
        assert!(
            err.message.contains("expired on 2026-01-31"),
            "{}",
            err.message
        );
        let a = c
            .approve_contractor(&lapsed.id, Some("Renewed licence seen"))
            .await
            .unwrap();
        assert_eq!(a.reason.as_deref(), Some("Renewed licence seen"));
        eventually("the sandbox approves", || async {
            w.api.contractor(&lapsed.id).await.unwrap().approved
        })
        .await;
    }

    #[tokio::test]
    async fn approve_and_revoke_a_contractor_reach_the_sandbox() {
        let w = world().await;
        let c = &w.community;
        let pending = c
            .contractors(ContractorState::Pending, "", false)
            .await
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.licence_days_left.is_none_or(|d| d >= 0))
            .expect("a pending contractor with a valid licence");
        let detail = c.contractor(&pending.id).await.unwrap();
        assert!(detail.can_approve && detail.actions.is_empty());
        let action = c.approve_contractor(&pending.id, None).await.unwrap();
        assert_eq!(action.kind, ActionKind::ApproveContractor);
        assert_eq!(action.actor, "desk-1");
        eventually("the sandbox approves", || async {
            w.api.contractor(&pending.id).await.unwrap().approved
        })
        .await;
        eventually("the queue shows it approved", || async {
            let d = c.contractor(&pending.id).await.unwrap();
            d.contractor.state == ContractorState::Approved && d.contractor.queued.is_none()
        })
        .await;
        // Approving twice is refused, in a sentence.
        let err = c.approve_contractor(&pending.id, None).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Refused, "{err:?}");
        assert!(err.message.ends_with('.'), "{}", err.message);

        // Revoke the approved contractor with the most active permits: the confirmation's list
        // is exactly what the sandbox archives.
        let mut best = (0, String::new());
        for r in c
            .contractors(ContractorState::Approved, "", false)
            .await
            .unwrap()
            .rows
        {
            let n = c.contractor(&r.id).await.unwrap().active_permits.len();
            if n > best.0 {
                best = (n, r.id);
            }
        }
        let (n, id) = best;
        assert!(
            n > 0,
            "the demo has an approved contractor with active permits"
        );
        let active = c.contractor(&id).await.unwrap().active_permits;
        let err = c.revoke_contractor(&id, "  ").await.unwrap_err();
        assert_eq!(err.code, gatehouse_app::ErrorCode::InvalidInput, "{err:?}");
        c.revoke_contractor(&id, "Licence lapsed").await.unwrap();
        for p in &active {
            let permit_id = p.id.clone();
            eventually("the sandbox archives the permit", || {
                let permit_id = permit_id.clone();
                let api = &w.api;
                async move {
                    api.permit(&permit_id)
                        .await
                        .unwrap()
                        .status_name()
                        .is_some_and(|s| s == StatusName::Archived)
                }
            })
            .await;
        }
        eventually("the cache shows them archived", || async {
            let d = c.contractor(&id).await.unwrap();
            d.contractor.state == ContractorState::Removed
                && d.active_permits.is_empty()
                && d.permits
                    .iter()
                    .filter(|p| p.status == StatusName::Archived)
                    .count()
                    >= n
        })
        .await;
        assert_eq!(
            c.contractor("<script>").await.unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            c.contractor("nobody").await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn the_permits_table_opens_any_page_and_filters_in_rust() {
        let w = world().await;
        let c = &w.community;
        let all = PermitFilter::default();
        let first = c.permits(&all, 0).await.unwrap();
        assert_eq!(
            (first.total, first.page_size, first.rows.len()),
            (400, 100, 100)
        );
        // Every page, opened directly, continues where the one before ended.
        let mut seen = Vec::new();
        for page in [3, 1, 2] {
            let p = c.permits(&all, page).await.unwrap();
            assert_eq!(p.rows.len(), 100, "page {page}");
            seen.push((page, p.rows));
        }
        seen.sort_by_key(|(page, _)| *page);
        let ids: Vec<&str> = first
            .rows
            .iter()
            .chain(seen.iter().flat_map(|(_, rows)| rows.iter()))
            .map(|r| r.id.as_str())
            .collect();
        let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), 400, "four pages hold every permit once");
        let tills: Vec<&str> = first
            .rows
            .iter()
            .chain(seen.iter().flat_map(|(_, rows)| rows.iter()))
            .map(|r| r.valid_till.as_deref().unwrap_or_default())
            .collect();
        assert!(tills.windows(2).all(|w| w[0] <= w[1]), "in validTill order");
        assert!(c.permits(&all, 4).await.unwrap().rows.is_empty());
        assert!(first.rows.iter().all(|r| !r.contractor_name.is_empty()));

        // An alert's permits, named one by one: exactly those, whatever their status.
        let named: Vec<String> = ids.iter().step_by(97).map(|id| id.to_string()).collect();
        let alerted = c
            .permits(
                &PermitFilter {
                    ids: named.clone(),
                    ..PermitFilter::default()
                },
                0,
            )
            .await
            .unwrap();
        let mut got: Vec<String> = alerted.rows.iter().map(|r| r.id.clone()).collect();
        let mut want = named.clone();
        got.sort();
        want.sort();
        assert_eq!((got, alerted.total), (want, named.len() as u32));
        let odd = PermitFilter {
            ids: vec!["no such'id".into()],
            ..PermitFilter::default()
        };
        let err = c.permits(&odd, 0).await.unwrap_err();
        assert!(err.message.contains("is not a permit id"), "{err:?}");

        // Filters: the rows match them, and the total agrees with the API.
        let accepted = PermitFilter {
            statuses: vec![StatusName::Accepted],
            expiring_within_minutes: Some(72 * 60),
            sort: PermitSort::PassNumber,
            descending: true,
            ..PermitFilter::default()
        };
        let page = c.permits(&accepted, 0).await.unwrap();
        assert!(page.rows.iter().all(|r| r.status == StatusName::Accepted));
        // "Expiring within" keeps only what can run out: with every status asked for, the
        // same ACCEPTED permits.
        let any_status = PermitFilter {
            statuses: Vec::new(),
            ..accepted.clone()
        };
        assert_eq!(c.permits(&any_status, 0).await.unwrap(), page);
        let now = chrono::Utc::now();
        for r in &page.rows {
            let till =
                chrono::DateTime::parse_from_rfc3339(r.valid_till.as_deref().unwrap()).unwrap();
            assert!(till > now - chrono::Duration::minutes(2));
            assert!(till < now + chrono::Duration::hours(72));
        }
        assert!(
            page.rows
                .windows(2)
                .all(|w| w[0].pass_number >= w[1].pass_number)
        );
        let expected = w
            .api
            .all_permits()
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.status_name() == Some(StatusName::Accepted))
            .filter(|p| {
                p.valid_till.is_some_and(|t| {
                    t.0 >= now - chrono::Duration::minutes(1)
                        && t.0 < now + chrono::Duration::hours(72)
                })
            })
            .count() as i64;
        assert!(
            (page.total as i64 - expected).abs() <= 1,
            "{} rows expiring within 72 h, the API has {expected}",
            page.total
        );
        // A permit revoked before it ran out has ended: it no longer expires.
        let gone = page.rows[0].id.clone();
        c.revoke_pass(&gone, "Work finished early").await.unwrap();
        let ended = PermitFilter {
            statuses: vec![StatusName::Revoked, StatusName::Archived],
            ..accepted.clone()
        };
        let revoked = PermitFilter {
            statuses: vec![StatusName::Revoked],
            ..PermitFilter::default()
        };
        eventually("the revoke shows", || async {
            let p = c.permits(&revoked, 0).await.unwrap();
            p.rows.iter().any(|r| r.id == gone)
        })
        .await;
        assert_eq!(c.permits(&ended, 0).await.unwrap().total, 0);
        let still = c.permits(&any_status, 0).await.unwrap();
        assert!(still.rows.iter().all(|r| r.id != gone));
        assert!(
            still.total < page.total,
            "{} then {}",
            page.total,
            still.total
        );

        // An order the table does not have is refused where it arrives, as the webview sends it.
        let sort: Result<PermitFilter, _> =
            serde_json::from_value(serde_json::json!({"sort": "doc"}));
        assert!(sort.is_err());
        for bad in [
            PermitFilter {
                statuses: vec![StatusName::parse("<b>")],
                ..PermitFilter::default()
            },
            PermitFilter {
                permit_type: Some(gatehouse_app::vocabulary::PermitType::parse("tent")),
                ..PermitFilter::default()
            },
            PermitFilter {
                expiring_within_minutes: Some(0),
                ..PermitFilter::default()
            },
            PermitFilter {
                contractor_id: Some("x' OR 1=1 --".into()),
                ..PermitFilter::default()
            },
        ] {
            let err = c.permits(&bad, 0).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidInput, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn reissue_kills_the_old_code_and_revoke_needs_a_reason() {
        let w = world().await;
        let c = &w.community;
        let accepted = PermitFilter {
            statuses: vec![StatusName::Accepted],
            ..PermitFilter::default()
        };
        let rows = c.permits(&accepted, 0).await.unwrap().rows;
        let (one, two) = (rows[0].clone(), rows[1].clone());
        let before = c.permit(&one.pass_number).await.unwrap();
        assert!(before.can_reissue && before.can_revoke);
        // The verdict reads the gate's rules now: an ACCEPTED permit in its window may enter or
        // is told when it may; it never says "may enter" for a permit the gate refuses.
        let v = &before.verdict;
        assert!(!v.headline.is_empty() && !v.detail.is_empty(), "{v:?}");
        assert_eq!(v.may_enter, v.refusal.is_none(), "{v:?}");
        // The crew's documents are masked to their last four digits.
        let doc = w
            .api
            .permit(&one.id)
            .await
            .unwrap()
            .employees
            .unwrap_or_default();
        assert_eq!(before.crew.len(), doc.len());
        for (m, e) in before.crew.iter().zip(&doc) {
            let Some(full) = e.document_id.as_deref() else {
                continue;
            };
            let shown = m.document.as_deref().unwrap();
            let digits: String = full.chars().filter(char::is_ascii_digit).collect();
            assert!(
                shown.starts_with("•••• ") && !shown.contains(full),
                "{shown} / {full}"
            );
            assert!(
                digits.len() < 4 || digits.ends_with(&shown["•••• ".len()..]),
                "{shown} / {full}"
            );
        }
        assert!(
            !before.timeline.is_empty(),
            "the timeline has at least its issue"
        );
        let old_code = before.access_code.clone().unwrap();
        // Its code, or the QR payload a scanner types, found whatever the other filters say.
        for typed in [
            old_code.clone(),
            gatehouse_testkit::buzzin::inf::qr_payload(&old_code),
        ] {
            let page = c
                .permits(
                    &PermitFilter {
                        search: typed.clone(),
                        statuses: vec![StatusName::Revoked],
                        ..Default::default()
                    },
                    0,
                )
                .await
                .unwrap();
            assert_eq!(page.by_code.as_deref(), Some(one.id.as_str()), "{typed}");
            assert_eq!((page.total, page.rows[0].id.as_str()), (1, one.id.as_str()));
        }
        c.reissue_pass(&one.id).await.unwrap();
        eventually("a new access code", || async {
            let d = c.permit(&one.id).await.unwrap();
            d.access_code
                .as_deref()
                .is_some_and(|code| code != old_code)
                && d.actions.iter().all(|a| !a.open)
        })
        .await;
        let after = c.permit(&one.id).await.unwrap();
        assert_eq!(
            after.access_code,
            w.api.permit(&one.id).await.unwrap().access_code,
            "the cache holds the server's new code"
        );
        assert!(
            after.timeline.iter().any(|t| t.what.contains("reissue")),
            "{:?}",
            after.timeline
        );
        assert!(
            after.timeline.iter().any(|t| t.what == "created"),
            "the creation stays after a reissue: {:?}",
            after.timeline
        );

        let err = c.revoke_pass(&two.id, "   ").await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        let err = c.revoke_pass(&two.id, &"x".repeat(1001)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        c.revoke_pass(&two.id, "Contract ended early")
            .await
            .unwrap();
        eventually("the sandbox revokes it", || async {
            w.api
                .permit(&two.id)
                .await
                .unwrap()
                .status_name()
                .is_some_and(|s| s == StatusName::Revoked)
        })
        .await;
        eventually(
            "the detail shows it revoked, by this desk, with its reason",
            || async {
                let d = c.permit(&two.id).await.unwrap();
                d.permit.status == StatusName::Revoked
                    && !d.can_revoke
                    && d.timeline.iter().any(|t| {
                        t.detail.as_deref() == Some("by desk-1 at this desk: Contract ended early")
                    })
            },
        )
        .await;
        let err = c.reissue_pass(&two.id).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Refused, "{err:?}");
        let outbox = c.outbox().await.unwrap();
        assert!(outbox.pending.is_empty() && outbox.refused.is_empty());
        // Both landed this shift, newest first, each saying what it did at the gates.
        let sent: Vec<&str> = outbox
            .sent
            .iter()
            .map(|a| a.outcome.as_deref().unwrap())
            .collect();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(
            sent[0].starts_with(&format!("{} revoked at Buzz-In ", two.pass_number))
                && sent[0].ends_with("the pass no longer opens the gates."),
            "{sent:?}"
        );
        assert!(
            sent[1].starts_with(&format!("{} reissued at Buzz-In", one.pass_number)),
            "{sent:?}"
        );
        assert!(outbox.sent.iter().all(|a| a.settled_at.is_some()));
        let revoked = c.permit(&two.id).await.unwrap().verdict;
        assert_eq!(
            (revoked.may_enter, revoked.headline.as_str()),
            (false, "Revoked")
        );
    }
}

mod connect {
    //! Connecting an account from Settings: the address and key are checked against the API
    //! before anything is saved.

    use gatehouse_app::{ConnectRequest, ErrorCode, Paths, Session};
    use gatehouse_testkit::Sandbox;

    fn request(name: &str, url: &str, key: &str) -> ConnectRequest {
        ConnectRequest {
            name: name.into(),
            base_url: url.into(),
            api_key: key.into(),
        }
    }

    #[tokio::test]
    async fn a_wrong_key_or_address_is_refused_and_nothing_is_saved() {
        let sandbox = Sandbox::demo().await;
        let dir = tempfile::tempdir().unwrap();
        let session = Session::open(Paths::at(dir.path()).unwrap()).await.unwrap();
        assert!(session.community().await.status().await.unwrap().demo);
        let switched = session.switched();

        let url = sandbox.base_url();
        let cases = [
            (
                request("marina", &url, "wrong"),
                ErrorCode::Refused,
                "refused this API key",
            ),
            (
                request("marina", &url, "  "),
                ErrorCode::InvalidInput,
                "API key",
            ),
            (
                request("a b", &url, "k"),
                ErrorCode::InvalidInput,
                "profile name",
            ),
            (
                request("marina", "ftp://x", "k"),
                ErrorCode::InvalidInput,
                "http",
            ),
            (
                request("marina", &format!("{url}/nothing-here"), sandbox.api_key()),
                ErrorCode::InvalidInput,
                "does not serve the Buzz-In API",
            ),
            (
                // A port nothing listens on.
                request("marina", "http://127.0.0.1:9", sandbox.api_key()),
                ErrorCode::Unreachable,
                "Cannot reach",
            ),
        ];
        for (req, code, says) in cases {
            let err = session.connect(req.clone()).await.unwrap_err();
            assert_eq!(err.code, code, "{req:?}: {err:?}");
            assert!(err.message.contains(says), "{req:?}: {}", err.message);
        }
        assert!(!dir.path().join("profiles.json").exists(), "nothing saved");
        assert!(!switched.has_changed().unwrap(), "the demo is still open");
        assert!(session.community().await.status().await.unwrap().demo);
    }
}
