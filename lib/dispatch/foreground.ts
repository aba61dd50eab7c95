// Accepting events comes first. On the embedded database every statement runs on the event loop and one at a
// time, so a claim or a batch of outcomes issued while an event is being accepted held its 202 back (p50
// 13 ms, max 50 ms with five webhooks in flight, against ~3 ms idle). The worker's statements wait here
// until no event is being accepted, for at most MAX_WAIT_MS, so a steady stream of events cannot starve them.
import type { DbHandle } from '../db/client';

const MAX_WAIT_MS = 50;

interface State {
  active: number;
  waiters: Set<() => void>;
}

// On globalThis: the route handlers (Next.js bundles) and the inline worker share the process.
const KEY = Symbol.for('openedx-webhooks.foreground');
const state = ((globalThis as { [KEY]?: State })[KEY] ??= { active: 0, waiters: new Set() });

/** Runs an event's acceptance as foreground work: worker statements wait for it. */
export async function foreground<T>(fn: () => Promise<T>): Promise<T> {
  state.active++;
  try {
    return await fn();
  } finally {
    if (--state.active === 0) {
      const waiting = [...state.waiters];
      state.waiters.clear();
      for (const w of waiting) w();
    }
  }
}

/** Resolves once no event is being accepted (at once on PostgreSQL, whose statements run elsewhere). */
export function backgroundTurn(handle: DbHandle): Promise<void> | void {
  if (handle.kind !== 'pglite' || state.active === 0) return;
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, MAX_WAIT_MS);
    state.waiters.add(done);
  });
}
