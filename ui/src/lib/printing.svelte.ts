// Printing passes from the window: the media and printer resolution the desk picked (remembered
// on this computer), and one way to print that the Print queue, the permit panel and Ctrl/Cmd+P
// share. Rust writes the PDF into the profile's passes folder and opens it in the OS viewer.
import type { Layout } from './bindings/Layout';
import type { PrintOutcome } from './bindings/PrintOutcome';
import { LAYOUTS, PRINTER_DPIS } from './bindings/vocabulary';
import { notify } from './app.svelte';
import { asIpcError, commands } from './ipc';

const KEY = 'gatehouse.print';

function remembered(): { layout: Layout; dpi: number } {
  const fallback = { layout: 'label' as Layout, dpi: 300 };
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { layout?: unknown; dpi?: unknown } | null;
    const layout = LAYOUTS.find((l) => l === saved?.layout) ?? fallback.layout;
    const dpi = PRINTER_DPIS.find((d) => d === saved?.dpi) ?? fallback.dpi;
    return { layout, dpi };
  } catch {
    return fallback;
  }
}

export const printSettings = $state(remembered());

/** Keeps the desk's choice for the next time. */
export function rememberPrintSettings(): void {
  localStorage.setItem(KEY, JSON.stringify({ layout: printSettings.layout, dpi: printSettings.dpi }));
}

/** What a print did, in one line. */
export function printSummary(o: PrintOutcome): string {
  const n = o.printed.length;
  const printed = n === 1 ? `Pass ${o.printed[0]} printed` : `${n} passes printed`;
  const refused = o.refused.length ? `; ${o.refused.length} not printed` : '';
  if (!o.path) return `Nothing printed: ${o.refused.map((r) => r.reason).join(' ')}`;
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
      printer: null,
    });
    notify(printSummary(outcome), !outcome.path || outcome.openError !== null);
    return outcome;
  } catch (err) {
    notify(asIpcError(err).message, true);
    return null;
  }
}
