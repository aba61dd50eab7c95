// Wakes delivery workers the moment deliveries are stored: in-process at once, other processes by NOTIFY.
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

export const DELIVERIES_CHANNEL = 'oewh_deliveries';

interface NotifyState {
  busy: boolean;
  again: boolean;
}

interface Registry {
  wakers: WeakMap<DbHandle, Set<() => void>>;
  tags: WeakMap<DbHandle, string>;
  notifying: WeakMap<DbHandle, NotifyState>;
}

// On globalThis: Next.js bundles route handlers and instrumentation apart, so module state would be
// duplicated, while the db handle (and the inline worker) is shared by the whole process.
const KEY = Symbol.for('openedx-webhooks.delivery-wake');
function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  g[KEY] ??= { wakers: new WeakMap(), tags: new WeakMap(), notifying: new WeakMap() };
  return g[KEY];
}

/** A random tag per handle, sent as the NOTIFY payload so a worker skips the wake-ups it already got in-process. */
export function handleTag(handle: DbHandle): string {
  const { tags } = registry();
  let tag = tags.get(handle);
  if (!tag) {
    tag = randomBytes(6).toString('hex');
    tags.set(handle, tag);
  }
  return tag;
}

/** Registers an in-process wake-up; returns the function that removes it. */
export function registerWaker(handle: DbHandle, wake: () => void): () => void {
  const { wakers } = registry();
  let set = wakers.get(handle);
  if (!set) {
    set = new Set();
    wakers.set(handle, set);
  }
  set.add(wake);
  return () => void set.delete(wake);
}

/** Call after committing new or re-queued deliveries. */
export function wakeWorkers(handle: DbHandle): void {
  for (const wake of registry().wakers.get(handle) ?? []) wake();
  // PGlite has no other process to reach; its in-process wake-up is done above.
  if (handle.kind === 'postgres') notifyCoalesced(handle);
}

// At most one NOTIFY in flight per handle, plus one trailing: under load many commits share a wake-up,
// and NOTIFY (which serialises commits server-side) stays off the hot path.
function notifyCoalesced(handle: DbHandle) {
  const { notifying } = registry();
  let state = notifying.get(handle);
  if (!state) {
    state = { busy: false, again: false };
    notifying.set(handle, state);
  }
  const s = state;
  if (s.busy) {
    s.again = true;
    return;
  }
  s.busy = true;
  const run = (): void => {
    s.again = false;
    handle
      .notify(DELIVERIES_CHANNEL, handleTag(handle))
      .catch((err) => logger().warn({ err }, 'NOTIFY failed; other workers will find the deliveries by polling'))
      .finally(() => (s.again ? run() : (s.busy = false)));
  };
  run();
}
