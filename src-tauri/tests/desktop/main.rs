//! The integration tests of this crate, as one test binary: each binary links the whole
//! crate and its dependencies, and one link costs a fraction of 3. Cargo finds this
//! binary as `tests/desktop/main.rs`; its modules are the test files.

mod desk;
mod keyboard;
mod panels;
mod support;
mod window;
mod workflows;
