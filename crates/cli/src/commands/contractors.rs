//! `gatehouse contractors`: the queue; list, show, approve, revoke.

use crate::args::ContractorsCmd;
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: ContractorsCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    match cmd {
        ContractorsCmd::List {
            state,
            search,
            json,
        } => {
            let list = c
                .contractor_list(state.map(Into::into), search.as_deref().unwrap_or(""))
                .await?;
            if json {
                output::json(&list.documents);
                return Ok(());
            }
            say!("{}", output::contractor_header());
            for r in &list.rows {
                say!("{}", output::contractor_row(r));
            }
            say!("{} contractor(s).", list.rows.len());
            Ok(())
        }
        ContractorsCmd::Show { id, json } => {
            let d = c.contractor(&id).await?;
            if json {
                output::json(&d);
                return Ok(());
            }
            let k = &d.contractor;
            say!("{}  ({})", output::or_dash(&k.name), k.state);
            say!("Company:        {}", output::or_dash(&k.company));
            say!(
                "Trade licence expires: {}",
                k.trade_license_expiry.as_deref().unwrap_or("-")
            );
            say!("Email:          {}", output::or_dash(&k.email));
            say!("Phone:          {}", output::or_dash(&k.phone));
            say!(
                "Salesforce id:  {}",
                k.salesforce_id.as_deref().unwrap_or("-")
            );
            say!(
                "Permits ({}{}):",
                d.permits_total,
                if (d.permits.len() as u32) < d.permits_total {
                    format!(", the {} ending soonest", d.permits.len())
                } else {
                    String::new()
                }
            );
            for p in &d.permits {
                say!("  {}", output::permit_row(p));
            }
            for a in &d.actions {
                say!("Queued: #{} {} ({})", a.seq, a.title, a.state);
            }
            Ok(())
        }
        ContractorsCmd::Approve { id, reason } => {
            let queued = c.approve_contractor(&id, reason.as_deref()).await?;
            super::deliver(&c, queued).await
        }
        ContractorsCmd::Revoke { id, reason, yes } => {
            if !yes {
                let d = c.contractor(&id).await?;
                say!(
                    "Revoking {id} archives {} active permit(s), {} of them live passes that stop opening the gates; this cannot be undone:",
                    d.active_permits.len(),
                    d.live_passes
                );
                for s in &d.on_site {
                    say!(
                        "  ! a crew is on site: {} entered {}",
                        s.pass_number,
                        output::local_str(&s.entered_at)
                    );
                }
                for p in &d.active_permits {
                    say!("  {}", output::permit_row(p));
                }
                return Err(Failure::NeedsConfirmation(
                    "nothing done: run again with --yes to revoke and archive these permits".into(),
                ));
            }
            let queued = c.revoke_contractor(&id, &reason).await?;
            super::deliver(&c, queued).await
        }
    }
}
