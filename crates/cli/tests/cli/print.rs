//! `gatehouse print` over a synced community: passes that scan with the live code, refusals in
//! one sentence each with the rest printed, and no file when nothing may print.

use gatehouse_testkit::Sandbox;
use gatehouse_testkit::pdf::{decode, page_sizes, text_of};

use crate::support;
use support::Desk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_writes_scannable_passes_and_refuses_dead_codes_in_one_sentence() {
    let sb = Sandbox::demo().await;
    let desk = Desk::synced(&sb);
    let api = sb.client();
    let accepted = sb.permits_in("ACCEPTED", 2).await;
    let revoked = sb.permits_in("REVOKED", 1).await;
    let pass = |p: &gatehouse_testkit::buzzin::Permit| p.pass_number.clone().unwrap();
    let (a, b, dead) = (pass(&accepted[0]), pass(&accepted[1]), pass(&revoked[0]));

    let out = desk.data.path().join("desk.pdf");
    let (code, stdout, stderr) = desk.code(&[
        "print",
        &a,
        &dead,
        &b,
        "-o",
        out.to_str().unwrap(),
        "--dpi",
        "203",
    ]);
    assert_eq!(code, 4, "one refused: {stdout}{stderr}");
    assert!(
        stderr.contains(&format!("{dead} is REVOKED, not ACCEPTED")),
        "{stderr}"
    );
    assert!(stdout.contains("Printed 2 pass(es)"), "{stdout}");
    assert_eq!(
        page_sizes(&out).len(),
        2,
        "a pass a page, the refused left out"
    );
    let found = decode(&out, 203);
    let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
    assert_eq!(
        payload["accessCode"].as_str(),
        accepted[0].access_code.as_deref(),
        "the first page scans with the live code"
    );
    let text = text_of(&out);
    assert!(
        text.contains(&a) && text.contains(&b) && !text.contains(&dead),
        "{text}"
    );

    // Reissued at the desk: the new pass carries the new code; the queued reissue blocks a print
    // of the old one until it has gone through (here it goes through at once).
    desk.ok(&["permits", "reissue", &a]);
    let fresh = desk.data.path().join("fresh.pdf");
    desk.ok(&["print", &a, "-o", fresh.to_str().unwrap(), "--layout", "a4"]);
    let live = api
        .permit(&accepted[0].id)
        .await
        .unwrap()
        .access_code
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&decode(&fresh, 150)[0]).unwrap();
    assert_eq!(payload["accessCode"], live.as_str());
    assert_ne!(accepted[0].access_code.as_deref(), Some(live.as_str()));

    // Only dead codes: exit 4, no file.
    let none = desk.data.path().join("none.pdf");
    let (code, _, stderr) = desk.code(&["print", &dead, "-o", none.to_str().unwrap()]);
    assert_eq!(code, 4);
    assert!(stderr.contains("no file was written"), "{stderr}");
    assert!(!none.exists());

    // Queued offline, a revoke makes the code about to die: refused.
    let (code, _, _) = desk.code(&["--offline", "permits", "revoke", &b, "--reason", "lost"]);
    assert_eq!(code, 3);
    let (code, _, stderr) = desk.code(&["print", &b, "-o", none.to_str().unwrap()]);
    assert_eq!(code, 4);
    assert!(stderr.contains(&b), "{stderr}");
    assert!(!none.exists());

    // Into the profile's passes folder by default, private.
    let json = desk.json(&["print", &a, "--json"]);
    let path = json["path"].as_str().unwrap();
    assert!(path.contains("profiles/demo/passes/"), "{path}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Bad options are clear errors.
    let (code, _, stderr) = desk.code(&["print", &a, "--layout", "poster"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--layout takes label, 4x6, a4"), "{stderr}");
    let (code, _, stderr) = desk.code(&["print", &a, "--dpi", "10"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("150 to 1200 dpi"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_valid_or_refused_with_the_gate_s_reason_online_or_offline_and_audits_it() {
    let sb = Sandbox::demo().await;
    let desk = Desk::synced(&sb);
    let api = sb.client();
    let accepted = sb.permits_in("ACCEPTED", 50).await;
    // A live permit and a moment inside its validity and its daily window: a minute after its
    // timeIn (community time, UTC+4) on the first day after both now and its start.
    let inside = |p: &gatehouse_testkit::buzzin::Permit| {
        let from = p.valid_from.unwrap().0.max(chrono::Utc::now());
        let at = match &p.time_in {
            None => from + chrono::Duration::minutes(1),
            Some(tin) => {
                let t = chrono::NaiveTime::parse_from_str(tin, "%H:%M").unwrap();
                let day = (from + chrono::Duration::hours(4)).date_naive() + chrono::Days::new(1);
                day.and_time(t).and_utc() - chrono::Duration::hours(4)
                    + chrono::Duration::minutes(1)
            }
        };
        (at < p.valid_till.unwrap().0).then_some(at)
    };
    let (p, at) = accepted
        .iter()
        .find_map(|p| inside(p).map(|at| (p, at.to_rfc3339())))
        .expect("a live permit with a day left");
    let code = p.access_code.clone().unwrap();
    let pass = p.pass_number.clone().unwrap();

    // The QR's payload as a scanner types it.
    let payload = gatehouse_testkit::buzzin::inf::qr_payload(&code);
    let (exit, stdout, stderr) = desk.code(&["check", &payload, "--at", &at]);
    assert_eq!(exit, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with(&format!("VALID    {pass}")), "{stdout}");
    assert!(stdout.contains("online"), "{stdout}");

    // After the permit's end: refused, exit 4, the reason in --json.
    let after = (p.valid_till.unwrap().0 + chrono::Duration::hours(1)).to_rfc3339();
    let (exit, stdout, _) = desk.code(&["check", &code, "--at", &after, "--json"]);
    assert_eq!(exit, 4);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["refusal"], "expired");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("The permit expired on")
    );
    assert_eq!(v["permit"]["passNumber"], pass.as_str());

    // Reissued: the old code is refused as replaced, offline too, with the data's age.
    api.reissue_pass(&p.id).await.unwrap();
    desk.ok(&["sync"]);
    let (exit, stdout, _) = desk.code(&["--offline", "check", &code, "--json"]);
    assert_eq!(exit, 4, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["refusal"], "superseded");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("replaced by a reissue on"),
        "{v}"
    );
    assert!(v["dataAsOf"].is_string());

    // A pass number is not a code; nonsense is a clear error that checks nothing.
    let (exit, stdout, _) = desk.code(&["check", &pass]);
    assert_eq!(exit, 4);
    assert!(
        stdout.contains("is a pass number, not its code"),
        "{stdout}"
    );
    let (exit, _, stderr) = desk.code(&["check", r#"{"visitType":"guest"}"#]);
    assert_eq!(exit, 4, "{stderr}");
    assert!(stderr.contains("not a Buzz-In pass"), "{stderr}");
    let (exit, _, stderr) = desk.code(&["check", &code, "--at", "yesterday"]);
    assert_eq!(exit, 4);
    assert!(stderr.contains("is not a time"), "{stderr}");

    // Every check that ran is in the audit log; the unknown one without its code.
    let audit = desk.json(&["audit", "export", "--json"]);
    let checks: Vec<&serde_json::Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "check")
        .collect();
    assert_eq!(checks.len(), 4, "{audit:#}");
    assert_eq!(checks[0]["result"], "valid");
    assert_eq!(checks[0]["online"], true);
    assert_eq!(checks[2]["result"], "refused");
    assert_eq!(checks[2]["online"], false);
    assert!(
        !serde_json::to_string(&audit).unwrap().contains(&code),
        "no code in the audit log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_to_a_cups_printer_keeps_the_pass_s_media_at_full_scale() {
    let out_dir = gatehouse_testkit::cups::pdf_printer();
    let sb = Sandbox::demo().await;
    let desk = Desk::synced(&sb);
    let accepted = sb.permits_in("ACCEPTED", 1).await;
    let pass = accepted[0].pass_number.clone().unwrap();
    let code = accepted[0].access_code.clone().unwrap();
    let unique = format!("{}", std::process::id());
    let since = std::time::SystemTime::now();
    for (layout, size) in [("label", (175.7, 283.5)), ("4x6", (288.0, 432.0))] {
        let stem = format!("gh-cups-{unique}-{layout}");
        let pdf = desk.data.path().join(format!("{stem}.pdf"));
        let said = desk.ok(&[
            "print",
            &pass,
            "--layout",
            layout,
            "-o",
            pdf.to_str().unwrap(),
            "--printer",
            gatehouse_testkit::cups::PRINTER,
        ]);
        assert!(
            said.contains("Sent to the printer GatehouseTestPDF as job GatehouseTestPDF-"),
            "{said}"
        );
        let printed = gatehouse_testkit::cups::printed(&out_dir, &stem, since);
        let pages = page_sizes(&printed);
        assert_eq!(pages.len(), 1);
        let (w, h) = pages[0];
        assert!(
            (w - size.0).abs() < 1.5 && (h - size.1).abs() < 1.5,
            "{layout}: CUPS printed {w} x {h} pt, the media is {size:?}"
        );
        let found = decode(&printed, 300);
        let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
        assert_eq!(
            payload["accessCode"],
            code.as_str(),
            "{layout} scans after CUPS"
        );
        let _ = std::fs::remove_file(&printed);
    }

    // A name that would be an option, and a printer CUPS does not have: clear errors.
    let none = desk.data.path().join("none.pdf");
    let (exit, _, stderr) = desk.code(&[
        "print",
        &pass,
        "-o",
        none.to_str().unwrap(),
        "--printer=-o media=A4",
    ]);
    assert_ne!(exit, 0);
    assert!(
        stderr.contains("is not a printer name CUPS knows"),
        "{stderr}"
    );
    assert!(!none.exists(), "nothing written for a bad printer name");
    let (exit, _, stderr) = desk.code(&["print", &pass, "--printer", "NoSuchPrinter"]);
    assert_eq!(exit, 4);
    assert!(
        stderr.contains("The printer NoSuchPrinter did not take the passes"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn places_read_by_name_once_imported_and_by_external_id_before() {
    let sb = Sandbox::demo().await;
    let desk = Desk::synced(&sb);
    let accepted = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let pass = accepted.pass_number.clone().unwrap();
    // The permit carries DAMAC's ids: they name it until the directory does.
    let (tower_ext, unit_ext) = (
        accepted.property_external_id.clone().unwrap(),
        accepted.flat_external_id.clone().unwrap(),
    );
    let shown = desk.json(&["permits", "show", &pass, "--json"]);
    assert_eq!(
        shown["permit"]["place"]["text"],
        format!("{tower_ext} · {unit_ext}").as_str()
    );
    assert_eq!(desk.json(&["places", "show", "--json"])["towers"], 0);

    // A directory from the sandbox's own towers, as a desk would type it up.
    let props = sb.control().properties().await;
    let mut csv =
        String::from("tower_id,tower_external_id,tower_name,unit_id,unit_external_id,unit_name\n");
    let mut name_of_ours = None;
    for (t, p) in props["data"].as_array().unwrap().iter().enumerate() {
        for f in p["flats"].as_array().unwrap() {
            let unit = format!("{}", 1000 + t * 100 + csv.lines().count());
            if f["id"] == accepted.flat_id.as_deref().unwrap() {
                name_of_ours = Some(format!("{} · {unit}", p["name"].as_str().unwrap()));
            }
            csv.push_str(&format!(
                "{},{},{},{},{},{unit}\n",
                p["id"].as_str().unwrap(),
                p["externalId"].as_str().unwrap(),
                p["name"].as_str().unwrap(),
                f["id"].as_str().unwrap(),
                f["externalId"].as_str().unwrap(),
            ));
        }
    }
    let ours = name_of_ours.unwrap();
    let file = desk.data.path().join("places.csv");
    std::fs::write(&file, &csv).unwrap();
    let said = desk.ok(&["places", "import", file.to_str().unwrap()]);
    assert!(said.contains("4 tower(s) and 200 unit(s)"), "{said}");

    let listed = desk.ok(&["permits", "list", "--search", &pass]);
    assert!(listed.contains(&ours), "{listed}");
    let shown = desk.json(&["permits", "show", &pass, "--json"]);
    assert_eq!(shown["permit"]["place"]["text"], ours.as_str());
    assert!(
        shown["permit"]["place"]["ids"]
            .as_str()
            .unwrap()
            .contains(accepted.flat_id.as_deref().unwrap())
    );
    let pdf = desk.data.path().join("named.pdf");
    desk.ok(&["print", &pass, "-o", pdf.to_str().unwrap()]);
    assert!(text_of(&pdf).contains(&ours), "the pass names the place");

    // Exported, it imports back the same; a bad file changes nothing.
    let exported = desk.ok(&["places", "export"]);
    let again = desk.data.path().join("again.csv");
    std::fs::write(&again, &exported).unwrap();
    desk.ok(&["places", "import", again.to_str().unwrap()]);
    assert_eq!(desk.ok(&["places", "export"]), exported);
    let bad = desk.data.path().join("bad.csv");
    std::fs::write(&bad, "tower_id,unit_id\nT1,U1\nT 2,U2\n").unwrap();
    let (exit, _, stderr) = desk.code(&["places", "import", bad.to_str().unwrap()]);
    assert_eq!(exit, 4);
    assert!(stderr.contains("Line 3 of the places file"), "{stderr}");
    assert_eq!(desk.ok(&["places", "export"]), exported, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_s_gate_grace_lets_a_code_in_that_long_after_its_permit_ends() {
    let sb = Sandbox::demo().await;
    let permit = sb
        .control()
        .permit_open_all_day_of_an_approved(&sb.client())
        .await;
    let desk = Desk::synced(&sb);
    let code = permit.access_code.clone().unwrap();
    let till = permit.valid_till.unwrap().0;
    let at = gatehouse_testkit::buzzin::Timestamp(till + chrono::Duration::minutes(5)).to_wire();
    let check = || desk.code(&["check", &code, "--at", &at, "--json"]);

    let (exit, out, _) = check();
    assert_eq!(exit, 4, "expired without a grace: {out}");
    assert!(out.contains("\"expired\""), "{out}");

    // The same profile, its gates giving ten minutes' grace.
    let base = sb.base_url();
    let add = |grace: &str| {
        desk.code(&[
            "profile",
            "add",
            "demo",
            "--url",
            &base,
            "--actor",
            "Desk 1",
            "--gate-grace",
            grace,
        ])
    };
    let (exit, _, err) = add("600");
    assert_eq!(exit, 0, "{err}");
    let (exit, out, _) = check();
    assert_eq!(exit, 0, "within the grace: {out}");
    assert!(out.contains("\"valid\": true"), "{out}");
    // Beyond a day is refused, and the setting kept as it was.
    let (exit, _, err) = add("90000");
    assert_ne!(exit, 0);
    assert!(err.contains("at most 86400 seconds"), "{err}");
    assert_eq!(check().0, 0);
}
