//! `gatehouse sandbox`: a local Buzz-In Work Permit API (the demo community) on loopback.

use std::net::{IpAddr, SocketAddr};

use gatehouse_app::vocabulary::StatusName;
use gatehouse_sandbox::{Config, Seed, WebhookConfig, WebhookTarget};

fn parse_status_code(s: &str) -> Result<(StatusName, i64), String> {
    let (name, code) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=N such as REVOKED=7, not \"{s}\""))?;
    let status = StatusName::parse(name.trim());
    if !status.is_known() {
        let known: Vec<&str> = StatusName::KNOWN.iter().map(StatusName::as_str).collect();
        return Err(format!(
            "unknown status \"{name}\": one of {}",
            known.join(", ")
        ));
    }
    let code = code
        .trim()
        .parse()
        .map_err(|_| format!("the code in \"{s}\" must be a whole number"))?;
    Ok((status, code))
}

#[derive(clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to bind. The sandbox is meant for this machine: keep it on loopback.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// `demo` (a small realistic community), `empty`, or a number of permits to generate.
    #[arg(long, default_value = "demo")]
    seed: Seed,
    /// Makes generated data repeatable: the same number gives the same community.
    #[arg(long, default_value_t = 2026)]
    seed_number: u64,
    /// The API key clients must send.
    #[arg(long, env = "GATEHOUSE_SANDBOX_API_KEY", default_value = "sandbox-key")]
    api_key: String,
    /// Accept the key only in this header (bare key), instead of `Authorization: Bearer` or
    /// `x-api-key`.
    #[arg(long)]
    auth_header: Option<String>,
    /// Add contractors named to break a UI (markup, bidi overrides, very long text).
    #[arg(long)]
    hostile: bool,
    /// Deliver every event as a webhook to this http:// URL (repeat for more receivers).
    #[arg(long = "webhook-url", value_name = "URL")]
    webhook_urls: Vec<String>,
    /// Use code N for a status, e.g. `--status-code REVOKED=7` (repeatable). Only ACCEPTED = 1
    /// and DRAFT = 10 are documented; the other codes are placeholders.
    #[arg(long = "status-code", value_name = "NAME=N", value_parser = parse_status_code)]
    status_codes: Vec<(StatusName, i64)>,
    /// Do not serve the /__sandbox control endpoints.
    #[arg(long)]
    no_control: bool,
    /// Keep the sandbox's state in this folder across restarts. A folder that already holds one
    /// is resumed as it was (and --seed is not used).
    #[arg(long, value_name = "DIR")]
    data: Option<std::path::PathBuf>,
    /// Also simulate N BAS-IP panels, each on its own loopback port with its own credentials,
    /// API version and representation (hex and decimal in turn); listed below and at
    /// GET /__sandbox/panels.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=32))]
    panels: u8,
    /// Webhook secret: sent as X-Buzzin-Token and used to sign buzzin-signature.
    #[arg(long, env = "GATEHOUSE_SANDBOX_WEBHOOK_SECRET")]
    webhook_secret: Option<String>,
}

pub async fn run(args: SandboxArgs) -> Result<(), String> {
    if !args.bind.is_loopback() {
        if args.api_key == gatehouse_sandbox::DEFAULT_KEY {
            return Err(format!(
                "--bind {} would serve the sandbox beyond this computer with the well-known key \"{}\": give it a key of its own with --api-key (or GATEHOUSE_SANDBOX_API_KEY)",
                args.bind,
                gatehouse_sandbox::DEFAULT_KEY
            ));
        }
        tell!(
            "gatehouse: warning: serving on {}, beyond this computer: anyone on the network with the key can use the sandbox{}.",
            args.bind,
            if args.no_control {
                ""
            } else {
                ", its control endpoints (clock, faults, approvals) included; --no-control turns them off"
            }
        );
    }
    let seed_label = match &args.seed {
        Seed::Demo => "the demo community".to_owned(),
        Seed::Empty => "an empty community".to_owned(),
        Seed::Count(n) => format!("{n} generated permits"),
    };
    for url in &args.webhook_urls {
        if !url.starts_with("http://") {
            return Err(format!(
                "--webhook-url must be a plain http:// URL of a receiver on this network (the sandbox does not speak TLS), not \"{url}\""
            ));
        }
    }
    let webhooks = WebhookConfig {
        targets: args
            .webhook_urls
            .iter()
            .map(|url| WebhookTarget {
                url: url.clone(),
                events: None,
            })
            .collect(),
        secret: args.webhook_secret,
        ..WebhookConfig::default()
    };
    let receivers = webhooks.targets.len();
    let config = Config {
        api_keys: vec![args.api_key],
        auth_header: args.auth_header,
        seed: args.seed,
        seed_number: args.seed_number,
        hostile: args.hostile,
        webhooks,
        data_dir: args.data.clone(),
        status_codes: args.status_codes,
        control: !args.no_control,
        panels: (1..=usize::from(args.panels))
            .map(gatehouse_sandbox::PanelConfig::numbered)
            .collect(),
    };
    let started = std::time::Instant::now();
    let running = gatehouse_sandbox::start(config, SocketAddr::new(args.bind, args.port))
        .await
        .map_err(|e| match e.kind() {
            // The data folder (opening, reading or writing it) says what went wrong itself.
            std::io::ErrorKind::Other => format!("the sandbox could not start: {e}"),
            _ => format!(
                "the sandbox could not listen on {}:{}: {e}",
                args.bind, args.port
            ),
        })?;
    let what = match (&args.data, running.resumed) {
        (Some(dir), true) => format!("the community saved in {}", dir.display()),
        (Some(dir), false) => format!("{seed_label}, saved in {}", dir.display()),
        (None, _) => seed_label,
    };
    say!("Buzz-In sandbox serving {what} at {}", running.base_url());
    say!("API key: {}", running.api_key);
    if receivers > 0 {
        say!("Delivering webhooks to {receivers} URL(s).");
    }
    for p in &running.panels {
        let l = p.listing();
        say!(
            "BAS-IP panel {} at {} (API {}, {} numbers): user {}, password {}",
            l.name,
            l.url,
            l.api_version,
            l.representation,
            l.username,
            l.password
        );
    }
    say!(
        "Ready in {} ms. Stop with Ctrl-C.",
        started.elapsed().as_millis()
    );
    tokio::select! {
        r = running.wait() => r.map_err(|e| format!("the sandbox stopped: {e}")),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
