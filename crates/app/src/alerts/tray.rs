//! What the tray shows: the permits ending within a day, and its menu's words.

use crate::{Community, Error};

/// What the tray says: the permits that end within a day, and its menu's words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayView {
    /// The ACCEPTED permits ending within 24 h (at most [`crate::PERMIT_IDS_MAX`]), soonest first.
    pub expiring: Vec<String>,
    /// How many in all.
    pub total: u64,
}

/// The tray's window: permits ending within this are counted.
pub const TRAY_WITHIN_MINUTES: u32 = 24 * 60;

impl TrayView {
    /// The menu line that opens them: "3 permits expire within 24 h".
    pub fn expiring_line(&self) -> String {
        match self.total {
            0 => "No permit expires within 24 h".into(),
            1 => "1 permit expires within 24 h".into(),
            n => format!("{n} permits expire within 24 h"),
        }
    }

    /// The tooltip (Windows shows at most 64 characters) and the title (macOS's menu bar).
    pub fn tooltip(&self, paused: bool) -> String {
        let mut t = format!("Gatehouse: {}", self.expiring_line().to_lowercase());
        if paused {
            t.push_str(" (alerts paused)");
        }
        t.chars().take(64).collect()
    }
}

impl Community {
    /// What the tray shows now.
    pub async fn tray(&self) -> Result<TrayView, Error> {
        let filter = crate::PermitFilter {
            statuses: vec![gatehouse_buzzin::StatusName::Accepted],
            expiring_within_minutes: Some(TRAY_WITHIN_MINUTES),
            ..crate::PermitFilter::default()
        };
        // Ids only: the tray needs no rows (no contractor read for each permit, every minute).
        let (documents, total) = self
            .permit_documents(&filter, Some(crate::PERMIT_IDS_MAX as u64))
            .await?;
        Ok(TrayView {
            expiring: documents.into_iter().map(|p| p.id).collect(),
            total,
        })
    }
}
