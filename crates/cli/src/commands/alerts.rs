//! `gatehouse alerts`: expiry alerts from the cache. `due` shows what would be told (JSON with
//! each alert's kind, threshold, urgency, title, body and permits) and tells nothing; `notify`
//! tells it as desktop notifications, once (`--once`) or every minute while it runs; `snooze`
//! puts permits' alerts off until their next threshold.

use std::time::Duration;

use gatehouse_app::{AlertUrgency, AlertView, Community, Notifier, OPEN_PERMITS_ARG};

use crate::args::{AlertsCmd, AlertsDueArgs, AlertsNotifyArgs, AlertsSnoozeArgs};
use crate::output;
use crate::{Failure, Target};

/// How often the runner syncs and tells what is due: a wall-clock tick, so a PC that slept
/// catches up within a minute of waking (one long sleep would stall across the suspend).
const TICK: Duration = Duration::from_secs(60);

/// The desktop app the runner's notifications open: `GATEHOUSE_DESKTOP`, else
/// `gatehouse-desktop` beside this program, else on the PATH.
const DESKTOP_ENV: &str = "GATEHOUSE_DESKTOP";

pub async fn run(target: Target, cmd: AlertsCmd) -> Result<(), Failure> {
    match cmd {
        AlertsCmd::Due(a) => due(target, a).await,
        AlertsCmd::Notify(a) => notify(target, a).await,
        AlertsCmd::Snooze(a) => snooze(target, a).await,
    }
}

async fn snooze(target: Target, a: AlertsSnoozeArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let snoozed = c.snooze_alerts(&a.permits, a.at.as_deref()).await?;
    if a.json {
        output::json(&snoozed);
        return Ok(());
    }
    for s in &snoozed {
        say!("{}", s.said);
    }
    let left = a.permits.len() - snoozed.len();
    if left > 0 {
        say!("{left} not ACCEPTED: they have no alerts to put off.");
    }
    Ok(())
}

fn mark(urgency: AlertUrgency) -> &'static str {
    match urgency {
        AlertUrgency::Critical => "!",
        AlertUrgency::Normal => " ",
    }
}

async fn due(target: Target, a: AlertsDueArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let due = c.alerts_due(a.at.as_deref()).await?;
    if a.json {
        output::json(&due);
        return Ok(());
    }
    if due.is_empty() {
        say!("No alert is due.");
    }
    for alert in &due {
        say!("{} {}", mark(alert.urgency), alert.title);
        say!("  {}", alert.body);
    }
    Ok(())
}

async fn notify(target: Target, a: AlertsNotifyArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    if a.once {
        // Nothing waits for a click: the command returns once the notifications are shown.
        let told = tell(&c, a.at.as_deref(), &Notifier::new(|_| {}), !a.json).await?;
        if a.json {
            output::json(&told);
        } else if told.is_empty() {
            say!("No alert is due.");
        }
        return Ok(());
    }
    let notifier = Notifier::new(open_app);
    let mut offline: Option<String> = None;
    loop {
        match c.sync_now(false, |_| {}).await {
            Ok(_) => {
                if offline.take().is_some() {
                    tell!("gatehouse: synced again.");
                }
            }
            // Said once, not every minute: the cache's alerts still go out.
            Err(e) if offline.as_deref() != Some(e.message.as_str()) => {
                tell!(
                    "gatehouse: cannot sync ({}); alerting from the cache.",
                    e.message
                );
                offline = Some(e.message);
            }
            Err(_) => {}
        }
        for alert in tell(&c, None, &notifier, !a.json).await? {
            if a.json {
                output::json_line(&alert);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// Tells what is due (and prints it as lines when `lines`).
async fn tell(
    c: &Community,
    at: Option<&str>,
    notifier: &Notifier,
    lines: bool,
) -> Result<Vec<AlertView>, Failure> {
    let (told, refused) = c.tell_due(at, notifier).await?;
    if lines {
        for alert in &told {
            say!("{} {}", mark(alert.urgency), alert.title);
            say!("  {}", alert.body);
        }
    }
    if let Some(why) = refused {
        tell!("gatehouse: {why}");
    }
    Ok(told)
}

/// A click on a notification: the desktop app opens on the alert's permits (a running one is
/// handed them and comes to the front).
fn open_app(permits: Vec<String>) {
    let program = std::env::var_os(DESKTOP_ENV)
        .map(std::path::PathBuf::from)
        .or_else(|| {
            let beside = std::env::current_exe()
                .ok()?
                .with_file_name(format!("gatehouse-desktop{}", std::env::consts::EXE_SUFFIX));
            beside.exists().then_some(beside)
        })
        .unwrap_or_else(|| "gatehouse-desktop".into());
    let arg = format!("{OPEN_PERMITS_ARG}={}", permits.join(","));
    if let Err(e) = std::process::Command::new(&program).arg(arg).spawn() {
        tell!(
            "gatehouse: cannot open the app ({}: {e}); set {DESKTOP_ENV} to its path.",
            program.display()
        );
    }
}
