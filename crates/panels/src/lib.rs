//! Gatehouse's side of the BAS-IP panels: what a card number is ([`CardNumber`]), what each
//! identifier type accepts before anything is sent ([`checked`]), and (next) the client that
//! talks to a panel over the LAN. The simulator in `gatehouse-sandbox` reads the same reference
//! on its own; tests compare the two readings.

mod check;
mod number;

pub use check::{Checked, IdentifierError, checked};
pub use number::{CardNumber, NumberError, WrittenForm};
