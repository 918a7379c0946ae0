//! The integration tests of this crate, as one test binary: each binary links the whole
//! crate and its dependencies, and one link costs a fraction of 5. Cargo finds this
//! binary as `tests/sandbox/main.rs`; its modules are the test files.

mod exposure;
mod faults;
mod http;
mod panels;
mod persistence;
mod webhooks;
