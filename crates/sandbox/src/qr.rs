//! The QR image Buzz-In sends as `qrImageBase64` [DOC]: a PNG of the pass's QR, which encodes
//! only `{ visitType: "communityPass", accessCode }` [DOC].

use qrcode::{Color, QrCode};

/// Pixels per QR module, and the quiet zone around the code in modules.
const SCALE: usize = 8;
const QUIET: usize = 4;

/// A greyscale PNG of the QR code of `payload`.
pub fn png(payload: &str) -> Vec<u8> {
    let code = QrCode::new(payload.as_bytes()).expect("a pass payload fits in a QR code");
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
            for y in my * SCALE..(my + 1) * SCALE {
                pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header to memory");
    writer
        .write_image_data(&pixels)
        .expect("PNG data to memory");
    writer.finish().expect("PNG end to memory");
    out
}
