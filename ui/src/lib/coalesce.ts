// Search as you type: each key is answered at once, but never two reads at a time.

/** Runs `run` at once when called, but never twice at the same time: calls made while it runs
 *  are folded into one more run after it, which sees the state as it is then (the latest
 *  text). A failing run does not stop later ones. */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          await run();
        } catch {
          // The run reports its own errors; the next call still runs.
        }
      } while (again);
    } finally {
      running = false;
    }
  };
}
