// Write-behind for attempt outcomes: completions wait a few milliseconds and go out together in one
// statement, and those arriving while a write is in flight join the next one. Under load one round trip
// records many attempts. The wait matters most on PGlite, whose queries hold the event loop: without it
// each response was handled between two writes and every write carried a single outcome (~8× slower).
import type { DbHandle } from '../db/client';
import { backgroundTurn } from './foreground';
import { writeCompletions, type Completion } from './queue';

const MAX_BATCH = 256;
export const FLUSH_DELAY_MS = 5;

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
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function flushAll() {
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      await writeBatch(batch);
    }
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

  function flushNow() {
    if (timer) clearTimeout(timer);
    timer = null;
    running ??= flushAll().finally(() => {
      running = null;
      if (queue.length) schedule();
    });
  }

  function schedule() {
    if (running || timer) return; // a write in flight picks the queue up when it ends
    if (queue.length >= MAX_BATCH || delayMs <= 0) return flushNow();
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
        flushNow();
        await running;
      }
    },
  };
}
