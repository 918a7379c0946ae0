//! Resident memory of the app idle in the tray: the demo community open, its alerts told, the
//! window closed into the tray (a tray host on the test bus) and left alone for a minute.
//!
//! `cargo bench -p gatehouse-desktop --bench tray` (the window-test tools; `cargo xtask test`
//! installs them). Figures go to BENCHMARKS.md.

#[path = "../tests/desktop/support/mod.rs"]
mod support;

use std::time::Duration;

use support::{Desktop, rss_mb, rss_parts_mb};

/// How long the app is left idle in the tray before it is measured.
const IDLE: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() {
    let desk = Desktop::launch_with_notifications(true).await;
    let daemon = desk.notifications.as_ref().unwrap();
    desk.testid("view-contractors").await;
    daemon.wait_for(1, Duration::from_secs(60)).await;
    let measure = |label: &str| {
        let procs = desk.processes();
        let mut line = format!("| {label} |");
        for (prefix, name) in [
            ("gatehouse-desk", "Rust process"),
            ("WebKitWebProces", "web process"),
            ("WebKitNetworkPr", "network process"),
        ] {
            let mine: Vec<u32> = procs
                .iter()
                .filter(|(_, c)| c.starts_with(prefix))
                .map(|(p, _)| *p)
                .collect();
            let total: f64 = mine.iter().map(|p| rss_mb(*p)).sum();
            let anon: f64 = mine.iter().map(|p| rss_parts_mb(*p).0).sum();
            line.push_str(&format!(" {name} {total:.0} MB ({anon:.0} MB anonymous) ·"));
        }
        let end = line.trim_end_matches(['·', ' ']).len();
        line.truncate(end);
        line.push_str(" |");
        println!("{line}");
    };
    println!("| state | resident memory |");
    println!("|---|---|");
    measure("window open, alerts told");
    let mut hidden = false;
    for _ in 0..15 {
        let _ = desk.display.close_window("Gatehouse");
        tokio::time::sleep(Duration::from_secs(2)).await;
        if !desk.display.window_shown("Gatehouse").unwrap_or(true) {
            hidden = true;
            break;
        }
    }
    assert!(hidden, "the window did not close into the tray");
    tokio::time::sleep(IDLE).await;
    measure(&format!(
        "in the tray, window hidden, after {} s idle",
        IDLE.as_secs()
    ));
    desk.close().await;
}
