//! `cargo bench -p gatehouse-passes --bench passes`: drawing passes, in-process, release build.
//!
//! - one pass (a label at 300 dpi, with an Arabic company): median and worst of 50 after a
//!   warm-up, and its size with the fonts subset and embedded;
//! - 1,000 different passes in one PDF: median, fastest and slowest of 5, and size;
//! - the same on A4 and 4x6, one pass each (median of 20).
//!
//! Prints figures for BENCHMARKS.md; asserts only that every PDF was made.

use std::time::{Duration, Instant};

use gatehouse_buzzin::{PermitType, Timestamp};
use gatehouse_passes::{Layout, Options, Pass, render};

fn pass(i: usize) -> Pass {
    let at = |s: &str| Timestamp::parse(s).unwrap();
    Pass {
        pass_number: format!("WP-{:06}", 2000 + i),
        code: format!("{:0>8}Q9ZTM4XB1RPA8VC0", i)
            .chars()
            .take(24)
            .collect(),
        permit_type: Some(if i.is_multiple_of(2) {
            PermitType::BuildUp
        } else {
            PermitType::FitOut
        }),
        valid_from: Some(at("2026-11-30T04:00:00.000Z")),
        valid_till: at("2026-12-24T14:00:00.000Z"),
        daily: Some(("07:00".into(), "18:00".into())),
        company: if i.is_multiple_of(3) {
            "الإمارات للصيانة العامة".into()
        } else {
            format!("Oasis Painting LLC {i}")
        },
        representative: format!("Arjun Khan +97155100{i:04}"),
        place: format!("Marina Tower {} · {}", 1 + i % 4, 100 + i % 200),
        workers: Some(1 + (i % 12) as u32),
        printed_at: at("2026-12-01T08:05:00.000Z"),
        printed_by: "desk-1".into(),
        profile: "marina".into(),
        offline_as_of: None,
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn main() {
    let label = Options {
        layout: Layout::Label,
        dpi: 300,
    };
    let one = [pass(0)];
    let _ = render(&one, label, |_, _| {}).unwrap(); // warm-up: the fonts parse once
    let mut runs: Vec<Duration> = (0..50)
        .map(|_| time(|| render(&one, label, |_, _| {}).unwrap()).1)
        .collect();
    runs.sort();
    let size = render(&one, label, |_, _| {}).unwrap().len();
    println!(
        "one label pass: median {:.2} ms, worst {:.2} ms, {:.1} KB",
        runs[25].as_secs_f64() * 1e3,
        runs[49].as_secs_f64() * 1e3,
        size as f64 / 1024.0
    );

    let batch: Vec<Pass> = (0..1000).map(pass).collect();
    let mut runs: Vec<(Vec<u8>, Duration)> = (0..5)
        .map(|_| time(|| render(&batch, label, |_, _| {}).unwrap()))
        .collect();
    runs.sort_by_key(|(_, took)| *took);
    println!(
        "1,000 different label passes in one PDF: median {:.3} s of 5 (fastest {:.3} s, slowest {:.3} s), {:.2} MB",
        runs[2].1.as_secs_f64(),
        runs[0].1.as_secs_f64(),
        runs[4].1.as_secs_f64(),
        runs[2].0.len() as f64 / 1_048_576.0
    );

    for layout in [Layout::FourBySix, Layout::A4] {
        let o = Options { layout, dpi: 300 };
        let mut runs: Vec<Duration> = (0..20)
            .map(|_| time(|| render(&one, o, |_, _| {}).unwrap()).1)
            .collect();
        runs.sort();
        let pdf = render(&one, o, |_, _| {}).unwrap();
        println!(
            "one {} pass: median {:.2} ms of 20, {:.1} KB",
            layout,
            runs[10].as_secs_f64() * 1e3,
            pdf.len() as f64 / 1024.0
        );
    }
}
