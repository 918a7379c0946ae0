//! The TypeScript bindings of every type that crosses IPC, generated from the Rust definitions.
//!
//! The committed files live in `ui/src/lib/bindings/`. The test `tests/bindings.rs` fails when
//! they differ from what these types generate; `cargo xtask bindings` rewrites them.

use std::path::PathBuf;

use ts_rs::{Config, TS};

use crate::{
    ActionView, AppInfo, Changed, ConnectRequest, ContractorDetail, ContractorList, ContractorRow,
    Error, ErrorCode, NocView, OutboxView, PermitDetail, PermitFilter, PermitPageView, PermitRow,
    StatusView, SyncProgress, TimelineItem,
};

/// Where the bindings live, relative to the workspace root.
pub const BINDINGS_DIR: &str = "ui/src/lib/bindings";

/// Every exported type: its file name inside [`BINDINGS_DIR`] and its generated contents.
pub fn all() -> Vec<(PathBuf, String)> {
    vec![
        one::<AppInfo>(),
        one::<Error>(),
        one::<ErrorCode>(),
        one::<StatusView>(),
        one::<SyncProgress>(),
        one::<ContractorRow>(),
        one::<ContractorList>(),
        one::<ContractorDetail>(),
        one::<Changed>(),
        one::<ActionView>(),
        one::<OutboxView>(),
        one::<PermitRow>(),
        one::<PermitFilter>(),
        one::<PermitPageView>(),
        one::<PermitDetail>(),
        one::<NocView>(),
        one::<TimelineItem>(),
        one::<ConnectRequest>(),
    ]
}

fn one<T: TS + 'static>() -> (PathBuf, String) {
    let path = T::output_path().expect("an exported IPC type has an output path");
    let text = T::export_to_string(&Config::new()).expect("an IPC type exports to TypeScript");
    (path, text)
}
