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
  notice: null as Notice | null,
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
  /** The sidebar is a rail of icons (kept across launches); it opens over the view while the
   *  pass check has the focus. */
  sidebarCollapsed: readCollapsed(),
});

const SIDEBAR_KEY = 'gatehouse.sidebar.collapsed';

function readCollapsed(): boolean {
  try {
    return localStorage.getItem(SIDEBAR_KEY) === '1';
  } catch {
    return false;
  }
}

/** Collapses the sidebar to its rail, or opens it again, and remembers which. */
export function toggleSidebar(): void {
  shell.sidebarCollapsed = !shell.sidebarCollapsed;
  try {
    localStorage.setItem(SIDEBAR_KEY, shell.sidebarCollapsed ? '1' : '0');
  } catch {
    // Not remembered: the next launch shows the whole sidebar.
  }
}

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
    notifyError(err);
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

/** A toast: its sentence, a next step, and for a failure the engineer's text behind Details;
 *  `busy` is the first stage of a two-stage toast (sending…), shown with a spinner until the
 *  outcome replaces it. */
export interface Notice {
  text: string;
  error: boolean;
  action: NoticeAction | null;
  detail?: string;
  busy?: boolean;
}

/** How long a "sending…" toast waits for its outcome before it goes (the outcome still comes,
 *  in a toast of its own and in the "sent this shift" list). */
const SENDING_MS = 30_000;

/** Shows a short notice for a few seconds (`ms`, or 4 s; 8 s for an error), with a next step. */
export function notify(text: string, error = false, ms?: number, action: NoticeAction | null = null): void {
  show({ text, error, action }, ms ?? (error ? 8000 : 4000));
}

/** Shows a failure: its plain sentence, with the engineer's text behind Details. */
export function notifyError(err: unknown): void {
  const e = asIpcError(err);
  show({ text: e.message, error: true, action: null, ...(e.detail ? { detail: e.detail } : {}) }, e.detail ? 15000 : 8000);
}

function show(notice: Notice, ms: number): void {
  shell.notice = notice;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (shell.notice = null), ms);
}

/** Runs an action command and says what happened to it: online, a "sending…" toast that the
 *  outcome (followOutcomes) replaces; offline, that it is queued. */
export async function act(run: () => Promise<{ title: string }>): Promise<boolean> {
  try {
    const action = await run();
    if (shell.status?.online) {
      show({ text: `${action.title}: sending to Buzz-In…`, error: false, action: null, busy: true }, SENDING_MS);
    } else {
      notify(`${action.title}: queued; it is sent as soon as Buzz-In can be reached.`);
    }
    return true;
  } catch (err) {
    notifyError(err);
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
 *  12:38: …"), or is refused by it: a toast, beside the "sent this shift" list.
 *
 *  The first read only remembers what had already settled; after it, any action that appears
 *  among the sent or the refused is told, whether or not this window ever saw it pending (online,
 *  against a fast API, an action can be queued and sent between two reads). */
export async function followOutcomes(): Promise<() => void> {
  let told: Set<string> | null = null;
  const read = async (): Promise<void> => {
    let view: OutboxView;
    try {
      view = await commands.outbox();
    } catch {
      return; // The panel says what went wrong when opened.
    }
    const settled = [...view.refused, ...view.sent];
    if (told) {
      const seen = told;
      const refused = view.refused.find((a) => !seen.has(a.id));
      const sent = view.sent.find((a) => !seen.has(a.id) && a.outcome);
      if (refused) {
        const id = refused.id;
        notify(`Buzz-In refused “${refused.title}”: ${refused.message ?? 'no reason given'}.`, true, 15000, {
          label: 'Retry',
          run: () => void commands.retryAction(id).then(
            (a) => notify(`${a.title}: queued again.`),
            (err) => notifyError(err),
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
    // A retried action leaves the refused list for the pending one, and is told again when it
    // settles again.
    told = new Set(settled.map((a) => a.id));
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
