// The permits picked for printing, in the order they were picked. The permits table adds and
// removes them; the print view reads them.

class PrintQueue {
  ids = $state<string[]>([]);

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.ids.includes(id);
  }

  toggle(id: string): void {
    this.ids = this.has(id) ? this.ids.filter((x) => x !== id) : [...this.ids, id];
  }

  remove(id: string): void {
    this.ids = this.ids.filter((x) => x !== id);
  }

  clear(): void {
    this.ids = [];
  }
}

export const printQueue = new PrintQueue();
