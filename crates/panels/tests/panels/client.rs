//! `PanelClient` against simulated panels: the API line picked from `/api/info`, the login's
//! final refusal and the one fresh login, the same card on a hex and a decimal panel, results item
//! by item, read-back, listing, the clock, the log, and what an error says about a write.

use std::num::NonZeroU32;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gatehouse_basip::{
    IdentifierType, Lock, Owner, OwnerType, PassRule, Representation, TimeRule, ValidRule,
};
use gatehouse_panels::{
    CardNumber, Checked, Grant, PanelClient, PanelError, PanelSettings, checked,
};
use gatehouse_sandbox::{Config, PanelConfig, Running, Seed};
use serde_json::json;

async fn sandbox(panels: Vec<PanelConfig>) -> Running {
    gatehouse_sandbox::start(
        Config {
            seed: Seed::Empty,
            panels,
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn settings(sb: &Running, i: usize) -> PanelSettings {
    let p = sb.panels[i].listing();
    PanelSettings::new(&p.url, &p.username, &p.password)
}

async fn client(sb: &Running, i: usize) -> PanelClient {
    PanelClient::connect(settings(sb, i)).await.unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn grant(id: Checked, name: &str, hours: i64) -> Grant {
    Grant {
        id,
        owner: Owner {
            name: format!("GH {name}"),
            kind: OwnerType::Guest,
        },
        lock: Lock::First,
        valid: ValidRule {
            time: TimeRule::window(now() - 300, now() + hours * 3600).unwrap(),
            passes: PassRule::Unlimited,
        },
    }
}

fn card(written: &str) -> Checked {
    checked(&IdentifierType::Card, written).unwrap()
}

#[tokio::test]
async fn the_api_line_comes_from_the_info_and_a_wrong_password_is_final() {
    let sb = sandbox((1..=3).map(PanelConfig::numbered).collect()).await;
    assert_eq!(client(&sb, 0).await.base(), "/api/v1");
    let old = client(&sb, 2).await;
    assert_eq!(
        (old.base(), old.info().api_version.as_deref()),
        ("/api/v0", Some("1.8.0"))
    );
    // Reads work under the old line too.
    assert!(old.clock().await.is_ok());

    let mut wrong = settings(&sb, 0);
    wrong.password = "guess".into();
    let c = PanelClient::connect(wrong).await.unwrap();
    let err = c.clock().await.unwrap_err();
    assert_eq!(
        err,
        PanelError::WrongLogin("Wrong login or password".into())
    );
    assert!(!err.is_transient() && !err.may_have_applied());

    // A token the panel forgot: one fresh login, and the call goes through.
    let c = client(&sb, 0).await;
    c.clock().await.unwrap();
    reqwest::Client::new()
        .delete(format!("{}/__sandbox/tokens", sb.panels[0].url()))
        .send()
        .await
        .unwrap();
    c.clock().await.expect("logged in again once");

    let err = PanelClient::connect(PanelSettings::new("ftp://panel", "a", "b"))
        .await
        .unwrap_err();
    assert!(matches!(err, PanelError::Invalid(_)), "{err}");
}

#[tokio::test]
async fn one_card_on_a_hex_panel_and_a_decimal_panel_is_the_same_card_on_both() {
    let sb = sandbox(vec![PanelConfig::numbered(1), PanelConfig::numbered(2)]).await;
    let (hex, dec) = (client(&sb, 0).await, client(&sb, 1).await);
    assert_eq!(hex.representation().await.unwrap(), Representation::Hex);
    assert_eq!(dec.representation().await.unwrap(), Representation::Decimal);
    // The reference's card, as a guard types it from the print: facility 28, card 15178.
    let c = card("028,15178");
    for panel in [&hex, &dec] {
        let r = panel
            .put(&[grant(c.clone(), "WP-000001 Ali", 8)])
            .await
            .unwrap();
        assert!(r[0].success, "{r:?}");
    }
    // Each panel shows it in its own mode, and both are card 1850186.
    let (on_hex, r_hex) = hex.all(&IdentifierType::Card).await.unwrap();
    let (on_dec, r_dec) = dec.all(&IdentifierType::Card).await.unwrap();
    let shown = |list: &[gatehouse_basip::Identifier]| list[0].identifier_number.clone().unwrap().0;
    assert_eq!(
        (shown(&on_hex).as_str(), shown(&on_dec).as_str()),
        ("1c-3b-4a", "1850186")
    );
    for (text, r) in [(shown(&on_hex), r_hex), (shown(&on_dec), r_dec)] {
        assert_eq!(
            CardNumber::from_panel(&text, &r).unwrap().value(),
            1_850_186
        );
    }
    // The simulator agrees: a swipe of the card reads as granted on both.
    for (p, number) in [(0, "1c-3b-4a"), (1, "1850186")] {
        let swipe: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/__sandbox/swipe", sb.panels[p].url()))
            .json(&json!({"number": number}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(swipe["granted"], true, "{swipe}");
    }
    // Read back by number on both; card 44 is on neither (68 would be, on a hex panel that
    // read "44" as hex: the trap the type closes).
    assert!(hex.find(&c).await.unwrap().is_some() && dec.find(&c).await.unwrap().is_some());
    assert!(hex.find(&card("44")).await.unwrap().is_none());
    // Removed from both, and read back gone.
    for panel in [&hex, &dec] {
        assert!(panel.delete(std::slice::from_ref(&c)).await.unwrap()[0].success);
        assert!(panel.find(&c).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_batch_is_read_item_by_item_and_kept_within_its_chunk() {
    let mut small = PanelConfig::numbered(1);
    small.capacity = 2;
    let sb = sandbox(vec![small]).await;
    let c = client(&sb, 0).await;
    let pins: Vec<Grant> = ["4821", "4822", "4823"]
        .iter()
        .map(|p| grant(checked(&IdentifierType::InputCode, p).unwrap(), p, 1))
        .collect();
    let r = c.put(&pins).await.unwrap();
    assert_eq!(
        r.iter()
            .map(|i| (i.success, i.extended_info.clone().unwrap()))
            .collect::<Vec<_>>(),
        [
            (true, "created".into()),
            (true, "created".into()),
            (false, "number_of_identifiers_exceeded".into())
        ]
    );
    // Sent again, the two that succeeded are updated in place, not doubled.
    let again = c.put(&pins[..2]).await.unwrap();
    assert!(
        again
            .iter()
            .all(|i| i.extended_info.as_deref() == Some("updated"))
    );
    let (all, _) = c.all(&IdentifierType::InputCode).await.unwrap();
    assert_eq!(all.len(), 2);
    // More than a chunk, or two types in one batch: refused before anything is sent.
    let many: Vec<Grant> = (0..51)
        .map(|i| grant(card(&format!("{}", 1000 + i)), "x", 1))
        .collect();
    assert!(matches!(c.put(&many).await, Err(PanelError::Invalid(_))));
    let mixed = vec![pins[0].clone(), grant(card("44"), "x", 1)];
    assert!(matches!(c.put(&mixed).await, Err(PanelError::Invalid(_))));
    // A bounded pass count goes as the documented shape and reads back so.
    let mut limited = grant(card("00-00-99"), "limited", 1);
    limited.valid.passes = PassRule::AtMost(NonZeroU32::new(2).unwrap());
    let full = c.put(std::slice::from_ref(&limited)).await.unwrap();
    assert_eq!(
        full[0].extended_info.as_deref(),
        Some("number_of_identifiers_exceeded")
    );
    assert!(c.delete(&[pins[0].id.clone()]).await.unwrap()[0].success);
    assert!(c.put(std::slice::from_ref(&limited)).await.unwrap()[0].success);
    let back = c.find(&limited.id).await.unwrap().unwrap();
    assert_eq!(back.pass_rule(), Some(limited.valid.passes));
}

#[tokio::test]
async fn listing_pages_through_every_identifier() {
    let sb = sandbox(vec![PanelConfig::numbered(2)]).await;
    let c = client(&sb, 0).await;
    let cards: Vec<Checked> = (0..130)
        .map(|i| card(&format!("{}", 2_000_000 + i)))
        .collect();
    for chunk in cards.chunks(50) {
        let grants: Vec<Grant> = chunk.iter().map(|c| grant(c.clone(), "crew", 2)).collect();
        assert!(c.put(&grants).await.unwrap().iter().all(|r| r.success));
    }
    let (all, r) = c.all(&IdentifierType::Card).await.unwrap();
    assert_eq!(all.len(), 130);
    let mut values: Vec<u64> = all
        .iter()
        .map(|i| {
            CardNumber::from_panel(&i.identifier_number.clone().unwrap().0, &r)
                .unwrap()
                .value()
        })
        .collect();
    values.sort_unstable();
    assert_eq!(
        values,
        (0..130).map(|i| 2_000_000 + i).collect::<Vec<u64>>()
    );
    assert!(
        all.iter()
            .all(|i| matches!(i.time_rule(), Some(TimeRule::Window { .. })))
    );
}

#[tokio::test]
async fn the_clock_drift_and_the_log_are_read() {
    let mut ahead = PanelConfig::numbered(1);
    ahead.clock_skew_secs = 240;
    let sb = sandbox(vec![ahead]).await;
    let c = client(&sb, 0).await;
    let (_, drift) = c.clock().await.unwrap();
    assert!((235..=245).contains(&drift), "{drift}");
    let from = now() - 10;
    c.put(&[grant(card("1c-3b-4a"), "WP-000007 Omar", 1)])
        .await
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}/__sandbox/swipe", sb.panels[0].url()))
        .json(&json!({"number": "1c-3b-4a", "door": "Tower 1 lobby"}))
        .send()
        .await
        .unwrap();
    let log = c.log_since(from).await.unwrap();
    let grant = log
        .iter()
        .find(|e| e.event.as_deref() == Some("access_granted_by_valid_identifier"))
        .unwrap_or_else(|| panic!("{log:?}"));
    assert_eq!(grant.info.as_ref().unwrap()["door"], "Tower 1 lobby");
    assert!(grant.id.is_some() && grant.time_unix.is_some());
}

#[tokio::test]
async fn errors_say_whether_a_write_may_have_been_applied() {
    let sb = sandbox(vec![PanelConfig::numbered(1)]).await;
    let url = sb.panels[0].url();
    let c = client(&sb, 0).await;
    let arm = |fault: serde_json::Value| {
        let url = url.clone();
        async move {
            let r = reqwest::Client::new()
                .post(format!("{url}/__sandbox/faults"))
                .json(&fault)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }
    };
    let pin = || grant(checked(&IdentifierType::InputCode, "7777").unwrap(), "p", 1);
    arm(json!({"kind": "status", "path": "/api/v1/access/identifiers", "method": "PUT", "status": 503})).await;
    let e = c.put(&[pin()]).await.unwrap_err();
    assert!(
        matches!(e, PanelError::Server { status: 503, .. }) && e.may_have_applied(),
        "{e}"
    );
    arm(json!({"kind": "dropAfter", "path": "/api/v1/access/identifiers", "method": "PUT"})).await;
    let e = c.put(&[pin()]).await.unwrap_err();
    assert!(e.may_have_applied() && e.is_transient(), "{e}");
    // It was applied: the read-back finds it.
    assert!(c.find(&pin().id).await.unwrap().is_some());
    arm(json!({"kind": "malformed", "path": "/api/v1/access/identifiers"})).await;
    assert!(matches!(c.put(&[pin()]).await, Err(PanelError::Decode(_))));
    // A panel that is gone: nothing was sent.
    let alone = gatehouse_sandbox::start_panel(
        PanelConfig::numbered(3),
        "127.0.0.1:0".parse().unwrap(),
        None,
    )
    .await
    .unwrap();
    let l = alone.listing();
    let mut gone = PanelSettings::new(&l.url, &l.username, &l.password);
    gone.timeout = Duration::from_secs(2);
    let c = PanelClient::connect(gone).await.unwrap();
    alone.stop().await;
    let e = c.put(&[pin()]).await.unwrap_err();
    assert!(
        matches!(e, PanelError::Unreachable(_)) && !e.may_have_applied(),
        "{e}"
    );
}
