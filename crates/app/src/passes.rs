//! Printing passes: each permit's facts from the cache (its status, its contractor, the actions
//! waiting on it), the refusals of `gatehouse_passes`, and the PDF written private to the
//! profile's passes folder. Nothing is written when every permit is refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gatehouse_buzzin::{Permit, Timestamp, inf};
use gatehouse_cache::LocalRecord;
use gatehouse_passes::{Layout, Options, Pass, Printability};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::pending_kill;
use crate::validate::check_id;
use crate::{Community, Error};

/// What printing a batch of passes did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PrintOutcome {
    /// The PDF written; `None` when every pass was refused.
    pub path: Option<String>,
    /// The pass numbers printed, in order.
    pub printed: Vec<String>,
    /// The passes refused, each with its one sentence.
    pub refused: Vec<RefusedPass>,
    /// Why the PDF could not be opened in the desk's viewer (the window opens it).
    pub open_error: Option<String>,
    /// The CUPS job, when it was sent to a printer.
    pub job: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RefusedPass {
    pub pass: String,
    pub reason: String,
}

/// A permit in the Print queue: what its pass would say, or why it cannot print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PrintCandidate {
    pub id: String,
    pub pass_number: String,
    pub company: String,
    pub place: String,
    /// ISO-8601 UTC.
    pub valid_till: String,
    /// Why it cannot print, in one sentence; `None` when it can.
    pub refusal: Option<String>,
}

/// How to print.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PrintRequest {
    /// Permit ids or pass numbers.
    pub permits: Vec<String>,
    pub layout: Layout,
    /// The printer's resolution (300 when `None`).
    pub dpi: Option<u32>,
    /// A CUPS printer to send the PDF to, at 100 % on the pass's media (Linux, macOS).
    pub printer: Option<String>,
    /// Where to write the PDF; the profile's passes folder when `None`. Not for the window,
    /// which never names a path.
    #[serde(skip)]
    #[ts(skip)]
    pub output: Option<PathBuf>,
}

/// The resolutions desk printers come in: 203 (Zebra-class thermal), 300 (Brother QL, DYMO),
/// 600 (office lasers).
pub const PRINTER_DPIS: [u32; 3] = [203, 300, 600];

/// The most passes in one batch.
pub const PRINT_MAX: usize = 5000;

impl Community {
    /// Prints the passes of `req.permits` that may be printed into one PDF and says why the
    /// others may not.
    pub async fn print_passes(&self, req: &PrintRequest) -> Result<PrintOutcome, Error> {
        if req.permits.is_empty() {
            return Err(Error::invalid_input("Name at least one permit to print."));
        }
        if req.permits.len() > PRINT_MAX {
            return Err(Error::invalid_input(format!(
                "At most {PRINT_MAX} passes are printed at once."
            )));
        }
        if let Some(printer) = &req.printer {
            crate::printer::check_name(printer)?;
        }
        let options = Options {
            layout: req.layout,
            dpi: req.dpi.unwrap_or(300),
        };
        let now = Timestamp::now();
        let (items, ids, online) = self.gather(&req.permits, now).await?;
        let batch = tokio::task::spawn_blocking(move || {
            gatehouse_passes::render_batch(&items, options, now, |_, _| {})
        })
        .await
        .map_err(|e| Error::internal(format!("printing stopped: {e}")))?
        .map_err(|e| Error::internal(format!("The passes could not be drawn: {e}.")))?;
        let refused: Vec<RefusedPass> = batch
            .refused
            .iter()
            .map(|r| RefusedPass {
                pass: r.pass().to_owned(),
                reason: r.to_string(),
            })
            .collect();
        let path = match &batch.pdf {
            None => None,
            Some(pdf) => {
                let path = match &req.output {
                    Some(p) => p.clone(),
                    None => self
                        .private_folder("passes")?
                        .join(file_name(&batch.printed, now)),
                };
                write_pdf(&path, pdf)?;
                Some(path.display().to_string())
            }
        };
        let file = path.as_deref().map(|p| {
            Path::new(p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let line = |pass: &str, result, detail: String| LocalRecord {
            actor: self.actor().to_owned(),
            action: "print",
            target_id: ids.get(pass).cloned().unwrap_or_else(|| pass.to_owned()),
            result,
            detail: Some(detail),
            online,
        };
        let mut lines: Vec<LocalRecord> = batch
            .printed
            .iter()
            .map(|pass| {
                let detail = format!(
                    "{pass}: {} at {} dpi, in {}",
                    req.layout,
                    options.dpi,
                    file.as_deref().unwrap_or("")
                );
                line(pass, "printed", detail)
            })
            .collect();
        lines.extend(
            refused
                .iter()
                .map(|r| line(&r.pass, "refused", format!("{}: {}", r.pass, r.reason))),
        );
        self.cache()
            .record_local(&lines)
            .await
            .map_err(crate::community::storage)?;
        let job = match (&req.printer, &path) {
            (Some(printer), Some(pdf)) => Some(crate::printer::send(
                Path::new(pdf),
                printer,
                req.layout,
                &file.clone().unwrap_or_default(),
            )?),
            _ => None,
        };
        Ok(PrintOutcome {
            path,
            printed: batch.printed,
            refused,
            open_error: None,
            job,
        })
    }

    /// The permits' passes as they would print now, each with why it may not, in the order
    /// asked: what the Print queue shows before anything is written.
    pub async fn print_preview(&self, permits: &[String]) -> Result<Vec<PrintCandidate>, Error> {
        if permits.len() > PRINT_MAX {
            return Err(Error::invalid_input(format!(
                "At most {PRINT_MAX} passes are printed at once."
            )));
        }
        let now = Timestamp::now();
        let (items, ids, _) = self.gather(permits, now).await?;
        Ok(items
            .iter()
            .map(|(facts, pass)| PrintCandidate {
                id: ids.get(&pass.pass_number).cloned().unwrap_or_default(),
                pass_number: pass.pass_number.clone(),
                company: pass.company.clone(),
                place: pass.place.clone(),
                valid_till: pass.valid_till.to_wire(),
                refusal: facts.check(now).err().map(|r| r.to_string()),
            })
            .collect())
    }

    /// Each permit's facts for the refusals and its pass as drawn, the permit ids by pass
    /// number, and whether the API is reachable.
    async fn gather(
        &self,
        permits: &[String],
        now: Timestamp,
    ) -> Result<(Vec<(Printability, Pass)>, HashMap<String, String>, bool), Error> {
        let (online, last_sync) = gatehouse_sync::freshness(self.cache())
            .await
            .map_err(crate::community::storage)?;
        let online = online && self.may_reach_api();
        let offline_as_of = (!online)
            .then(|| last_sync.as_deref().and_then(Timestamp::parse))
            .flatten();
        let places = self.places();
        let open = self.cache().outbox(true).await?;
        let keys: Vec<String> = permits.iter().map(|k| k.trim().to_owned()).collect();
        for key in &keys {
            check_id(key, "permit id or pass number")?;
        }
        // Two reads for the whole batch: its permits, then their contractors.
        let found = self.cache().permits_by_keys(&keys).await?;
        let contractor_ids: Vec<String> = found
            .values()
            .filter_map(|p| p.community_contractor_id.clone())
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        let contractors = self.cache().contractors_by_ids(&contractor_ids).await?;
        let mut items = Vec::with_capacity(permits.len());
        let mut ids = HashMap::new();
        for key in &keys {
            let permit = found
                .get(key)
                .ok_or_else(|| Error::not_found(format!("No permit {key} here.")))?;
            let contractor_id = permit.community_contractor_id.clone().unwrap_or_default();
            let contractor = contractors.get(&contractor_id);
            let dying = pending_kill(&open, &permit.id, &contractor_id).is_some();
            let code = permit.gate_code().map(str::to_owned);
            let pass_number = permit
                .pass_number
                .clone()
                .unwrap_or_else(|| permit.id.clone());
            let facts = Printability {
                pass: pass_number.clone(),
                status: permit
                    .status_name()
                    .unwrap_or_else(|| gatehouse_buzzin::StatusName::Unknown(String::new())),
                valid_till: permit.valid_till,
                contractor_removed: contractor
                    .is_some_and(|c| inf::contractor_removed(&c.communities_ids)),
                code_dying: dying,
                code: code.clone(),
            };
            // A pass names the company, or the contractor when it gave none.
            let company = contractor
                .and_then(|c| c.company_name().or(c.name.as_deref()))
                .unwrap_or_default()
                .to_owned();
            ids.insert(pass_number.clone(), permit.id.clone());
            let pass = Pass {
                code: code.unwrap_or_default(),
                permit_type: permit.permit_type.clone(),
                valid_from: permit.valid_from,
                // A permit with no end cannot pass the check; this is never printed.
                valid_till: permit.valid_till.unwrap_or(now),
                daily: permit.time_in.clone().zip(permit.time_out.clone()),
                company,
                representative: representative(permit),
                place: crate::rows::place_of(permit, &places).text,
                workers: permit.employees.as_ref().map(|e| e.len() as u32),
                printed_at: now,
                printed_by: self.actor().to_owned(),
                profile: self.name().to_owned(),
                offline_as_of,
                pass_number,
            };
            items.push((facts, pass));
        }
        Ok((items, ids, online))
    }

    /// A private folder of the profile's (`passes`, `exports`), beside its cache.
    pub(crate) fn private_folder(&self, name: &str) -> Result<PathBuf, Error> {
        let dir = self
            .cache()
            .path()
            .parent()
            .unwrap_or(Path::new("."))
            .join(name);
        gatehouse_cache::files::private_dir(&dir)
            .map_err(|e| Error::storage(format!("Cannot create {}: {e}.", dir.display())))?;
        Ok(dir)
    }
}

/// The representative's name and contact, as the pass shows them.
fn representative(p: &Permit) -> String {
    [
        p.representative_name.as_deref(),
        p.representative_contact.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

/// `WP-002391-20261201-120500.pdf`, or `passes-3-…` for a batch.
fn file_name(printed: &[String], now: Timestamp) -> String {
    let stamp = now.0.format("%Y%m%d-%H%M%S");
    match printed {
        [one] => format!("{one}-{stamp}.pdf"),
        many => format!("passes-{}-{stamp}.pdf", many.len()),
    }
}

fn write_pdf(path: &Path, pdf: &[u8]) -> Result<(), Error> {
    gatehouse_cache::files::write_private(path, |w| w.write_all(pdf))
        .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", path.display())))
}
