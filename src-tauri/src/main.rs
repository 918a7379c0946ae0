// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    forget_env_keys();
    gatehouse_desktop_lib::run();
}

/// Reads the API keys the environment gives (`GATEHOUSE_API_KEY…`, for scripts and tests), then
/// takes them out of the environment, which WebKit's web and network processes inherit: the key
/// stays in this process only.
#[allow(unsafe_code)]
fn forget_env_keys() {
    for name in gatehouse_desktop_lib::capture_env_keys() {
        // SAFETY: the first thing `main` does, before any thread exists that could read the
        // environment at the same time (edition 2024 marks `remove_var` unsafe for that reason).
        unsafe { std::env::remove_var(name) };
    }
}
