//! The desk the CLI tests drive: a data folder with one profile, and the real `gatehouse`
//! binary run in it.

#![allow(dead_code)] // each test file and the bench use their own parts of it

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The cache key of the desk's one profile, given by the environment as on a desk runner with no
/// keychain.
pub const CACHE_KEY: &str = "9b2e4f6a8c0d1e3f5a7b9c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e1f";

pub struct Desk {
    pub data: tempfile::TempDir,
    pub key: String,
}

impl Desk {
    /// A data folder with one profile, "demo", pointing at `base`.
    pub fn new(base: &str, key: &str) -> Desk {
        let desk = Desk {
            data: tempfile::tempdir().unwrap(),
            key: key.to_owned(),
        };
        let out = desk.run(&["profile", "add", "demo", "--url", base, "--actor", "Desk 1"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        desk
    }

    /// A desk on `sb`'s community, synced once.
    pub fn synced(sb: &gatehouse_testkit::Sandbox) -> Desk {
        let desk = Desk::new(&sb.base_url(), sb.api_key());
        desk.ok(&["sync"]);
        desk
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        cmd.args(args)
            .env("GATEHOUSE_DATA_DIR", self.data.path())
            .env("GATEHOUSE_API_KEY", &self.key)
            .env("GATEHOUSE_CACHE_KEY", CACHE_KEY)
            .env_remove("GATEHOUSE_PROFILE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "gatehouse {}: {}",
            args.join(" "),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    pub fn code(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.run(args);
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    }

    pub fn cache_path(&self) -> PathBuf {
        self.data.path().join("profiles/demo/cache.sqlite3")
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
