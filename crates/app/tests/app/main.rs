//! The integration tests of this crate, as one test binary: each binary links the whole
//! crate and its dependencies, and one link costs a fraction of 4. Cargo finds this
//! binary as `tests/app/main.rs`; its modules are the test files.

mod community;
mod gate;
mod identifier;
mod places;
