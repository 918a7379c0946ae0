// A virtualised list of fixed-height rows over a scrolling element (@tanstack/virtual-core):
// which rows are in view (with some overscan), where each sits, and how tall the whole is.
// This is the one place that knows the virtualiser's lifecycle hooks.
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type VirtualItem,
} from '@tanstack/virtual-core';

export class VirtualRows {
  items = $state<VirtualItem[]>([]);
  height = $state(0);
  private virt: Virtualizer<HTMLElement, Element> | null = null;

  constructor(
    private readonly rowHeight: number,
    /** The rows in view changed (a scroll, a resize, a new count). */
    private readonly onChange: (items: VirtualItem[]) => void,
  ) {}

  /** Starts following `scroller`; returns the function that stops. */
  mount(scroller: HTMLElement, count: number): () => void {
    this.virt = new Virtualizer<HTMLElement, Element>({
      count,
      getScrollElement: () => scroller,
      estimateSize: () => this.rowHeight,
      overscan: 12,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: (v) => this.update(v),
    });
    const unmount = this.virt._didMount();
    this.virt._willUpdate();
    return () => {
      unmount();
      this.virt = null;
    };
  }

  /** The list now has `count` rows. */
  setCount(count: number): void {
    const v = this.virt;
    if (!v) return;
    v.setOptions({ ...v.options, count });
    v._willUpdate();
    v.measure();
    this.update(v);
  }

  scrollToIndex(index: number): void {
    this.virt?.scrollToIndex(index, { align: 'auto' });
  }

  scrollToTop(): void {
    this.virt?.scrollToOffset(0);
  }

  private update(v: Virtualizer<HTMLElement, Element>): void {
    this.items = v.getVirtualItems();
    this.height = v.getTotalSize();
    this.onChange(this.items);
  }
}
