//! Gatehouse's side of the BAS-IP panels: what a card number is ([`CardNumber`]), what each
//! identifier type accepts before anything is sent ([`checked`]), and the client that talks
//! to a panel over the LAN ([`PanelClient`]). The simulator in `gatehouse-sandbox` reads the same reference
//! on its own; tests compare the two readings.

mod check;
mod client;
mod error;
mod number;

pub use check::{Checked, IdentifierError, checked};
pub use client::{Grant, PanelClient, PanelSettings};
pub use error::PanelError;
pub use number::{CardNumber, NumberError, WrittenForm};
