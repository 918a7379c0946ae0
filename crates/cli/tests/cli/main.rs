//! The integration tests of this crate, as one test binary: each binary links the whole
//! crate and its dependencies, and one link costs a fraction of 7. Cargo finds this
//! binary as `tests/cli/main.rs`; its modules are the test files.

mod alerts;
mod community;
mod hostile;
mod keychain;
mod notify;
mod panels;
mod print;
mod sandbox;
mod support;
