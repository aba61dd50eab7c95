// Write-behind for attempt outcomes: completions wait a few milliseconds and go out together in one
// statement, and those arriving while a write is in flight join the next one, a delay later. Under load one
// round trip records many attempts. The wait matters most on PGlite, whose queries hold the event loop: without it
// each response was handled between two writes and every write carried a single outcome (~8× slower).
import type { DbHandle } from '../db/client';
import { backgroundTurn } from './foreground';
import { writeCompletions, type Completion } from './queue';

/**
 * Outcomes per statement at most. On PGlite a statement holds the event loop (about a quarter of a
 * millisecond per outcome), so its batches stay smaller: an event arriving meanwhile waits for it.
 */
const MAX_BATCH = { postgres: 256, pglite: 64 };
export const FLUSH_DELAY_MS = 40;

interface Pending {
  c: Completion;
  resolve: () => void;
}

export interface CompletionWriter {
  write(c: Completion): Promise<void>;
  /** Resolves once everything written so far is stored. */
  drain(): Promise<void>;
}

/**
 * `onStored`: called with each written batch's completions whose delivery state was updated (lease still held),
 * before their write() promises resolve.
 */
export function completionWriter(
  handle: DbHandle,
  delayMs = FLUSH_DELAY_MS,
  onStored?: (stored: readonly Completion[]) => void | Promise<void>,
): CompletionWriter {
  const maxBatch = MAX_BATCH[handle.kind];
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  /** Writes what is queued; full batches go on at once, a partial one waits for the next turn (schedule). */
  async function flushAll(all: boolean) {
    do {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await writeBatch(batch);
    } while (queue.length >= maxBatch || (all && queue.length));
  }

  async function writeBatch(batch: Pending[]) {
    try {
      await backgroundTurn(handle);
      const updated = await writeCompletions(handle, batch.map((p) => p.c));
      if (onStored) {
        try {
          await onStored(batch.map((p) => p.c).filter((c) => updated.has(c.id)));
        } catch (err) {
          console.error('[dispatch] onStored hook failed:', err);
        }
      }
    } catch (err) {
      // One bad row must not lose the others: write them one by one, then log what still fails.
      // A row never written keeps its lease and is attempted again once the lease passes.
      if (batch.length > 1) {
        for (const p of batch) await writeBatch([p]);
        return;
      }
      console.error(`[dispatch] cannot record the outcome of delivery ${batch[0]?.c.id}:`, err);
    }
    for (const p of batch) p.resolve();
  }

  function flushNow(all = false) {
    if (timer) clearTimeout(timer);
    timer = null;
    running ??= flushAll(all).finally(() => {
      running = null;
      // What arrived during the write waits its delay too: one write per delay at most, each carrying what
      // the delay gathered (at 3,000 outcomes a second, about a hundred per write instead of the few of one
      // round trip). Unless the write took long enough to gather a quarter batch: then it goes at once,
      // or the delays alone would cap the rate (~4,500 a second with batches of 256 and writes of 15 ms).
      if (queue.length >= maxBatch / 4) flushNow();
      else if (queue.length) schedule();
    });
  }

  function schedule() {
    if (running || timer) return; // a write in flight picks the queue up when it ends
    if (queue.length >= maxBatch || delayMs <= 0) return flushNow();
    timer = setTimeout(flushNow, delayMs);
  }

  return {
    write(c) {
      return new Promise<void>((resolve) => {
        queue.push({ c, resolve });
        schedule();
      });
    },
    async drain() {
      while (running || queue.length) {
        flushNow(true);
        await running;
      }
    },
  };
}
