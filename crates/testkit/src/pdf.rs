//! PDFs read back as a viewer and a scanner would: poppler's pdftoppm renders a page, rqrr
//! decodes the QR codes in its pixels, pdftotext and pdfinfo give the text and the page sizes.
//! qpdf checks their structure. (Debian's poppler-utils and qpdf; `cargo xtask deps` installs
//! them.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(name: &str) -> &str {
    if Command::new(name).arg("-v").output().is_err() {
        let package = if name == "qpdf" {
            "qpdf"
        } else {
            "poppler-utils"
        };
        panic!("{name} is missing: apt-get install {package}");
    }
    name
}

/// The QR contents of page 1, rendered by pdftoppm at `dpi` and decoded by rqrr.
pub fn decode(pdf: &Path, dpi: u32) -> Vec<String> {
    decode_page(pdf, dpi, 1)
}

/// The QR contents of page `page` (from 1), rendered by pdftoppm at `dpi` and decoded by rqrr.
pub fn decode_page(pdf: &Path, dpi: u32, page: usize) -> Vec<String> {
    if let Some(keep) = std::env::var_os("GATEHOUSE_KEEP_PASSES") {
        let _ = std::fs::copy(pdf, Path::new(&keep).join(pdf.file_name().unwrap()));
    }
    let page = page.to_string();
    let out = pdf.with_extension(format!("{dpi}-{page}"));
    let status = Command::new(tool("pdftoppm"))
        .args([
            "-r",
            &dpi.to_string(),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            &page,
            "-l",
            &page,
        ])
        .arg(pdf)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let png_path = PathBuf::from(format!("{}.png", out.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_path).unwrap(),
    ))
    .read_info()
    .unwrap();
    let mut buf = vec![0u8; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => panic!("pdftoppm wrote {other:?}"),
    };
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[(y * w + x) * channels]);
    img.detect_grids()
        .iter()
        .map(|g| g.decode().expect("the QR decodes").1)
        .collect()
}

pub fn text_of(pdf: &Path) -> String {
    let out = Command::new(tool("pdftotext"))
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// What qpdf's structural check (`qpdf --check`: the cross-reference table, every object, the
/// page tree and its parents, the streams) and poppler, reading every page, say is wrong with
/// the file: empty for a sound PDF. (Debian's qpdf; `cargo xtask deps` installs it.)
pub fn complaints(pdf: &Path) -> String {
    let mut said = String::new();
    let check = Command::new(tool("qpdf"))
        .arg("--check")
        .arg(pdf)
        .output()
        .unwrap();
    if !check.status.success() || !check.stderr.is_empty() {
        said.push_str(&String::from_utf8_lossy(&check.stdout));
        said.push_str(&String::from_utf8_lossy(&check.stderr));
    }
    let text = Command::new(tool("pdftotext"))
        .arg(pdf)
        .arg("/dev/null")
        .output()
        .unwrap();
    said.push_str(&String::from_utf8_lossy(&text.stderr));
    if !text.status.success() {
        said.push_str(&format!("pdftotext: {}", text.status));
    }
    said
}

/// Page sizes in points, as pdfinfo reads them.
pub fn page_sizes(pdf: &Path) -> Vec<(f32, f32)> {
    let out = Command::new(tool("pdfinfo"))
        .args(["-f", "1", "-l", "10000"])
        .arg(pdf)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .map(|l| {
            let dims: Vec<f32> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            // "Page    1 size: 175.748 x 283.465 pts": the page number, then the two sides.
            (dims[dims.len() - 2], dims[dims.len() - 1])
        })
        .collect()
}
