import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce';

/** A run that waits until released, recording the text it saw. */
function gate() {
  const seen: string[] = [];
  let text = '';
  let release: (() => void) | null = null;
  const run = coalesced(async () => {
    seen.push(text);
    await new Promise<void>((r) => (release = r));
  });
  return {
    seen,
    type(t: string) {
      text = t;
      return run();
    },
    release() {
      const r = release;
      release = null;
      r?.();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('coalesced', () => {
  it('runs the first call at once and folds the calls made meanwhile into one run of the latest state', async () => {
    const g = gate();
    const first = g.type('a');
    expect(g.seen).toEqual(['a']);
    void g.type('ab');
    void g.type('abc');
    expect(g.seen).toEqual(['a']); // not two at a time
    g.release();
    await tick();
    expect(g.seen).toEqual(['a', 'abc']); // one more run, with the latest text
    g.release();
    await first;
    expect(g.seen).toEqual(['a', 'abc']);
  });

  it('runs again after a failure', async () => {
    let calls = 0;
    const run = coalesced(async () => {
      calls += 1;
      throw new Error('read failed');
    });
    await run();
    await run();
    expect(calls).toBe(2);
  });
});
