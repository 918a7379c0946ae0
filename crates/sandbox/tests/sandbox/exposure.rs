//! A sandbox on loopback serves this computer only: a request addressed to another name (a web
//! page's DNS rebinding) is refused even with the key, and the in-app demo's settings keep other
//! local users out.

use gatehouse_testkit::api::empty;

#[tokio::test]
async fn a_request_addressed_to_another_host_is_refused_even_with_the_key() {
    let api = empty().await;
    let port = api.sandbox.addr().port();
    for host in [
        "attacker.example",
        "attacker.example:80",
        "192.168.1.20",
        "localhost.attacker.example",
    ] {
        assert_eq!(
            api.status_of("/permits", &[("x-api-key", &api.key), ("host", host)])
                .await,
            403,
            "{host}"
        );
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_owned(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            api.status_of("/permits", &[("x-api-key", &api.key), ("host", &host)])
                .await,
            200,
            "{host}"
        );
    }
}

#[tokio::test]
async fn random_keys_are_long_and_never_the_well_known_one() {
    let a = gatehouse_sandbox::random_key();
    let b = gatehouse_sandbox::random_key();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert_ne!(a, gatehouse_sandbox::DEFAULT_KEY);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn the_configuration_prints_no_key_or_secret() {
    let config = gatehouse_sandbox::Config {
        api_keys: vec!["k-live-91c2".into()],
        webhooks: gatehouse_sandbox::WebhookConfig {
            secret: Some("whsec-77ab".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("k-live-91c2") && !shown.contains("whsec-77ab"),
        "{shown}"
    );
    assert!(shown.contains("***"), "{shown}");
}
