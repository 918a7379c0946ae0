//! `cargo xtask tidy`: the project's own rules that no compiler checks, each failing with a
//! sentence that names the rule it broke.
//!
//! - Who may depend on whom ([`MAY_DEPEND_ON`]), read from `cargo metadata`: the same map as
//!   ARCHITECTURE.md's code map. Only the desktop shell depends on Tauri; the test kit is only
//!   ever a dev-dependency.
//! - One list of commands: `src-tauri/src/command_list.rs` is the list; the window's capability
//!   must grant exactly those commands and `ui/src/lib/ipc.ts` must call exactly those.
//! - No module cycles: within a crate, no module names another (`crate::a::…`, `super::b::…`)
//!   that names it back, parents and their children aside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, root};

/// Each workspace package and the workspace packages it may depend on (normal and build
/// dependencies; dev-dependencies are free, within [`DEV_LIMITS`]).
pub(crate) const MAY_DEPEND_ON: &[(&str, &[&str])] = &[
    ("gatehouse-buzzin", &[]),
    // BAS-IP panels' wire types: shared by the panel client and the simulator, no rules.
    ("gatehouse-basip", &[]),
    // Gatehouse's reading of the panels and their client: no store, no Buzz-In.
    ("gatehouse-panels", &["gatehouse-basip"]),
    ("gatehouse-client", &["gatehouse-buzzin"]),
    ("gatehouse-cache", &["gatehouse-buzzin"]),
    // What is due and how it is told; the OS's notifications and the tray are the shell's.
    ("gatehouse-alerts", &["gatehouse-buzzin", "gatehouse-cache"]),
    // Data in, PDF bytes out: no store, no network.
    ("gatehouse-passes", &["gatehouse-buzzin"]),
    (
        "gatehouse-sync",
        &["gatehouse-buzzin", "gatehouse-cache", "gatehouse-client"],
    ),
    // The double must not share code with what it tests.
    (
        "gatehouse-sandbox",
        &["gatehouse-buzzin", "gatehouse-basip"],
    ),
    (
        "gatehouse-app",
        &[
            "gatehouse-buzzin",
            "gatehouse-cache",
            "gatehouse-client",
            "gatehouse-sync",
            "gatehouse-sandbox",
            "gatehouse-passes",
            "gatehouse-alerts",
            "gatehouse-panels",
            "gatehouse-basip",
        ],
    ),
    ("gatehouse-cli", &["gatehouse-app", "gatehouse-sandbox"]),
    ("gatehouse-desktop", &["gatehouse-app"]),
    (
        "gatehouse-testkit",
        &["gatehouse-buzzin", "gatehouse-client", "gatehouse-sandbox"],
    ),
    ("xtask", &[]),
];

/// Packages whose tests, too, go only through what they may use: the CLI's and the window's
/// tests drive what a user drives, with the test kit beside it.
const DEV_LIMITS: &[(&str, &[&str])] = &[
    (
        "gatehouse-cli",
        &["gatehouse-app", "gatehouse-sandbox", "gatehouse-testkit"],
    ),
    ("gatehouse-desktop", &["gatehouse-app", "gatehouse-testkit"]),
];

const TESTKIT: &str = "gatehouse-testkit";
const SHELL: &str = "gatehouse-desktop";

pub(crate) fn tidy() -> Result {
    let root = root();
    let mut broken = Vec::new();

    let out = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run `cargo metadata`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("`cargo metadata` printed something that is not JSON: {e}"))?;
    broken.extend(dependency_rules(&packages(&metadata)?));

    let read = |p: &str| {
        std::fs::read_to_string(root.join(p)).map_err(|e| format!("tidy cannot read {p}: {e}"))
    };
    broken.extend(command_rules(
        &read("src-tauri/src/command_list.rs")?,
        &read("src-tauri/capabilities/main.json")?,
        &read("ui/src/lib/ipc.ts")?,
    ));

    for dir in crate_sources(&root)? {
        let files = rust_files(&dir)?;
        let label = dir
            .strip_prefix(&root)
            .unwrap_or(&dir)
            .display()
            .to_string();
        broken.extend(
            module_cycles(&files)
                .into_iter()
                .map(|c| format!("{label}: {c}")),
        );
    }

    if broken.is_empty() {
        eprintln!("tidy: the dependency rules, the command list and the module graph hold.");
        Ok(())
    } else {
        Err(format!(
            "tidy found {} broken rule(s):\n- {}",
            broken.len(),
            broken.join("\n- ")
        ))
    }
}

// ---- dependencies --------------------------------------------------------------------------

/// A workspace package and its dependencies: (name, kind) with kind `normal`, `dev` or `build`.
#[derive(Debug)]
pub(crate) struct Package {
    name: String,
    deps: Vec<(String, String)>,
}

fn packages(metadata: &serde_json::Value) -> Result<Vec<Package>> {
    let list = metadata["packages"]
        .as_array()
        .ok_or("`cargo metadata` lists no packages")?;
    Ok(list
        .iter()
        .map(|p| Package {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            deps: p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap_or_default().to_owned(),
                        d["kind"].as_str().unwrap_or("normal").to_owned(),
                    )
                })
                .collect(),
        })
        .collect())
}

fn dependency_rules(packages: &[Package]) -> Vec<String> {
    let mut broken = Vec::new();
    let workspace: BTreeSet<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    for p in packages {
        let Some((_, allowed)) = MAY_DEPEND_ON.iter().find(|(n, _)| *n == p.name) else {
            broken.push(format!(
                "{} is not in tidy's map of who may depend on whom (xtask/src/tidy.rs, MAY_DEPEND_ON): add it there and to ARCHITECTURE.md's code map",
                p.name
            ));
            continue;
        };
        let dev_limit = DEV_LIMITS
            .iter()
            .find(|(n, _)| *n == p.name)
            .map(|(_, l)| *l);
        for (dep, kind) in &p.deps {
            if dep.starts_with("tauri") && p.name != SHELL && kind != "dev" {
                broken.push(format!(
                    "{} depends on {dep}, but only the desktop shell ({SHELL}) depends on Tauri: crates build and test without WebKit",
                    p.name
                ));
            }
            if !workspace.contains(dep.as_str()) {
                continue;
            }
            if kind == "dev" {
                if let Some(limit) = dev_limit
                    && !limit.contains(&dep.as_str())
                {
                    broken.push(format!(
                        "{}'s tests depend on {dep}, but they may use only {}: they drive what a user drives",
                        p.name,
                        limit.join(", ")
                    ));
                }
            } else if dep == TESTKIT {
                broken.push(format!(
                    "{} depends on {TESTKIT} as a {kind} dependency, but the test kit is only ever a dev-dependency",
                    p.name
                ));
            } else if !allowed.contains(&dep.as_str()) {
                broken.push(format!(
                    "{} depends on {dep}, but it may depend only on {}",
                    p.name,
                    if allowed.is_empty() {
                        "no workspace crate".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ));
            }
        }
    }
    broken
}

// ---- the command list ----------------------------------------------------------------------

/// The names in `$m! { a, b, ... }` of command_list.rs.
fn listed_commands(list: &str) -> Vec<String> {
    let code: String = list
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let list = code.as_str();
    let Some(start) = list.find("$m! {") else {
        return Vec::new();
    };
    let rest = &list[start + "$m! {".len()..];
    let body = &rest[..rest.find('}').unwrap_or(rest.len())];
    body.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The app's own commands the capability grants (`allow-approve-contractor` → `approve_contractor`).
fn granted_commands(capability: &str) -> Result<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(capability)
        .map_err(|e| format!("the window's capability is not JSON: {e}"))?;
    Ok(v["permissions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect())
}

/// The commands `ipc.ts` invokes: `call<…>('name'`.
fn called_commands(ipc: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = ipc;
    while let Some(i) = rest.find("call<") {
        rest = &rest[i + 5..];
        if let Some(j) = rest.find(">('") {
            let after = &rest[j + 3..];
            if let Some(end) = after.find('\'') {
                names.push(after[..end].to_owned());
            }
        }
    }
    names
}

fn command_rules(list: &str, capability: &str, ipc: &str) -> Vec<String> {
    let listed = listed_commands(list);
    if listed.is_empty() {
        return vec![
            "src-tauri/src/command_list.rs lists no command (its `$m! { … }` is missing)".into(),
        ];
    }
    let listed_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let mut broken = Vec::new();
    if listed_set.len() != listed.len() {
        broken.push("src-tauri/src/command_list.rs lists a command twice".into());
    }
    let compare = |broken: &mut Vec<String>, what: &str, names: &[String]| {
        let set: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        for missing in listed_set.difference(&set) {
            broken.push(format!(
                "{what} does not have the command `{missing}` that src-tauri/src/command_list.rs lists"
            ));
        }
        for extra in set.difference(&listed_set) {
            broken.push(format!(
                "{what} has `{extra}`, which src-tauri/src/command_list.rs does not list"
            ));
        }
    };
    match granted_commands(capability) {
        Ok(granted) => compare(&mut broken, "src-tauri/capabilities/main.json", &granted),
        Err(e) => broken.push(e),
    }
    compare(&mut broken, "ui/src/lib/ipc.ts", &called_commands(ipc));
    broken
}

// ---- module cycles -------------------------------------------------------------------------

/// The `src` folders of the workspace's crates.
fn crate_sources(root: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs = vec![root.join("src-tauri/src"), root.join("xtask/src")];
    let crates = std::fs::read_dir(root.join("crates"))
        .map_err(|e| format!("tidy cannot list crates/: {e}"))?;
    for entry in crates.flatten() {
        let src = entry.path().join("src");
        if src.is_dir() {
            dirs.push(src);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Every `.rs` file below `dir`, by its path relative to it, with its text.
fn rust_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("tidy cannot list {}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("tidy cannot read {}: {e}", path.display()))?;
                out.insert(rel, text);
            }
        }
    }
    Ok(out)
}

/// `lib.rs` → `[]`, `a.rs` → `[a]`, `a/mod.rs` → `[a]`, `a/b.rs` → `[a, b]`. `None` for files
/// that are no module of the crate (binaries under `bin/`).
fn module_of(file: &str) -> Option<Vec<String>> {
    let stem = file.strip_suffix(".rs")?;
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if parts.first().is_some_and(|p| p == "bin") {
        return None;
    }
    match parts.last().map(String::as_str) {
        Some("lib" | "main") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts)
}

/// The module paths a file's code names: `crate::a::b::Item` and `super::c::Item` (and the
/// paths inside `use crate::{a::X, b}`), made absolute. Comments are skipped.
fn named_paths(text: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for (prefix, base) in [
            ("crate::", Vec::new()),
            ("super::", here[..here.len().saturating_sub(1)].to_vec()),
        ] {
            let mut rest = code;
            while let Some(i) = rest.find(prefix) {
                // `xcrate::` or `my_super::` are other words.
                let before = rest[..i].chars().last();
                rest = &rest[i + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let groups: Vec<&str> = if let Some(inner) = rest.strip_prefix('{') {
                    let end = inner.find('}').unwrap_or(inner.len());
                    inner[..end].split(',').collect()
                } else {
                    vec![rest]
                };
                for g in groups {
                    let mut path = base.clone();
                    for seg in g.trim().split("::") {
                        let word: String = seg
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if word.is_empty() {
                            break;
                        }
                        path.push(word);
                        if !seg.chars().all(|c| c.is_alphanumeric() || c == '_') {
                            break;
                        }
                    }
                    found.push(path);
                }
            }
        }
    }
    found
}

/// Pairs of modules that name each other, directly or around a loop: one sentence each.
fn module_cycles(files: &BTreeMap<String, String>) -> Vec<String> {
    let modules: BTreeMap<Vec<String>, &str> = files
        .keys()
        .filter_map(|f| module_of(f).map(|m| (m, f.as_str())))
        .collect();
    let related = |a: &[String], b: &[String]| a.starts_with(b) || b.starts_with(a);
    // Edges to the longest known module each path starts with.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        for path in named_paths(&files[*file], module) {
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains_key(p));
            if let Some(t) = target
                && !related(module, &t)
            {
                edges.entry(module.clone()).or_default().insert(t);
            }
        }
    }
    let reaches = |from: &Vec<String>, to: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(m) = stack.pop() {
            if &m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                stack.extend(edges.get(&m).into_iter().flatten().cloned());
            }
        }
        false
    };
    let name = |m: &[String]| modules[m].to_owned();
    let mut cycles = BTreeSet::new();
    for (from, tos) in &edges {
        for to in tos {
            if reaches(to, from) {
                let (a, b) = if from < to { (from, to) } else { (to, from) };
                cycles.insert(format!(
                    "{} and {} name each other (a module cycle): move what both need into a module of its own",
                    name(a),
                    name(b)
                ));
            }
        }
    }
    cycles.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, deps: &[(&str, &str)]) -> Package {
        Package {
            name: name.into(),
            deps: deps
                .iter()
                .map(|(d, k)| ((*d).into(), (*k).into()))
                .collect(),
        }
    }

    #[test]
    fn the_dependency_map_is_kept_and_each_breach_is_named() {
        let ok = [
            pkg("gatehouse-buzzin", &[("serde", "normal")]),
            pkg(
                "gatehouse-cli",
                &[("gatehouse-app", "normal"), ("gatehouse-testkit", "dev")],
            ),
        ];
        assert!(
            dependency_rules(&ok).is_empty(),
            "{:?}",
            dependency_rules(&ok)
        );
        let bad = [
            pkg("gatehouse-buzzin", &[]),
            pkg("gatehouse-app", &[("gatehouse-buzzin", "normal")]),
            pkg(
                "gatehouse-cli",
                &[("gatehouse-cache", "normal"), ("gatehouse-sync", "dev")],
            ),
            pkg(
                "gatehouse-cache",
                &[("gatehouse-testkit", "normal"), ("tauri", "normal")],
            ),
            pkg("gatehouse-sync", &[]),
            pkg("gatehouse-testkit", &[]),
            pkg("gatehouse-panel", &[]),
        ];
        let broken = dependency_rules(&bad);
        assert_eq!(broken.len(), 5, "{broken:#?}");
        assert!(
            broken[0].contains("gatehouse-cli depends on gatehouse-cache"),
            "{}",
            broken[0]
        );
        assert!(
            broken[1].contains("gatehouse-cli's tests depend on gatehouse-sync"),
            "{}",
            broken[1]
        );
        assert!(broken.iter().any(|b| b.contains("only the desktop shell")));
        assert!(
            broken
                .iter()
                .any(|b| b.contains("only ever a dev-dependency"))
        );
        assert!(
            broken
                .iter()
                .any(|b| b.contains("gatehouse-panel is not in tidy's map"))
        );
    }

    const LIST: &str = "/// Calls `$m! { app_info, status, ... }`.\nmacro_rules! with_commands {\n ($m:ident) => {\n $m! {\n app_info,\n revoke_pass,\n }\n };\n}";

    #[test]
    fn the_capability_and_ipc_ts_must_match_the_command_list() {
        let cap = r#"{"permissions": ["allow-app-info", "allow-revoke-pass", "core:event:allow-listen"]}"#;
        let ipc = "appInfo: () => call<AppInfo>('app_info'),\n revokePass: (id) => call<ActionView>('revoke_pass', { id }),";
        assert_eq!(listed_commands(LIST), ["app_info", "revoke_pass"]);
        assert!(
            command_rules(LIST, cap, ipc).is_empty(),
            "{:?}",
            command_rules(LIST, cap, ipc)
        );

        let cap_short = r#"{"permissions": ["allow-app-info", "allow-outbox"]}"#;
        let ipc_short = "appInfo: () => call<AppInfo>('app_info'),";
        let broken = command_rules(LIST, cap_short, ipc_short);
        assert_eq!(broken.len(), 3, "{broken:#?}");
        assert!(broken[0].contains("main.json does not have the command `revoke_pass`"));
        assert!(broken[1].contains("main.json has `outbox`"));
        assert!(broken[2].contains("ipc.ts does not have the command `revoke_pass`"));
    }

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(f, t)| ((*f).into(), (*t).into()))
            .collect()
    }

    #[test]
    fn modules_that_name_each_other_are_a_cycle_and_parents_are_not() {
        let acyclic = tree(&[
            ("lib.rs", "mod a; mod b; mod c;\nuse crate::a::X;"),
            (
                "a.rs",
                "use crate::{b::Y, c};\n// crate::c::nothing in a comment",
            ),
            ("b.rs", "use crate::c::Z;"),
            ("c.rs", "pub struct Z; use crate::Error;"),
            ("w/mod.rs", "mod k; use k::Q; pub use crate::c::Z;"),
            ("w/k.rs", "use super::*; use crate::w::Thing;"),
        ]);
        assert!(
            module_cycles(&acyclic).is_empty(),
            "{:?}",
            module_cycles(&acyclic)
        );
        let cyclic = tree(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::Y;"),
            ("b.rs", "fn f() -> crate::a::X { todo!() }"),
            ("s/mod.rs", "mod p; mod q;"),
            ("s/p.rs", "use super::q::Thing;"),
            ("s/q.rs", "use crate::s::p::Other;"),
        ]);
        let found = module_cycles(&cyclic);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].starts_with("a.rs and b.rs name each other"),
            "{}",
            found[0]
        );
        assert!(found[1].starts_with("s/p.rs and s/q.rs"), "{}", found[1]);
    }
}
