//! `gatehouse outbox`: what waits for the server or was refused; retry, discard.

use crate::args::OutboxCmd;
use crate::output::{self, local_str};
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: OutboxCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    match cmd {
        OutboxCmd::List { all, json } => {
            let rows = c.outbox_list(all).await?;
            if json {
                output::json(&rows);
                return Ok(());
            }
            for a in &rows {
                say!(
                    "#{:<5} {}  {}  {}{}",
                    a.seq,
                    output::pad(a.state.as_str(), 9),
                    output::pad(&a.title, 44),
                    local_str(&a.queued_at),
                    a.message
                        .as_deref()
                        .map(|m| format!("  {m}"))
                        .unwrap_or_default()
                );
            }
            say!("{} action(s).", rows.len());
            Ok(())
        }
        OutboxCmd::Retry { id } => {
            let queued = c.retry_action(&id).await?;
            super::deliver(&c, queued).await
        }
        OutboxCmd::Discard { id } => {
            let a = c.discard_action(&id).await?;
            say!("Discarded #{} {}.", a.seq, a.title);
            Ok(())
        }
    }
}
