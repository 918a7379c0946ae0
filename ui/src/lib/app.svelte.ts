// Shell state shared by the sidebar, the views and the status bar (Svelte 5 runes).
import type { AppInfo } from './bindings/AppInfo';
import type { IpcError } from './bindings/IpcError';
import type { StatusView } from './bindings/StatusView';
import { CommandError, commands, onChanged, toIpcError } from './ipc';
import type { ViewId } from './views';

export const shell = $state({
  view: 'contractors' as ViewId,
  info: null as AppInfo | null,
  infoError: null as IpcError | null,
  status: null as StatusView | null,
  statusError: null as IpcError | null,
});

export async function loadAppInfo(): Promise<void> {
  try {
    shell.info = await commands.appInfo();
    shell.infoError = null;
  } catch (err) {
    shell.infoError = err instanceof CommandError ? { code: err.code, message: err.message } : toIpcError(err);
  }
}

function asIpcError(err: unknown): IpcError {
  return err instanceof CommandError ? { code: err.code, message: err.message } : toIpcError(err);
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
