//! A real CUPS printer for tests: `cupsd` started if it is not running (as root, as on CI),
//! Debian's cups-pdf added as the queue [`PRINTER`], and the PDFs it writes found again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

/// The test queue's name.
pub const PRINTER: &str = "GatehouseTestPDF";

/// Makes sure CUPS runs with the cups-pdf queue [`PRINTER`]; returns where cups-pdf writes the
/// jobs of this user (`Out ${HOME}/PDF` in Debian's cups-pdf.conf).
pub fn pdf_printer() -> PathBuf {
    let running = || {
        Command::new("lpstat")
            .arg("-r")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("is running"))
            .unwrap_or(false)
    };
    if !running() {
        let started = Command::new("cupsd").status();
        assert!(
            started.is_ok_and(|s| s.success()),
            "CUPS is needed: apt-get install cups printer-driver-cups-pdf, and run as root"
        );
        let t = Instant::now();
        while !running() {
            assert!(t.elapsed().as_secs() < 15, "cupsd did not come up");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let added = Command::new("lpadmin")
        .args(["-p", PRINTER, "-v", "cups-pdf:/"])
        .args(["-m", "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd", "-E"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "lpadmin: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    PathBuf::from(std::env::var("HOME").unwrap()).join("PDF")
}

/// Waits (up to a minute) for cups-pdf to write, after `since`, the job whose title contains
/// `stem`, and returns it once it is whole.
pub fn printed(dir: &Path, stem: &str, since: SystemTime) -> PathBuf {
    let t = Instant::now();
    loop {
        let found = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries.flatten().map(|e| e.path()).find(|p| {
                p.to_string_lossy().contains(stem)
                    && p.extension().is_some_and(|x| x == "pdf")
                    && std::fs::metadata(p)
                        .and_then(|m| m.modified())
                        .is_ok_and(|m| m >= since)
            })
        });
        if let Some(p) = found {
            // Written whole once its size stops changing.
            let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            std::thread::sleep(Duration::from_millis(300));
            if size > 0 && std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0) == size {
                return p;
            }
        }
        assert!(
            t.elapsed().as_secs() < 60,
            "cups-pdf wrote nothing for {stem} in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
