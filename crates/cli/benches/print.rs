//! `cargo bench -p gatehouse-cli --bench print`: `gatehouse print` against headless Chromium
//! printing the same passes from HTML (the QR as SVG, the same Noto fonts), whole process against
//! whole process, as a desk would run either.
//!
//! - one 62 × 100 mm label: `gatehouse print PASS -o one.pdf` against `chromium --headless
//!   --print-to-pdf` of one page (median of 7 runs each);
//! - 1,000 different passes in one document (median of 3 runs each).
//!
//! The community: an in-process sandbox over HTTP, synced once into a desk's profile. Needs
//! Debian's `chromium` (`apt install chromium`); prints figures for BENCHMARKS.md and asserts
//! only that each PDF has its pages.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gatehouse_testkit::buzzin::Permit;
use gatehouse_testkit::{Sandbox, Seed};

#[path = "../tests/cli/support/mod.rs"]
mod support;
use support::Desk;

const BATCH: usize = 1000;

#[tokio::main]
async fn main() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .expect("Chromium to compare with: apt install chromium");
    let sb = Sandbox::seeded(Seed::Count(10_000)).await;
    let desk = Desk::synced(&sb);
    let soon = chrono::Utc::now() + chrono::Duration::days(2);
    let candidates: Vec<Permit> = sb
        .client()
        .all_permits()
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status_name() == Some(gatehouse_testkit::buzzin::StatusName::Accepted))
        .filter(|p| p.valid_till.is_some_and(|t| t.0 > soon))
        .take(2 * BATCH)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);

    // The passes that print (a removed contractor's do not), in the order given.
    let numbers: Vec<String> = candidates
        .iter()
        .filter_map(|p| p.pass_number.clone())
        .collect();
    let mut args = vec!["print", "--json", "-o"];
    let probe = out("probe.pdf");
    args.push(probe.to_str().unwrap());
    args.extend(numbers.iter().map(String::as_str));
    let printed: Vec<String> = serde_json::from_str::<serde_json::Value>(
        &desk
            .run(&args)
            .stdout
            .iter()
            .map(|b| *b as char)
            .collect::<String>(),
    )
    .expect("print --json")["printed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .take(BATCH)
        .collect();
    assert_eq!(printed.len(), BATCH, "{BATCH} printable passes");
    let by_number = |n: &str| {
        candidates
            .iter()
            .find(|p| p.pass_number.as_deref() == Some(n))
            .unwrap()
    };
    let contractors: std::collections::HashMap<String, String> = sb
        .client()
        .all_contractors()
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.id.clone(),
                c.company_name()
                    .or(c.name.as_deref())
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    let company = |p: &Permit| {
        contractors
            .get(p.community_contractor_id.as_deref().unwrap_or(""))
            .cloned()
            .unwrap_or_default()
    };

    // One label.
    let one_pdf = out("one.pdf");
    let ours = median(7, || {
        desk.ok(&["print", &printed[0], "-o", one_pdf.to_str().unwrap()]);
    });
    assert_eq!(pages(&one_pdf), 1);
    let one_html = out("one.html");
    std::fs::write(&one_html, html(&[by_number(&printed[0])], &company)).unwrap();
    let theirs_pdf = out("one-chromium.pdf");
    let theirs = median(7, || chrome(chromium, &one_html, &theirs_pdf));
    assert_eq!(pages(&theirs_pdf), 1);
    println!(
        "one label: gatehouse print {:.0} ms ({:.1} KB), chromium {:.0} ms ({:.1} KB): {:.1}x",
        ms(ours),
        size_kb(&one_pdf),
        ms(theirs),
        size_kb(&theirs_pdf),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );

    // 1,000 different passes in one document.
    let batch_pdf = out("batch.pdf");
    let mut args = vec!["print", "-o", batch_pdf.to_str().unwrap()];
    args.extend(printed.iter().map(String::as_str));
    let ours = median(3, || {
        desk.ok(&args);
    });
    assert_eq!(pages(&batch_pdf), BATCH);
    let batch_html = out("batch.html");
    let permits: Vec<&Permit> = printed.iter().map(|n| by_number(n)).collect();
    std::fs::write(&batch_html, html(&permits, &company)).unwrap();
    let theirs_pdf = out("batch-chromium.pdf");
    let theirs = median(3, || chrome(chromium, &batch_html, &theirs_pdf));
    assert_eq!(pages(&theirs_pdf), BATCH);
    println!(
        "{BATCH} passes in one PDF: gatehouse print {:.2} s ({:.2} MB), chromium {:.2} s ({:.2} MB): {:.1}x",
        ours.as_secs_f64(),
        size_kb(&batch_pdf) / 1024.0,
        theirs.as_secs_f64(),
        size_kb(&theirs_pdf) / 1024.0,
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut took: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    took.sort();
    took[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn size_kb(p: &Path) -> f64 {
    std::fs::metadata(p).unwrap().len() as f64 / 1024.0
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn chrome(chromium: &str, html: &Path, pdf: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--print-to-pdf={}", pdf.display()),
        ])
        .arg(html)
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn fonts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../passes/fonts")
}

/// The passes as HTML a page each: what the label shows, in the same fonts, the QR as SVG.
fn html(permits: &[&Permit], company: &dyn Fn(&Permit) -> String) -> String {
    let font = |file: &str| format!("url('file://{}')", fonts().join(file).display());
    let mut out = format!(
        "<!doctype html><meta charset=utf-8><style>\
         @font-face {{ font-family: Noto; src: {}; }}\
         @font-face {{ font-family: Noto; font-weight: bold; src: {}; }}\
         @font-face {{ font-family: Noto; src: {}; unicode-range: U+0600-06FF; }}\
         @page {{ size: 62mm 100mm; margin: 0 }}\
         body {{ margin: 0; font-family: Noto, sans-serif; }}\
         .pass {{ width: 62mm; height: 100mm; padding: 3.5mm 2.5mm; box-sizing: border-box; \
         page-break-after: always; text-align: center; font-size: 7pt; }}\
         .band {{ background: #000; color: #fff; font-weight: bold; }}\
         .big {{ font-size: 14pt; font-weight: bold; }} svg {{ width: 41mm; height: 41mm; }}\
         .left {{ text-align: left; }}</style>",
        font("NotoSans-Regular.ttf"),
        font("NotoSans-Bold.ttf"),
        font("NotoSansArabic-Regular.ttf"),
    );
    for p in permits {
        let code = p.access_code.clone().unwrap_or_default();
        let qr = qrcode::QrCode::with_error_correction_level(
            gatehouse_testkit::buzzin::inf::qr_payload(&code).as_bytes(),
            qrcode::EcLevel::Q,
        )
        .unwrap()
        .render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .build();
        let grouped: Vec<String> = code
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect())
            .collect();
        out.push_str(&format!(
            "<div class=pass><div class=band>WORK PERMIT</div><div class=big>{}</div>{qr}\
             <div><b>{}</b></div><div>VALID UNTIL</div><div class=big>{}</div>\
             <div>Daily {}–{} GST</div><div class=left><b>{}</b></div>\
             <div class=left>{}</div><div class=left>Printed by Desk · bench</div>\
             <div class=left><b>VOID after expiry or if altered · Keep out of direct sun</b></div></div>",
            p.pass_number.as_deref().unwrap_or(""),
            grouped.join(" "),
            p.valid_till.map(|t| t.to_wire()).unwrap_or_default(),
            p.time_in.as_deref().unwrap_or(""),
            p.time_out.as_deref().unwrap_or(""),
            company(p),
            p.representative_name.as_deref().unwrap_or(""),
        ));
    }
    out
}
