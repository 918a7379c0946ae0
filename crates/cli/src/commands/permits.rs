//! `gatehouse permits`: list (the permits table's filters), show, revoke, reissue.

use gatehouse_app::PermitFilter;
use gatehouse_app::vocabulary::{PermitType, StatusName};

use crate::args::{PermitFilters, PermitsCmd};
use crate::output::{self, local_opt, local_str};
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: PermitsCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    match cmd {
        PermitsCmd::List(f) => {
            let limit = (!f.all).then_some(f.limit);
            let json = f.json;
            let list = c.permit_list(&filter(*f), limit).await?;
            if json {
                output::json(&list.documents);
                return Ok(());
            }
            say!("{}", output::permit_header());
            for p in &list.rows {
                say!("{}", output::permit_row(p));
            }
            say!("{} of {} permit(s).", list.rows.len(), list.total);
            Ok(())
        }
        PermitsCmd::Show { permit, json } => {
            let d = c.permit(permit.trim()).await?;
            if json {
                output::json(&d);
                return Ok(());
            }
            let p = &d.permit;
            say!(
                "{}  {}{}",
                output::or_dash(&p.pass_number),
                p.status,
                p.queued
                    .as_ref()
                    .map(|m| format!(" · {}: {}", m.label, m.meaning))
                    .unwrap_or_default()
            );
            let v = &d.verdict;
            say!("{}: {}", v.headline, v.detail);
            for w in &v.warnings {
                say!("  ! {w}");
            }
            say!(
                "Type:        {}",
                p.permit_type.as_ref().map_or("-", |t| t.as_str())
            );
            say!(
                "Valid:       {} to {}",
                local_opt(p.valid_from.as_deref()),
                local_opt(p.valid_till.as_deref())
            );
            say!(
                "Daily:       {} to {} {}",
                d.time_in.as_deref().unwrap_or("-"),
                d.time_out.as_deref().unwrap_or("-"),
                output::ZONE_LABEL
            );
            say!(
                "Contractor:  {}",
                match &d.contractor {
                    Some(k) => format!("{} ({})", output::or_dash(&k.name), k.id),
                    None => output::or_dash(&p.contractor_id).to_owned(),
                }
            );
            say!(
                "Place:       {} ({})",
                output::or_dash(&p.place.text),
                p.place.ids
            );
            say!("Job:         {}", output::or_dash(&p.job));
            say!("Crew:        {}", d.crew.len());
            for m in &d.crew {
                say!(
                    "  {}  {}",
                    output::or_dash(&m.name),
                    m.document.as_deref().unwrap_or("-")
                );
            }
            say!("Access code: {}", d.access_code.as_deref().unwrap_or("-"));
            say!("Timeline:");
            for t in &d.timeline {
                say!(
                    "  {}  {}{}",
                    local_str(&t.at),
                    t.what,
                    t.detail
                        .as_deref()
                        .map(|x| format!(": {x}"))
                        .unwrap_or_default()
                );
            }
            for a in &d.actions {
                say!("Queued: #{} {} ({})", a.seq, a.title, a.state);
            }
            Ok(())
        }
        PermitsCmd::Revoke { permit, reason } => {
            let id = c.permit(permit.trim()).await?.permit.id;
            let queued = c.revoke_pass(&id, &reason).await?;
            super::deliver(&c, queued).await
        }
        PermitsCmd::Reissue { permit } => {
            let id = c.permit(permit.trim()).await?.permit.id;
            let queued = c.reissue_pass(&id).await?;
            super::deliver(&c, queued).await
        }
    }
}

/// The command line's filters as the permits table's filter: statuses in any case, and the
/// app checks every value.
fn filter(f: PermitFilters) -> PermitFilter {
    PermitFilter {
        statuses: f
            .status
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| StatusName::parse(&s.to_uppercase()))
            .collect(),
        permit_type: f
            .permit_type
            .as_deref()
            .map(|t| PermitType::parse(t.trim())),
        contractor_id: f.contractor,
        property_id: f.property,
        flat_id: f.unit,
        expiring_within_minutes: f.expiring,
        ids: f.ids,
        day: f.today.map(Into::into),
        search: f.search.unwrap_or_default(),
        sort: f.sort.into(),
        descending: f.desc,
    }
}
