//! `gatehouse sync`: send what is queued, then bring the cache up to date.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::SyncArgs;
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, a: SyncArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let bar = if a.quiet || a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:20} [{bar:32}] {pos}/{len} {per_sec}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let shown = bar.clone();
    let result = c
        .sync_now(a.full, move |p| {
            shown.set_message(output::phase(p.phase));
            shown.set_length(p.total.into());
            shown.set_position(p.done.into());
        })
        .await;
    bar.finish_and_clear();
    let report = result?;
    if a.json {
        output::json(&report);
    } else if !a.quiet {
        let mut parts = Vec::new();
        if report.first_sync_documents > 0 {
            parts.push(format!("{} documents loaded", report.first_sync_documents));
        }
        parts.push(format!("{} events", report.events));
        parts.push(format!(
            "{} permits and {} contractors updated",
            report.updated_permits, report.updated_contractors
        ));
        if report.applied > 0 {
            parts.push(format!("{} queued action(s) applied", report.applied));
        }
        say!("Synced: {}.", parts.join(", "));
        for r in &report.refused {
            tell!("gatehouse: refused by the server: {r}");
        }
    }
    Ok(())
}
