//! Places named one by one over a synced profile: every tower and unit its permits are for is
//! listed with how it reads, a name given to one reads everywhere at once, bad names are
//! refused with the directory unchanged, and the directory exports as its CSV.

use gatehouse_app::places::{PlaceEdit, PlaceKind};
use gatehouse_app::{CacheKey, Community, ErrorCode, Paths, Profile};
use gatehouse_testkit::Sandbox;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_named_in_settings_reads_so_everywhere_and_bad_names_change_nothing() {
    let sandbox = Sandbox::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let profile = Profile::new("marina", sandbox.base_url());
    let c = Community::open_profile_with_keys(
        &paths,
        profile,
        sandbox.api_key().into(),
        CacheKey::random(),
    )
    .await
    .unwrap();
    c.sync_now(false, |_| {}).await.unwrap();

    // Before any directory: the places the permits are for, by DAMAC's ids.
    let rows = c.place_rows().await.unwrap();
    let towers: Vec<_> = rows.iter().filter(|r| r.kind == PlaceKind::Tower).collect();
    let units: Vec<_> = rows.iter().filter(|r| r.kind == PlaceKind::Unit).collect();
    assert_eq!(towers.len(), 4, "the demo's towers");
    assert_eq!(
        towers.iter().map(|t| t.permits).sum::<u32>(),
        400,
        "every permit counted once"
    );
    assert!(rows.iter().all(|r| r.name.is_empty()));
    assert!(
        towers.iter().all(|t| t.text.starts_with("DAMAC-TWR-")),
        "{towers:?}"
    );
    let unit = units[0].clone();
    assert!(unit.text.contains(" · UNIT-"), "{unit:?}");
    // A tower's units follow it.
    let at = rows.iter().position(|r| r.id == unit.id).unwrap();
    assert!(
        rows[..at]
            .iter()
            .rev()
            .find(|r| r.kind == PlaceKind::Tower)
            .unwrap()
            .id
            == unit.tower_id
    );

    // Bad names: refused, nothing changes.
    let edit = |name: &str| PlaceEdit {
        kind: Some(PlaceKind::Unit),
        id: unit.id.clone(),
        tower_id: Some(unit.tower_id.clone()),
        external_id: unit.external_id.clone(),
        name: name.to_owned(),
    };
    for (bad, why) in [
        (edit(&"x".repeat(81)), "at most 80 characters"),
        (
            edit("Lobby \u{202e}Kiosk"),
            "control or direction characters",
        ),
        (
            PlaceEdit {
                id: "../../etc".into(),
                ..edit("Lobby")
            },
            "is not a unit id",
        ),
        (
            PlaceEdit {
                kind: None,
                ..edit("Lobby")
            },
            "tower or a unit",
        ),
    ] {
        let err = c.name_place(&bad).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains(why), "{}", err.message);
    }
    assert_eq!(c.places_view().units, 0, "nothing was taken");

    // A name: the unit reads by it (its tower still by DAMAC's id), in rows and permits alike.
    c.name_place(&edit("Lobby Kiosk 7")).unwrap();
    let view = c.places_view();
    assert_eq!((view.towers, view.units), (1, 1));
    let tower_ext = towers
        .iter()
        .find(|t| t.id == unit.tower_id)
        .unwrap()
        .external_id
        .clone();
    let unit_now = async || {
        c.place_rows()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.id == unit.id)
            .unwrap()
    };
    let named = unit_now().await;
    assert_eq!(named.text, format!("{tower_ext} · Lobby Kiosk 7"));
    assert_eq!(named.external_id, unit.external_id, "DAMAC's id is kept");
    let permit = sandbox
        .client()
        .all_permits()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.flat_id.as_deref() == Some(unit.id.as_str()))
        .unwrap();
    let detail = c.permit(&permit.id).await.unwrap();
    assert_eq!(detail.permit.place.text, named.text);

    // The export holds it, and reads back as the same directory.
    let (path, t, u) = c.export_places_file().unwrap();
    assert_eq!((t, u), (1, 1));
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(
        csv.contains(&unit.id) && csv.contains("Lobby Kiosk 7"),
        "{csv}"
    );
    assert_eq!(
        c.import_places(csv.as_bytes()).unwrap().units,
        1,
        "it imports again"
    );

    // An emptied name reads by DAMAC's id again.
    c.name_place(&edit("")).unwrap();
    let again = unit_now().await;
    assert_eq!(again.text, unit.text);
}
