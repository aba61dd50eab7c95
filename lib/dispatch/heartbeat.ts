// Worker heartbeats: each worker writes its row in `workers` every third of WORKER_HEARTBEAT_TIMEOUT. A worker
// silent for the whole timeout is taken for dead (killed, or its machine gone): its row is removed and its
// leased deliveries are released at once, instead of when their leases pass (2 × DELIVERY_TIMEOUT_MS + 15 s,
// a minute at least). A worker taken for dead that was only slow loses nothing: its outcomes are still
// logged, and the delivery is attempted again (at least once, as after any crash).
import type { DbHandle } from '../db/client';
import { logger } from '../log';
import { hotRows, queueRows } from './hot-sql';

// One statement: my heartbeat, the dead removed, their leases released, and when the next one may die.
// (The CTEs share one snapshot: `others` sees the rows as they were, so the dead are left out by their age.)
// No index covers the lease (so that claims are HOT updates, see schema.ts): the dead's leases are found by
// walking the pending rows in an index (queueRows rules out a scan of the whole table), and only when
// someone died (the EXISTS is decided once, before the walk).
const BEAT = `
  with me as (
    insert into workers (id) values ($1::text)
    on conflict (id) do update set heartbeat_at = now()
  ), dead as (
    delete from workers where id <> $1::text and heartbeat_at < now() - $2::int * interval '1 millisecond'
    returning id
  ), freed as (
    update deliveries set locked_until = null, locked_by = null
    where exists (select 1 from dead) and status = 'pending' and locked_by in (select id from dead)
    returning 1
  )
  select (select count(*) from freed)::int as freed,
    (select extract(epoch from (min(heartbeat_at) + $2::int * interval '1 millisecond' - now())) * 1000
      from workers where id <> $1::text and heartbeat_at >= now() - $2::int * interval '1 millisecond')::float8 as next_death_ms`;

export interface Heartbeat {
  /** Resolves after the first beat (written or failed), so claims start with this worker known to be alive. */
  ready: Promise<void>;
  /** Stops beating and removes this worker's row (its deliveries are all stored by then). */
  stop(): Promise<void>;
}

/** Starts beating; `onReleased` is called when a dead worker's deliveries were released (wake the workers). */
export function startHeartbeat(
  handle: DbHandle,
  workerId: string,
  timeoutMs: number,
  onReleased: (count: number) => void,
): Heartbeat {
  const everyMs = Math.max(500, Math.floor(timeoutMs / 3));
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let failing = false;
  let beating: Promise<void> = Promise.resolve();

  async function beat() {
    let nextMs = everyMs;
    try {
      const [row] = await queueRows<{ freed: number; next_death_ms: number | string | null }>(handle, BEAT, [
        workerId,
        Math.round(timeoutMs),
      ]);
      failing = false;
      const freed = Number(row?.freed ?? 0);
      if (freed > 0) {
        logger().warn({ released: freed, silent_s: timeoutMs / 1000 }, 'released deliveries held by silent workers');
        onReleased(freed);
      }
      // Check again just after the next worker would be taken for dead, if that is sooner than the next beat.
      if (row?.next_death_ms != null) nextMs = Math.min(everyMs, Math.max(50, Number(row.next_death_ms) + 50));
    } catch (err) {
      if (!failing) logger().error({ err }, 'cannot write the worker heartbeat; retrying');
      failing = true;
    }
    if (stopped) return;
    timer = setTimeout(() => void (beating = beat()), nextMs);
    timer.unref();
  }

  beating = beat();
  return {
    ready: beating,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await beating;
      await hotRows(handle, 'delete from workers where id = $1::text', [workerId]).catch(() => {});
    },
  };
}
