//! The pass's QR symbol: error correction Q, a 4-module quiet zone, drawn as vector paths (one
//! filled path, a rectangle per horizontal run of dark modules, no seams between them), with
//! each module a whole number of printer dots so that a thermal printer does not round some
//! modules up and others down.

use printpdf::{
    Color, LinePoint, Op, PaintMode, Point, Polygon, PolygonRing, Pt, Rgb, WindingOrder,
};
use qrcode::{EcLevel, QrCode};

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
    pub fn encode(content: &str) -> Result<Symbol, PassError> {
        let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::Q)
            .map_err(|e| PassError::Qr(e.to_string()))?;
        Ok(Symbol {
            modules: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Modules across, the quiet zone included.
    pub fn modules_with_quiet_zone(&self) -> usize {
        self.modules + 2 * QUIET_ZONE
    }
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

fn pt(mm: f32) -> Pt {
    Pt(mm * 72.0 / 25.4)
}

/// The ops that draw `symbol` with its quiet zone's top-left corner at (`left_mm`, `top_mm`) from
/// the page's top left, `module` millimetres a module, on a page `page_height_mm` tall.
pub fn draw(
    symbol: &Symbol,
    left_mm: f32,
    top_mm: f32,
    module: f32,
    page_height_mm: f32,
) -> Vec<Op> {
    let mut rings = Vec::new();
    let n = symbol.modules;
    let origin_x = left_mm + QUIET_ZONE as f32 * module;
    let origin_top = top_mm + QUIET_ZONE as f32 * module;
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if !symbol.dark[row * n + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && symbol.dark[row * n + col] {
                col += 1;
            }
            let x0 = origin_x + start as f32 * module;
            let x1 = origin_x + col as f32 * module;
            let y_top = page_height_mm - (origin_top + row as f32 * module);
            let y_bottom = y_top - module;
            rings.push(PolygonRing {
                points: [(x0, y_top), (x1, y_top), (x1, y_bottom), (x0, y_bottom)]
                    .into_iter()
                    .map(|(x, y)| LinePoint {
                        p: Point { x: pt(x), y: pt(y) },
                        bezier: false,
                    })
                    .collect(),
            });
        }
    }
    vec![
        Op::SetFillColor {
            col: Color::Rgb(Rgb {
                r: 0.0,
                g: 0.0,
                b: 0.0,
                icc_profile: None,
            }),
        },
        Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_payload_fits_version_6_at_q() {
        let payload = gatehouse_buzzin::inf::qr_payload("7H2KQ9ZTM4XB1RPA8VC0DLEN");
        assert_eq!(Symbol::encode(&payload).unwrap().modules, 41);
    }

    #[test]
    fn modules_are_whole_dots() {
        for (dpi, dots) in [(300, 10.0), (203, 7.0), (600, 20.0)] {
            let m = module_mm(0.85, dpi);
            assert!((m / (25.4 / dpi as f32) - dots).abs() < 1e-3, "{dpi}: {m}");
        }
    }
}
