// The rows of a long table, read from Rust a page at a time: only the pages around the rows in
// view are held, each read by its own position (page k opens by keyset at its cursor), so
// dragging the scrollbar to row 80,000 reads one page. Answers for an older filter are dropped.
import type { IpcError } from './bindings/IpcError';
import { asIpcError } from './ipc';

/** One page as the Rust side answers it. */
export interface Page<Row> {
  rows: Row[];
  pageSize: number;
  total: number;
}

/** Pages kept around the visible ones; farther pages are dropped and read again if the table
 *  comes back to them, so a scroll over 100,000 rows does not keep them all. */
const KEEP_PAGES = 8;

export class PagedRows<Row> {
  total = $state(0);
  pages = $state<Record<number, Row[]>>({});
  error = $state<IpcError | null>(null);
  /** The first answer for the current filter has arrived. */
  loaded = $state(false);
  pageSize = 100;

  /** Bumped whenever the filter changes: answers for an older one are dropped. */
  private generation = 0;
  private inFlight = new Set<string>();
  /** The indexes of the rows in view, as last told. */
  private inView: number[] = [];
  /** The first row in view when pages were last asked for, and the timer that asks again once
   *  a fast scroll (the scrollbar dragged: a page or more a frame) has stopped. */
  private lastFirst = 0;
  private settle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly read: (page: number) => Promise<Page<Row>>,
    private readonly on: {
      /** The number of rows changed. */
      total: (total: number) => void;
      /** A new filter's first page arrived: back to the top. */
      fresh: () => void;
    },
  ) {}

  rowAt(index: number): Row | undefined {
    return this.pages[Math.floor(index / this.pageSize)]?.[index % this.pageSize];
  }

  /** The rows in view are now these (in order): reads the pages they are on, and the pages half
   *  a page beyond each edge once those are there. */
  show(indexes: number[]): void {
    this.inView = indexes;
    const first = indexes[0] ?? 0;
    const jump = Math.abs(first - this.lastFirst);
    this.lastFirst = first;
    clearTimeout(this.settle);
    if (jump >= this.pageSize) {
      // Every frame of a fast drag lands on a page not read yet: paint placeholders, and read
      // the pages where the scroll stops instead of one page per frame on the way.
      this.settle = setTimeout(() => this.show(this.inView), 50);
      return;
    }
    const missing = this.visiblePages().filter((page) => !this.pages[page]);
    for (const page of missing) void this.fetch(page, this.generation);
    if (missing.length > 0 || indexes.length === 0) return;
    const ahead = Math.floor(this.pageSize / 2);
    for (const index of [indexes[0]! - ahead, indexes[indexes.length - 1]! + ahead]) {
      const page = Math.floor(index / this.pageSize);
      if (index >= 0 && index < this.total && !this.pages[page]) void this.fetch(page, this.generation);
    }
  }

  /** A new filter: start again from the top (the old rows stay until the new ones arrive). */
  async refilter(): Promise<void> {
    this.generation += 1;
    await this.fetch(0, this.generation, true);
  }

  /** The data changed: read the pages in view again, keeping their rows shown until then. */
  refresh(): void {
    this.generation += 1;
    const gen = this.generation;
    const keep = this.visiblePages();
    const old = this.pages;
    this.pages = Object.fromEntries(keep.filter((p) => old[p]).map((p) => [p, old[p] as Row[]]));
    for (const page of keep) void this.fetch(page, gen);
  }

  dispose(): void {
    clearTimeout(this.settle);
  }

  /** The pages the rows in view are on. */
  private visiblePages(): number[] {
    const wanted = new Set<number>();
    for (const index of this.inView) wanted.add(Math.floor(index / this.pageSize));
    if (wanted.size === 0) wanted.add(0);
    return [...wanted];
  }

  /** Reads one page; `fresh` (a new filter) replaces every page held. */
  private async fetch(page: number, gen: number, fresh = false): Promise<void> {
    const key = `${gen}:${page}`;
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      const answer = await this.read(page);
      if (gen !== this.generation) return;
      this.pageSize = answer.pageSize;
      if (fresh) {
        this.pages = { [page]: answer.rows };
        this.on.fresh();
      } else {
        this.pages = this.nearby({ ...this.pages, [page]: answer.rows });
      }
      if (this.total !== answer.total) {
        this.total = answer.total;
        this.on.total(answer.total);
      }
      this.error = null;
      this.loaded = true;
    } catch (err) {
      if (gen !== this.generation) return;
      this.error = asIpcError(err);
      // A filter that cannot be read shows no rows, never the last filter's.
      if (fresh) {
        this.pages = {};
        this.total = 0;
        this.on.total(0);
      }
    } finally {
      this.inFlight.delete(key);
    }
  }

  private nearby(all: Record<number, Row[]>): Record<number, Row[]> {
    const visible = this.visiblePages();
    const near = (p: number) => visible.some((v) => Math.abs(v - p) <= KEEP_PAGES);
    return Object.fromEntries(Object.entries(all).filter(([p]) => near(Number(p))));
  }
}
