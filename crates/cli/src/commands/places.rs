//! `gatehouse places`: the profile's directory of towers and units, as CSV.

use crate::args::PlacesCmd;
use crate::output;
use crate::{Failure, Target};

pub async fn run(target: Target, cmd: PlacesCmd) -> Result<(), Failure> {
    let c = super::open(target).await?;
    match cmd {
        PlacesCmd::Import { file } => {
            let csv = std::fs::read(&file)
                .map_err(|e| Failure::Error(format!("cannot read {}: {e}", file.display())))?;
            let v = c.import_places(&csv)?;
            say!(
                "The directory now names {} tower(s) and {} unit(s).",
                v.towers,
                v.units
            );
            Ok(())
        }
        PlacesCmd::Export { output } => {
            let csv = c.export_places();
            match output {
                Some(path) => gatehouse_app::files::write_private(&path, |w| w.write_all(&csv))
                    .map_err(|e| Failure::Error(format!("cannot write {}: {e}", path.display()))),
                None => {
                    use std::io::Write as _;
                    match std::io::stdout().lock().write_all(&csv) {
                        Ok(()) => Ok(()),
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                        Err(e) => Err(Failure::Error(format!("cannot write the directory: {e}"))),
                    }
                }
            }
        }
        PlacesCmd::Show(f) => {
            let v = c.places_view();
            if f.json {
                output::json(&v);
            } else {
                say!("{} tower(s), {} unit(s) named.", v.towers, v.units);
                if let Some(p) = &v.problem {
                    tell!("gatehouse: {p}");
                }
            }
            Ok(())
        }
    }
}
