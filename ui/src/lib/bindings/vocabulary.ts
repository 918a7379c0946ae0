// Generated from the Rust definitions by gatehouse-app (src/bindings.rs). Do not edit:
// `cargo xtask bindings` rewrites it.
import type { ActivityKind } from "./ActivityKind";
import type { ContractorState } from "./ContractorState";
import type { DayView } from "./DayView";
import type { DoorKind } from "./DoorKind";
import type { HeldState } from "./HeldState";
import type { Layout } from "./Layout";
import type { OutboxState } from "./OutboxState";
import type { PermitSort } from "./PermitSort";
import type { PermitType } from "./PermitType";
import type { Phase } from "./Phase";
import type { StatusName } from "./StatusName";

/** Every permit status this version knows, in the order of a permit's life. */
export const PERMIT_STATUSES: readonly StatusName[] = ["DRAFT", "PENDING", "ACCEPTED", "REJECTED", "REVOKED", "ARCHIVED", "EXPIRED"];

/** Every permit type this version knows, with its label. */
export const PERMIT_TYPES: readonly { id: PermitType; label: string }[] = [
  { id: "buildUp", label: "Build-up" },
  { id: "fitOut", label: "Fit-out" },
];

/** The desk's views of today, in order, and their words. */
export const DAY_VIEWS: readonly DayView[] = ["activeNow", "expiringToday", "startingToday", "endedToday"];
export const DAY_VIEW_LABELS: Record<DayView, string> = {
  "activeNow": "Active now",
  "expiringToday": "Expiring today",
  "startingToday": "Starting today",
  "endedToday": "Ended today",
};

/** The orders the permits table can be sorted in. */
export const PERMIT_SORTS: readonly PermitSort[] = ["validTill", "validFrom", "passNumber", "updatedAt", "status", "permitType", "unit", "contractor"];

/** The contractor queue's tabs, in order. */
export const CONTRACTOR_STATES: readonly ContractorState[] = ["pending", "approved", "removed"];

/** The contractor queue's tabs, in words. */
export const CONTRACTOR_STATE_LABELS: Record<ContractorState, string> = {
  "pending": "Pending",
  "approved": "Approved",
  "removed": "Removed",
};

/** What the sync engine is doing, in words. */
export const PHASE_LABELS: Record<Phase, string> = {
  "idle": "Idle",
  "outbox": "Sending actions",
  "contractors": "Syncing contractors",
  "permits": "Syncing permits",
  "indexing": "Indexing",
  "events": "Syncing changes",
  "reconcile": "Checking",
};

/** Where a queued action stands, in words. */
export const OUTBOX_STATE_LABELS: Record<OutboxState, string> = {
  "pending": "waiting",
  "sending": "sending",
  "ambiguous": "checking whether it was applied",
  "done": "done",
  "refused": "refused",
  "discarded": "discarded",
};

/** The media a pass prints on, in the Print queue's order, and their words. */
export const LAYOUTS: readonly Layout[] = ["label", "4x6", "a4"];
export const LAYOUT_LABELS: Record<Layout, string> = {
  "label": "Label 62 × 100 mm (Brother QL)",
  "4x6": "Label 4 × 6 in (DYMO 5XL, Zebra)",
  "a4": "A4 paper, a pass a page",
};

/** The Activity view's filters, in order, and their words. */
export const ACTIVITY_KINDS: readonly ActivityKind[] = ["approvals", "revokes", "reissues", "printed", "checks"];
export const ACTIVITY_KIND_LABELS: Record<ActivityKind, string> = {
  "approvals": "Approvals",
  "revokes": "Revokes",
  "reissues": "Reissues",
  "printed": "Printed passes",
  "checks": "Pass checks",
};

/** The kinds of identifier a crew is given at the doors, in order, and their words. */
export const DOOR_KINDS: readonly DoorKind[] = ["pin", "card", "plate", "ukey", "qr"];
export const DOOR_KIND_LABELS: Record<DoorKind, string> = {
  "pin": "PIN",
  "card": "Card",
  "plate": "Plate",
  "ukey": "UKEY",
  "qr": "QR code",
};

/** Where an identifier a panel holds stands against this profile's rows, in words. */
export const HELD_STATE_LABELS: Record<HeldState, string> = {
  "inStep": "in step",
  "waiting": "change waiting",
  "removing": "being taken off",
  "orphan": "orphan",
  "notOurs": "not Gatehouse’s",
};

/** The printer resolutions a desk picks from (QR modules snap to their dots). */
export const PRINTER_DPIS: readonly number[] = [203, 300, 600];

/** The places CSV's columns, in order. */
export const PLACES_COLUMNS: readonly string[] = ["tower_id", "tower_external_id", "tower_name", "unit_id", "unit_external_id", "unit_name"];

/** The largest places CSV taken, in bytes. */
export const PLACES_FILE_MAX = 16777216;

/** The longest revoke reason, in characters. */
export const REVOKE_REASON_MAX = 1000;

/** A trade licence expiring within this many days is flagged. */
export const LICENCE_WARNING_DAYS = 30;

/** Data older than this, in minutes, is flagged (amber in the status bar). */
export const DATA_STALE_MINUTES = 15;

/** How far back "sent this shift" looks, in hours. */
export const SHIFT_HOURS = 12;

/** The longest search, in characters. */
export const SEARCH_MAX = 200;

/** The event that says what changed, for the open views to read again. */
export const CHANGED_EVENT = "gatehouse://changed";

/** The event that says permits wait to be opened (a clicked alert): take them. */
export const OPEN_PERMITS_EVENT = "gatehouse://open-permits";
