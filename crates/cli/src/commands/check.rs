//! `gatehouse check`: a scanned pass against the cache, as the gate would judge it. Exit 0 when
//! the code opens the gate, 4 when it is refused; the verdict and reason in `--json`.

use gatehouse_app::CheckRequest;

use crate::args::CheckArgs;
use crate::output::{self, local_opt, local_str, or_dash};
use crate::{Failure, Target};

pub async fn run(target: Target, a: CheckArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let v = c
        .check_pass(&CheckRequest {
            scanned: a.code,
            at: a.at,
        })
        .await?;
    if a.json {
        output::json(&v);
    } else {
        match (&v.permit, v.valid) {
            (Some(p), true) => say!("VALID    {} · {}", p.pass_number, p.status),
            (Some(p), false) => say!("REFUSED  {} · {}", p.pass_number, p.status),
            (None, _) => say!("REFUSED"),
        }
        if let Some(reason) = &v.reason {
            say!("  {reason}");
        }
        if let Some(p) = &v.permit {
            say!(
                "  Contractor: {} ({})",
                or_dash(&p.company),
                or_dash(&p.contractor_name)
            );
            say!("  Place: {}", or_dash(&p.place.text));
            let daily = match (&v.time_in, &v.time_out) {
                (Some(a), Some(b)) => format!(", daily {a}-{b}"),
                _ => String::new(),
            };
            say!(
                "  Valid {} to {}{daily}; {} worker(s)",
                local_opt(p.valid_from.as_deref()),
                local_opt(p.valid_till.as_deref()),
                v.workers
            );
        }
        if let Some(w) = &v.warning {
            say!("  Note: {w}");
        }
        say!(
            "  Checked for {} against data as of {} ({})",
            local_str(&v.at),
            local_opt(v.data_as_of.as_deref()),
            if v.online { "online" } else { "offline" }
        );
    }
    if v.valid {
        Ok(())
    } else {
        Err(Failure::Refused(
            v.reason.unwrap_or_else(|| "the code is refused".into()),
        ))
    }
}
