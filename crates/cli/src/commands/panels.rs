//! `gatehouse panels`: the profile's BAS-IP gate panels.

use std::io::Read as _;

use gatehouse_app::panels::{CrewIdentifier, DoorCrewLine, DoorsOnPanel, PanelAdd, PanelRecord};
use gatehouse_app::vocabulary::IdentifierType;

use crate::args::PanelsCmd;
use crate::output;
use crate::{Failure, Target};

fn when(unix: Option<i64>) -> String {
    unix.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(4 * 3600).expect("UTC+4"))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
}

/// `NUMBER` or `NUMBER=HOLDER` as a crew identifier of `kind`.
fn crew(kind: IdentifierType, written: &[String]) -> Vec<CrewIdentifier> {
    written
        .iter()
        .map(|w| {
            let (number, holder) = w.rsplit_once('=').unwrap_or((w.as_str(), "crew"));
            CrewIdentifier {
                kind: kind.clone(),
                written: number.to_owned(),
                holder: holder.trim().to_owned(),
            }
        })
        .collect()
}

/// Prints where a permit's identifiers stand, panel by panel and then each identifier (a PIN in
/// full: this is where a made one is read); exit 3 when some still wait for a panel.
fn doors(all: &[DoorsOnPanel], crew: &[DoorCrewLine], json: bool) -> Result<(), Failure> {
    if json {
        output::json(all);
    } else {
        for l in crew {
            say!(
                "{}  {}  {}  on {} panel(s){}",
                output::pad(l.kind.label(), 5),
                output::pad(&l.number, 24),
                output::pad(&output::cut(&l.holder, 30), 30),
                l.placed,
                if l.waiting > 0 {
                    format!(", {} waiting", l.waiting)
                } else {
                    String::new()
                }
            );
        }
        for d in all {
            say!(
                "{}  placed {}  removed {}  waiting {}{}",
                output::pad(&d.panel, 14),
                d.placed,
                d.removed,
                d.waiting,
                d.problem
                    .as_deref()
                    .map(|p| format!("  ({p})"))
                    .unwrap_or_default()
            );
        }
    }
    let waiting: u32 = all.iter().map(|d| d.waiting).sum();
    if waiting > 0 {
        return Err(Failure::Offline(format!(
            "{waiting} identifier(s) wait for a panel; `gatehouse panels drain` sends them when it answers"
        )));
    }
    Ok(())
}

/// Prints each panel's orphans (and with `remove`, takes them off); exit 3 while some are left
/// or a panel could not be listed.
async fn sweep(c: &gatehouse_app::Community, remove: bool, json: bool) -> Result<(), Failure> {
    let mut swept = c.sweep_panels().await?;
    let mut drains = Vec::new();
    if remove {
        for s in swept.iter().filter(|s| !s.orphans.is_empty()) {
            drains.push(c.remove_orphans(&s.panel).await?);
        }
        if !drains.is_empty() {
            swept = c.sweep_panels().await?;
        }
    }
    if json {
        output::json(&serde_json::json!({ "panels": swept, "removed": drains }));
    } else {
        for d in &drains {
            say!(
                "{}  removed {} orphan(s){}",
                output::pad(&d.panel, 14),
                d.removed,
                d.problem
                    .as_deref()
                    .map(|p| format!("  ({p})"))
                    .unwrap_or_default()
            );
        }
        for s in &swept {
            match &s.problem {
                Some(p) => say!("{}  not listed: {p}", output::pad(&s.panel, 14)),
                None => say!(
                    "{}  {} identifier(s), {} Gatehouse's, {} orphan(s)",
                    output::pad(&s.panel, 14),
                    s.identifiers,
                    s.ours,
                    s.orphans.len()
                ),
            }
            for o in &s.orphans {
                say!(
                    "  orphan  {}  {}  {}  {} → {}",
                    output::pad(&o.kind, 13),
                    output::pad(&o.number, 24),
                    output::cut(&o.owner, 40),
                    when(o.from),
                    when(o.to)
                );
            }
        }
    }
    let left: usize = swept.iter().map(|s| s.orphans.len()).sum();
    if let Some(s) = swept.iter().find(|s| !s.reachable) {
        return Err(Failure::Offline(format!(
            "the panel \"{}\" could not be listed",
            s.panel
        )));
    }
    if left > 0 {
        return Err(Failure::Offline(format!(
            "{left} orphan(s) left; `gatehouse panels sweep --remove` takes them off"
        )));
    }
    Ok(())
}

pub async fn run(target: Target, cmd: PanelsCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    match cmd {
        PanelsCmd::Add {
            name,
            url,
            user,
            password_stdin,
            towers,
            lock,
            basic_auth,
        } => {
            let password = if password_stdin {
                let mut p = String::new();
                std::io::stdin().read_to_string(&mut p).map_err(|e| {
                    Failure::Error(format!("cannot read the password from standard input: {e}"))
                })?;
                let p = p.trim_end_matches(['\r', '\n']).to_owned();
                if p.is_empty() {
                    return Err(Failure::Refused(
                        "the password on standard input is empty".into(),
                    ));
                }
                Some(p)
            } else {
                None
            };
            let s = c
                .add_panel(PanelAdd {
                    record: PanelRecord {
                        name: name.clone(),
                        url,
                        username: user,
                        towers,
                        lock,
                        basic_auth,
                    },
                    password,
                })
                .await?;
            say!(
                "Panel \"{name}\" added: API {}, {} numbers, clock {} s off{}.",
                s.api_version.as_deref().unwrap_or("?"),
                s.representation.as_deref().unwrap_or("?"),
                s.drift_secs.unwrap_or(0),
                if password_stdin {
                    "; its password is in the OS keychain"
                } else {
                    ""
                }
            );
            Ok(())
        }
        PanelsCmd::List(f) => {
            let all = c.panels().await?;
            if f.json {
                output::json(&all);
                return Ok(());
            }
            if all.is_empty() {
                say!(
                    "No panels. Add one with `gatehouse panels add NAME --url URL --tower ID --password-stdin`."
                );
            }
            for p in &all {
                let state = match &p.problem {
                    Some(why) => why.clone(),
                    None => format!(
                        "API {}, {} numbers, clock {:+} s{}",
                        p.api_version.as_deref().unwrap_or("?"),
                        p.representation.as_deref().unwrap_or("?"),
                        p.drift_secs.unwrap_or(0),
                        if p.drift_warning {
                            " (drifting: check its time)"
                        } else {
                            ""
                        }
                    ),
                };
                let waiting = match p.waiting {
                    0 => String::new(),
                    n => format!("; {n} waiting to be sent"),
                };
                say!(
                    "{}  {}  towers {}  lock {}  {state}{waiting}",
                    output::pad(&p.name, 14),
                    output::pad(&p.url, 26),
                    p.towers.join(","),
                    p.lock
                );
            }
            Ok(())
        }
        PanelsCmd::Identifiers { name, json } => {
            let rows = c.panel_identifiers(&name).await?;
            if json {
                output::json(&rows);
                return Ok(());
            }
            for r in &rows {
                let number = match (&r.decimal, &r.hex) {
                    (Some(d), Some(h)) => format!("{d} ({h})"),
                    _ => r.number.clone(),
                };
                say!(
                    "{}  {}  {}  {}  {} → {}{}",
                    output::pad(&r.kind, 13),
                    output::pad(&number, 28),
                    output::pad(&output::cut(&r.owner, 30), 30),
                    output::pad(&r.lock, 6),
                    when(r.from),
                    when(r.to),
                    if r.ours { "" } else { "  (not Gatehouse's)" }
                );
            }
            say!("{} identifier(s) on \"{name}\".", rows.len());
            Ok(())
        }
        PanelsCmd::Provision {
            permit,
            cards,
            ukeys,
            pins,
            plates,
            qrs,
            max_passes,
            json,
        } => {
            let mut all = crew(IdentifierType::Card, &cards);
            all.extend(crew(IdentifierType::Ukey, &ukeys));
            all.extend(crew(IdentifierType::InputCode, &pins));
            all.extend(crew(IdentifierType::LicensePlate, &plates));
            all.extend(crew(IdentifierType::Qr, &qrs));
            let placed = c.provision_doors(&permit, &all, max_passes).await?;
            let id = c.permit(&permit).await?.permit.id;
            doors(&placed, &c.door_crew(&id).await?, json)
        }
        PanelsCmd::Revoke { permit, json } => {
            let left = c.revoke_doors(&permit).await?;
            doors(&left, &[], json)
        }
        PanelsCmd::Doors { permit, json } => {
            let id = c.permit(&permit).await?.permit.id;
            doors(&c.doors_of(&id).await?, &c.door_crew(&id).await?, json)
        }
        PanelsCmd::Drain(f) => {
            let all = c.drain_panels().await?;
            if f.json {
                output::json(&all);
            } else {
                for d in &all {
                    say!(
                        "{}  placed {}  removed {}  failed {}{}",
                        output::pad(&d.panel, 14),
                        d.placed,
                        d.removed,
                        d.failed,
                        d.problem
                            .as_deref()
                            .map(|p| format!("  ({p})"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        PanelsCmd::Sweep { remove, json } => sweep(&c, remove, json).await,
        PanelsCmd::Log(f) => {
            let all = c.pull_door_logs().await?;
            if f.json {
                output::json(&all);
            } else {
                for p in &all {
                    say!(
                        "{}  {} new door event(s){}",
                        output::pad(&p.panel, 14),
                        p.new,
                        p.problem
                            .as_deref()
                            .map(|p| format!("  ({p})"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(())
        }
        PanelsCmd::Remove { name } => {
            c.remove_panel(&name)?;
            say!("Panel \"{name}\" removed from this profile (what it holds stays on it).");
            Ok(())
        }
    }
}
