//! One file per command group. Each opens the community through `gatehouse_app`, calls its
//! operations, and prints what they return.

pub mod alerts;
pub mod audit;
pub mod check;
pub mod contractors;
pub mod outbox;
pub mod panels;
pub mod permits;
pub mod places;
pub mod print;
pub mod profile;
pub mod sandbox;
pub mod status;
pub mod sync;

use gatehouse_app::vocabulary::OutboxState;
use gatehouse_app::{ActionView, Community, Paths};

use crate::{Failure, Target};

/// Opens the target's community for this one command (nothing runs in the background).
pub async fn open(target: Target) -> Result<Community, Failure> {
    let paths = Paths::from_env()?;
    let (community, rebuilt) =
        Community::open_for_command(&paths, target.profile.as_deref(), target.offline).await?;
    if let Some(reason) = rebuilt {
        tell!("gatehouse: {reason}");
    }
    Ok(community)
}

/// Sends a queued action now. Exit: applied (0), refused (4), still queued (3).
pub async fn deliver(c: &Community, queued: ActionView) -> Result<(), Failure> {
    let what = format!("#{} {}", queued.seq, queued.title);
    let d = c.deliver(&queued).await?;
    match (d.action.state, d.waiting_because) {
        (OutboxState::Done, _) => {
            say!("Done: {what}.");
            Ok(())
        }
        (OutboxState::Refused, _) => Err(Failure::Refused(format!(
            "the server refused {what}: {}",
            d.action.message.unwrap_or_default()
        ))),
        (_, why) => Err(Failure::Offline(format!(
            "queued {what}; it will be sent by the next `gatehouse sync` ({})",
            why.unwrap_or_default()
        ))),
    }
}
