// The one door from the UI to Rust. Every command goes through `call`, so every failure arrives
// as an IpcError `{code, message, detail?}`, the type generated from the Rust error (bindings/).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { ActionView } from './bindings/ActionView';
import type { ActivityExport } from './bindings/ActivityExport';
import type { ActivityPage } from './bindings/ActivityPage';
import type { ActivityQuery } from './bindings/ActivityQuery';
import type { AlertList } from './bindings/AlertList';
import type { AlertTimes } from './bindings/AlertTimes';
import type { AppInfo } from './bindings/AppInfo';
import type { Changed } from './bindings/Changed';
import type { CheckRequest } from './bindings/CheckRequest';
import type { CheckVerdict } from './bindings/CheckVerdict';
import type { ConnectRequest } from './bindings/ConnectRequest';
import type { ContractorDetail } from './bindings/ContractorDetail';
import type { ContractorList } from './bindings/ContractorList';
import type { ContractorState } from './bindings/ContractorState';
import type { DesktopPrefs } from './bindings/DesktopPrefs';
import type { OutboxView } from './bindings/OutboxView';
import type { PermitDetail } from './bindings/PermitDetail';
import type { PermitFilter } from './bindings/PermitFilter';
import type { PermitPageView } from './bindings/PermitPageView';
import type { PlaceEdit } from './bindings/PlaceEdit';
import type { PlaceOption } from './bindings/PlaceOption';
import type { PlaceRow } from './bindings/PlaceRow';
import type { PlacesExport } from './bindings/PlacesExport';
import type { PlacesView } from './bindings/PlacesView';
import type { PrintCandidate } from './bindings/PrintCandidate';
import type { PrintOutcome } from './bindings/PrintOutcome';
import type { PrintRequest } from './bindings/PrintRequest';
import type { SnoozedView } from './bindings/SnoozedView';
import type { StatusView } from './bindings/StatusView';
import type { IpcError } from './bindings/IpcError';
import type { CrewInput } from './bindings/CrewInput';
import type { DoorsOnPanel } from './bindings/DoorsOnPanel';
import type { PanelAddRequest } from './bindings/PanelAddRequest';
import type { PanelDrain } from './bindings/PanelDrain';
import type { PanelIdentifierRow } from './bindings/PanelIdentifierRow';
import type { PanelStatus } from './bindings/PanelStatus';
import type { PanelSweep } from './bindings/PanelSweep';
import { CHANGED_EVENT, OPEN_PERMITS_EVENT } from './bindings/vocabulary';

/** A failed command, carrying the Rust side's code and message. */
export class CommandError extends Error {
  readonly code: IpcError['code'];
  readonly detail: string | undefined;
  constructor(error: IpcError) {
    super(error.message);
    this.name = 'CommandError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

/** The error with its engineer's text only when there is one (`detail` is optional). */
function withDetail(code: IpcError['code'], message: string, detail: unknown): IpcError {
  return typeof detail === 'string' && detail.length > 0 ? { code, message, detail } : { code, message };
}

function isIpcError(raw: unknown): raw is IpcError {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as Record<string, unknown>).code === 'string' &&
    typeof (raw as Record<string, unknown>).message === 'string'
  );
}

/** Normalises whatever a failed `invoke` gives (our `{code, message}`, a bare string from
 *  Tauri itself such as a denied permission, or anything else) into an IpcError. */
export function toIpcError(raw: unknown): IpcError {
  if (isIpcError(raw)) return withDetail(raw.code, raw.message, raw.detail);
  if (raw instanceof Error) return { code: 'internal', message: raw.message };
  if (typeof raw === 'string' && raw.length > 0) return { code: 'internal', message: raw };
  return { code: 'internal', message: 'Gatehouse hit an unexpected error.' };
}

/** Any failure of a command (or anything thrown on the way) as an IpcError. */
export function asIpcError(err: unknown): IpcError {
  return err instanceof CommandError ? withDetail(err.code, err.message, err.detail) : toIpcError(err);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw new CommandError(toIpcError(raw));
  }
}

/** Typed wrappers, one per Tauri command in src-tauri/src/commands.rs. */
export const commands = {
  appInfo: () => call<AppInfo>('app_info'),
  status: () => call<StatusView>('status'),
  contractors: (tab: ContractorState, search: string, licenceSoon = false) =>
    call<ContractorList>('contractors', { tab, search, licenceSoon }),
  contractor: (id: string) => call<ContractorDetail>('contractor', { id }),
  approveContractor: (id: string, reason: string | null = null) =>
    call<ActionView>('approve_contractor', { id, reason }),
  revokeContractor: (id: string, reason: string) => call<ActionView>('revoke_contractor', { id, reason }),
  permits: (filter: PermitFilter, page: number) => call<PermitPageView>('permits', { filter, page }),
  permit: (id: string) => call<PermitDetail>('permit', { id }),
  reissuePass: (id: string) => call<ActionView>('reissue_pass', { id }),
  retryNow: () => call<null>('retry_now'),
  revokePass: (id: string, reason: string) => call<ActionView>('revoke_pass', { id, reason }),
  outbox: () => call<OutboxView>('outbox'),
  retryAction: (id: string) => call<ActionView>('retry_action', { id }),
  discardAction: (id: string) => call<ActionView>('discard_action', { id }),
  checkPass: (request: CheckRequest) => call<CheckVerdict>('check_pass', { request }),
  printPreview: (permits: string[]) => call<PrintCandidate[]>('print_preview', { permits }),
  printPasses: (request: PrintRequest) => call<PrintOutcome>('print_passes', { request }),
  printers: () => call<string[]>('printers'),
  activity: (query: ActivityQuery) => call<ActivityPage>('activity', { query }),
  exportActivity: (query: ActivityQuery) => call<ActivityExport>('export_activity', { query }),
  places: () => call<PlacesView>('places'),
  importPlaces: (csv: string) => call<PlacesView>('import_places', { csv }),
  placeOptions: () => call<PlaceOption[]>('place_options'),
  placeRows: () => call<PlaceRow[]>('place_rows'),
  namePlace: (edit: PlaceEdit) => call<PlacesView>('name_place', { edit }),
  exportPlaces: () => call<PlacesExport>('export_places'),
  connect: (request: ConnectRequest) => call<StatusView>('connect', { request }),
  alerts: () => call<AlertList>('alerts'),
  markAlertsRead: (ids: number[]) => call<null>('mark_alerts_read', { ids }),
  snoozeAlerts: (permits: string[]) => call<SnoozedView[]>('snooze_alerts', { permits }),
  desktopPrefs: () => call<DesktopPrefs>('desktop_prefs'),
  setDesktopPrefs: (prefs: DesktopPrefs) => call<DesktopPrefs>('set_desktop_prefs', { prefs }),
  alertTimes: () => call<AlertTimes>('alert_times'),
  setAlertTimes: (text: string) => call<AlertTimes>('set_alert_times', { text }),
  takePermitsToOpen: () => call<string[] | null>('take_permits_to_open'),
  panels: () => call<PanelStatus[]>('panels'),
  panelIdentifiers: (name: string) => call<PanelIdentifierRow[]>('panel_identifiers', { name }),
  sweepPanels: () => call<PanelSweep[]>('sweep_panels'),
  removeOrphans: (panel: string) => call<PanelDrain>('remove_orphans', { panel }),
  drainPanels: () => call<PanelDrain[]>('drain_panels'),
  addPanel: (panel: PanelAddRequest) => call<PanelStatus>('add_panel', { panel }),
  removePanel: (name: string) => call<null>('remove_panel', { name }),
  provisionDoors: (permit: string, crew: CrewInput[], maxPasses: number | null) =>
    call<DoorsOnPanel[]>('provision_doors', { permit, crew, maxPasses }),
  revokeDoors: (permit: string) => call<DoorsOnPanel[]>('revoke_doors', { permit }),
};

export type { Changed };

/** Calls `handler` after each committed change in the cache or step of the sync engine. */
export function onChanged(handler: (changed: Changed) => void): Promise<UnlistenFn> {
  return listen<Changed>(CHANGED_EVENT, (event) => handler(event.payload));
}

/** Calls `then` after each change that `matters`; returns the teardown, for `onMount` or
 *  `$effect`. */
export function whenChanged(matters: (changed: Changed) => boolean, then: () => void): () => void {
  const stop = onChanged((c) => {
    if (matters(c)) then();
  });
  return () => void stop.then((unlisten) => unlisten());
}

/** Calls `handler` when permits wait to be opened (a clicked alert): take them with
 *  `commands.takePermitsToOpen`. */
export function onOpenPermits(handler: () => void): Promise<UnlistenFn> {
  return listen(OPEN_PERMITS_EVENT, () => handler());
}
