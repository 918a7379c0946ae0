include!("src/command_list.rs");

macro_rules! names {
    ($($command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

fn main() {
    // Listing the app's commands makes each one a permission (`allow-<command>`), so the
    // capability file grants the window exactly the commands it uses and nothing else.
    let commands: &[&str] = with_commands!(names);
    let manifest = tauri_build::AppManifest::new().commands(commands);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed (is ui/dist built? `cargo xtask ui`)");
}
