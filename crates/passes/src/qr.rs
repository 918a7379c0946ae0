//! The pass's QR symbol: error correction Q, a 4-module quiet zone, drawn as vector paths (one
//! filled path of rectangles over runs of dark modules, no seams between them), with
//! each module a whole number of printer dots so that a thermal printer does not round some
//! modules up and others down.

use printpdf::matrix::CurTransMat;
use printpdf::{DictItem, ExternalStream, ExternalXObject, Op, XObjectId, XObjectTransform};
use qrcode::EcLevel;
use qrcode::canvas::{Canvas, MaskPattern};

use crate::PassError;

/// Modules of quiet zone on each side.
pub const QUIET_ZONE: usize = 4;

/// A QR symbol, ready to place.
pub struct Symbol {
    /// Modules across, the quiet zone excluded.
    pub modules: usize,
    dark: Vec<bool>,
}

impl Symbol {
    /// The symbol `QrCode::with_error_correction_level(content, Q)` draws, module for module,
    /// with the mask chosen faster (see [`best_mask`]).
    pub fn encode(content: &str) -> Result<Symbol, PassError> {
        let qr = |e: qrcode::types::QrError| PassError::Qr(e.to_string());
        let bits = qrcode::bits::encode_auto(content.as_bytes(), EcLevel::Q).map_err(qr)?;
        let version = bits.version();
        let (data, ec) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::Q).map_err(qr)?;
        let mut canvas = Canvas::new(version, EcLevel::Q);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        let dark = best_mask(canvas, version);
        Ok(Symbol {
            modules: version.width() as usize,
            dark,
        })
    }

    /// Modules across, the quiet zone included.
    pub fn modules_with_quiet_zone(&self) -> usize {
        self.modules + 2 * QUIET_ZONE
    }
}

/// The eight masks in the order qrcode tries them: the first of the lowest penalty wins.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The masked symbol qrcode's `Canvas::apply_best_mask` would choose, as dark modules row by row.
///
/// qrcode 0.14 scores its finder-like patterns through a boxed closure allocated at every module
/// of every line of every mask: about a millisecond a pass, most of a batch's time. Here the
/// symbol is read once as rows and columns of bits; each mask is what qrcode's own
/// `apply_mask` changes on a symbol of that version (its [`MaskLayers`], made by qrcode), and
/// the scores are the same rules scored the same way on bits. The test
/// `masks_are_qrcode_s_own_choice` holds the result to qrcode's symbols. A symbol wider than 128
/// modules (a payload of a kilobyte) is left to qrcode's own choice.
fn best_mask(canvas: Canvas, version: qrcode::Version) -> Vec<bool> {
    let n = version.width() as usize;
    if n > 128 {
        return canvas
            .apply_best_mask()
            .into_colors()
            .into_iter()
            .map(|m| m == qrcode::Color::Dark)
            .collect();
    }
    let plain = Lines::of(&canvas.into_colors(), n);
    let layers = MaskLayers::of(version);
    let mut best: Option<(u32, Lines)> = None;
    for layer in layers.iter() {
        let masked = plain.xor(layer);
        let score = penalty(&masked.rows, &masked.columns, n);
        if best.as_ref().is_none_or(|(least, _)| score < *least) {
            best = Some((score, masked));
        }
    }
    let rows = best.expect("eight masks").1.rows;
    rows.iter()
        .flat_map(|row| (0..n).map(move |col| row >> col & 1 == 1))
        .collect()
}

/// A symbol of up to 128 modules across as bits: bit `c` of row `r` and bit `r` of column `c`
/// are module (`r`, `c`), set when dark.
#[derive(Clone)]
struct Lines {
    rows: Vec<u128>,
    columns: Vec<u128>,
}

impl Lines {
    fn of(colors: &[qrcode::Color], n: usize) -> Lines {
        let (mut rows, mut columns) = (vec![0u128; n], vec![0u128; n]);
        for (r, line) in colors.chunks_exact(n).enumerate() {
            for (c, color) in line.iter().enumerate() {
                let dark = (*color == qrcode::Color::Dark) as u128;
                rows[r] |= dark << c;
                columns[c] |= dark << r;
            }
        }
        Lines { rows, columns }
    }

    fn xor(&self, other: &Lines) -> Lines {
        let xor = |a: &[u128], b: &[u128]| a.iter().zip(b).map(|(a, b)| a ^ b).collect();
        Lines {
            rows: xor(&self.rows, &other.rows),
            columns: xor(&self.columns, &other.columns),
        }
    }
}

/// For each mask in qrcode's order, the modules its `apply_mask` turns over on a symbol of one
/// version at Q: the data modules the mask inverts, and the format information it writes.
///
/// A canvas holding only the functional patterns, masked by qrcode, against the same unmasked:
/// qrcode masks an empty data module as it masks a light one, so the difference is the same on
/// every symbol of the version. Made once a version and thread.
struct MaskLayers;

impl MaskLayers {
    fn of(version: qrcode::Version) -> std::rc::Rc<[Lines; 8]> {
        use std::collections::HashMap;
        use std::rc::Rc;
        thread_local! {
            static MADE: std::cell::RefCell<HashMap<i16, Rc<[Lines; 8]>>> = Default::default();
        }
        let n = version.width() as usize;
        MADE.with_borrow_mut(|made| {
            made.entry(version.width())
                .or_insert_with(|| {
                    let mut functional = Canvas::new(version, EcLevel::Q);
                    functional.draw_all_functional_patterns();
                    let plain = Lines::of(&functional.clone().into_colors(), n);
                    Rc::new(MASKS.map(|mask| {
                        let mut c = functional.clone();
                        c.apply_mask(mask);
                        Lines::of(&c.into_colors(), n).xor(&plain)
                    }))
                })
                .clone()
        })
    }
}

/// Bits `from..to` of a line (none when `from >= to`).
fn bits(from: usize, to: usize) -> u128 {
    let upto = |k: usize| if k >= 128 { !0 } else { (1u128 << k) - 1 };
    if from >= to {
        0
    } else {
        upto(to) & !upto(from)
    }
}

/// qrcode's penalty for a masked symbol of `n` ≤ 128 modules across (ISO 18004 §7.8.3, as
/// qrcode reads it): runs of five or more, 2×2 blocks, finder-like patterns without four light
/// modules on a side, and the dark/light balance (qrcode's linear reading). Bit `c` of a row is
/// its module `c`, dark set; beyond the symbol is light.
fn penalty(rows: &[u128], columns: &[u128], n: usize) -> u32 {
    // Runs of five or more modules of one colour, each scoring its length less two: a run ends
    // where module `k` and `k + 1` differ.
    let runs = |line: u128| {
        let mut ends = (line ^ (line >> 1)) & bits(0, n - 1);
        let (mut start, mut score) = (0, 0);
        while ends != 0 {
            let end = ends.trailing_zeros() as usize + 1;
            ends &= ends - 1;
            if end - start >= 5 {
                score += (end - start - 2) as u32;
            }
            start = end;
        }
        if n - start >= 5 {
            score += (n - start - 2) as u32;
        }
        score
    };
    let mut score = 0u32;
    for &line in rows.iter().chain(columns) {
        score += runs(line);
        // 1011101 starting at each set bit of `found`.
        let l = line;
        let mut found = l & !(l >> 1) & (l >> 2) & (l >> 3) & (l >> 4) & !(l >> 5) & (l >> 6);
        while found != 0 {
            let j = found.trailing_zeros() as usize;
            found &= found - 1;
            let before = bits(j.saturating_sub(4), j);
            let after = bits(j + 7, (j + 11).min(n));
            if l & before == 0 || l & after == 0 {
                score += 40;
            }
        }
    }
    for pair in rows.windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        let down = !(top ^ bottom);
        let across = !(top ^ (top >> 1));
        score += 3 * (down & (down >> 1) & across & bits(0, n - 1)).count_ones();
    }
    let dark_count: u32 = rows.iter().map(|r| r.count_ones()).sum();
    let ratio = dark_count as usize * 200 / (n * n);
    score + ratio.abs_diff(100) as u32
}

/// The side of a module: `target_mm`, snapped to whole dots at `dpi` (at least 2 dots).
pub fn module_mm(target_mm: f32, dpi: u32) -> f32 {
    let dot = 25.4 / dpi as f32;
    let dots = (target_mm / dot).round().max(2.0);
    dots * dot
}

/// A length snapped to whole dots at `dpi`.
pub fn snap_mm(mm: f32, dpi: u32) -> f32 {
    let dot = 25.4 / dpi as f32;
    (mm / dot).round() * dot
}

fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

/// A symbol drawn: the form XObject that holds its modules, and the ops that place it.
pub struct Drawn {
    pub form: ExternalXObject,
    pub ops: Vec<Op>,
}

/// `symbol` with its quiet zone's top-left corner at (`left_mm`, `top_mm`) from the page's top
/// left, `module` millimetres a module, on a page `page_height_mm` tall; `id` names its form.
///
/// The symbol is a form XObject whose content is written here as bytes, in modules: one unit a
/// module, rows downwards from the symbol's top-left corner, so every corner is a small whole
/// number (a few bytes a pass, and exactly on a printer dot) and a batch's hundreds of
/// rectangles a page never pass through printpdf's operations. A run of dark modules that
/// repeats on the rows below it is one rectangle; all are one fill (no seams between them).
pub fn draw(
    symbol: &Symbol,
    id: &XObjectId,
    left_mm: f32,
    top_mm: f32,
    module: f32,
    page_height_mm: f32,
) -> Drawn {
    let n = symbol.modules;
    let dark = |row: usize, col: usize| symbol.dark[row * n + col];
    // Each row's runs of dark modules, as (start, end) columns, in order (binary-searchable).
    let runs: Vec<Vec<(usize, usize)>> = (0..n)
        .map(|row| {
            let mut out = Vec::new();
            let mut col = 0;
            while col < n {
                if !dark(row, col) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && dark(row, col) {
                    col += 1;
                }
                out.push((start, col));
            }
            out
        })
        .collect();
    let mut content = Vec::with_capacity(4 * n * n);
    content.extend_from_slice(b"0 g\n");
    let mut digits = itoa::Buffer::new();
    for row in 0..n {
        for &run in &runs[row] {
            // Drawn already, as the lower part of the run above.
            if row > 0 && runs[row - 1].binary_search(&run).is_ok() {
                continue;
            }
            let rows = 1
                + (row + 1..n)
                    .take_while(|r| runs[*r].binary_search(&run).is_ok())
                    .count();
            for (v, sep) in [
                (run.0, b' '),
                (row, b' '),
                (run.1 - run.0, b' '),
                (rows, b' '),
            ] {
                content.extend_from_slice(digits.format(v).as_bytes());
                content.push(sep);
            }
            content.extend_from_slice(b"re\n");
        }
    }
    content.extend_from_slice(b"f\n");
    let side = DictItem::Int(n as i64);
    let form = ExternalXObject {
        stream: ExternalStream {
            dict: [
                ("Type", DictItem::Name("XObject".into())),
                ("Subtype", DictItem::Name("Form".into())),
                (
                    "BBox",
                    DictItem::Array(vec![DictItem::Int(0), DictItem::Int(0), side.clone(), side]),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            content,
            compress: true,
        },
        width: None,
        height: None,
        dpi: None,
    };
    let unit = pt(module);
    let origin_x = pt(left_mm + QUIET_ZONE as f32 * module);
    let origin_y = pt(page_height_mm - (top_mm + QUIET_ZONE as f32 * module));
    let ops = vec![
        Op::SaveGraphicsState,
        Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([unit, 0.0, 0.0, -unit, origin_x, origin_y]),
        },
        Op::UseXobject {
            id: id.clone(),
            transform: XObjectTransform {
                no_auto_scale: true,
                ..XObjectTransform::default()
            },
        },
        Op::RestoreGraphicsState,
    ];
    Drawn { form, ops }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_payload_fits_version_6_at_q() {
        let payload = gatehouse_buzzin::inf::qr_payload("7H2KQ9ZTM4XB1RPA8VC0DLEN");
        assert_eq!(Symbol::encode(&payload).unwrap().modules, 41);
    }

    /// The symbols are qrcode's own, mask included, for payloads of every length a pass has.
    #[test]
    fn masks_are_qrcode_s_own_choice() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        for i in 0..402 {
            // The last two are wider than 128 modules: qrcode's own choice, by another road.
            let len = if i < 400 { 1 + i % 40 } else { 1200 };
            let code: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect();
            let payload = if i % 2 == 0 {
                gatehouse_buzzin::inf::qr_payload(&code)
            } else {
                code
            };
            let theirs =
                qrcode::QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::Q)
                    .unwrap();
            let ours = Symbol::encode(&payload).unwrap();
            assert_eq!(ours.modules, theirs.width(), "{payload}");
            let theirs: Vec<bool> = theirs
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect();
            assert!(ours.dark == theirs, "another mask for {payload}");
        }
    }

    #[test]
    fn modules_are_whole_dots() {
        for (dpi, dots) in [(300, 10.0), (203, 7.0), (600, 20.0)] {
            let m = module_mm(0.85, dpi);
            assert!((m / (25.4 / dpi as f32) - dots).abs() < 1e-3, "{dpi}: {m}");
        }
    }
}
