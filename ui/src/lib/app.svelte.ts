// Shell state shared by the sidebar, the views and the status bar (Svelte 5 runes).
import type { AppInfo } from './bindings/AppInfo';
import type { IpcError } from './bindings/IpcError';
import type { OutboxView } from './bindings/OutboxView';
import type { StatusView } from './bindings/StatusView';
import { asIpcError, commands, onChanged, onOpenPermits } from './ipc';
import { printPasses } from './printing.svelte';
import type { ViewId } from './views';

export const shell = $state({
  view: 'contractors' as ViewId,
  info: null as AppInfo | null,
  infoError: null as IpcError | null,
  status: null as StatusView | null,
  statusError: null as IpcError | null,
  /** A short confirmation of the last action ("Queued: …"), or its failure, with the next step
   *  when there is one (Print the new pass, Retry). */
  notice: null as { text: string; error: boolean; action: NoticeAction | null } | null,
  /** The pending/refused actions panel is open. */
  outboxOpen: false,
  /** The permit whose panel is open in Permits (Ctrl/Cmd+P prints it when nothing is ticked). */
  openPermit: null as string | null,
  /** The permits view narrowed to one contractor (from the contractor's panel). */
  permitsContractor: null as { id: string; name: string } | null,
  /** The permits view narrowed to an alert's permits (a clicked notification or alert). */
  permitsAlert: null as { ids: string[]; title: string } | null,
  /** The alerts list is open. */
  alertsOpen: false,
  /** The keyboard shortcut sheet is open (`?`). */
  shortcutsOpen: false,
  /** Unread alerts, beside the bell. */
  unreadAlerts: 0,
});

/** Permits, showing exactly these (an alert's), whatever the filters held. */
export function openAlertPermits(ids: string[], title: string): void {
  shell.permitsContractor = null;
  shell.permitsAlert = { ids, title };
  shell.alertsOpen = false;
  shell.view = 'permits';
}

async function takePermitsToOpen(): Promise<void> {
  try {
    const ids = await commands.takePermitsToOpen();
    if (ids && ids.length > 0) {
      const list = await commands.alerts().catch(() => null);
      const same = (a: string[]) => a.length === ids.length && a.every((id, i) => id === ids[i]);
      const alert = list?.alerts.find((a) => same(a.permitIds));
      openAlertPermits(ids, alert?.title ?? `${ids.length} permit${ids.length === 1 ? '' : 's'} from an alert`);
    }
  } catch (err) {
    notify(asIpcError(err).message, true);
  }
}

async function loadUnread(): Promise<void> {
  try {
    shell.unreadAlerts = (await commands.alerts()).unread;
  } catch {
    // The bell keeps its count; the list says what went wrong when opened.
  }
}

/** Opens the permits a clicked alert asks for (now, for a launch that carried them, and on
 *  each click), and keeps the unread count current. */
export async function followAlerts(): Promise<() => void> {
  // Listening first: an alert told between a first read and the listening is not missed.
  const stopOpen = await onOpenPermits(() => void takePermitsToOpen());
  const stopChanged = await onChanged((c) => {
    if (c.alerts) void loadUnread();
  });
  void takePermitsToOpen();
  void loadUnread();
  return () => {
    stopOpen();
    stopChanged();
  };
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** A notice's next step: a button in it. */
export interface NoticeAction {
  label: string;
  run: () => void;
}

/** Shows a short notice for a few seconds (`ms`, or 4 s; 8 s for an error), with a next step. */
export function notify(text: string, error = false, ms?: number, action: NoticeAction | null = null): void {
  shell.notice = { text, error, action };
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (shell.notice = null), ms ?? (error ? 8000 : 4000));
}

/** Runs an action command and says what happened to it. */
export async function act(run: () => Promise<{ title: string }>): Promise<boolean> {
  try {
    const action = await run();
    notify(
      shell.status?.online
        ? `${action.title}: sending to Buzz-In…`
        : `${action.title}: queued; it is sent as soon as Buzz-In can be reached.`,
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

/** Tells the desk when an action queued here reaches Buzz-In ("WP-010010 revoked at Buzz-In
 *  12:38: …"), or is refused by it: a toast, beside the "sent this shift" list. */
export async function followOutcomes(): Promise<() => void> {
  let waiting: Set<string> | null = null;
  const read = async (): Promise<void> => {
    let view: OutboxView;
    try {
      view = await commands.outbox();
    } catch {
      return; // The panel says what went wrong when opened.
    }
    if (waiting) {
      const refused = view.refused.find((a) => waiting?.has(a.id));
      const sent = view.sent.find((a) => waiting?.has(a.id));
      if (refused) {
        const id = refused.id;
        notify(`Buzz-In refused “${refused.title}”: ${refused.message ?? 'no reason given'}.`, true, 15000, {
          label: 'Retry',
          run: () => void commands.retryAction(id).then(
            (a) => notify(`${a.title}: queued again.`),
            (err) => notify(asIpcError(err).message, true),
          ),
        });
      } else if (sent?.outcome) {
        const target = sent.targetId;
        notify(
          sent.outcome,
          false,
          10000,
          sent.kind === 'reissuePass' ? { label: 'Print the new pass', run: () => void printPasses([target]) } : null,
        );
      }
    }
    waiting = new Set(view.pending.map((a) => a.id));
  };
  const stop = await onChanged((c) => {
    if (c.outbox) void read();
  });
  void read();
  return stop;
}

const marked = new Set<string>();

/** Records a performance mark the first time `name` happens (read by the window benchmarks). */
export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
