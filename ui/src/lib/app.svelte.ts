// Shell state shared by the sidebar, the views and the status bar (Svelte 5 runes).
import type { AppInfo } from './bindings/AppInfo';
import type { IpcError } from './bindings/IpcError';
import type { StatusView } from './bindings/StatusView';
import { asIpcError, commands, onChanged } from './ipc';
import type { ViewId } from './views';

export const shell = $state({
  view: 'contractors' as ViewId,
  info: null as AppInfo | null,
  infoError: null as IpcError | null,
  status: null as StatusView | null,
  statusError: null as IpcError | null,
  /** A short confirmation of the last action ("Queued: …"), or its failure. */
  notice: null as { text: string; error: boolean } | null,
  /** The pending/refused actions panel is open. */
  outboxOpen: false,
  /** The permit whose panel is open in Permits (Ctrl/Cmd+P prints it when nothing is ticked). */
  openPermit: null as string | null,
  /** The permits view narrowed to one contractor (from the contractor's panel). */
  permitsContractor: null as { id: string; name: string } | null,
});

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a short notice for a few seconds. */
export function notify(text: string, error = false): void {
  shell.notice = { text, error };
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (shell.notice = null), error ? 8000 : 4000);
}

/** Runs an action command and says what happened to it. */
export async function act(run: () => Promise<{ title: string }>): Promise<boolean> {
  try {
    const action = await run();
    notify(
      shell.status?.online
        ? `${action.title}: queued and sending; marked “pending sync” until Buzz-In confirms.`
        : `${action.title}: queued; it is sent when Buzz-In can be reached.`,
    );
    return true;
  } catch (err) {
    notify(asIpcError(err).message, true);
    return false;
  }
}

export async function loadAppInfo(): Promise<void> {
  try {
    shell.info = await commands.appInfo();
    shell.infoError = null;
  } catch (err) {
    shell.infoError = asIpcError(err);
  }
}

export async function loadStatus(): Promise<void> {
  try {
    shell.status = await commands.status();
    shell.statusError = null;
  } catch (err) {
    shell.statusError = asIpcError(err);
  }
}

/** Keeps the status current: read once, then again after every change the Rust side reports. */
export async function followStatus(): Promise<() => void> {
  await loadStatus();
  return onChanged(() => void loadStatus());
}

const marked = new Set<string>();

/** Records a performance mark the first time `name` happens (read by the window benchmarks). */
export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
