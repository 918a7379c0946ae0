//! The pass's QR symbol: error correction Q, a 4-module quiet zone, drawn as vector paths (one
//! filled path of rectangles over runs of dark modules, no seams between them), with
//! each module a whole number of printer dots so that a thermal printer does not round some
//! modules up and others down.

use printpdf::matrix::CurTransMat;
use printpdf::{Color, DictItem, Op, Rgb};
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
        let dark = best_mask(&canvas, version.width() as usize);
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
/// of every line of every mask: about a millisecond a pass, most of a batch's time. The scores
/// here are the same rules scored the same way (the test `masks_are_qrcode_s_own_choice` holds
/// them to qrcode's symbols) on a plain grid; masking and drawing stay qrcode's.
fn best_mask(canvas: &Canvas, n: usize) -> Vec<bool> {
    MASKS
        .iter()
        .map(|&mask| {
            let mut c = canvas.clone();
            c.apply_mask(mask);
            let dark: Vec<bool> = c
                .into_colors()
                .into_iter()
                .map(|m| m == qrcode::Color::Dark)
                .collect();
            (penalty(&dark, n), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| dark)
        .expect("eight masks")
}

/// qrcode's penalty for a masked symbol (ISO 18004 §7.8.3, as qrcode reads it): runs of five or
/// more, 2×2 blocks, finder-like patterns without four light modules on a side, and the
/// dark/light balance (qrcode's linear reading).
fn penalty(dark: &[bool], n: usize) -> u32 {
    let mut columns = vec![false; n * n];
    for row in 0..n {
        for col in 0..n {
            columns[col * n + row] = dark[row * n + col];
        }
    }
    // 1011101, the newest module in the lowest bit.
    const FINDER: u32 = 0b101_1101;
    let mut score = 0u32;
    for line in dark.chunks_exact(n).chain(columns.chunks_exact(n)) {
        // Runs of one colour.
        let mut run = 1;
        for k in 1..=n {
            if k < n && line[k] == line[k - 1] {
                run += 1;
            } else {
                if run >= 5 {
                    score += run - 2;
                }
                run = 1;
            }
        }
        // Finder-like patterns ending at `k`; beyond the symbol is light.
        let mut window = 0u32;
        for k in 0..n {
            window = ((window << 1) | line[k] as u32) & 0x7f;
            if k < 6 || window != FINDER {
                continue;
            }
            let j = k - 6;
            let dark_in = |r: std::ops::Range<usize>| line[r.start..r.end.min(n)].contains(&true);
            if !dark_in(j.saturating_sub(4)..j) || !dark_in(j + 7..j + 11) {
                score += 40;
            }
        }
    }
    for (top, bottom) in dark.chunks_exact(n).zip(dark.chunks_exact(n).skip(1)) {
        for col in 0..n - 1 {
            let c = top[col];
            if top[col + 1] == c && bottom[col] == c && bottom[col + 1] == c {
                score += 3;
            }
        }
    }
    let ratio = dark.iter().filter(|d| **d).count() * 200 / dark.len();
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

/// The ops that draw `symbol` with its quiet zone's top-left corner at (`left_mm`, `top_mm`) from
/// the page's top left, `module` millimetres a module, on a page `page_height_mm` tall.
///
/// The path is written in modules, not points: a transformation puts module (0, 0) at the
/// symbol's top-left corner, one unit a module, rows downwards, so every corner is a small whole
/// number (a few bytes in the page, and exactly on a printer dot). A run of dark modules that
/// repeats on the rows below it is one rectangle.
pub fn draw(
    symbol: &Symbol,
    left_mm: f32,
    top_mm: f32,
    module: f32,
    page_height_mm: f32,
) -> Vec<Op> {
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
    // `x y w h re` for each block, then one fill: printpdf's rectangle op fills each on its own
    // (seams between abutting blocks on screen), and its polygon writes four points a block.
    let int = |v: usize| DictItem::Int(v as i64);
    let mut path = Vec::new();
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
            path.push(Op::Unknown {
                key: "re".into(),
                value: vec![int(run.0), int(row), int(run.1 - run.0), int(rows)],
            });
        }
    }
    let unit = pt(module);
    let origin_x = pt(left_mm + QUIET_ZONE as f32 * module);
    let origin_y = pt(page_height_mm - (top_mm + QUIET_ZONE as f32 * module));
    vec![
        Op::SaveGraphicsState,
        Op::SetTransformationMatrix {
            matrix: CurTransMat::Raw([unit, 0.0, 0.0, -unit, origin_x, origin_y]),
        },
        Op::SetFillColor {
            col: Color::Rgb(Rgb {
                r: 0.0,
                g: 0.0,
                b: 0.0,
                icc_profile: None,
            }),
        },
    ]
    .into_iter()
    .chain(path)
    .chain([
        Op::Unknown {
            key: "f".into(),
            value: Vec::new(),
        },
        Op::RestoreGraphicsState,
    ])
    .collect()
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
        for i in 0..400 {
            let len = 1 + i % 40;
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
