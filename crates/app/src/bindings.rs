//! The TypeScript bindings of every type that crosses IPC, generated from the Rust definitions.
//!
//! The committed files live in `ui/src/lib/bindings/`. The test `tests/bindings.rs` fails when
//! they differ from what these types generate; `cargo xtask bindings` rewrites them.

use std::path::PathBuf;

use ts_rs::{Config, TS};

use gatehouse_buzzin::{PermitType, StatusName};
use gatehouse_cache::{ActionKind, ContractorState, OutboxState, PermitSort};
use gatehouse_passes::Layout;
use gatehouse_sync::Phase;

use crate::labels::{
    contractor_state_label, layout_label, outbox_state_label, permit_type_label, phase_label,
};
use crate::{
    ActionView, AppInfo, Changed, CheckRequest, CheckVerdict, ConnectRequest, ContractorDetail,
    ContractorList, ContractorRow, Error, ErrorCode, GateRefusal, NocView, OutboxView,
    PermitDetail, PermitFilter, PermitPageView, PermitRow, PrintCandidate, PrintOutcome,
    PrintRequest, RefusedPass, StatusView, SyncProgress, TimelineItem,
};

/// The file of generated lists, labels and limits beside the types.
pub const VOCABULARY_FILE: &str = "vocabulary.ts";

/// Where the bindings live, relative to the workspace root.
pub const BINDINGS_DIR: &str = "ui/src/lib/bindings";

/// Every exported type: its file name inside [`BINDINGS_DIR`] and its generated contents.
pub fn all() -> Vec<(PathBuf, String)> {
    vec![
        one::<AppInfo>(),
        one::<Error>(),
        one::<ErrorCode>(),
        one::<StatusView>(),
        one::<SyncProgress>(),
        one::<ContractorRow>(),
        one::<ContractorList>(),
        one::<ContractorDetail>(),
        one::<crate::OnSite>(),
        one::<crate::DuplicateHint>(),
        one::<Changed>(),
        one::<ActionView>(),
        one::<OutboxView>(),
        one::<PermitRow>(),
        one::<crate::QueuedMark>(),
        one::<PermitFilter>(),
        one::<crate::DayView>(),
        one::<PermitPageView>(),
        one::<PermitDetail>(),
        one::<crate::CrewMember>(),
        one::<crate::EntryVerdict>(),
        one::<NocView>(),
        one::<TimelineItem>(),
        one::<crate::panels::PanelStatus>(),
        one::<crate::panels::PanelIdentifierRow>(),
        one::<crate::panels::HeldState>(),
        one::<crate::panels::PanelSweep>(),
        one::<crate::panels::PanelDrain>(),
        one::<crate::panels::DoorsOnPanel>(),
        one::<crate::panels::DoorCrewLine>(),
        one::<crate::panels::DoorKind>(),
        one::<crate::panels::CrewInput>(),
        one::<crate::panels::PanelAddRequest>(),
        one::<ConnectRequest>(),
        one::<CheckRequest>(),
        one::<CheckVerdict>(),
        one::<GateRefusal>(),
        one::<PrintOutcome>(),
        one::<PrintCandidate>(),
        one::<crate::places::PlaceLabel>(),
        one::<crate::places::PlacesView>(),
        one::<crate::places::PlaceOption>(),
        one::<crate::places::PlaceKind>(),
        one::<crate::places::PlaceRow>(),
        one::<crate::places::PlaceEdit>(),
        one::<crate::places::PlacesExport>(),
        one::<PrintRequest>(),
        one::<Layout>(),
        one::<RefusedPass>(),
        one::<StatusName>(),
        one::<PermitType>(),
        one::<PermitSort>(),
        one::<ContractorState>(),
        one::<OutboxState>(),
        one::<ActionKind>(),
        one::<Phase>(),
        one::<crate::ActivityKind>(),
        one::<crate::ActivityQuery>(),
        one::<crate::ActivityRow>(),
        one::<crate::ActivityPage>(),
        one::<crate::ActivityExport>(),
        one::<crate::AlertKind>(),
        one::<crate::AlertUrgency>(),
        one::<crate::AlertView>(),
        one::<crate::AlertList>(),
        one::<crate::SnoozedView>(),
        one::<crate::alert_times::AlertTimes>(),
        one::<crate::DesktopPrefs>(),
        (PathBuf::from(VOCABULARY_FILE), vocabulary()),
    ]
}

/// The domain's lists, the words for them and the limits, as TypeScript constants: the UI takes
/// them from here instead of keeping copies.
fn vocabulary() -> String {
    fn quoted<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
        let list: Vec<String> = words
            .into_iter()
            .map(|w| serde_json::to_string(w).expect("a string serialises"))
            .collect();
        list.join(", ")
    }
    fn record<T: Copy>(
        all: &[T],
        key: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> String {
        let lines: Vec<String> = all
            .iter()
            .map(|&v| format!("  {}: {},", quoted([key(v)]), quoted([label(v)])))
            .collect();
        lines.join("\n")
    }
    let types: Vec<String> = PermitType::KNOWN
        .iter()
        .map(|t| {
            format!(
                "  {{ id: {}, label: {} }},",
                quoted([t.as_str()]),
                quoted([permit_type_label(t)])
            )
        })
        .collect();
    format!(
        "// Generated from the Rust definitions by gatehouse-app (src/bindings.rs). Do not edit:\n\
         // `cargo xtask bindings` rewrites it.\n\
         import type {{ ActivityKind }} from \"./ActivityKind\";\n\
         import type {{ ContractorState }} from \"./ContractorState\";\n\
         import type {{ DayView }} from \"./DayView\";\n\
         import type {{ DoorKind }} from \"./DoorKind\";\n\
         import type {{ HeldState }} from \"./HeldState\";\n\
         import type {{ Layout }} from \"./Layout\";\n\
         import type {{ OutboxState }} from \"./OutboxState\";\n\
         import type {{ PermitSort }} from \"./PermitSort\";\n\
         import type {{ PermitType }} from \"./PermitType\";\n\
         import type {{ Phase }} from \"./Phase\";\n\
         import type {{ StatusName }} from \"./StatusName\";\n\
         \n\
         /** Every permit status this version knows, in the order of a permit's life. */\n\
         export const PERMIT_STATUSES: readonly StatusName[] = [{statuses}];\n\
         \n\
         /** Every permit type this version knows, with its label. */\n\
         export const PERMIT_TYPES: readonly {{ id: PermitType; label: string }}[] = [\n{types}\n];\n\
         \n\
         /** The desk's views of today, in order, and their words. */\n\
         export const DAY_VIEWS: readonly DayView[] = [{days}];\n\
         export const DAY_VIEW_LABELS: Record<DayView, string> = {{\n{day_labels}\n}};\n\
         \n\
         /** The orders the permits table can be sorted in. */\n\
         export const PERMIT_SORTS: readonly PermitSort[] = [{sorts}];\n\
         \n\
         /** The contractor queue's tabs, in order. */\n\
         export const CONTRACTOR_STATES: readonly ContractorState[] = [{states}];\n\
         \n\
         /** The contractor queue's tabs, in words. */\n\
         export const CONTRACTOR_STATE_LABELS: Record<ContractorState, string> = {{\n{state_labels}\n}};\n\
         \n\
         /** What the sync engine is doing, in words. */\n\
         export const PHASE_LABELS: Record<Phase, string> = {{\n{phases}\n}};\n\
         \n\
         /** Where a queued action stands, in words. */\n\
         export const OUTBOX_STATE_LABELS: Record<OutboxState, string> = {{\n{outbox}\n}};\n\
         \n\
         /** The media a pass prints on, in the Print queue's order, and their words. */\n\
         export const LAYOUTS: readonly Layout[] = [{layouts}];\n\
         export const LAYOUT_LABELS: Record<Layout, string> = {{\n{layout_labels}\n}};\n\
         \n\
         /** The Activity view's filters, in order, and their words. */\n\
         export const ACTIVITY_KINDS: readonly ActivityKind[] = [{activity}];\n\
         export const ACTIVITY_KIND_LABELS: Record<ActivityKind, string> = {{\n{activity_labels}\n}};\n\
         \n\
         /** The kinds of identifier a crew is given at the doors, in order, and their words. */\n\
         export const DOOR_KINDS: readonly DoorKind[] = [{door_kinds}];\n\
         export const DOOR_KIND_LABELS: Record<DoorKind, string> = {{\n{door_kind_labels}\n}};\n\
         \n\
         /** Where an identifier a panel holds stands against this profile's rows, in words. */\n\
         export const HELD_STATE_LABELS: Record<HeldState, string> = {{\n{held_labels}\n}};\n\
         \n\
         /** The printer resolutions a desk picks from (QR modules snap to their dots). */\n\
         export const PRINTER_DPIS: readonly number[] = [{dpis}];\n\
         \n\
         /** The places CSV's columns, in order. */\n\
         export const PLACES_COLUMNS: readonly string[] = [{place_columns}];\n\
         \n\
         /** The largest places CSV taken, in bytes. */\n\
         export const PLACES_FILE_MAX = {places_max};\n\
         \n\
         /** The longest revoke reason, in characters. */\n\
         export const REVOKE_REASON_MAX = {reason};\n\
         \n\
         /** A trade licence expiring within this many days is flagged. */\n\
         export const LICENCE_WARNING_DAYS = {licence_days};\n\
         \n\
         /** Data older than this, in minutes, is flagged (amber in the status bar). */\n\
         export const DATA_STALE_MINUTES = {stale};\n\
         \n\
         /** How far back \"sent this shift\" looks, in hours. */\n\
         export const SHIFT_HOURS = {shift};\n\
         \n\
         /** The longest search, in characters. */\n\
         export const SEARCH_MAX = {search};\n\
         \n\
         /** The event that says what changed, for the open views to read again. */\n\
         export const CHANGED_EVENT = {event};\n\
         \n\
         /** The event that says permits wait to be opened (a clicked alert): take them. */\n\
         export const OPEN_PERMITS_EVENT = {open_event};\n",
        statuses = quoted(StatusName::KNOWN.iter().map(StatusName::as_str)),
        types = types.join("\n"),
        sorts = quoted(PermitSort::ALL.iter().map(|s| s.as_str())),
        days = quoted(crate::DayView::ALL.iter().map(|d| d.as_str())),
        day_labels = record(
            crate::DayView::ALL,
            crate::DayView::as_str,
            crate::DayView::label
        ),
        states = quoted(ContractorState::ALL.iter().map(|s| s.as_str())),
        state_labels = record(
            ContractorState::ALL,
            ContractorState::as_str,
            contractor_state_label
        ),
        phases = record(Phase::ALL, Phase::as_str, phase_label),
        outbox = record(OutboxState::ALL, OutboxState::as_str, outbox_state_label),
        layouts = quoted(Layout::ALL.iter().map(|l| l.as_str())),
        layout_labels = record(Layout::ALL, Layout::as_str, layout_label),
        activity = quoted(crate::ActivityKind::ALL.iter().map(|k| k.as_str())),
        activity_labels = record(
            crate::ActivityKind::ALL,
            crate::ActivityKind::as_str,
            crate::ActivityKind::label
        ),
        door_kinds = quoted(crate::panels::DoorKind::ALL.iter().map(|k| k.as_str())),
        door_kind_labels = record(
            crate::panels::DoorKind::ALL,
            crate::panels::DoorKind::as_str,
            crate::panels::DoorKind::label
        ),
        held_labels = record(
            crate::panels::HeldState::ALL,
            crate::panels::HeldState::as_str,
            crate::panels::HeldState::label
        ),
        dpis = crate::PRINTER_DPIS
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        place_columns = quoted(crate::places::PLACES_COLUMNS),
        places_max = crate::places::PLACES_FILE_MAX,
        reason = gatehouse_buzzin::inf::REVOKE_REASON_MAX,
        search = crate::SEARCH_MAX,
        shift = crate::SHIFT_HOURS,
        stale = crate::DATA_STALE_MINUTES,
        licence_days = crate::LICENCE_WARNING_DAYS,
        event = quoted([crate::CHANGED_EVENT]),
        open_event = quoted([crate::OPEN_PERMITS_EVENT]),
    )
}

fn one<T: TS + 'static>() -> (PathBuf, String) {
    let path = T::output_path().expect("an exported IPC type has an output path");
    let text = T::export_to_string(&Config::new()).expect("an IPC type exports to TypeScript");
    (path, text)
}
