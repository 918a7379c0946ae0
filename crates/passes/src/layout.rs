//! The media a desk prints on, and how a pass is laid out on each: a page exactly the media's
//! size, margins that survive label drivers, and what a guard reads first (the type, the pass
//! number, the QR, until when) largest.

use gatehouse_buzzin::{PermitType, community_time};
use printpdf::{Color, ExternalXObject, Op, PdfPage, Pt, Rgb, XObjectId};

use crate::qr::{self, Symbol};
use crate::text::{self, DocFonts, Weight};
use crate::{Pass, PassError};

gatehouse_buzzin::closed_enum! {
    /// The media a pass is printed on.
    #[derive(Default)]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Layout {
        /// 62 × 100 mm die-cut label (Brother QL, DK-11202): the desk's usual label.
        #[default]
        Label = "label",
        /// 4 × 6 in (101.6 × 152.4 mm) label: DYMO 5XL, Zebra desktops.
        FourBySix = "4x6",
        /// A4 paper, one pass a page, for office printers.
        A4 = "a4",
    }
}

/// How one layout is drawn.
struct Style {
    width: f32,
    height: f32,
    /// Side margin (≥ 1.5 mm on labels).
    side: f32,
    /// Top and bottom margin (≥ 3 mm: label drivers drop that much of a die-cut label).
    top: f32,
    /// Text sizes are the label's times this.
    scale: f32,
    /// The module size aimed at before snapping to dots.
    module: f32,
    /// Direct-thermal labels fade in the sun.
    thermal: bool,
}

impl Layout {
    /// Width and height of the page, in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        let s = self.style();
        (s.width, s.height)
    }

    fn style(self) -> Style {
        match self {
            Layout::Label => Style {
                width: 62.0,
                height: 100.0,
                side: 2.5,
                top: 3.5,
                scale: 1.0,
                module: 0.85,
                thermal: true,
            },
            Layout::FourBySix => Style {
                width: 101.6,
                height: 152.4,
                side: 5.0,
                top: 5.0,
                scale: 1.45,
                module: 1.15,
                thermal: true,
            },
            Layout::A4 => Style {
                width: 210.0,
                height: 297.0,
                side: 25.0,
                top: 20.0,
                scale: 1.9,
                module: 1.0,
                thermal: false,
            },
        }
    }
}

fn pt(mm: f32) -> f32 {
    mm * 72.0 / 25.4
}

fn mm(points: f32) -> f32 {
    points * 25.4 / 72.0
}

const BLACK: Rgb = Rgb {
    r: 0.0,
    g: 0.0,
    b: 0.0,
    icc_profile: None,
};
const WHITE: Rgb = Rgb {
    r: 1.0,
    g: 1.0,
    b: 1.0,
    icc_profile: None,
};

#[derive(Clone, Copy)]
enum Align {
    Left,
    Centre,
}

/// A page being drawn, top to bottom.
struct Canvas<'a> {
    fonts: &'a DocFonts,
    style: Style,
    ops: Vec<Op>,
    /// The next line's top, in millimetres from the page's top.
    y: f32,
}

impl Canvas<'_> {
    fn inner(&self) -> f32 {
        self.style.width - 2.0 * self.style.side
    }

    /// One line of text at `size` points (times the layout's scale), shrunk to fit the width
    /// (down to 70 %), then cut with an ellipsis.
    fn line(&mut self, content: &str, weight: Weight, size: f32, align: Align) {
        let mut size = size * self.style.scale;
        let room = self.inner();
        let mut shaped = text::shape_cached(content, weight);
        let min = size * 0.7;
        while shaped.width_mm(size) > room && size > min {
            size = (size * 0.95).max(min);
        }
        if shaped.width_mm(size) > room {
            let mut chars: Vec<char> = content.chars().collect();
            while !chars.is_empty() && shaped.width_mm(size) > room {
                chars.pop();
                let cut: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
                shaped = text::shape(&cut, weight);
            }
        }
        let ascent = mm(size) * 0.80;
        let baseline = self.y + ascent;
        let x = match align {
            Align::Left => self.style.side,
            Align::Centre => (self.style.width - shaped.width_mm(size)) / 2.0,
        };
        self.ops.extend(text::draw(
            self.fonts,
            &shaped,
            size,
            pt(x),
            pt(self.style.height - baseline),
        ));
        self.y += mm(size) * 1.22;
    }

    fn gap(&mut self, mm: f32) {
        self.y += mm * self.style.scale;
    }

    /// A black band across the page with white text: survives a black-only thermal printer.
    fn band(&mut self, height: f32, content: &str) {
        let height = height * self.style.scale;
        let (x0, x1) = (self.style.side, self.style.width - self.style.side);
        let (top, bottom) = (
            self.style.height - self.y,
            self.style.height - self.y - height,
        );
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(BLACK),
        });
        self.ops.push(Op::DrawPolygon {
            polygon: printpdf::Polygon {
                rings: vec![printpdf::PolygonRing {
                    points: [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
                        .into_iter()
                        .map(|(x, y)| printpdf::LinePoint {
                            p: printpdf::Point {
                                x: Pt(pt(x)),
                                y: Pt(pt(y)),
                            },
                            bezier: false,
                        })
                        .collect(),
                }],
                mode: printpdf::PaintMode::Fill,
                winding_order: printpdf::WindingOrder::NonZero,
            },
        });
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(WHITE),
        });
        let size_pt = pt(height) * 0.62 / self.style.scale;
        let y_after = self.y + height;
        self.y += (height - mm(size_pt * self.style.scale) * 1.05) / 2.0;
        self.line(content, Weight::Bold, size_pt, Align::Centre);
        self.y = y_after;
        self.ops.push(Op::SetFillColor {
            col: Color::Rgb(BLACK),
        });
    }
}

/// The band's letter and words for a permit type.
fn type_band(t: Option<&PermitType>) -> String {
    match t {
        Some(PermitType::BuildUp) => "B · BUILD-UP WORK PERMIT".into(),
        Some(PermitType::FitOut) => "F · FIT-OUT WORK PERMIT".into(),
        Some(other) => format!("{} WORK PERMIT", other.as_str().to_uppercase()),
        None => "WORK PERMIT".into(),
    }
}

/// An access code in groups of four: `7H2K Q9ZT M4XB …`.
pub fn grouped(code: &str) -> String {
    code.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One page: `pass` on `layout`, its QR snapped to `dpi`, and the QR's form XObject, named `qr_id`.
pub(crate) fn page(
    fonts: &DocFonts,
    pass: &Pass,
    layout: Layout,
    dpi: u32,
    qr_id: &XObjectId,
) -> Result<(PdfPage, ExternalXObject), PassError> {
    let style = layout.style();
    let (width, height) = (style.width, style.height);
    // The documented payload, `{visitType: "communityPass", accessCode}` [DOC §4.3], holding the
    // permit's token: what the gate reads from the QR images Buzz-In draws itself.
    let symbol = Symbol::encode(&gatehouse_buzzin::inf::qr_payload(&pass.code))?;
    let module = qr::module_mm(style.module, dpi);
    let thermal = style.thermal;
    let mut c = Canvas {
        fonts,
        y: style.top,
        style,
        ops: Vec::new(),
    };
    c.ops.push(Op::SetFillColor {
        col: Color::Rgb(BLACK),
    });
    c.band(6.0, &type_band(pass.permit_type.as_ref()));
    c.gap(1.0);
    c.line(&pass.pass_number, Weight::Bold, 14.0, Align::Centre);

    let side = symbol.modules_with_quiet_zone() as f32 * module;
    let left = qr::snap_mm((width - side) / 2.0, dpi);
    // The quiet zone is part of the symbol: nothing is drawn in it.
    let top = qr::snap_mm(c.y, dpi);
    let drawn = qr::draw(&symbol, qr_id, left, top, module, height);
    c.ops.extend(drawn.ops);
    c.y = top + side;
    c.line(&grouped(&pass.code), Weight::Bold, 8.5, Align::Centre);

    c.gap(1.2);
    c.line("VALID UNTIL", Weight::Regular, 6.5, Align::Centre);
    c.line(
        &community_time(pass.valid_till),
        Weight::Bold,
        14.0,
        Align::Centre,
    );
    let daily = match &pass.daily {
        Some((from, till)) => format!("Daily {from}–{till} GST"),
        None => "Any time of day (GST)".into(),
    };
    let from = pass
        .valid_from
        .map(|f| format!(" · from {}", community_time(f)))
        .unwrap_or_default();
    c.line(
        &format!("{daily}{from}"),
        Weight::Regular,
        7.0,
        Align::Centre,
    );

    c.gap(1.5);
    c.line(&pass.company, Weight::Bold, 8.5, Align::Left);
    if !pass.representative.is_empty() {
        c.line(&pass.representative, Weight::Regular, 8.0, Align::Left);
    }
    let workers = match pass.workers {
        Some(1) => " · 1 worker".to_owned(),
        Some(n) => format!(" · {n} workers"),
        None => String::new(),
    };
    c.line(
        &format!("{}{workers}", pass.place),
        Weight::Bold,
        8.5,
        Align::Left,
    );

    // The footer, from the bottom margin up.
    let footer_size = 5.6;
    let mut footer = vec![
        (
            format!(
                "Printed {} GST by {} · {}",
                community_time(pass.printed_at),
                pass.printed_by,
                pass.profile
            ),
            Weight::Regular,
        ),
        (
            if thermal {
                "VOID after expiry or if altered · Keep out of direct sun".to_owned()
            } else {
                "VOID after expiry or if altered".to_owned()
            },
            Weight::Bold,
        ),
    ];
    if let Some(asof) = pass.offline_as_of {
        footer.insert(
            0,
            (
                format!("Printed offline: status as of {} GST", community_time(asof)),
                Weight::Bold,
            ),
        );
    }
    let line_mm = mm(footer_size * c.style.scale) * 1.22;
    let footer_top = height - c.style.top - line_mm * footer.len() as f32;
    if c.y > footer_top + 0.3 {
        return Err(PassError::Overflow {
            pass: pass.pass_number.clone(),
        });
    }
    c.y = footer_top;
    for (line, weight) in footer {
        c.line(&line, weight, footer_size, Align::Left);
    }
    let page = PdfPage::new(printpdf::Mm(width), printpdf::Mm(height), c.ops);
    Ok((page, drawn.form))
}
