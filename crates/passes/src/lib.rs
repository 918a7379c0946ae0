//! Printed QR permit passes: data in, PDF bytes out. No Tauri, no database, no files.
//!
//! - [`Layout`]s, each page exactly its media: a 62 × 100 mm label (the default), 4 × 6 in, A4.
//! - The QR holds the permit's code ([`Pass::code`]), error correction Q, drawn as vector paths
//!   with a 4-module quiet zone and modules snapped to whole dots at the printer's resolution
//!   ([`Options::dpi`]).
//! - Text in Noto Sans and Noto Sans Arabic (OFL, `fonts/OFL.txt`), embedded and subset,
//!   shaped by rustybuzz with unicode-bidi so that Arabic joins and reads right to left.
//! - [`Printability::check`] says, in one [`Refusal`], why a permit's pass may not be printed;
//!   [`render_batch`] prints the rest of a batch and lists the refused.

mod layout;
mod qr;
mod refusal;
mod text;

use gatehouse_buzzin::{PermitType, Timestamp};
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions};

pub use layout::{Layout, community_time, grouped};
pub use refusal::{Printability, Refusal};

/// What a pass shows.
#[derive(Debug, Clone)]
pub struct Pass {
    /// `WP-002391`.
    pub pass_number: String,
    /// What the QR holds and is printed under it: the permit's `qrToken` (its `accessCode`).
    pub code: String,
    pub permit_type: Option<PermitType>,
    pub valid_from: Option<Timestamp>,
    pub valid_till: Timestamp,
    /// The daily window, `HH:MM` in community time.
    pub daily: Option<(String, String)>,
    pub company: String,
    pub representative: String,
    /// Where it is good, named: `Marina Tower 2 · 1004`.
    pub place: String,
    pub workers: Option<u32>,
    pub printed_at: Timestamp,
    pub printed_by: String,
    /// The profile (community) it was printed on.
    pub profile: String,
    /// Printed while offline: the data is as of then.
    pub offline_as_of: Option<Timestamp>,
}

/// How passes are printed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub layout: Layout,
    /// The printer's resolution: QR modules are whole dots at it (300 for Brother QL and DYMO,
    /// 203 for Zebra-class printers).
    pub dpi: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            layout: Layout::Label,
            dpi: 300,
        }
    }
}

/// The resolutions a desk may set.
pub const DPI_RANGE: std::ops::RangeInclusive<u32> = 150..=1200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassError {
    #[error("the code cannot be drawn as a QR symbol: {0}")]
    Qr(String),
    #[error("{pass} does not fit on its page")]
    Overflow { pass: String },
    #[error("a printer resolution is 150 to 1200 dpi, not {0}")]
    Dpi(u32),
    #[error("there is no pass to print")]
    Empty,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// One PDF of `passes`, a pass a page. `progress` hears (done, total) after each page.
pub fn render(
    passes: &[Pass],
    options: Options,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<u8>, PassError> {
    if !DPI_RANGE.contains(&options.dpi) {
        return Err(PassError::Dpi(options.dpi));
    }
    if passes.is_empty() {
        return Err(PassError::Empty);
    }
    let title = match passes {
        [one] => format!("Permit pass {}", one.pass_number),
        many => format!("{} permit passes", many.len()),
    };
    let mut doc = PdfDocument::new(&title);
    let fonts = text::DocFonts::add_to(&mut doc);
    // Pages are drawn on every core (each is its own QR and text), in order; the PDF is one.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(passes.len().div_ceil(8));
    let chunk = passes.len().div_ceil(threads.max(1));
    let (done, heard) = std::sync::mpsc::channel::<()>();
    let parts: Vec<Result<Vec<PdfPage>, PassError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = passes
            .chunks(chunk)
            .map(|part| {
                let (fonts, done) = (&fonts, done.clone());
                scope.spawn(move || {
                    part.iter()
                        .map(|pass| {
                            let page = layout::page(fonts, pass, options.layout, options.dpi);
                            let _ = done.send(());
                            page
                        })
                        .collect()
                })
            })
            .collect();
        drop(done);
        for (i, ()) in heard.iter().enumerate() {
            progress(i + 1, passes.len());
        }
        workers
            .into_iter()
            .map(|w| w.join().expect("a page is drawn without panicking"))
            .collect()
    });
    let mut pages = Vec::with_capacity(passes.len());
    for part in parts {
        pages.extend(part?);
    }
    let mut warnings = Vec::new();
    // `secure: false` lets through operators printpdf has no op for: the QR's `re` path
    // (`qr::draw`). Every op here is this crate's own; nothing is parsed from outside.
    // `optimize: false`: the streams are compressed below, not by printpdf.
    let options = PdfSaveOptions {
        secure: false,
        optimize: false,
        ..PdfSaveOptions::default()
    };
    let mut pdf = doc
        .with_pages(pages)
        .to_lopdf_document(&options, &mut warnings);
    compress(&mut pdf);
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| PassError::Write(e.to_string()))?;
    Ok(out)
}

/// Deflates every stream that may be, on every core, at zlib's default level: what printpdf
/// would do (lopdf's `Stream::compress`) at a level a hundred passes a second can afford.
fn compress(pdf: &mut lopdf::Document) {
    use std::io::Write as _;
    let mut streams: Vec<&mut lopdf::Stream> = pdf
        .objects
        .values_mut()
        .filter_map(|o| match o {
            lopdf::Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => {
                Some(s)
            }
            _ => None,
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = streams.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in streams.chunks_mut(chunk) {
            scope.spawn(move || {
                for s in part {
                    let mut z =
                        flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                    if z.write_all(&s.content).is_err() {
                        continue;
                    }
                    let Ok(packed) = z.finish() else { continue };
                    if packed.len() + 19 < s.content.len() {
                        s.dict.set("Filter", "FlateDecode");
                        s.set_content(packed);
                    }
                }
            });
        }
    });
}

/// A batch: the passes that may print, in one PDF, and the ones refused with why.
pub struct Batch {
    /// `None` when every pass was refused: no file is to be written.
    pub pdf: Option<Vec<u8>>,
    pub printed: Vec<String>,
    pub refused: Vec<Refusal>,
}

/// Checks each permit at `now`, prints the ones that may print and lists the others.
pub fn render_batch(
    items: &[(Printability, Pass)],
    options: Options,
    now: Timestamp,
    progress: impl FnMut(usize, usize),
) -> Result<Batch, PassError> {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for (facts, pass) in items {
        match facts.check(now) {
            Ok(()) => ok.push(pass.clone()),
            Err(r) => refused.push(r),
        }
    }
    let printed = ok.iter().map(|p| p.pass_number.clone()).collect();
    let pdf = if ok.is_empty() {
        None
    } else {
        Some(render(&ok, options, progress)?)
    };
    Ok(Batch {
        pdf,
        printed,
        refused,
    })
}
