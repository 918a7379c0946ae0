fn main() {
    // Listing the app's commands makes each one a permission (`allow-<command>`), so the
    // capability file grants the window exactly the commands it uses and nothing else.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "status",
        "contractors",
        "contractor",
        "approve_contractor",
        "revoke_contractor",
        "permits",
        "permit",
        "reissue_pass",
        "revoke_pass",
        "outbox",
        "retry_action",
        "discard_action",
        "connect",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed (is ui/dist built? `cargo xtask ui`)");
}
