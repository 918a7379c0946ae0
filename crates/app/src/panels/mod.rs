//! The profile's BAS-IP gate panels: the registry (`registry.rs`: which panels, their
//! passwords, how they answer) and what each holds (`held.rs`), the crew as the window and the CLI name it, with
//! blank PINs made (`crew.rs`), the plan of what a permit's crew puts on them (`plan.rs`), the
//! drain that carries it to them and takes it off again (`doors.rs`), the sweep for identifiers
//! tagged as ours that nothing explains (`sweep.rs`), and the copy of what their doors logged
//! (`door_log.rs`); the window keeps all of it going (`keeper.rs`), with one logged-in client
//! kept per panel (`pool.rs`).

mod crew;
mod door_log;
mod doors;
mod held;
mod keeper;
mod plan;
mod pool;
mod registry;
mod sweep;

pub use crew::{CrewInput, DoorCrewLine, DoorKind, fresh_pin};
pub use door_log::DoorLogPull;
pub(crate) use door_log::timeline_words;
pub use doors::{DoorsOnPanel, PanelDrain};
pub use held::{HeldState, PanelIdentifierRow};
pub use keeper::DOORS_TICK;
pub use pool::{CLIENT_KEPT, ClientPool};
pub use sweep::PanelSweep;

pub use plan::{CrewIdentifier, OWNER_NAME_MAX, PanelPlan, plan};
pub(crate) use registry::env_passwords as registry_env_passwords;
pub use registry::{
    PANEL_PASSWORD_ENV, PANELS_FILE, PanelAdd, PanelAddRequest, PanelRecord, PanelStatus,
};
