// Printing passes from the window: the media, printer resolution and printer the desk picked
// (remembered on this computer), and one way to print that the Print queue, the permit panel and
// Ctrl/Cmd+P share. Rust writes the PDF into the profile's passes folder and opens it in the OS
// viewer, or sends it to the CUPS printer picked (Linux, macOS) at 100 % on the pass's media.
import type { Layout } from './bindings/Layout';
import type { PrintOutcome } from './bindings/PrintOutcome';
import { LAYOUTS, PRINTER_DPIS } from './bindings/vocabulary';
import { notify, notifyError } from './app.svelte';
import { commands } from './ipc';

const KEY = 'gatehouse.print';

interface PrintSettings {
  layout: Layout;
  dpi: number;
  /** A CUPS printer to send to; null: open the PDF in the viewer. */
  printer: string | null;
}

function remembered(): PrintSettings {
  const fallback: PrintSettings = { layout: 'label', dpi: 300, printer: null };
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Record<string, unknown> | null;
    const layout = LAYOUTS.find((l) => l === saved?.layout) ?? fallback.layout;
    const dpi = PRINTER_DPIS.find((d) => d === saved?.dpi) ?? fallback.dpi;
    const printer = typeof saved?.printer === 'string' ? saved.printer : null;
    return { layout, dpi, printer };
  } catch {
    return fallback;
  }
}

export const printSettings = $state(remembered());

/** The printers CUPS offers here (none without CUPS), read when the Print queue opens. */
export const printerList = $state<{ names: string[] }>({ names: [] });

export async function loadPrinters(): Promise<void> {
  try {
    printerList.names = await commands.printers();
  } catch {
    printerList.names = [];
  }
  // A remembered printer that is gone falls back to the viewer.
  if (printSettings.printer !== null && !printerList.names.includes(printSettings.printer)) {
    printSettings.printer = null;
  }
}

/** Keeps the desk's choice for the next time. */
export function rememberPrintSettings(): void {
  localStorage.setItem(KEY, JSON.stringify(printSettings));
}

/** What a print did, in one line. */
export function printSummary(o: PrintOutcome): string {
  const n = o.printed.length;
  const printed = n === 1 ? `Pass ${o.printed[0]} printed` : `${n} passes printed`;
  const refused = o.refused.length ? `; ${o.refused.length} not printed` : '';
  if (!o.path) return `Nothing printed: ${o.refused.map((r) => r.reason).join(' ')}`;
  if (o.job) return `${printed}${refused}: sent to the printer as job ${o.job}.`;
  if (o.openError) return `${printed}${refused}. ${o.openError}`;
  return `${printed}${refused}: opened in your PDF viewer (${o.path}).`;
}

/** Prints `permits` as one PDF with the remembered media and resolution, and says how it went. */
export async function printPasses(permits: string[]): Promise<PrintOutcome | null> {
  try {
    const outcome = await commands.printPasses({
      permits,
      layout: printSettings.layout,
      dpi: printSettings.dpi,
      printer: printSettings.printer,
    });
    notify(printSummary(outcome), !outcome.path || outcome.openError !== null);
    return outcome;
  } catch (err) {
    notifyError(err);
    return null;
  }
}
