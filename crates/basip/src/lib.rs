//! Wire types of the BAS-IP panel HTTP API, shared by the panel simulator (which serves them) and
//! the panel client (which reads them). What a number *means* is not here: the client and the
//! simulator each read the reference for that, and tests compare the two readings.
//!
//! References: `shared/api/panel-identifiers-api.md`, corrected by `shared/research/panels.md`
//! (where the two disagree, the research's sources win). Rules these types follow:
//! - what a panel sends is decoded leniently: unknown fields ignored, optional fields missing or
//!   `null`, an unknown enum value kept as `Unknown`, `valid` read at its documented place or at
//!   the top level of older firmware, a number as a string or an integer, `error` as a string,
//!   a boolean or an object;
//! - what Gatehouse sends is strict: only the documented `valid` shapes ([`TimeRule`],
//!   [`PassRule`]), never a `null`, never a misplaced field (a panel silently drops those);
//! - every `[INF]` assumption lives in [`inf`], so a confirmed contract changes one file.

mod device;
mod error;
mod identifier;
pub mod inf;
mod log;
mod results;

pub use device::{DeviceTime, Info, Login, Representation, WiegandSetting};
pub use error::PanelErrorBody;
pub use identifier::{
    Identifier, IdentifierType, Lock, NewIdentifier, Owner, OwnerType, PassRule, PassesOnWire,
    TimeOnWire, TimeRule, ValidOnWire, ValidRule, WireNumber,
};
pub use log::{LogItem, LogPage};
pub use results::{ItemResult, ListOption, ListPage, NumberItem, Pagination, ResultList};
