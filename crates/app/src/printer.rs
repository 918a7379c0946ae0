//! Straight to a printer, where CUPS is (Linux, macOS): the PDF handed to CUPS's own `lp` with
//! the pass's media size and no scaling. A queue's default media (A4 on a fresh one) would
//! otherwise place a 62 × 100 mm label in the corner of an A4 page, or shrink it to fit.

use std::path::Path;
use std::process::Command;

use gatehouse_passes::Layout;

use crate::Error;

/// The longest printer name CUPS takes.
const NAME_MAX: usize = 127;

/// The CUPS `media` option for a layout: named for paper, custom in millimetres for labels.
pub fn cups_media(layout: Layout) -> String {
    match layout {
        Layout::A4 => "A4".into(),
        other => {
            let (w, h) = other.size_mm();
            format!("Custom.{w}x{h}mm")
        }
    }
}

/// A printer's name as CUPS allows it: printable, no space, `/`, `#` or `\`, at most 127
/// characters. Checked before it reaches `lp`'s command line.
pub(crate) fn check_name(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= NAME_MAX
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '/' | '#' | '\\'));
    if ok {
        Ok(name)
    } else {
        Err(Error::invalid_input(format!(
            "{} is not a printer name CUPS knows (no spaces, /, # or \\).",
            crate::validate::quoted(name)
        )))
    }
}

fn no_cups(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::not_found(
            "CUPS is not installed here (no `lp`): open the PDF and print it from your viewer.",
        )
    } else {
        Error::internal(format!("CUPS could not be asked: {e}."))
    }
}

/// The printers CUPS offers, by name.
pub fn printers() -> Result<Vec<String>, Error> {
    let out = Command::new("lpstat").arg("-e").output().map_err(no_cups)?;
    if !out.status.success() {
        // No printer at all is not an error of the desk's.
        return Ok(Vec::new());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| check_name(l).is_ok())
        .map(str::to_owned)
        .collect())
}

/// Sends `pdf` to `printer` at 100 % on the layout's media; CUPS's job id (`PDF-12`).
pub fn send(pdf: &Path, printer: &str, layout: Layout, title: &str) -> Result<String, Error> {
    let printer = check_name(printer)?;
    let out = Command::new("lp")
        .arg("-d")
        .arg(printer)
        .args(["-o", &format!("media={}", cups_media(layout))])
        .args(["-o", "print-scaling=none", "-o", "fit-to-page=false"])
        .arg("-t")
        .arg(title)
        .arg("--")
        .arg(pdf)
        .output()
        .map_err(no_cups)?;
    let said = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(Error::refused(format!(
            "The printer {printer} did not take the passes: {}",
            gatehouse_buzzin::inert::inert(why.trim().trim_start_matches("lp: "))
        )));
    }
    // "request id is PDF-12 (1 file(s))"
    Ok(said
        .split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .unwrap_or("")
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_layout_asks_for_its_own_media() {
        assert_eq!(cups_media(Layout::Label), "Custom.62x100mm");
        assert_eq!(cups_media(Layout::FourBySix), "Custom.101.6x152.4mm");
        assert_eq!(cups_media(Layout::A4), "A4");
    }

    #[test]
    fn a_printer_name_cannot_become_an_option() {
        assert!(check_name("Brother_QL-820NWB").is_ok());
        for bad in [
            "",
            "-o media=A4",
            "two words",
            "a/b",
            "x#1",
            &"p".repeat(128),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
