//! `gatehouse print` over a synced community: passes that scan with the live code, refusals in
//! one sentence each with the rest printed, and no file when nothing may print.

use gatehouse_testkit::pdf::{decode, page_sizes, text_of};
use gatehouse_testkit::{ListQuery, Sandbox};

mod support;
use support::Desk;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_writes_scannable_passes_and_refuses_dead_codes_in_one_sentence() {
    let sb = Sandbox::demo().await;
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    desk.ok(&["sync"]);
    let api = sb.client();
    let accepted = api
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(2))
        .await
        .unwrap()
        .data;
    let revoked = api
        .permits(&ListQuery::new().eq("statusName", "REVOKED").limit(1))
        .await
        .unwrap()
        .data;
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
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    desk.ok(&["sync"]);
    let api = sb.client();
    let accepted = api
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(50))
        .await
        .unwrap()
        .data;
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
