//! The words people read for the domain's values, in one place: the window (through the
//! generated `vocabulary.ts`) and the CLI both show these.

use gatehouse_buzzin::PermitType;
use gatehouse_cache::{ContractorState, OutboxState};
use gatehouse_passes::Layout;
use gatehouse_sync::Phase;

/// What the engine is doing, as the status bar says it.
pub fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Idle => "Idle",
        Phase::Outbox => "Sending actions",
        Phase::Contractors => "Syncing contractors",
        Phase::Permits => "Syncing permits",
        Phase::Indexing => "Indexing",
        Phase::Events => "Syncing changes",
        Phase::Reconcile => "Checking",
    }
}

/// A permit type in words; an unknown one as the API gives it.
pub fn permit_type_label(t: &PermitType) -> &str {
    match t {
        PermitType::BuildUp => "Build-up",
        PermitType::FitOut => "Fit-out",
        PermitType::Unknown(other) => other,
    }
}

/// A contractor tab's name.
pub fn contractor_state_label(state: ContractorState) -> &'static str {
    match state {
        ContractorState::Pending => "Pending",
        ContractorState::Approved => "Approved",
        ContractorState::Removed => "Removed",
    }
}

/// Where a queued action stands, in words.
pub fn outbox_state_label(state: OutboxState) -> &'static str {
    match state {
        OutboxState::Pending => "waiting",
        OutboxState::Sending => "sending",
        OutboxState::Ambiguous => "checking whether it was applied",
        OutboxState::Done => "done",
        OutboxState::Refused => "refused",
        OutboxState::Discarded => "discarded",
    }
}

/// The media a pass prints on, as the Print queue offers them.
pub fn layout_label(layout: Layout) -> &'static str {
    match layout {
        Layout::Label => "Label 62 × 100 mm (Brother QL)",
        Layout::FourBySix => "Label 4 × 6 in (DYMO 5XL, Zebra)",
        Layout::A4 => "A4 paper, a pass a page",
    }
}
