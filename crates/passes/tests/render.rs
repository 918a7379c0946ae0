//! Passes as a desk prints them, checked with independent tools: poppler's pdftoppm renders
//! each layout at label (203 dpi) and screen (150 dpi) resolutions, rqrr decodes the QR from
//! the pixels, pdftotext and pdfinfo read the text and the page size.

use std::path::{Path, PathBuf};

use gatehouse_buzzin::{PermitType, StatusName, Timestamp};
use gatehouse_passes::{
    Layout, Options, PART, Pass, PassError, Printability, Refusal, grouped, render, render_batch,
};
use gatehouse_testkit::pdf::{complaints, decode, decode_page, page_sizes, text_of};

const CODE: &str = "7H2KQ9ZTM4XB1RPA8VC0DLEN";

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn write(dir: &Path, name: &str, pdf: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

fn pass(number: &str, code: &str) -> Pass {
    Pass {
        pass_number: number.into(),
        code: code.into(),
        permit_type: Some(PermitType::BuildUp),
        valid_from: Some(at("2026-11-30T04:00:00.000Z")),
        valid_till: at("2026-12-24T14:00:00.000Z"),
        daily: Some(("07:00".into(), "18:00".into())),
        company: "الإمارات للصيانة العامة".into(),
        representative: "Arjun Khan +971551000052".into(),
        place: "Marina Tower 2 · 1004".into(),
        workers: Some(6),
        printed_at: at("2026-12-01T08:05:00.000Z"),
        printed_by: "desk-1".into(),
        profile: "marina".into(),
        offline_as_of: None,
    }
}

#[test]
fn every_layout_scans_at_desk_resolutions_and_reads_as_the_guard_needs() {
    let dir = tempfile::tempdir().unwrap();
    for layout in Layout::ALL.iter().copied() {
        for dpi in [300, 203] {
            let pdf = render(
                &[pass("WP-002391", CODE)],
                Options { layout, dpi },
                |_, _| {},
            )
            .unwrap();
            let path = write(dir.path(), &format!("{}-{dpi}.pdf", layout.as_str()), &pdf);

            let (w, h) = layout.size_mm();
            let sizes = page_sizes(&path);
            assert_eq!(sizes.len(), 1);
            let (pw, ph) = sizes[0];
            assert!(
                (pw - w * 72.0 / 25.4).abs() < 0.05 && (ph - h * 72.0 / 25.4).abs() < 0.05,
                "{layout}: page {pw} x {ph} pt for {w} x {h} mm"
            );

            for render_dpi in [150, 203] {
                let found = decode(&path, render_dpi);
                assert_eq!(
                    found.len(),
                    1,
                    "{layout} at {dpi} dpi, rendered at {render_dpi}"
                );
                let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
                assert_eq!(payload["accessCode"], CODE, "{layout}");
                assert_eq!(payload["visitType"], "communityPass");
            }

            let text = text_of(&path);
            for want in [
                "WP-002391",
                "BUILD-UP",
                "VALID UNTIL",
                "24 Dec 2026 18:00",
                "Daily 07:00–18:00 GST",
                "Marina Tower 2 · 1004",
                "6 workers",
                &grouped(CODE),
                "VOID after expiry or if altered",
                "desk-1",
            ] {
                assert!(text.contains(want), "{layout}: no {want:?} in\n{text}");
            }
            assert_eq!(
                text.contains("Keep out of direct sun"),
                layout != Layout::A4,
                "{layout}: the sun warning is for thermal labels"
            );
            let logical: String = text
                .chars()
                .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}'))
                .collect();
            assert!(
                logical.contains("الإمارات للصيانة العامة"),
                "{layout}: the Arabic company in logical order:\n{text}"
            );
        }
    }
}

#[test]
fn a_pass_printed_offline_says_how_old_its_status_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = pass("WP-000007", CODE);
    p.offline_as_of = Some(at("2026-12-01T06:00:00.000Z"));
    let pdf = render(&[p], Options::default(), |_, _| {}).unwrap();
    let text = text_of(&write(dir.path(), "offline.pdf", &pdf));
    assert!(
        text.contains("Printed offline: status as of 1 Dec 2026 10:00 GST"),
        "{text}"
    );
}

#[test]
fn a_batch_prints_a_pass_a_page_and_lists_the_refused_with_why() {
    let now = at("2026-12-01T08:00:00.000Z");
    let ok = |n: &str, code: &str| Printability {
        pass: n.into(),
        status: StatusName::Accepted,
        valid_till: Some(at("2026-12-24T14:00:00.000Z")),
        contractor_removed: false,
        code_dying: false,
        code: Some(code.into()),
    };
    let codes: Vec<String> = (0..5)
        .map(|i| format!("{i:0>4}2KQ9ZTM4XB1RPA8VC0DL"))
        .collect();
    let mut items: Vec<(Printability, Pass)> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n = format!("WP-00010{i}");
            (ok(&n, c), pass(&n, c))
        })
        .collect();
    items[1].0.status = StatusName::Revoked;
    items[3].0.code_dying = true;
    let mut seen = Vec::new();
    let batch = render_batch(&items, Options::default(), now, |done, total| {
        seen.push((done, total))
    })
    .unwrap();
    assert_eq!(batch.printed, ["WP-000100", "WP-000102", "WP-000104"]);
    assert_eq!(seen.last(), Some(&(3, 3)), "progress reported");
    assert_eq!(batch.refused.len(), 2);
    assert!(matches!(batch.refused[0], Refusal::NotAccepted { .. }));
    assert!(batch.refused[1].to_string().contains("about to die"));

    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "batch.pdf", batch.pdf.as_ref().unwrap());
    assert_eq!(page_sizes(&path).len(), 3);
    let text = text_of(&path);
    for n in ["WP-000100", "WP-000102", "WP-000104"] {
        assert!(text.contains(n), "{n}");
    }
    assert!(!text.contains("WP-000101") && !text.contains("WP-000103"));

    // All refused: nothing to write.
    let none = render_batch(&items[1..2], Options::default(), now, |_, _| {}).unwrap();
    assert!(none.pdf.is_none());
    assert_eq!(none.refused.len(), 1);
}

/// A batch longer than a part is drawn in parts and joined: one sound PDF, every page in order,
/// each its own pass, the pages either side of each join included.
#[test]
fn a_long_batch_is_one_pdf_in_order() {
    let count = 2 * PART + 10;
    let codes: Vec<String> = (0..count)
        .map(|i| format!("{i:0>6}KQ9ZTM4XB1RPA8VC0"))
        .collect();
    let passes: Vec<Pass> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| pass(&format!("WP-{:06}", 500_000 + i), c))
        .collect();
    let mut heard = 0;
    let pdf = render(&passes, Options::default(), |done, total| {
        assert_eq!(total, count);
        heard = done;
    })
    .unwrap();
    assert_eq!(heard, count, "progress reported to the last page");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "long.pdf", &pdf);
    assert_eq!(complaints(&path), "", "poppler reads it without complaint");
    let sizes = page_sizes(&path);
    assert_eq!(sizes.len(), count);
    let (w, h) = Layout::Label.size_mm();
    assert!(
        sizes
            .iter()
            .all(|(pw, ph)| (pw - w * 72.0 / 25.4).abs() < 0.05
                && (ph - h * 72.0 / 25.4).abs() < 0.05)
    );

    let text = text_of(&path);
    let mut from = 0;
    for p in &passes {
        let at = text[from..]
            .find(&p.pass_number)
            .unwrap_or_else(|| panic!("{} not after the one before it", p.pass_number));
        from += at + p.pass_number.len();
    }
    // Parts are the same length: the joins fall after pages count/3 and 2·count/3.
    let third = count / 3;
    for page in [1, third, third + 1, 2 * third, 2 * third + 1, count] {
        let found = decode_page(&path, 150, page);
        assert_eq!(found.len(), 1, "page {page}");
        let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
        assert_eq!(
            payload["accessCode"],
            codes[page - 1].as_str(),
            "page {page}"
        );
    }
}

#[test]
fn each_refusal_is_one_sentence_naming_the_pass() {
    let now = at("2026-12-01T08:00:00.000Z");
    let base = Printability {
        pass: "WP-000042".into(),
        status: StatusName::Accepted,
        valid_till: Some(at("2026-12-24T14:00:00.000Z")),
        contractor_removed: false,
        code_dying: false,
        code: Some(CODE.into()),
    };
    assert_eq!(base.check(now), Ok(()));
    let cases: Vec<(Printability, &str)> = vec![
        (
            Printability {
                status: StatusName::Expired,
                ..base.clone()
            },
            "is EXPIRED, not ACCEPTED",
        ),
        (
            Printability {
                valid_till: Some(at("2026-12-01T07:59:00.000Z")),
                ..base.clone()
            },
            "ran out at",
        ),
        (
            Printability {
                contractor_removed: true,
                ..base.clone()
            },
            "removed contractor",
        ),
        (
            Printability {
                code_dying: true,
                ..base.clone()
            },
            "about to die",
        ),
        (
            Printability {
                code: None,
                ..base.clone()
            },
            "no access code",
        ),
    ];
    for (facts, says) in cases {
        let sentence = facts.check(now).unwrap_err().to_string();
        assert!(sentence.contains(says), "{sentence}");
        assert!(
            sentence.starts_with("WP-000042") && sentence.ends_with('.'),
            "{sentence}"
        );
    }
}

#[test]
fn bad_options_are_clear_errors() {
    assert_eq!(
        render(
            &[pass("WP-1", CODE)],
            Options {
                layout: Layout::Label,
                dpi: 20
            },
            |_, _| {}
        )
        .unwrap_err(),
        PassError::Dpi(20)
    );
    assert_eq!(
        render(&[], Options::default(), |_, _| {}).unwrap_err(),
        PassError::Empty
    );
}

#[test]
fn hostile_or_long_names_stay_on_their_line_and_inert() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = pass("WP-000666", CODE);
    p.company = format!(
        "{}\u{1b}[2J\u{202e}exe.gnp",
        "Very Long Contracting Company Name ".repeat(6)
    );
    p.representative = "Ali\r\nACCEPTED (verified)".into();
    let pdf = render(&[p], Options::default(), |_, _| {}).unwrap();
    let path = write(dir.path(), "hostile.pdf", &pdf);
    let text = text_of(&path);
    assert!(text.contains("Very Long Contracting"), "{text}");
    assert!(text.contains('…'), "cut to its line: {text}");
    for c in text.chars() {
        let stray = (c.is_control() && !matches!(c, '\n' | '\u{c}'))
            || matches!(c, '\u{202d}' | '\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!stray, "{c:?} in {text:?}");
    }
    assert!(
        !text.contains("\nACCEPTED (verified)"),
        "no forged line: {text}"
    );
    assert_eq!(decode(&path, 203).len(), 1);
}
