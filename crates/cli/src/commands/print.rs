//! `gatehouse print`: permit passes as one PDF. Refused passes are listed with why; the rest
//! print. Exit 0 when every pass printed, 4 when any was refused (no file when all were).

use gatehouse_app::PrintRequest;

use crate::args::PrintArgs;
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, a: PrintArgs) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let outcome = c
        .print_passes(&PrintRequest {
            permits: a.passes,
            layout: a.layout,
            dpi: Some(a.dpi),
            printer: a.printer.clone(),
            output: a.output,
        })
        .await?;
    if a.json {
        output::json(&outcome);
    } else {
        if let Some(path) = &outcome.path {
            say!("Printed {} pass(es) to {path}", outcome.printed.len());
        }
        if let (Some(job), Some(printer)) = (&outcome.job, &a.printer) {
            say!("Sent to the printer {printer} as job {job}, at 100 % on its own media");
        }
        for r in &outcome.refused {
            tell!("gatehouse: not printed: {}", r.reason);
        }
    }
    match (outcome.refused.len(), outcome.path) {
        (0, _) => Ok(()),
        (n, None) => Err(Failure::Refused(format!(
            "no pass printed: {n} refused, and no file was written"
        ))),
        (n, Some(_)) => Err(Failure::Refused(format!(
            "{n} pass(es) refused; the others printed"
        ))),
    }
}
