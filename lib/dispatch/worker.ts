// The delivery worker: claims due deliveries, sends them with bounded concurrency (in all, and per webhook),
// records each attempt, and sleeps until woken (new deliveries), its next retry is due, or the fallback poll.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DbHandle } from '../db/client';
import { env, type Env } from '../env';
import { logger } from '../log';
import { observeAttempt, workerRunning } from '../metrics/observe';
import { attemptDelivery } from './attempt';
import { completionWriter } from './completion-writer';
import { startHeartbeat } from './heartbeat';
import { claimDue, nextDueInMs, releaseClaims, saturatedTargets, type ClaimBatch, type ClaimedDelivery, type Completion } from './queue';
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
  /**
   * The process also answers requests (the inline worker; default): calls started together take turns with
   * them, one per turn of the event loop (see startQueued). `npm run worker` answers none, so its calls start
   * at once.
   */
  sharesProcess?: boolean;
  /**
   * Called with each batch of outcomes once it is stored (the ones whose delivery state was updated), in the
   * order they were written. For counting failures per webhook (auto-disable) without a query per delivery;
   * it must not throw and should return quickly (awaited before the batch's callers go on).
   */
  onStored?: (stored: readonly Completion[]) => void | Promise<void>;
}

/** The worker's options as the environment sets them (SPEC §10): for the inline worker and `npm run worker`. */
export function workerOptionsFromEnv(e: Env = env()): WorkerOptions {
  return {
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT_MS,
    retrySchedule: e.RETRY_SCHEDULE,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
    retentionDays: e.RETENTION_DAYS,
    perTargetConcurrency: e.MAX_IN_FLIGHT_PER_TARGET,
    heartbeatTimeoutMs: e.WORKER_HEARTBEAT_TIMEOUT * 1000,
  };
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

/**
 * A worker holds more than it may have in flight: the calls in flight, and claimed deliveries ready to start
 * the moment a slot frees, up to four times its calls in all, and per webhook twice its limit of calls (five
 * times for a webhook that answers fast, so that its claims can be large: see afterCall). A finishing
 * call is followed by the next one at once, while the claim that refills the ready ones runs meanwhile:
 * claims no longer stand between one call and the next (on a loaded machine a claim's round trip took
 * longer than the calls it waited for). A ready delivery must start while enough of its lease is left for
 * the attempt (DELIVERY_TIMEOUT_MS) and its outcome; one that waited longer (its webhook's calls all hung)
 * is not sent but handed back at once, so the lease is never outlived.
 */
const HOLD = 4;
const HOLD_PER_TARGET = 5;
/**
 * See afterCall. A claim costs PostgreSQL about 0.8 ms of CPU whatever it takes (planning, the walk over the
 * webhooks) and 18 µs per delivery: claims of 64 cost ~30 µs per delivery, of 128 ~24.
 */
const MIN_CLAIM = 128;
const PGLITE_CLAIM = 64;
/**
 * Only a webhook whose last call took less than this gets the larger share: a slow one keeps at most its
 * limit ready, so its waiting deliveries cannot take the others' share of what the worker holds.
 */
const FAST_CALL_MS = 200;

interface Ready {
  d: ClaimedDelivery;
  /** After this (ms since epoch) too little of the lease is left to start an attempt. */
  startBy: number;
}

export function startWorker(handle: DbHandle, opts: WorkerOptions): Worker {
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const perTarget = Math.max(1, Math.min(concurrency, opts.perTargetConcurrency ?? 16));
  const leaseMs = opts.leaseMs ?? Math.max(60_000, 2 * opts.deliveryTimeoutMs + 15_000);
  // Room for the attempt itself and a few seconds of writing its outcome (a lease set shorter than that, as
  // crash tests do, leaves the ready ones half of it).
  const startWindowMs = Math.max(leaseMs / 2, leaseMs - opts.deliveryTimeoutMs - 5_000);
  const pollMs = opts.pollMs ?? 2_000;
  const lookup = webhookLookup(handle);
  const writer = completionWriter(handle, undefined, opts.onStored);
  const attemptOpts = { ...opts, workerId };

  let stopping = false;
  /** Calls in flight (the pool's slots in use), and outcomes waiting to be stored. */
  let calls = 0;
  let writing = 0;
  /**
   * Claims wait while this many outcomes are waiting to be stored (the database is slow). A healthy writer has
   * up to a delay's worth queued and a batch being written: at 4 × concurrency (256) that alone held a worker
   * to ~4,500 deliveries a second, its calls drained while waiting for writes that were on time.
   */
  const maxWriting = 16 * concurrency;
  let writesBehind = false;
  /** Calls in flight per webhook id. */
  const byTarget = new Map<string, number>();
  /** Webhooks whose last call took less than FAST_CALL_MS. */
  const fast = new Set<string>();
  /** Claimed deliveries waiting for a slot, oldest claim first, and how many per webhook. */
  let ready: Ready[] = [];
  const readyBy = new Map<string, number>();
  /** The last claim stopped at its limit: more is due than it took. */
  let backlog = false;
  /** The last claim found more due than it had room for: the ready share is worth filling. */
  let deep = false;
  /** Webhooks whose last claim stopped at their room (or that it skipped at their limit): more may be due. */
  const more = new Set<string>();
  /** Ready deliveries a fast webhook may have (a slow one: its limit). */
  const fullReady = (HOLD_PER_TARGET - 1) * perTarget;
  /**
   * The smallest claim worth a round trip while calls are ready to go (fewer with a low per-webhook limit and
   * few webhooks busy: see afterCall), and the largest: on PGlite a claim holds the event loop (about 0.1 ms
   * per delivery), and with it an event arriving meanwhile.
   */
  const minClaim = handle.kind === 'pglite' ? PGLITE_CLAIM / 2 : MIN_CLAIM;
  const maxClaim = handle.kind === 'pglite' ? PGLITE_CLAIM : Infinity;
  let claiming: Promise<void> | null = null;
  let again = false;
  let errors = 0;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let idle: (() => void) | null = null;
  let claimedAt = -Infinity;
  let plannedAt = -Infinity;

  const bump = (m: Map<string, number>, id: string, by: number) => {
    const n = (m.get(id) ?? 0) + by;
    if (n <= 0) m.delete(id);
    else m.set(id, n);
  };
  /** What the claim sees: deliveries held per webhook (in flight and ready), against HOLD × the limit. */
  function holdLimits() {
    const held = new Map(byTarget);
    for (const [id, n] of readyBy) held.set(id, (held.get(id) ?? 0) + n);
    // A webhook not known to be fast is counted fuller than it is: it gets two limits, not HOLD_PER_TARGET.
    if (HOLD_PER_TARGET > 2) for (const [id, n] of held) if (!fast.has(id)) held.set(id, n + (HOLD_PER_TARGET - 2) * perTarget);
    return { inFlight: held, perTarget: HOLD_PER_TARGET * perTarget };
  }

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
      // Ready deliveries beyond the free slots are claimed only when more is due than the slots take (a
      // backlog): events arriving one by one are claimed as slots free, one claim per burst, not sooner.
      const room = Math.min(maxClaim, (deep ? HOLD * concurrency : concurrency) - calls - ready.length);
      if (room <= 0) {
        // Woken while full: what woke us waits in the database; a finishing call claims it (see run).
        backlog = true;
        return;
      }
      if (writing >= maxWriting) {
        writesBehind = true; // a stored outcome calls wake()
        return;
      }
      let batch: ClaimBatch;
      claimedAt = Date.now();
      const limits = holdLimits();
      try {
        batch = await claimDue(handle, workerId, room, leaseMs, limits);
        errors = 0;
      } catch (err) {
        // The database is away: say so once per outage, back off, and try again.
        if (errors++ === 0) logger().error({ err, worker: workerId }, 'cannot claim deliveries; retrying');
        wakeIn(Math.min(30_000, 500 * 2 ** Math.min(errors, 6)));
        return;
      }
      // One query for the batch's secrets (only when the cache has expired); on failure each attempt looks its own up.
      if (batch.length) await lookup.prime(batch.map((d) => d.targetId)).catch(() => {});
      const startBy = claimedAt + startWindowMs;
      const got = new Map<string, number>();
      for (const d of batch) {
        ready.push({ d, startBy });
        bump(readyBy, d.targetId, 1);
        bump(got, d.targetId, 1);
      }
      // Which webhooks may have more due: those that got all the room they had, and those left out at their
      // limit. The others had nothing more due, unless the batch as a whole was cut short (backlog, below).
      more.clear();
      for (const [id, n] of limits.inFlight) if (n >= limits.perTarget) more.add(id);
      for (const [id, n] of got) if (n >= Math.min(room, limits.perTarget - (limits.inFlight.get(id) ?? 0))) more.add(id);
      pump();
      if (stopping) return;
      // Webhooks skipped at their limit, or filled up by this batch, get their due deliveries when one of
      // their calls ends (see run). The others' are what `backlog` is about.
      backlog = batch.scanned >= room;
      deep = batch.scanned > room || more.size > 0;
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
      ms = await nextDueInMs(handle, saturatedTargets(holdLimits()));
    } catch {
      // the fallback poll below covers it
    }
    wakeIn(ms === null ? pollMs : Math.min(ms, pollMs));
  }

  /** Due work is waiting for the slot just freed: claim again soon, gathering the slots freed meanwhile. */
  function refill(now = false) {
    if (claiming) again = true;
    else if (now || (calls === 0 && ready.length === 0)) wake();
    else wakeIn(REFILL_DELAY_MS);
  }

  /** Ready deliveries a webhook may still take: its share of what the worker holds, less what it holds. */
  function targetRoom(id: string): number {
    const share = fast.has(id) ? fullReady : perTarget;
    return share + perTarget - (byTarget.get(id) ?? 0) - (readyBy.get(id) ?? 0);
  }

  /** A webhook with more due has a call to spare and nothing ready. */
  function hungry(): boolean {
    for (const t of more) if ((byTarget.get(t) ?? 0) < perTarget && !readyBy.get(t)) return true;
    return false;
  }

  /**
   * A call ended with due work left (a backlog, or more due for this webhook): claim again when the claim
   * would be worth its round trip, at least minClaim deliveries, or at once when a slot would otherwise
   * idle. Claiming after every call made claims of a dozen deliveries, a round trip and a planned statement
   * each, and the claims cost the database more than the deliveries' own writes. The same on PGlite, where
   * a claim is no round trip but work on this event loop: a statement costs it milliseconds whatever it
   * claims (claims of 64 took 119 ms of CPU per 1,000 deliveries, claims of 16 took 302, the size it made
   * when it held nothing beyond its calls).
   */
  function afterCall() {
    const free = (deep ? HOLD * concurrency : concurrency) - calls - ready.length;
    if (free <= 0) return;
    // A slot would idle: nothing ready can take it (a backlog), or a webhook with more due has a call to
    // spare and nothing ready.
    if (calls < concurrency && (backlog || hungry())) return refill(true);
    let worth = free;
    if (!backlog) {
      worth = 0;
      for (const t of more) worth += Math.max(0, targetRoom(t));
    }
    // Twice the per-webhook limit for each webhook busy: what their rooms can add up to.
    const busy = Math.max(1, more.size, byTarget.size);
    if (Math.min(worth, free) >= Math.min(minClaim, 2 * perTarget * busy)) refill();
  }

  /** Starts ready deliveries while there are slots: the oldest claimed first whose webhook has a slot left. */
  function pump() {
    if (stopping) return;
    const late: number[] = [];
    // One call starting (the usual case: one just ended) starts now; several (after a claim) take turns.
    let started = 0;
    for (let i = 0; i < ready.length && calls < concurrency; ) {
      const r = ready[i]!;
      if ((byTarget.get(r.d.targetId) ?? 0) >= perTarget) {
        i++;
        continue;
      }
      ready.splice(i, 1);
      bump(readyBy, r.d.targetId, -1);
      // Waited too long for a slot: not sent, handed back (due again at once).
      if (Date.now() > r.startBy) late.push(r.d.id);
      else void run(r.d, opts.sharesProcess !== false && (started++ > 0 || turns.length > 0));
    }
    if (late.length) void releaseClaims(handle, workerId, late).catch(() => {}); // else its lease passes
  }

  /**
   * Calls waiting for their turn: one starts per turn of the event loop, so a request that arrived meanwhile
   * (the LMS's next event) is read between two of them, not after the whole batch: its 202 does not wait
   * for the signing and sending of every delivery claimed before it. A single call is started at once: the
   * turn added a loop iteration to every call's round (a webhook answering in 10 ms got 0.8× the calls of a
   * bare sender held to the same 16 in flight; 0.9× without).
   */
  const turns: (() => void)[] = [];
  let turning = false;
  function startQueued() {
    if (turning || turns.length === 0) return;
    turning = true;
    setImmediate(function next() {
      turns.shift()?.();
      if (turns.length) setImmediate(next);
      else turning = false;
    });
  }

  async function run(d: ClaimedDelivery, queued: boolean) {
    calls++;
    bump(byTarget, d.targetId, 1);
    if (queued) {
      await new Promise<void>((resolve) => {
        turns.push(resolve);
        startQueued();
      });
    }
    let completion: Completion | null = null;
    const t0 = Date.now();
    try {
      completion = await attemptDelivery(d, await lookup.get(d.targetId), attemptOpts);
      observeAttempt(d, completion);
    } catch (err) {
      logger().error({ err, delivery_id: d.id }, 'delivery failed unexpectedly; it is retried after its lease');
    }
    if (Date.now() - t0 < FAST_CALL_MS) fast.add(d.targetId);
    else fast.delete(d.targetId);
    // The call is over, so its slot is free now; the delivery stays leased until its outcome is stored, so
    // no claim takes it again meanwhile.
    bump(byTarget, d.targetId, -1);
    calls--;
    if (completion) writing++;
    pump();
    // With due work left behind, claim again whenever slots are free: calls that hang (up to the timeout)
    // must not keep the free slots idle. Without it, new deliveries and due retries wake us themselves.
    // A webhook with more due and few ready is claimed for at once, so its next calls are ready before its
    // calls in flight end (claims run one at a time: those asked for meanwhile are gathered into the next).
    if (!stopping && (backlog || more.has(d.targetId))) afterCall();
    if (completion) {
      await writer.write(completion);
      writing--;
      if (completion.status === 'pending' && completion.delayMs !== null) wakeIn(completion.delayMs);
      if (writesBehind && writing < maxWriting) {
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
      // Claimed but not started: handed back at once rather than when their leases pass.
      const unstarted = ready.map((r) => r.d.id);
      ready = [];
      readyBy.clear();
      if (unstarted.length) await releaseClaims(handle, workerId, unstarted).catch(() => {});
      if (calls > 0 || writing > 0) await new Promise<void>((resolve) => (idle = resolve));
      await writer.drain();
      await heartbeat.stop();
      await lookup.close();
      workerRunning(-1);
    },
  };
}
