// The delivery worker: claims due deliveries, sends them with bounded concurrency, records each attempt,
// and sleeps until woken (new deliveries), its next retry is due, or the fallback poll.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '../db/client';
import { attemptDelivery } from './attempt';
import { completionWriter } from './completion-writer';
import { claimDue, nextDueInMs, type ClaimedDelivery } from './queue';
import { purgeExpired } from './retention';
import { DELIVERIES_CHANNEL, handleTag, registerWaker } from './wake';
import { webhookLookup } from './webhook-lookup';

export interface WorkerOptions {
  deliveryTimeoutMs: number;
  /** Seconds between attempts (RETRY_SCHEDULE). */
  retrySchedule: number[];
  allowPrivate: boolean;
  retentionDays: number;
  /** Attempts in flight at once (default 64). */
  concurrency?: number;
  /** How long a claim holds a delivery; must outlast one attempt (default: 2 × timeout + 15 s, at least 60 s). */
  leaseMs?: number;
  workerId?: string;
  /** Longest sleep between checks for work nobody woke us for: other workers' retries, expired leases. */
  pollMs?: number;
  /** How often retention runs (default hourly); 0 turns it off. */
  retentionEveryMs?: number;
}

export interface Worker {
  stop(): Promise<void>;
  wake(): void;
  readonly id: string;
}

const MIN_SLEEP_MS = 5;

export function startWorker(handle: DbHandle, opts: WorkerOptions): Worker {
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const leaseMs = opts.leaseMs ?? Math.max(60_000, 2 * opts.deliveryTimeoutMs + 15_000);
  const pollMs = opts.pollMs ?? 2_000;
  const lookup = webhookLookup(handle);
  const writer = completionWriter(handle);
  const attemptOpts = { ...opts, workerId };

  let stopping = false;
  let inFlight = 0;
  let backlog = false;
  const lowWater = Math.floor(concurrency / 2);
  let claiming: Promise<void> | null = null;
  let again = false;
  let errors = 0;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let idle: (() => void) | null = null;

  /** Sleep until `ms` from now unless something earlier is already planned. */
  function wakeIn(ms: number) {
    if (stopping) return;
    const at = Date.now() + Math.max(MIN_SLEEP_MS, ms);
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      wake();
    }, at - Date.now());
    timer.unref();
  }

  function wake() {
    if (stopping) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = fill().finally(() => (claiming = null));
  }

  async function fill() {
    do {
      again = false;
      const room = concurrency - inFlight;
      if (room <= 0) return; // a finishing attempt calls wake()
      let batch: ClaimedDelivery[];
      try {
        batch = await claimDue(handle, workerId, room, leaseMs);
        errors = 0;
      } catch (err) {
        // The database is away: say so once per outage, back off, and try again.
        if (errors++ === 0) console.error('[dispatch] cannot claim deliveries; retrying:', err);
        wakeIn(Math.min(30_000, 500 * 2 ** Math.min(errors, 6)));
        return;
      }
      // One query for the batch's secrets; on failure each attempt looks its own up.
      if (batch.length) await lookup.prime(batch.map((d) => d.targetId)).catch(() => {});
      for (const d of batch) void run(d);
      backlog = batch.length === room;
      if (backlog) return; // full: finishing attempts wake us
      if (again) continue;
      // Nothing more is due now: sleep until the next retry is due (or the poll, for leases other workers
      // may let lapse). Asked even with attempts in flight: they no longer wake us when they end (only a
      // backlog does), and the timer only remembers the earliest wake-up, so retries due a little later
      // than the one that just fired would otherwise wait for the poll (up to pollMs late).
      await planNextCheck();
    } while (again && !stopping);
  }

  async function planNextCheck() {
    let ms: number | null = null;
    try {
      ms = await nextDueInMs(handle);
    } catch {
      // the fallback poll below covers it
    }
    wakeIn(ms === null ? pollMs : Math.min(ms, pollMs));
  }

  async function run(d: ClaimedDelivery) {
    inFlight++;
    try {
      const completion = await attemptDelivery(d, await lookup.get(d.targetId), attemptOpts);
      await writer.write(completion);
      if (completion.status === 'pending' && completion.delayMs !== null) wakeIn(completion.delayMs);
    } catch (err) {
      console.error(`[dispatch] delivery ${d.id} failed unexpectedly; it is retried after its lease:`, err);
    } finally {
      inFlight--;
      if (stopping && inFlight === 0) idle?.();
      // With a backlog, claim again once half the slots are free: fewer, larger claims. Without one,
      // new deliveries and due retries wake us themselves.
      else if (backlog && inFlight <= lowWater) wake();
    }
  }

  const unregister = registerWaker(handle, wake);
  const tag = handleTag(handle);
  // Our own process was woken in-process already; NOTIFYs from it are skipped.
  const unlisten = handle
    .listen(DELIVERIES_CHANNEL, (payload) => payload !== tag && wake())
    .catch((err) => {
      console.error('[dispatch] cannot LISTEN for new deliveries; polling instead:', err);
      return null;
    });

  const retentionEvery = opts.retentionEveryMs ?? 3_600_000;
  const purge = () =>
    purgeExpired(handle, opts.retentionDays)
      .then((r) => {
        if (r.deliveries || r.events) {
          console.log(`[dispatch] retention: deleted ${r.deliveries} deliveries and ${r.events} events`);
        }
      })
      .catch((err) => console.error('[dispatch] retention failed:', err));
  // First purge shortly after start, out of the way of migrations and the first requests.
  const retentionTimers = retentionEvery > 0 ? [setTimeout(purge, 5_000), setInterval(purge, retentionEvery)] : [];
  for (const t of retentionTimers) t.unref();

  wake();

  return {
    id: workerId,
    wake,
    async stop() {
      if (stopping) return;
      stopping = true;
      unregister();
      if (timer) clearTimeout(timer);
      for (const t of retentionTimers) clearTimeout(t);
      await (await unlisten)?.().catch(() => {});
      await claiming;
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await writer.drain();
      await lookup.close();
    },
  };
}
