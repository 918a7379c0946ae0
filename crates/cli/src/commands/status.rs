//! `gatehouse status`: online or not, how fresh the data is, what waits for the server.

use crate::args::JsonFlag;
use crate::output::{self, local_str};
use crate::{Failure, Target};

pub async fn run(target: Target, f: JsonFlag) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let s = c.status().await?;
    if f.json {
        output::json(&s);
        return Ok(());
    }
    let asof = s
        .last_sync_at
        .as_deref()
        .map(local_str)
        .unwrap_or_else(|| "never synced".into());
    match (&s.problem, &s.offline_since) {
        (Some(problem), _) => say!("Not syncing: {problem}"),
        (None, Some(t)) => say!("Offline since {}.", local_str(t)),
        (None, None) => say!("Online."),
    }
    say!(
        "Data as of {asof}: {} permits, {} contractors.",
        s.permits,
        s.contractors
    );
    say!("{} action(s) pending, {} refused.", s.pending, s.refused);
    if let Some(e) = &s.last_error {
        say!("Last error: {e}");
    }
    if s.skipped_ids > 0 {
        say!(
            "Skipped {} id(s) in the events feed that are not valid ids (the last: \"{}\").",
            s.skipped_ids,
            s.last_skipped_id.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
