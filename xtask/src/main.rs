//! Project tasks, in plain Rust so they work wherever cargo does.
//!
//! - `cargo xtask run`: installs what is missing, builds the UI and runs the app.
//! - `cargo xtask test`: installs what is missing, then every check CI runs, with timings.
//! - `cargo xtask ui`: builds the UI into ui/dist (the app binary embeds it).
//! - `cargo xtask bindings`: regenerates the TypeScript bindings of the IPC types.
//! - `cargo xtask tidy`: the project's rules no compiler checks (`tidy.rs`).
//! - `cargo xtask deps`: only the installs.
//!
//! Installs are idempotent: apt packages (Debian/Ubuntu) only when one is missing, `npm ci` only
//! when node_modules is older than package-lock.json, cargo tools only when not on PATH.

mod install;
mod tally;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use install::deps;
use tally::{Tally, sh_counted};

pub(crate) type Result<T = (), E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match task {
        "run" => run(rest),
        "test" => test(),
        "ui" => deps(false).and_then(|()| ui_build()),
        "bindings" => bindings(),
        "tidy" => tidy::tidy(),
        "deps" => deps(true),
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test|ui|bindings|tidy|deps>\n  run       the app (extra args go to the app)\n  test      every test, as CI runs it (tidy included)\n  tidy      the project's rules: who may depend on whom, one command list, no module cycles\n  ui        build the UI into ui/dist\n  bindings  regenerate ui/src/lib/bindings from the Rust IPC types\n  deps      install what is missing"
            );
            return if task == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs a command in the workspace root, failing with the command line when it fails.
pub(crate) fn sh(program: &str, args: &[&str]) -> Result {
    sh_env(program, args, &[])
}

pub(crate) fn sh_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let (mut cmd, line) = command(program, args, env);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{line}`: {e}"))?;
    succeeded(&line, status)
}

/// A command run in the workspace root, and its line as printed (`$ …`).
pub(crate) fn command(program: &str, args: &[&str], env: &[(&str, &str)]) -> (Command, String) {
    let line = format!("{program} {}", args.join(" "));
    eprintln!("$ {line}");
    let mut cmd = Command::new(program);
    cmd.args(args).envs(env.iter().copied()).current_dir(root());
    (cmd, line)
}

/// `Ok` for a command that succeeded; else the sentence that says which failed.
pub(crate) fn succeeded(line: &str, status: std::process::ExitStatus) -> Result {
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

pub(crate) fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|d| d.join(tool).is_file())
}

// ---------------------------------------------------------------------------------------------
// Tasks

fn ui_build() -> Result {
    sh("npm", &["run", "build", "--workspace", "ui"])
}

fn bindings() -> Result {
    sh_env(
        &cargo(),
        &["test", "-p", "gatehouse-app", "--test", "bindings"],
        &[("GATEHOUSE_WRITE_BINDINGS", "1")],
    )
}

fn run(app_args: &[String]) -> Result {
    deps(false)?;
    ui_build()?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(
            "no display: run this from a desktop session, or under a virtual one with `xvfb-run -a cargo xtask run`.".into(),
        );
    }
    let mut args = vec!["run", "-p", "gatehouse-desktop", "--"];
    args.extend(app_args.iter().map(String::as_str));
    sh(&cargo(), &args)
}

fn test() -> Result {
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let started = Instant::now();
    let mut stage = |name: &'static str, f: &dyn Fn() -> Result| -> Result {
        eprintln!("\n==> {name}");
        let t = Instant::now();
        let r = f();
        let took = t.elapsed();
        stages.push((name, took));
        eprintln!(
            "<== {name}: {} in {:.1} s",
            if r.is_ok() { "ok" } else { "FAILED" },
            took.as_secs_f64()
        );
        r
    };
    let cargo = cargo();
    let tally = Tally::default();
    let result = (|| {
        stage("install what is missing", &|| deps(true))?;
        stage("rustfmt", &|| sh(&cargo, &["fmt", "--all", "--check"]))?;
        stage(
            "tidy (dependency rules, command list, module cycles)",
            &tidy::tidy,
        )?;
        stage("ui build", &ui_build)?;
        stage("ui type check (svelte-check)", &|| {
            sh("npm", &["run", "check", "--workspace", "ui"])
        })?;
        stage("ui unit tests (vitest)", &|| {
            sh("npm", &["run", "test", "--workspace", "ui"])
        })?;
        stage("clippy", &|| {
            sh(
                &cargo,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        })?;
        stage("cargo test (crates, bindings, window)", &|| {
            sh_counted(&cargo, &["test", "--workspace", "--locked"], &[], &tally)
        })
    })();
    eprintln!("\nstage timings:");
    for (name, took) in &stages {
        eprintln!("  {:>7.1} s  {name}", took.as_secs_f64());
    }
    eprintln!("  {:>7.1} s  total", started.elapsed().as_secs_f64());
    let failures = tally.digest();
    if !failures.is_empty() {
        eprintln!("\nwhy each test failed:");
        for f in &failures {
            eprintln!("  {f}");
        }
    }
    // The plain closing line CI reads: every test the runners reported, Rust and UI together.
    println!(
        "tests: {} passed, {} failed",
        tally.passed.get(),
        tally.failed.get()
    );
    if result.is_ok() && tally.passed.get() == 0 {
        return Err("the runners reported no test at all".into());
    }
    result
}
