//! `gatehouse audit export`: every action taken here and its outcome, as CSV or JSON.

use crate::args::AuditCmd;
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: AuditCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    let AuditCmd::Export {
        csv: _,
        json,
        output,
    } = cmd;
    let rows = c.audit_log().await?;
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::Error(format!("cannot write {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let written: Result<(), std::io::Error> = if json {
        serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        let mut w = csv::Writer::from_writer(out);
        rows.iter()
            .try_for_each(|r| w.serialize(r))
            .map_err(std::io::Error::from)
            .and_then(|()| w.flush())
    };
    match written {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Error(format!("cannot write the audit log: {e}"))),
    }
}
