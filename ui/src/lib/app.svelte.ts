// Shell state shared by the sidebar, the views and the status bar (Svelte 5 runes).
import type { AppInfo } from './bindings/AppInfo';
import type { IpcError } from './bindings/IpcError';
import { CommandError, commands, toIpcError } from './ipc';
import type { ViewId } from './views';

export const shell = $state({
  view: 'contractors' as ViewId,
  info: null as AppInfo | null,
  infoError: null as IpcError | null,
});

export async function loadAppInfo(): Promise<void> {
  try {
    shell.info = await commands.appInfo();
    shell.infoError = null;
  } catch (err) {
    shell.infoError = err instanceof CommandError ? { code: err.code, message: err.message } : toIpcError(err);
  }
}
