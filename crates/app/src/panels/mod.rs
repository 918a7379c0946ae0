//! The profile's BAS-IP gate panels: the registry (`registry.rs`: which panels, their
//! passwords, how they answer, what they hold) and the plan of what a permit's crew puts on them
//! (`plan.rs`), and the drain that carries it to them and takes it off again (`doors.rs`).

mod doors;
mod plan;
mod registry;

pub use doors::{DoorsOnPanel, PanelDrain};

pub use plan::{CrewIdentifier, OWNER_NAME_MAX, PanelPlan, plan};
pub(crate) use registry::env_passwords as registry_env_passwords;
pub use registry::{
    PANEL_PASSWORD_ENV, PANELS_FILE, PanelAdd, PanelIdentifierRow, PanelRecord, PanelStatus,
};
