//! `gatehouse alerts`: expiry alerts from the cache. `due` shows what would be told (JSON with
//! each alert's kind, threshold, urgency, title, body and permits) and tells nothing.

use crate::args::{AlertsCmd, AlertsDueArgs};
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: AlertsCmd) -> Result<(), Failure> {
    match cmd {
        AlertsCmd::Due(a) => due(target, a).await,
    }
}

async fn due(target: Target, a: AlertsDueArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let due = c.alerts_due(a.at.as_deref()).await?;
    if a.json {
        output::json(&due);
        return Ok(());
    }
    if due.is_empty() {
        say!("No alert is due.");
    }
    for alert in &due {
        let mark = if alert.urgency == "critical" {
            "!"
        } else {
            " "
        };
        say!("{mark} {}", alert.title);
        say!("  {}", alert.body);
    }
    Ok(())
}
