//! `gatehouse panels` against the sandbox's simulated BAS-IP panels: added once they answer and
//! take the login, listed with what they are and how they answer, refused plainly otherwise.

use gatehouse_testkit::{PanelConfig, Sandbox};

use crate::support::{Desk, text};

#[tokio::test(flavor = "multi_thread")]
async fn panels_are_added_when_they_answer_and_listed_with_their_state() {
    let sb = Sandbox::builder().panels(2).start().await;
    let listed = sb.control().panels().await;
    let (one, two) = (&listed[0], &listed[1]);
    let props = sb.control().properties().await;
    let tower = props["data"][0]["_id"]
        .as_str()
        .or_else(|| props["data"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("{props}"))
        .to_owned();
    let desk = Desk::synced(&sb);
    let add = |name: &str, url: &str, password: &str| {
        let mut cmd = desk.command(&["panels", "add", name, "--url", url, "--tower", &tower]);
        cmd.env(
            format!(
                "GATEHOUSE_PANEL_PASSWORD_{}",
                name.to_uppercase().replace('-', "_")
            ),
            password,
        );
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    };
    let (code, said, err) = add(
        "gate-1",
        one["url"].as_str().unwrap(),
        one["password"].as_str().unwrap(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(said.contains("API 2.10.1, hex numbers"), "{said}");

    // A wrong password: refused in a sentence, nothing saved.
    let (code, _, err) = add("gate-2", two["url"].as_str().unwrap(), "not-it");
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("refused the user name or password"), "{err}");
    // Nothing answers there.
    let (code, _, err) = add("ghost", "http://127.0.0.1:9", "x");
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("\"ghost\" cannot be reached"), "{err}");
    // Twice the same name, or no such lock.
    assert_eq!(
        add(
            "gate-1",
            one["url"].as_str().unwrap(),
            one["password"].as_str().unwrap()
        )
        .0,
        4
    );
    let (code, _, err) = desk.code(&[
        "panels",
        "add",
        "x",
        "--url",
        "http://127.0.0.1:9",
        "--tower",
        &tower,
        "--lock",
        "third",
    ]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("first, second or all"), "{err}");

    let (code, _, err) = add(
        "gate-2",
        two["url"].as_str().unwrap(),
        two["password"].as_str().unwrap(),
    );
    assert_eq!(code, 0, "{err}");
    let mut list = desk.command(&["panels", "list", "--json"]);
    for p in [one, two] {
        let n = if p == one { "GATE_1" } else { "GATE_2" };
        list.env(
            format!("GATEHOUSE_PANEL_PASSWORD_{n}"),
            p["password"].as_str().unwrap(),
        );
    }
    let out = list.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter()
            .map(|p| (p["reachable"].as_bool(), p["representation"].as_str()))
            .collect::<Vec<_>>(),
        [(Some(true), Some("hex")), (Some(true), Some("decimal"))]
    );
    assert!(
        all.iter()
            .all(|p| p["driftSecs"].as_i64().is_some_and(|d| d.abs() <= 5)),
        "{all:?}"
    );
    assert_eq!(all[0]["towers"][0], tower.as_str());

    let mut ids = desk.command(&["panels", "identifiers", "gate-1"]);
    ids.env(
        "GATEHOUSE_PANEL_PASSWORD_GATE_1",
        one["password"].as_str().unwrap(),
    );
    let out = ids.output().unwrap();
    assert!(
        text(&out.stdout).contains("0 identifier(s) on \"gate-1\""),
        "{}",
        text(&out.stderr)
    );
    // Without its password the list says why, per panel, and still lists it.
    let bare = desk.json(&["panels", "list", "--json"]);
    assert!(
        bare[0]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("GATEHOUSE_PANEL_PASSWORD_GATE_1")),
        "{bare}"
    );

    desk.ok(&["panels", "remove", "gate-1"]);
    assert_eq!(
        desk.json(&["panels", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// A desk on a community with `n` simulated panels, all added (as gate-1…) for the tower of an
/// ACCEPTED permit open all day, their passwords in the environment of every command.
struct Gates {
    sb: Sandbox,
    desk: Desk,
    listed: serde_json::Value,
    pass: String,
}

impl Gates {
    async fn new(n: usize) -> Gates {
        Gates::of((1..=n).map(PanelConfig::numbered).collect()).await
    }

    /// Like [`Gates::new`], with panels set up so.
    async fn of(panels: Vec<PanelConfig>) -> Gates {
        let n = panels.len();
        let sb = Sandbox::builder()
            .config(|c| c.panels = panels)
            .start()
            .await;
        let permit = sb
            .control()
            .permit_open_all_day_of_an_approved(&sb.client())
            .await;
        let listed = sb.control().panels().await;
        let desk = Desk::synced(&sb);
        let g = Gates {
            sb,
            desk,
            listed,
            pass: permit.pass_number.clone().unwrap(),
        };
        let tower = permit.property_id.unwrap();
        for i in 0..n {
            let url = g.listed[i]["url"].as_str().unwrap().to_owned();
            let (code, _, err) = g.run(&[
                "panels",
                "add",
                &format!("gate-{}", i + 1),
                "--url",
                &url,
                "--tower",
                &tower,
            ]);
            assert_eq!(code, 0, "{err}");
        }
        g
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.desk.command(args);
        for (i, p) in self.listed.as_array().unwrap().iter().enumerate() {
            cmd.env(
                format!("GATEHOUSE_PANEL_PASSWORD_GATE_{}", i + 1),
                p["password"].as_str().unwrap(),
            );
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            text(&out.stdout),
            text(&out.stderr),
        )
    }

    /// The control of panel `i` (from 0), on its own address.
    fn panel(&self, i: usize) -> gatehouse_testkit::Control {
        gatehouse_testkit::Control::new(
            self.listed[i]["url"].as_str().unwrap().to_owned(),
            String::new(),
        )
    }

    /// What panel `i` (from 1) holds, as `panels identifiers --json` lists it.
    fn held(&self, i: usize) -> Vec<serde_json::Value> {
        let (code, out, err) = self.run(&["panels", "identifiers", &format!("gate-{i}"), "--json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoke_takes_the_crew_off_every_panel_even_with_buzz_in_and_a_panel_down() {
    use gatehouse_testkit::{Fault, FaultKind};
    let g = Gates::new(2).await;
    let pass = g.pass.as_str();
    let run = |args: &[&str]| g.run(args);
    let panel = |i: usize| g.panel(i);

    // Provisioned on both panels of the tower; each reads the card in its own mode.
    let (code, out, err) = run(&[
        "panels",
        "provision",
        pass,
        "--card",
        "028,15178=Ali Hassan",
        "--pin",
        "4821=Ravi",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doors: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doors
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["placed"].as_u64())
            .collect::<Vec<_>>(),
        [Some(2), Some(2)]
    );
    assert_eq!(panel(0).swipe("card", "1c-3b-4a").await["granted"], true);
    assert_eq!(panel(1).swipe("card", "1850186").await["granted"], true);
    assert_eq!(panel(1).swipe("inputCode", "4821").await["granted"], true);
    // A PIN left to the app is made fresh, printed with the crew, and opens the doors.
    let (code, out, err) = run(&["panels", "provision", pass, "--pin", "auto=Omar Farouk"]);
    assert_eq!(code, 0, "{err}");
    let made = out
        .lines()
        .find(|l| l.starts_with("PIN") && l.contains("Omar Farouk"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no made PIN in {out}"));
    assert!(
        made.len() == 6 && made != "4821" && made.bytes().all(|b| b.is_ascii_digit()),
        "{made}"
    );
    assert_eq!(panel(0).swipe("inputCode", made).await["granted"], true);
    let (_, out, _) = run(&["panels", "doors", pass]);
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for held in [
        "Card 1850186 Ali Hassan on 2 panel(s)",
        "PIN 4821 Ravi on 2 panel(s)",
    ] {
        assert!(words.contains(held), "{held} in {out}");
    }
    // A bad identifier is refused before anything is recorded.
    let (code, _, err) = run(&["panels", "provision", pass, "--pin", "12=Short"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("12 for Short"), "{err}");

    // Buzz-In down, and panel 2 down: the revoke still takes the crew off panel 1 at once, and
    // panel 2's share waits.
    let down = |path: &str| Fault {
        count: 10_000,
        ..Fault::new(FaultKind::Drop, path)
    };
    g.sb.control().arm(down("/")).await;
    panel(1).arm(down("/api")).await;
    let (code, out, err) = run(&["panels", "revoke", pass, "--json"]);
    assert_eq!(code, 3, "{out} {err}");
    assert!(err.contains("wait for a panel"), "{err}");
    let doors: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doors[0]["removed"].as_u64(), doors[0]["waiting"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(
        (doors[1]["placed"].as_u64(), doors[1]["waiting"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(panel(0).swipe("card", "1c-3b-4a").await["granted"], false);
    // Panel 2 back (Buzz-In still down): the drain finishes the removal, read back gone.
    panel(1).clear_faults().await;
    let (code, _, err) = run(&["panels", "drain"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["panels", "doors", pass, "--json"]);
    assert_eq!(code, 0, "{err}");
    let doors: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        doors
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["removed"] == 3 && d["waiting"] == 0),
        "{doors}"
    );
    assert_eq!(panel(1).swipe("card", "1850186").await["granted"], false);
    assert_eq!(panel(1).swipe("inputCode", "4821").await["granted"], false);
}

/// A batch the panel takes in part (it is full after two): each item's result is recorded, the
/// refused one waits with the panel's reason, and once there is room the next drain sends that
/// one only.
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_taken_in_part_is_recorded_item_by_item_and_only_the_refused_one_is_sent_again() {
    let mut small = PanelConfig::numbered(2);
    small.capacity = 2;
    let g = Gates::of(vec![small]).await;
    let pass = g.pass.as_str();
    let crew = [
        "--card",
        "1001=Ali",
        "--card",
        "1002=Ravi",
        "--card",
        "1003=Omar",
    ];
    let mut provision = vec!["panels", "provision", pass];
    provision.extend(crew);
    provision.push("--json");
    let (code, out, err) = g.run(&provision);
    assert_eq!(code, 3, "{out} {err}");
    let doors: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doors[0]["placed"].as_u64(), doors[0]["waiting"].as_u64()),
        (Some(2), Some(1)),
        "{doors}"
    );
    let problem = doors[0]["problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("card 1003") && problem.contains("it is full"),
        "{problem}"
    );
    assert_eq!(g.panel(0).swipe("card", "1003").await["granted"], false);
    let (_, out, _) = g.run(&["panels", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["waiting"], 1, "{listed}");
    let (_, out, _) = g.run(&["panels", "identifiers", "gate-1", "--json"]);
    let held: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        held.as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "inStep" && i["permitId"].is_string()),
        "{held}"
    );

    // Room made at the panel: the drain sends the refused one, and only it.
    g.panel(0).set_capacity(10).await;
    let (code, out, err) = g.run(&["panels", "drain", "--json"]);
    assert_eq!(code, 0, "{err}");
    let drained: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (drained[0]["placed"].as_u64(), drained[0]["failed"].as_u64()),
        (Some(1), Some(0)),
        "{drained}"
    );
    assert_eq!(g.panel(0).swipe("card", "1003").await["granted"], true);
    let (_, out, _) = g.run(&["panels", "identifiers", "gate-1", "--json"]);
    let held: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut numbers: Vec<&str> = held
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["number"].as_str())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["1001", "1002", "1003"], "each once: {held}");
}

/// A number the building already uses on a panel is neither taken over by a provision nor
/// deleted by the revoke that follows.
#[tokio::test(flavor = "multi_thread")]
async fn the_building_s_own_pin_is_neither_taken_over_nor_deleted() {
    let g = Gates::new(1).await;
    let pass = g.pass.as_str();
    g.panel(0).plant("inputCode", "9911", "Concierge").await;
    let (code, out, err) = g.run(&[
        "panels",
        "provision",
        pass,
        "--pin",
        "9911=Ravi",
        "--pin",
        "4821=Omar",
        "--json",
    ]);
    assert_eq!(code, 3, "{out} {err}");
    let doors: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doors[0]["placed"].as_u64(), doors[0]["waiting"].as_u64()),
        (Some(1), Some(1)),
        "{doors}"
    );
    let problem = doors[0]["problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("already holds inputCode 9911 for someone else (\"Concierge\")"),
        "{problem}"
    );
    let owner_of = |number: &'static str| {
        let (_, out, _) = g.run(&["panels", "identifiers", "gate-1", "--json"]);
        let held: serde_json::Value = serde_json::from_str(&out).unwrap();
        held.as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == number)
            .map(|i| i["owner"].as_str().unwrap().to_owned())
    };
    assert_eq!(owner_of("9911").as_deref(), Some("Concierge"));
    // The revoke takes the crew's own PIN off and leaves the building's in place.
    let (code, out, err) = g.run(&["panels", "revoke", pass, "--json"]);
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(owner_of("4821"), None);
    assert_eq!(owner_of("9911").as_deref(), Some("Concierge"));
    assert_eq!(g.panel(0).swipe("inputCode", "9911").await["granted"], true);
}

/// `kill -9` at 30 points while provisioning and revoking a crew of 120 cards across three
/// panels: afterwards no identifier of the revoked permit is left on any panel, and none was
/// ever doubled.
#[tokio::test(flavor = "multi_thread")]
async fn killed_at_thirty_points_nothing_of_a_revoked_permit_is_left_and_nothing_doubled() {
    let g = Gates::new(3).await;
    let pass = g.pass.as_str();
    let cards: Vec<String> = (0..120)
        .map(|i| format!("{}=worker {i}", 4_000_000 + i))
        .collect();
    let mut provision = vec!["panels", "provision", pass];
    for c in &cards {
        provision.extend(["--card", c.as_str()]);
    }
    let revoke = ["panels", "revoke", pass];
    // Kill points spread over each run: a few ms in (opening), through the batches.
    let mut killed = 0;
    for args in [&provision[..], &revoke[..]] {
        for k in 0..15u64 {
            let mut child = g.command(args).spawn().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5 + k * 9));
            if child.try_wait().unwrap().is_none() {
                let _ = child.kill(); // SIGKILL
                killed += 1;
            }
            let _ = child.wait();
        }
        // Never doubled: whatever each panel holds, each number once.
        for i in 1..=3 {
            let mut numbers: Vec<String> = g
                .held(i)
                .iter()
                .map(|r| r["decimal"].as_str().unwrap().to_owned())
                .collect();
            let n = numbers.len();
            numbers.sort_unstable();
            numbers.dedup();
            assert_eq!(numbers.len(), n, "gate-{i} holds a number twice");
        }
    }
    assert!(
        killed >= 10,
        "only {killed} runs were still going when killed: the points are too late"
    );
    // One last revoke that runs to its end: nothing of the permit is left anywhere.
    let (code, _, err) = g.run(&revoke);
    assert_eq!(code, 0, "{err}");
    for i in 1..=3 {
        let left: Vec<serde_json::Value> = g
            .held(i)
            .into_iter()
            .filter(|r| r["owner"].as_str().is_some_and(|o| o.contains(pass)))
            .collect();
        assert!(left.is_empty(), "gate-{i} still holds {left:?}");
    }
}

/// A permit revoked at Buzz-In (not here): once synced, the next drain takes its crew off every
/// panel, read back gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_permit_revoked_at_buzz_in_leaves_the_doors_at_the_next_drain() {
    let g = Gates::new(2).await;
    let pass = g.pass.as_str();
    let (code, _, err) = g.run(&["panels", "provision", pass, "--card", "1c-3b-4a=Ali"]);
    assert_eq!(code, 0, "{err}");
    let id =
        g.sb.client()
            .permits(&gatehouse_testkit::ListQuery::new().eq("passNumber", pass))
            .await
            .unwrap()
            .data[0]
            .id
            .clone();
    g.sb.client()
        .revoke_pass(&id, Some("Contract ended"))
        .await
        .unwrap();
    assert_eq!(
        g.panel(0).swipe("card", "1c-3b-4a").await["granted"],
        true,
        "not synced yet"
    );
    g.desk.ok(&["sync"]);
    let (code, out, err) = g.run(&["panels", "drain", "--json"]);
    assert_eq!(code, 0, "{err}");
    let drained: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        drained
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["removed"] == 1),
        "{drained}"
    );
    assert_eq!(g.panel(0).swipe("card", "1c-3b-4a").await["granted"], false);
    assert_eq!(g.panel(1).swipe("card", "1850186").await["granted"], false);
}

/// The sweep finds what was planted on a panel behind the app's back under Gatehouse's tag (and
/// only that: the permit's own crew and an identifier of another system are no orphans), and
/// its removal takes it off, read back gone.
#[tokio::test(flavor = "multi_thread")]
async fn the_sweep_finds_an_identifier_planted_behind_the_app_s_back_and_removes_it() {
    let g = Gates::new(2).await;
    let pass = g.pass.as_str();
    let (code, _, err) = g.run(&["panels", "provision", pass, "--card", "1c-3b-4a=Ali"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = g.run(&["panels", "sweep"]);
    assert_eq!(code, 0, "nothing to find yet: {out} {err}");
    // Planted on panel 2 (decimal): one with our tag, one of the building's own system.
    let planted = g
        .panel(1)
        .plant("card", "7340031", "GH WP-0000 Ghost")
        .await;
    assert_eq!(planted["success"], true, "{planted}");
    g.panel(1).plant("inputCode", "9911", "Concierge").await;

    let (code, out, err) = g.run(&["panels", "sweep", "--json"]);
    assert_eq!(code, 3, "orphans left: {err}");
    assert!(err.contains("1 orphan(s) left"), "{err}");
    let swept: serde_json::Value = serde_json::from_str(&out).unwrap();
    let panels = swept["panels"].as_array().unwrap();
    assert_eq!(
        panels
            .iter()
            .map(|p| (p["identifiers"].as_u64(), p["ours"].as_u64()))
            .collect::<Vec<_>>(),
        [(Some(1), Some(1)), (Some(3), Some(2))]
    );
    assert!(panels[0]["orphans"].as_array().unwrap().is_empty());
    let orphans = panels[1]["orphans"].as_array().unwrap();
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert_eq!(orphans[0]["owner"], "GH WP-0000 Ghost");
    assert_eq!(orphans[0]["decimal"], "7340031");
    assert_eq!(orphans[0]["hex"], "6f-ff-ff");
    assert_eq!(g.panel(1).swipe("card", "7340031").await["granted"], true);

    let (code, out, err) = g.run(&["panels", "sweep", "--remove"]);
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("gate-2          removed 1 orphan(s)"), "{out}");
    assert_eq!(g.panel(1).swipe("card", "7340031").await["granted"], false);
    // The rest is untouched: the crew's card, and the other system's PIN.
    assert_eq!(g.panel(1).swipe("card", "1850186").await["granted"], true);
    assert_eq!(g.panel(1).swipe("inputCode", "9911").await["granted"], true);
    // Planted again after its removal: found again.
    g.panel(1)
        .plant("card", "7340031", "GH WP-0000 Ghost")
        .await;
    let (code, _, err) = g.run(&["panels", "sweep"]);
    assert_eq!(code, 3, "{err}");
}

/// A swipe at a panel's door is copied from its log into the cache, and shows in the timeline
/// of the permit whose crew it let in; copying again adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_swipe_at_a_door_shows_in_the_permit_s_timeline() {
    let g = Gates::new(2).await;
    let pass = g.pass.as_str();
    let (code, _, err) = g.run(&[
        "panels",
        "provision",
        pass,
        "--card",
        "1c-3b-4a=Ali Hassan",
        "--pin",
        "4821=Ravi",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(g.panel(1).swipe("card", "1850186").await["granted"], true);
    assert_eq!(
        g.panel(0).swipe("inputCode", "1111").await["granted"],
        false
    );
    let (code, out, err) = g.run(&["panels", "log", "--json"]);
    assert_eq!(code, 0, "{err}");
    let pulled: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        pulled
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["new"].as_u64())
            .collect::<Vec<_>>(),
        [Some(1), Some(1)],
        "{pulled}"
    );
    let (code, out, _) = g.run(&["panels", "log", "--json"]);
    assert_eq!(code, 0);
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()[1]["new"] == 0,
        "copied once: {out}"
    );
    // Revoked: its crew's swipe is refused, and that too is the permit's.
    let (code, _, err) = g.run(&["panels", "revoke", pass]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        g.panel(0).swipe("inputCode", "4821").await["granted"],
        false
    );
    g.run(&["panels", "log"]);

    let detail = g.desk.json(&["permits", "show", pass, "--json"]);
    let doors: Vec<(String, String)> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["what"].as_str().is_some_and(|w| w.starts_with("door")))
        .map(|t| {
            (
                t["what"].as_str().unwrap().to_owned(),
                t["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let name = |i: usize| g.listed[i]["name"].as_str().unwrap().to_owned();
    let mut doors = doors;
    doors.sort(); // the two may fall in one second
    assert_eq!(
        doors,
        [
            (
                "door opened".to_owned(),
                format!("{} door, Ali Hassan's card", name(1))
            ),
            (
                "door refused".to_owned(),
                format!("{} door, Ravi's PIN", name(0))
            ),
        ],
        "{detail}"
    );
}
