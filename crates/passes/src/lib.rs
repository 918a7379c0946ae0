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
use printpdf::{PdfDocument, PdfSaveOptions, XObject, XObjectId};

pub use gatehouse_buzzin::community_time;
pub use layout::{Layout, grouped};
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
    // The batch is cut into parts of at most `PART` pages, by its length alone (the same PDF on
    // any machine). Each part is drawn, made a PDF and deflated on a thread of its own
    // (printpdf makes a document on one thread); the parts are then joined into one PDF.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = passes.len().div_ceil(PART);
    let chunk = passes.len().div_ceil(parts);
    let (done, heard) = std::sync::mpsc::channel::<()>();
    let made: Vec<Result<lopdf::Document, PassError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = passes
            .chunks(chunk)
            .map(|part| {
                let (title, done) = (&title, done.clone());
                // A lone part deflates on every core.
                let deflaters = if parts == 1 { cores } else { 1 };
                scope.spawn(move || {
                    part_pdf(title, part, options, deflaters, || {
                        let _ = done.send(());
                    })
                })
            })
            .collect();
        drop(done);
        for (i, ()) in heard.iter().enumerate() {
            progress(i + 1, passes.len());
        }
        workers
            .into_iter()
            .map(|w| w.join().expect("a part is drawn without panicking"))
            .collect()
    });
    let mut made = made.into_iter();
    let mut pdf = made.next().expect("at least one part")?;
    for part in made {
        append(&mut pdf, part?)?;
    }
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| PassError::Write(e.to_string()))?;
    Ok(out)
}

/// The most pages drawn as one part of a batch: parts run on every core, and each carries its own
/// subset of the fonts (about 20 KB).
pub const PART: usize = 250;

/// One part of a batch as a PDF of its own, its streams deflated on `deflaters` threads;
/// `drawn` hears of each page.
fn part_pdf(
    title: &str,
    passes: &[Pass],
    options: Options,
    deflaters: usize,
    drawn: impl Fn(),
) -> Result<lopdf::Document, PassError> {
    let mut doc = PdfDocument::new(title);
    let fonts = text::DocFonts::add_to(&mut doc);
    let mut pages = Vec::with_capacity(passes.len());
    for (i, pass) in passes.iter().enumerate() {
        // Each page's QR is a form XObject of its own, named by the page's number.
        let id = XObjectId(format!("QR{i}"));
        let (page, form) = layout::page(&fonts, pass, options.layout, options.dpi, &id)?;
        doc.resources
            .xobjects
            .map
            .insert(id, XObject::External(form));
        pages.push(page);
        drawn();
    }
    let save = PdfSaveOptions {
        // Every op is this crate's own, none parsed from outside; printpdf checks them all.
        secure: true,
        // The streams are deflated below, not by printpdf.
        optimize: false,
        ..PdfSaveOptions::default()
    };
    doc.with_pages(pages);
    let mut pdf = doc.to_lopdf_document(&save, &mut Vec::new());
    // printpdf's document (its pages of ops) is freed while the streams are deflated.
    std::thread::scope(|scope| {
        scope.spawn(move || drop(doc));
        compress(&mut pdf, deflaters);
    });
    Ok(pdf)
}

/// `other`'s pages, with all they use, appended to `pdf`'s.
fn append(pdf: &mut lopdf::Document, mut other: lopdf::Document) -> Result<(), PassError> {
    use lopdf::Object;
    let broken = |e: lopdf::Error| PassError::Write(format!("the parts do not join: {e}"));
    other.renumber_objects_with(pdf.max_id + 1);
    let pages_of = |doc: &lopdf::Document| {
        doc.catalog()
            .and_then(|c| c.get(b"Pages"))
            .and_then(Object::as_reference)
            .map_err(broken)
    };
    let (root, other_root) = (pages_of(pdf)?, pages_of(&other)?);
    let kids: Vec<lopdf::ObjectId> = other.get_pages().into_values().collect();
    for kid in &kids {
        if let Some(Object::Dictionary(page)) = other.objects.get_mut(kid) {
            page.set("Parent", Object::Reference(root));
        }
    }
    // `other`'s catalog, page tree root and info are left behind, unreferenced (pruned below).
    other.objects.remove(&other_root);
    pdf.objects.extend(other.objects);
    pdf.max_id = pdf.max_id.max(other.max_id);
    let tree = pdf
        .get_object_mut(root)
        .and_then(Object::as_dict_mut)
        .map_err(broken)?;
    let count = tree.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
    tree.set("Count", count + kids.len() as i64);
    tree.get_mut(b"Kids")
        .and_then(Object::as_array_mut)
        .map_err(broken)?
        .extend(kids.into_iter().map(Object::Reference));
    pdf.prune_objects();
    // The trailer's `Size` is one more than the highest object left.
    pdf.max_id = pdf.objects.keys().map(|(id, _)| *id).max().unwrap_or(0);
    Ok(())
}

/// Deflates every stream that may be, on `threads` threads, at a level a hundred passes a second
/// can afford: what printpdf would do (lopdf's `Stream::compress`), faster.
fn compress(pdf: &mut lopdf::Document, threads: usize) {
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
    let chunk = streams.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for part in streams.chunks_mut(chunk) {
            scope.spawn(move || {
                // One compressor a thread, reset between streams: its state is hundreds of KB.
                let new = || flate2::write::ZlibEncoder::new(Vec::new(), LEVEL);
                let mut z = new();
                for s in part {
                    let packed = z.write_all(&s.content).and_then(|()| z.reset(Vec::new()));
                    let Ok(packed) = packed else {
                        z = new();
                        continue;
                    };
                    if packed.len() + 19 < s.content.len() {
                        s.dict.set("Filter", "FlateDecode");
                        s.set_content(packed);
                    }
                }
            });
        }
    });
}

/// zlib level 3 (zlib-rs): a thousand passes 2.54 MB against 2.43 MB at the default 6, in half
/// the time.
const LEVEL: flate2::Compression = flate2::Compression::new(3);

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The joined parts are one page tree: every page's parent is the document's root, the count
    /// is the pages', and nothing is left that no page or catalog uses.
    #[test]
    fn parts_join_into_one_page_tree() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let pass = |i: usize| Pass {
            pass_number: format!("WP-{i:06}"),
            code: format!("{i:0>8}Q9ZTM4XB1RPA8VC0"),
            permit_type: None,
            valid_from: None,
            valid_till: at("2026-12-24T14:00:00.000Z"),
            daily: None,
            company: "Oasis Painting LLC".into(),
            representative: String::new(),
            place: "Marina Tower 2 · 1004".into(),
            workers: None,
            printed_at: at("2026-12-01T08:05:00.000Z"),
            printed_by: "desk-1".into(),
            profile: "marina".into(),
            offline_as_of: None,
        };
        let passes: Vec<Pass> = (0..2 * PART + 1).map(pass).collect();
        let bytes = render(&passes, Options::default(), |_, _| {}).unwrap();
        let mut pdf = lopdf::Document::load_mem(&bytes).unwrap();
        let root = pdf
            .catalog()
            .unwrap()
            .get(b"Pages")
            .unwrap()
            .as_reference()
            .unwrap();
        let pages = pdf.get_pages();
        assert_eq!(pages.len(), passes.len());
        for id in pages.values() {
            let page = pdf.get_dictionary(*id).unwrap();
            assert_eq!(page.get(b"Parent").unwrap().as_reference().unwrap(), root);
        }
        let tree = pdf.get_dictionary(root).unwrap();
        assert_eq!(
            tree.get(b"Count").unwrap().as_i64().unwrap(),
            passes.len() as i64
        );
        assert_eq!(pdf.prune_objects(), Vec::new(), "nothing unused is left");
    }
}
