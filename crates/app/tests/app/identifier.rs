//! The CLI and the app must agree on the data folder, which is derived from the bundle
//! identifier: `APP_IDENTIFIER` must equal `identifier` in src-tauri/tauri.conf.json.

#[test]
fn app_identifier_matches_the_tauri_config() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../src-tauri/tauri.conf.json"
    );
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read tauri.conf.json"))
            .expect("tauri.conf.json is JSON");
    assert_eq!(
        conf["identifier"].as_str(),
        Some(gatehouse_app::APP_IDENTIFIER)
    );
}
