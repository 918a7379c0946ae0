//! The rows an action concerns: announced when it is queued, settled, retried or discarded, so
//! that the views showing them read their marks again. The cache itself holds only what the
//! server said: an action's effect appears when the server has applied it, never before.

use gatehouse_buzzin::{StatusName, inf};
use sqlx::SqliteConnection;

use super::ActionKind;

/// Ids of the rows an action concerns.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub contractors: Vec<String>,
    pub permits: Vec<String>,
}

impl Touched {
    pub(crate) fn extend(&mut self, other: Touched) {
        self.contractors.extend(other.contractors);
        self.permits.extend(other.permits);
    }
}

pub(super) fn quoted(list: &[StatusName]) -> String {
    let names: Vec<String> = list.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// The rows `kind` on `target` concerns: the target, and for a contractor's revoke its active
/// permits (which the revoke archives).
pub(super) async fn touched(
    conn: &mut SqliteConnection,
    kind: ActionKind,
    target: &str,
) -> Result<Touched, sqlx::Error> {
    let mut t = Touched::default();
    if kind.on_permit() {
        t.permits.push(target.to_owned());
        return Ok(t);
    }
    t.contractors.push(target.to_owned());
    if kind == ActionKind::RevokeContractor {
        t.permits = sqlx::query_scalar(&format!(
            "SELECT id FROM permits WHERE contractor_id = ? AND status_name IN {}",
            quoted(inf::ACTIVE_STATUSES)
        ))
        .bind(target)
        .fetch_all(&mut *conn)
        .await?;
    }
    Ok(t)
}
