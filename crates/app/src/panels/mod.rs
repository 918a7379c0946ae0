//! The profile's BAS-IP gate panels: the registry (`registry.rs`: which panels, their
//! passwords, how they answer, what they hold) and the plan of what a permit's crew puts on them
//! (`plan.rs`), the drain that carries it to them and takes it off again (`doors.rs`), the sweep
//! for identifiers tagged as ours that nothing explains (`sweep.rs`), and the copy of what their
//! doors logged (`door_log.rs`); the window keeps all of it going (`keeper.rs`).

mod door_log;
mod doors;
mod keeper;
mod plan;
mod registry;
mod sweep;

pub use door_log::DoorLogPull;
pub(crate) use door_log::timeline_words;
pub use doors::{DoorsOnPanel, PanelDrain};
pub use keeper::DOORS_TICK;
pub use sweep::PanelSweep;

pub use plan::{CrewIdentifier, OWNER_NAME_MAX, PanelPlan, plan};
pub(crate) use registry::env_passwords as registry_env_passwords;
pub use registry::{
    PANEL_PASSWORD_ENV, PANELS_FILE, PanelAdd, PanelIdentifierRow, PanelRecord, PanelStatus,
};
