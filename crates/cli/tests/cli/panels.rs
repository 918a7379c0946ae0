//! `gatehouse panels` against the sandbox's simulated BAS-IP panels: added once they answer and
//! take the login, listed with what they are and how they answer, refused plainly otherwise.

use gatehouse_sandbox::PanelConfig;
use gatehouse_testkit::Sandbox;

use crate::support::{Desk, text};

#[tokio::test(flavor = "multi_thread")]
async fn panels_are_added_when_they_answer_and_listed_with_their_state() {
    let sb = Sandbox::builder()
        .config(|c| c.panels = vec![PanelConfig::numbered(1), PanelConfig::numbered(2)])
        .start()
        .await;
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
