//! `gatehouse audit export`: every action taken here and its outcome, as CSV or JSON.

use crate::args::AuditCmd;
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: AuditCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let AuditCmd::Export {
        csv: _,
        json,
        output,
    } = cmd;
    let rows = c.audit_log().await?;
    let write = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        if json {
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)
        } else {
            output::write_csv(&rows, out)
        }
    };
    match &output {
        // Private (it holds names and reasons), through a create-new file renamed over the
        // target: a link planted there is replaced, never followed.
        Some(path) => gatehouse_app::files::write_private(path, write)
            .map_err(|e| Failure::Error(format!("cannot write {}: {e}", path.display()))),
        None => match write(&mut std::io::stdout().lock()) {
            Ok(()) => Ok(()),
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure::Error(format!("cannot write the audit log: {e}"))),
        },
    }
}
