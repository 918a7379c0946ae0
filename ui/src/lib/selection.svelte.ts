// The detail panel of a view: which row is open, its details read from Rust, and any failure.
// Answers for a row that is no longer the open one are dropped.
import type { IpcError } from './bindings/IpcError';
import { asIpcError } from './ipc';

export class Selection<T> {
  id = $state<string | null>(null);
  detail = $state<T | null>(null);
  error = $state<IpcError | null>(null);

  constructor(private readonly read: (id: string) => Promise<T>) {}

  /** Reads the open row's details again (after a change event, say). */
  async reload(): Promise<void> {
    const id = this.id;
    if (!id) return;
    try {
      const answer = await this.read(id);
      if (this.id !== id) return;
      this.detail = answer;
      this.error = null;
    } catch (err) {
      if (this.id === id) this.error = asIpcError(err);
    }
  }

  open(id: string): void {
    if (this.id !== id) {
      this.detail = null;
      this.error = null;
    }
    this.id = id;
    void this.reload();
  }

  close(): void {
    this.id = null;
    this.detail = null;
    this.error = null;
  }
}
