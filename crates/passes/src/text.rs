//! Text on a pass: Noto Sans for Latin script and Noto Sans Arabic for Arabic (both OFL, embedded
//! and subset by printpdf), shaped by rustybuzz in the visual order unicode-bidi gives, so that
//! Arabic letters join and run right to left. printpdf's own text path maps characters to
//! glyphs one by one (no shaping, no bidi); here every glyph is placed where the shaper put it,
//! with the text it stands for attached, so a PDF's text can still be searched and copied.

use std::sync::OnceLock;

use printpdf::matrix::TextMatrix;
use printpdf::{Codepoint, FontId, Op, ParsedFont, PdfDocument, PdfFontHandle, Pt, TextItem};
use unicode_bidi::BidiInfo;

/// A weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Arabic,
}

struct Face {
    shaper: rustybuzz::Face<'static>,
    /// Shaping plans, left to right and right to left: made once, not for every line.
    plans: [rustybuzz::ShapePlan; 2],
    script: rustybuzz::Script,
    pdf: ParsedFont,
    units_per_em: f32,
}

struct Faces {
    /// Latin regular, Latin bold, Arabic regular, Arabic bold.
    faces: [Face; 4],
}

const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../fonts/NotoSansArabic-Bold.ttf"),
];

fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| Faces {
        faces: [0, 1, 2, 3].map(|i| {
            let bytes = FONTS[i];
            let shaper = rustybuzz::Face::from_slice(bytes, 0).expect("an embedded font parses");
            let pdf =
                ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("an embedded font parses");
            let script = if i < 2 {
                rustybuzz::script::LATIN
            } else {
                rustybuzz::script::ARABIC
            };
            let plan =
                |direction| rustybuzz::ShapePlan::new(&shaper, direction, Some(script), None, &[]);
            Face {
                units_per_em: shaper.units_per_em() as f32,
                plans: [
                    plan(rustybuzz::Direction::LeftToRight),
                    plan(rustybuzz::Direction::RightToLeft),
                ],
                script,
                shaper,
                pdf,
            }
        }),
    })
}

fn index(script: Script, weight: Weight) -> usize {
    match (script, weight) {
        (Script::Latin, Weight::Regular) => 0,
        (Script::Latin, Weight::Bold) => 1,
        (Script::Arabic, Weight::Regular) => 2,
        (Script::Arabic, Weight::Bold) => 3,
    }
}

/// The fonts of one document.
pub struct DocFonts {
    ids: [FontId; 4],
}

impl DocFonts {
    pub fn add_to(doc: &mut PdfDocument) -> DocFonts {
        let f = faces();
        DocFonts {
            ids: [0, 1, 2, 3].map(|i| doc.add_font(&f.faces[i].pdf)),
        }
    }
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Lines shaped already on this thread, by text and weight: a batch repeats most of a pass's
/// lines (the band, "VALID UNTIL", the footer) on every page.
pub fn shape_cached(text: &str, weight: Weight) -> Shaped {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        /// Regular and bold.
        static SHAPED: RefCell<[HashMap<String, Shaped>; 2]> = RefCell::default();
    }
    let bold = (weight == Weight::Bold) as usize;
    if let Some(hit) = SHAPED.with_borrow(|c| c[bold].get(text).cloned()) {
        return hit;
    }
    let shaped = shape(text, weight);
    SHAPED.with_borrow_mut(|c| {
        let c = &mut c[bold];
        // Bounded: a long-running app prints for months.
        if c.len() > 4096 {
            c.clear();
        }
        c.insert(text.to_owned(), shaped.clone());
    });
    shaped
}

/// One glyph, placed: its font, its id, the pen's position before it (in em from the line's
/// start), the shaper's offset of it from the pen (marks), how far it moves the pen, how far the
/// PDF viewer moves the pen after it (the font's own advance, as the PDF's widths say), and the
/// text it stands for.
#[derive(Clone)]
struct Glyph {
    face: usize,
    id: u16,
    pen_em: f32,
    dx_em: f32,
    dy_em: f32,
    advance_em: f32,
    width_em: f32,
    text: String,
}

/// A line of text, shaped: its glyphs in visual order, and its width in em. Cloned cheaply (lines
/// are kept by [`shape_cached`]).
#[derive(Clone)]
pub struct Shaped {
    glyphs: std::rc::Rc<[Glyph]>,
    width_em: f32,
}

impl Shaped {
    /// Its width in millimetres at `size` points.
    pub fn width_mm(&self, size: f32) -> f32 {
        self.width_em * size * 25.4 / 72.0
    }
}

/// Shapes `text` as one line: bidi runs in visual order, each split where the script changes.
/// Control and bidi control characters from the API are spaces (`inert`): the direction is the
/// bidi algorithm's, never a value's.
pub fn shape(text: &str, weight: Weight) -> Shaped {
    let text = gatehouse_buzzin::inert::inert(text);
    let text = text.as_ref();
    let f = faces();
    let mut glyphs = Vec::new();
    let mut pen = 0.0f32;
    if text.is_empty() {
        return Shaped {
            glyphs: glyphs.into(),
            width_em: 0.0,
        };
    }
    let bidi = BidiInfo::new(text, None);
    for para in &bidi.paragraphs {
        let line = para.range.clone();
        let (levels, runs) = bidi.visual_runs(para, line);
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            // Pieces of one script, in logical order; an RTL run shows them last to first.
            let mut pieces: Vec<(Script, std::ops::Range<usize>)> = Vec::new();
            for (i, c) in text[run.clone()].char_indices() {
                let at = run.start + i;
                let script = if is_arabic(c) {
                    Script::Arabic
                } else {
                    Script::Latin
                };
                match pieces.last_mut() {
                    // Spaces and punctuation stay with the piece they are in.
                    Some((s, r)) if *s == script || !c.is_alphanumeric() => {
                        r.end = at + c.len_utf8()
                    }
                    _ => pieces.push((script, at..at + c.len_utf8())),
                }
            }
            if rtl {
                pieces.reverse();
            }
            for (script, range) in pieces {
                let face = index(script, weight);
                let ff = &f.faces[face];
                let piece = &text[range.clone()];
                let mut buf = rustybuzz::UnicodeBuffer::new();
                buf.push_str(piece);
                buf.set_direction(if rtl {
                    rustybuzz::Direction::RightToLeft
                } else {
                    rustybuzz::Direction::LeftToRight
                });
                buf.set_script(ff.script);
                let out = rustybuzz::shape_with_plan(&ff.shaper, &ff.plans[rtl as usize], buf);
                let infos = out.glyph_infos();
                let positions = out.glyph_positions();
                // Each cluster's text goes with its first glyph.
                let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
                starts.sort_unstable();
                starts.dedup();
                let mut given = std::collections::HashSet::new();
                for (g, p) in infos.iter().zip(positions) {
                    let start = g.cluster as usize;
                    let end = starts
                        .iter()
                        .find(|&&s| s > start)
                        .copied()
                        .unwrap_or(piece.len());
                    let text = if given.insert(start) {
                        let logical = &piece[start..end];
                        // Extractors (poppler, pdf.js) reverse a right-to-left line character
                        // by character, the text of a ligature (لا) with it: it is stored
                        // reversed so that it comes out in logical order.
                        if rtl {
                            logical.chars().rev().collect()
                        } else {
                            logical.to_owned()
                        }
                    } else {
                        String::new()
                    };
                    let id = g.glyph_id as u16;
                    let width = ff
                        .shaper
                        .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(id))
                        .unwrap_or(0);
                    let advance_em = p.x_advance as f32 / ff.units_per_em;
                    glyphs.push(Glyph {
                        face,
                        id,
                        pen_em: pen,
                        dx_em: p.x_offset as f32 / ff.units_per_em,
                        dy_em: p.y_offset as f32 / ff.units_per_em,
                        advance_em,
                        // printpdf's `/W`: whole thousandths of an em, cut.
                        width_em: (width as f32 * 1000.0 / ff.units_per_em).trunc() / 1000.0,
                        text,
                    });
                    pen += advance_em;
                }
            }
        }
    }
    Shaped {
        glyphs: glyphs.into(),
        width_em: pen,
    }
}

/// The ops that draw `shaped` at `size` points with its baseline's start at (`x_pt`, `y_pt`)
/// from the page's bottom left.
///
/// Glyphs of one font that the shaper left on the pen go in one text-showing operation, each
/// followed by the difference (in thousandths of an em) between where the font's width would
/// move the pen and where the shaper put the next glyph: kerning, Arabic joining. A glyph the
/// shaper moved off the pen (a mark) is placed on its own.
pub fn draw(fonts: &DocFonts, shaped: &Shaped, size: f32, x_pt: f32, y_pt: f32) -> Vec<Op> {
    let mut ops = vec![Op::StartTextSection];
    let mut current = None;
    let mut run: Vec<Codepoint> = Vec::new();
    let flush = |ops: &mut Vec<Op>, run: &mut Vec<Codepoint>| {
        if !run.is_empty() {
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(std::mem::take(run))],
            });
        }
    };
    let mut open = false;
    for g in shaped.glyphs.iter() {
        let placed = g.dx_em != 0.0 || g.dy_em != 0.0;
        if current != Some(g.face) || placed || !open {
            flush(&mut ops, &mut run);
            if current != Some(g.face) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(fonts.ids[g.face].clone()),
                    size: Pt(size),
                });
                current = Some(g.face);
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Raw([
                    1.0,
                    0.0,
                    0.0,
                    1.0,
                    x_pt + (g.pen_em + g.dx_em) * size,
                    y_pt + g.dy_em * size,
                ]),
            });
        }
        // TJ numbers move the pen back: the font's width less the shaper's advance.
        let offset = ((g.width_em - g.advance_em) * 1000.0 * 100.0).round() / 100.0;
        run.push(Codepoint {
            gid: g.id,
            offset: if placed { 0.0 } else { offset },
            cid: (!g.text.is_empty()).then(|| g.text.clone()),
        });
        // After a placed glyph, the next starts afresh at its own pen.
        open = !placed;
    }
    flush(&mut ops, &mut run);
    ops.push(Op::EndTextSection);
    ops
}
