//! Counting tests: the runners' own summary lines, read as their output streams through, for the
//! closing `tests: N passed, N failed` line CI reads.

use std::cell::{Cell, RefCell};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::{Result, command, succeeded};

/// Test counts gathered from the runners' own summary lines.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) passed: Cell<u64>,
    pub(crate) failed: Cell<u64>,
    /// Each failing test's name and the first lines of its panic, for the digest printed last
    /// (a CI log is often read from its end, where a backtrace would bury the message).
    pub(crate) failures: RefCell<Vec<String>>,
    /// The failing test whose captured output is being read, and the lines kept of it.
    reading: RefCell<Option<(String, Vec<String>)>>,
}

/// How many lines of a failure's panic the digest keeps.
const DIGEST_LINES: usize = 4;

impl Tally {
    /// Reads one line of runner output: cargo's `test result: ok. 3 passed; 1 failed; ...` or
    /// vitest's `Tests  7 passed (7)` / `Tests  1 failed | 6 passed (7)`.
    fn read(&self, line: &str) {
        let plain = strip_ansi(line);
        self.read_failure(&plain);
        let line = plain.trim();
        let counted = if let Some(rest) = line.strip_prefix("test result:") {
            rest
        } else if let Some(rest) = line.strip_prefix("Tests ") {
            rest
        } else {
            return;
        };
        let words: Vec<&str> = counted
            .split(|c: char| c.is_whitespace() || c == ';' || c == '|' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            if let Ok(n) = pair[0].parse::<u64>() {
                match pair[1] {
                    "passed" => self.passed.set(self.passed.get() + n),
                    "failed" => self.failed.set(self.failed.get() + n),
                    _ => {}
                }
            }
        }
    }
}

impl Tally {
    /// Follows libtest's `---- name stdout ----` sections: keeps the panic's first lines.
    fn read_failure(&self, line: &str) {
        let mut reading = self.reading.borrow_mut();
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            self.finish(reading.take());
            *reading = Some((name.to_owned(), Vec::new()));
            return;
        }
        let Some((_, kept)) = reading.as_mut() else {
            return;
        };
        let started = !kept.is_empty();
        if line.contains(" panicked at ") || (started && kept.len() < DIGEST_LINES) {
            if line.starts_with("stack backtrace:")
                || line.starts_with("note: ")
                || line == "failures:"
            {
                self.finish(reading.take());
                return;
            }
            kept.push(line.chars().take(300).collect());
        }
    }

    fn finish(&self, read: Option<(String, Vec<String>)>) {
        if let Some((name, kept)) = read
            && !kept.is_empty()
        {
            self.failures
                .borrow_mut()
                .push(format!("{name}\n    {}", kept.join("\n    ")));
        }
    }

    /// Every failure kept, the last one read included.
    pub(crate) fn digest(&self) -> Vec<String> {
        self.finish(self.reading.borrow_mut().take());
        self.failures.borrow().clone()
    }
}

/// Removes terminal colour sequences (`ESC [ ... letter`), which some runners print regardless.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`sh_env`], streaming the command's stdout through while counting its test results.
pub(crate) fn sh_counted(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    tally: &Tally,
) -> Result {
    let (mut cmd, line) = command(program, args, env);
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{line}`: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut out = std::io::stdout().lock();
    for text in BufReader::new(stdout).lines() {
        let text = text.map_err(|e| format!("reading `{line}`: {e}"))?;
        tally.read(&text);
        let _ = writeln!(out, "{text}");
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{line}`: {e}"))?;
    succeeded(&line, status)
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn counts_cargo_and_vitest_summary_lines() {
        let t = Tally::default();
        t.read("test result: ok. 9 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        t.read("test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        t.read("      Tests  1 failed | 6 passed (7)");
        t.read("      Tests  7 passed (7)");
        t.read("\u{1b}[2m      Tests \u{1b}[22m \u{1b}[1m\u{1b}[32m5 passed\u{1b}[39m\u{1b}[22m\u{1b}[90m (5)\u{1b}[39m");
        t.read("running 3 tests");
        t.read("test a_b ... ok");
        assert_eq!((t.passed.get(), t.failed.get()), (29, 2));
    }

    #[test]
    fn keeps_each_failure_s_panic_for_the_digest() {
        let t = Tally::default();
        for line in [
            "running 2 tests",
            "failures:",
            "",
            "---- desk::a_test stdout ----",
            "",
            "thread 'desk::a_test' panicked at tests/desktop/desk.rs:10:5:",
            "data-testid=check-word: not after 20s; last seen: \"VALID\"",
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
            "",
            "---- desk::b_test stdout ----",
            "thread 'desk::b_test' panicked at tests/desktop/desk.rs:20:5:",
            "hidden in the tray: not after 20s",
            "stack backtrace:",
            "   0: rust_begin_unwind",
            "failures:",
            "    desk::a_test",
        ] {
            t.read(line);
        }
        let d = t.digest();
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d[0].starts_with(
                "desk::a_test\n    thread 'desk::a_test' panicked at tests/desktop/desk.rs:10:5:"
            ),
            "{d:?}"
        );
        assert!(d[0].contains("last seen: \"VALID\""), "{d:?}");
        assert!(!d[0].contains("note:"), "{d:?}");
        assert!(d[1].ends_with("hidden in the tray: not after 20s"), "{d:?}");
    }
}
