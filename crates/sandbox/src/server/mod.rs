//! What every simulated device serves with, whatever it simulates (Buzz-In today, a BAS-IP
//! panel next): API-key auth (`auth`), body limits and the JSON reader (`body`), injected faults
//! (`faults`), one transaction per request with its changes saved before the answer
//! (`transactor`), and the control endpoints every device has, its clock and its faults
//! (`control`). A device is a [`Device`]; its own routes and rules live beside this module.

pub mod auth;
pub mod body;
pub mod control;
pub mod faults;
pub mod transactor;

use chrono::Duration;
use gatehouse_buzzin::Timestamp;

use crate::error::ApiResult;

/// A simulated device's state, as the shared server drives it.
pub trait Device: Send + 'static {
    /// What one request changed, for the device's store to save.
    type Unsaved: Send + 'static;
    /// What one request announced (events), handed on once its changes are saved.
    type Published: Send + 'static;

    /// Brings the device up to its clock's time before a request (what fell due, fires).
    fn catch_up(&mut self);
    /// What changed since the last call, or `None` if nothing did.
    fn take_unsaved(&mut self) -> Option<Self::Unsaved>;
    /// What was announced since the last call.
    fn take_published(&mut self) -> Vec<Self::Published>;
    /// The device's clock.
    fn now(&self) -> Timestamp;
    /// Moves the clock on (never back), then fires what the new time causes.
    fn advance_clock(&mut self, by: Duration) -> ApiResult<Timestamp>;
}
