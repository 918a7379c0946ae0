//! The panel client against the sandbox's simulated panels over HTTP: two readings of the
//! reference (the client's `CardNumber`, the simulator's own), compared.

mod client;
