// The delivery worker: claims due deliveries, sends them with bounded concurrency (in all, and per webhook),
// records each attempt, and sleeps until woken (new deliveries), its next retry is due, or the fallback poll.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '../db/client';
import { logger } from '../log';
import { observeAttempt, workerRunning } from '../metrics/observe';
import { attemptDelivery } from './attempt';
import { completionWriter } from './completion-writer';
import { startHeartbeat } from './heartbeat';
import { claimDue, nextDueInMs, saturatedTargets, type ClaimBatch, type ClaimedDelivery, type Completion } from './queue';
import { purgeExpired } from './retention';
import { DELIVERIES_CHANNEL, handleTag, registerWaker, wakeWorkers } from './wake';
import { webhookLookup } from './webhook-lookup';

export interface WorkerOptions {
  deliveryTimeoutMs: number;
  /** Seconds between attempts (RETRY_SCHEDULE). */
  retrySchedule: number[];
  allowPrivate: boolean;
  retentionDays: number;
  /** Attempts in flight at once (default 64). */
  concurrency?: number;
  /**
   * Attempts in flight at once to one webhook (default 16, at most `concurrency`), so a receiver that hangs
   * holds at most this many slots for DELIVERY_TIMEOUT_MS and the others' deliveries go on. Per worker.
   */
  perTargetConcurrency?: number;
  /** How long a claim holds a delivery; must outlast one attempt (default: 2 × timeout + 15 s, at least 60 s). */
  leaseMs?: number;
  workerId?: string;
  /** Longest sleep between checks for work nobody woke us for: other workers' retries, expired leases. */
  pollMs?: number;
  /** How often retention runs (default hourly); 0 turns it off. */
  retentionEveryMs?: number;
  /**
   * A worker whose heartbeat stops this long is taken for dead and its deliveries are taken again at once
   * (WORKER_HEARTBEAT_TIMEOUT; default 15 s). This worker beats every third of it.
   */
  heartbeatTimeoutMs?: number;
}

export interface Worker {
  stop(): Promise<void>;
  wake(): void;
  readonly id: string;
}

const MIN_SLEEP_MS = 5;
/**
 * A stream of events (each waking the worker) is claimed in one claim every WAKE_GATHER_MS and its next retry
 * planned at most every PLAN_EVERY_MS, instead of a claim and a next-due query per event: those statements
 * share the database (on PGlite, the event loop itself) with the events being accepted.
 */
const WAKE_GATHER_MS = 10;
const PLAN_EVERY_MS = 50;
/** With due work waiting, how long freed slots gather before the next claim: fewer, larger claims. */
const REFILL_DELAY_MS = 5;

export function startWorker(handle: DbHandle, opts: WorkerOptions): Worker {
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const perTarget = Math.max(1, Math.min(concurrency, opts.perTargetConcurrency ?? 16));
  const leaseMs = opts.leaseMs ?? Math.max(60_000, 2 * opts.deliveryTimeoutMs + 15_000);
  const pollMs = opts.pollMs ?? 2_000;
  const lookup = webhookLookup(handle);
  const writer = completionWriter(handle);
  const attemptOpts = { ...opts, workerId };

  let stopping = false;
  /** Calls in flight (the pool's slots in use), and outcomes waiting to be stored. */
  let calls = 0;
  let writing = 0;
  /** Claims wait while a pool's worth of outcomes is waiting to be stored (the database is slow). */
  let writesBehind = false;
  /** Calls in flight per webhook id. */
  const byTarget = new Map<string, number>();
  const limits = { inFlight: byTarget, perTarget };
  /** The last claim stopped at its limit: more is due than it took. */
  let backlog = false;
  let claiming: Promise<void> | null = null;
  let again = false;
  let errors = 0;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let idle: (() => void) | null = null;
  let claimedAt = -Infinity;
  let plannedAt = -Infinity;

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
      const room = concurrency - calls;
      if (room <= 0) return; // a finishing call calls wake()
      if (writing >= concurrency) {
        writesBehind = true; // a stored outcome calls wake()
        return;
      }
      let batch: ClaimBatch;
      claimedAt = Date.now();
      try {
        batch = await claimDue(handle, workerId, room, leaseMs, limits);
        errors = 0;
      } catch (err) {
        // The database is away: say so once per outage, back off, and try again.
        if (errors++ === 0) logger().error({ err, worker: workerId }, 'cannot claim deliveries; retrying');
        wakeIn(Math.min(30_000, 500 * 2 ** Math.min(errors, 6)));
        return;
      }
      // One query for the batch's secrets; on failure each attempt looks its own up.
      if (batch.length) await lookup.prime(batch.map((d) => d.targetId)).catch(() => {});
      for (const d of batch) void run(d);
      // Webhooks skipped at their limit, or filled up by this batch, get their due deliveries when one of
      // their calls ends (see run). The others' are what `backlog` is about.
      backlog = batch.scanned >= room;
      if (backlog) {
        // Short of the room: some webhooks are at their limit now, and the next claim skips them.
        if (batch.length < room) again = true;
        if (again) continue; // (slots freed during the claim count too)
        return; // full: finishing attempts wake us
      }
      if (again) continue;
      // Nothing more is due now: sleep until the next retry is due (or the poll, for leases other workers
      // may let lapse). Asked even with attempts in flight: they no longer wake us when they end (only a
      // backlog or a webhook at its limit does), and the timer only remembers the earliest wake-up, so
      // retries due a little later than the one that just fired would otherwise wait for the poll.
      await planNextCheck();
    } while (again && !stopping);
  }

  async function planNextCheck() {
    const since = Date.now() - plannedAt;
    if (since < PLAN_EVERY_MS) return wakeIn(PLAN_EVERY_MS - since);
    plannedAt = Date.now();
    let ms: number | null = null;
    try {
      // Webhooks at their limit are left out: their next call starts when one of theirs ends.
      ms = await nextDueInMs(handle, saturatedTargets(limits));
    } catch {
      // the fallback poll below covers it
    }
    wakeIn(ms === null ? pollMs : Math.min(ms, pollMs));
  }

  /** Due work is waiting for the slot just freed: claim again soon, gathering the slots freed meanwhile. */
  function refill() {
    if (claiming) again = true;
    else if (calls === 0) wake();
    else wakeIn(REFILL_DELAY_MS);
  }

  async function run(d: ClaimedDelivery) {
    calls++;
    byTarget.set(d.targetId, (byTarget.get(d.targetId) ?? 0) + 1);
    let completion: Completion | null = null;
    try {
      completion = await attemptDelivery(d, await lookup.get(d.targetId), attemptOpts);
      observeAttempt(d, completion);
    } catch (err) {
      logger().error({ err, delivery_id: d.id }, 'delivery failed unexpectedly; it is retried after its lease');
    }
    // The call is over, so its slot is free now; the delivery stays leased until its outcome is stored, so
    // no claim takes it again meanwhile.
    const n = byTarget.get(d.targetId) ?? 1;
    // At its limit, this webhook was left out of claims and of the next-due check: it may have due work.
    const wasSaturated = n >= perTarget;
    if (n <= 1) byTarget.delete(d.targetId);
    else byTarget.set(d.targetId, n - 1);
    calls--;
    if (completion) writing++;
    // With due work left behind, claim again whenever slots are free: calls that hang (up to the timeout)
    // must not keep the free slots idle. Without it, new deliveries and due retries wake us themselves.
    if (!stopping && (backlog || wasSaturated)) refill();
    if (completion) {
      await writer.write(completion);
      writing--;
      if (completion.status === 'pending' && completion.delayMs !== null) wakeIn(completion.delayMs);
      if (writesBehind && writing < concurrency) {
        writesBehind = false;
        refill();
      }
    }
    if (stopping && calls === 0 && writing === 0) idle?.();
  }

  /** New deliveries: claimed at once, or with the others of the same burst. */
  function wakeSoon() {
    const since = Date.now() - claimedAt;
    if (claiming || since >= WAKE_GATHER_MS) wake();
    else wakeIn(WAKE_GATHER_MS - since);
  }

  const unregister = registerWaker(handle, wakeSoon);
  const tag = handleTag(handle);
  // Our own process was woken in-process already; NOTIFYs from it are skipped.
  const unlisten = handle
    .listen(DELIVERIES_CHANNEL, (payload) => payload !== tag && wakeSoon())
    .catch((err) => {
      logger().warn({ err }, 'cannot LISTEN for new deliveries; polling instead');
      return null;
    });

  const retentionEvery = opts.retentionEveryMs ?? 3_600_000;
  const purge = () =>
    purgeExpired(handle, opts.retentionDays)
      .then((r) => {
        if (r.deliveries || r.events) {
          logger().info({ deliveries: r.deliveries, events: r.events }, 'retention: deleted old deliveries and events');
        }
      })
      .catch((err) => logger().error({ err }, 'retention failed'));
  // First purge shortly after start, out of the way of migrations and the first requests.
  const retentionTimers = retentionEvery > 0 ? [setTimeout(purge, 5_000), setInterval(purge, retentionEvery)] : [];
  for (const t of retentionTimers) t.unref();

  // A worker is only taken for dead once its row is there and old, so it may claim before its first beat.
  const heartbeat = startHeartbeat(handle, workerId, opts.heartbeatTimeoutMs ?? 15_000, () => wakeWorkers(handle));
  wake();
  workerRunning(1);

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
      if (calls > 0 || writing > 0) await new Promise<void>((resolve) => (idle = resolve));
      await writer.drain();
      await heartbeat.stop();
      await lookup.close();
      workerRunning(-1);
    },
  };
}
