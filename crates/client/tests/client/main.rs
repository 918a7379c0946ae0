//! The integration tests of this crate, as one test binary: each binary links the whole
//! crate and its dependencies, and one link costs a fraction of 2. Cargo finds this
//! binary as `tests/client/main.rs`; its modules are the test files.

mod hostile;
mod sandbox;
