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
