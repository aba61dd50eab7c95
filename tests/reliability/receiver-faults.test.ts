// Receiver faults (SPEC §4), with the real engine in-process: events enter through the POST /api/events
// route handler on PGlite, startWorker delivers them to loopback receivers that answer 500, 503 with
// Retry-After, 302, 410, hang or drip their body past the timeout, refuse the connection, reset mid-headers or
// mid-body, or answer slowly. Once they recover, every accepted event has reached every matching webhook
// exactly once, after the attempts and waits that RETRY_SCHEDULE (±20 % jitter, Retry-After capped at twice
// the delay) prescribes. A second test shows that a hanging receiver does not hold up healthy webhooks.
import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries, deliveryAttempts, webhooks, type DeliveryAttempt } from '../../lib/db/schema';
import { generateSecret } from '../../lib/dispatch/sign';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { startWorker, type Worker } from '../../lib/dispatch/worker';
import { resetEnv } from '../../lib/env';
import { pgliteDb } from '../helpers/db';
import { freePort } from '../helpers/server';
import { printTable, startFaultReceiver, until, type FaultPlan, type FaultReceiver } from './support';

const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const OTHER_EVENT = 'org.openedx.learning.certificate.created.v1';
const EVENTS = 30;
const FAIL_FIRST = 2;
/** Seconds between attempts: 5 attempts in all. */
const SCHEDULE = [1.2, 1.2, 1.2, 1.2];
const TIMEOUT_MS = 3000;
const JITTER = 0.2;
/**
 * Scheduling slack above the planned wait: the wait is counted from the write of the outcome (next_attempt_at =
 * now() + delay, written in batches), so the write, the claim and the timers all add to it. On a 2-core machine
 * at load 15, PGlite sharing the event loop, that came to 1.1 s; the slack is generous. Early is never allowed
 * (the lower bound below has no slack), and a wrong schedule (no wait, the 5 s default, a Retry-After of 3600 s
 * obeyed) is still far outside it.
 */
const SLACK_MS = 3000;

interface Case {
  name: string;
  plan: FaultPlan;
  /** The wait expected after each failed attempt [min, max] in ms, before slack. */
  wait: [number, number];
  final: 'succeeded' | 'failed';
  /** Exact attempts per delivery (null: at least FAIL_FIRST + 1, for the refused port). */
  attempts: number | null;
  error?: RegExp;
  receiver?: FaultReceiver;
  webhookId?: string;
}

const base = SCHEDULE[0]! * 1000;
const scheduled: [number, number] = [base * (1 - JITTER), base * (1 + JITTER)];

const CASES: Case[] = [
  { name: '500', plan: { kind: 'status', status: 500, failFirst: FAIL_FIRST }, wait: scheduled, final: 'succeeded', attempts: 3, error: /500/ },
  {
    // Retry-After above the jittered delay and below the cap: honoured exactly.
    name: '503 Retry-After: 2',
    plan: { kind: 'status', status: 503, headers: { 'retry-after': '2' }, failFirst: FAIL_FIRST },
    wait: [2000, 2000],
    final: 'succeeded',
    attempts: 3,
    error: /503/,
  },
  {
    // Retry-After far beyond the schedule: held to twice the scheduled delay.
    name: '503 Retry-After: 3600',
    plan: { kind: 'status', status: 503, headers: { 'retry-after': '3600' }, failFirst: FAIL_FIRST },
    wait: [2 * base, 2 * base],
    final: 'succeeded',
    attempts: 3,
    error: /503/,
  },
  { name: 'hang past timeout', plan: { kind: 'hang', failFirst: FAIL_FIRST }, wait: scheduled, final: 'succeeded', attempts: 3, error: /timeout/i },
  { name: 'body dripping past timeout', plan: { kind: 'drip', failFirst: FAIL_FIRST }, wait: scheduled, final: 'succeeded', attempts: 3, error: /timeout/i },
  {
    // No redirect is followed (SPEC §4): a 302 is a failed attempt, and its Location gets nothing.
    name: '302 redirect',
    plan: { kind: 'status', status: 302, headers: { location: 'set in beforeAll' }, failFirst: FAIL_FIRST },
    wait: scheduled,
    final: 'succeeded',
    attempts: 3,
    error: /302/,
  },
  { name: 'reset mid-headers', plan: { kind: 'reset-headers', failFirst: FAIL_FIRST }, wait: scheduled, final: 'succeeded', attempts: 3, error: /connection|cut off|socket|reset/i },
  { name: 'reset mid-body', plan: { kind: 'reset-body', failFirst: FAIL_FIRST }, wait: scheduled, final: 'succeeded', attempts: 3, error: /connection|cut off|socket|reset|aborted/i },
  { name: 'refused, then listening', plan: { kind: 'ok' }, wait: scheduled, final: 'succeeded', attempts: null, error: /ECONNREFUSED/ },
  { name: 'slow (under timeout)', plan: { kind: 'slow', slowMs: 300 }, wait: scheduled, final: 'succeeded', attempts: 1 },
  { name: '500 forever', plan: { kind: 'status', status: 500, failFirst: Infinity }, wait: scheduled, final: 'failed', attempts: SCHEDULE.length + 1, error: /500/ },
  { name: '410 Gone', plan: { kind: 'status', status: 410, failFirst: Infinity }, wait: scheduled, final: 'failed', attempts: 1, error: /410/ },
];

let handle: DbHandle;
let token: string;
let worker: Worker | null = null;
let POST: (req: Request, ctx: undefined) => Promise<Response>;
let refusedPort: number;
let lateListener: FaultReceiver | null = null;
const bystanders: FaultReceiver[] = [];
const summary: (string | number)[][] = [];
const accepted: string[] = [];

async function addHook(url: string, eventType = ENROLLMENT, enabled = true) {
  const [row] = await handle.db.insert(webhooks).values({ eventType, url, enabled, secret: generateSecret() }).returning();
  return row!;
}

function postEvent(body: unknown) {
  return POST(
    new Request('http://127.0.0.1/api/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }),
    undefined,
  );
}

beforeAll(async () => {
  process.env.MAX_BODY_BYTES = '65536';
  resetEnv();
  handle = await pgliteDb();
  setDb(handle);
  ({ POST } = await import('../../app/api/events/route'));
  token = (await createApiKey(handle.db, { name: 'lms', scopes: ['events'] })).token;
  for (const c of CASES) {
    if (c.name.startsWith('refused')) {
      refusedPort = await freePort(); // nothing listens there until the test opens it
      c.webhookId = (await addHook(`http://127.0.0.1:${refusedPort}/hook`)).id;
      continue;
    }
    c.receiver = await startFaultReceiver(c.plan);
    c.webhookId = (await addHook(c.receiver.url)).id;
  }
  // Must receive nothing: a disabled webhook, one for another event, and where the 302 points.
  for (const [type, enabled] of [[ENROLLMENT, false], [OTHER_EVENT, true]] as const) {
    const r = await startFaultReceiver({ kind: 'ok' });
    bystanders.push(r);
    await addHook(r.url, type, enabled);
  }
  const redirectTarget = await startFaultReceiver({ kind: 'ok' });
  bystanders.push(redirectTarget);
  CASES.find((c) => c.name === '302 redirect')!.plan.headers!.location = redirectTarget.url;
  await invalidateTargets(handle);
});

afterAll(async () => {
  await worker?.stop().catch(() => {});
  for (const c of CASES) await c.receiver?.close();
  for (const r of bystanders) await r.close();
  await lateListener?.close();
  await handle?.close();
  delete process.env.MAX_BODY_BYTES;
  resetEnv();
  if (summary.length > 1) printTable('Receiver faults: every accepted event reached every matching webhook', summary);
});

async function attemptsOf(webhookId: string) {
  const ds = await handle.db.select().from(deliveries).where(eq(deliveries.targetId, webhookId)).orderBy(asc(deliveries.id));
  const as = ds.length
    ? await handle.db
        .select()
        .from(deliveryAttempts)
        .where(inArray(deliveryAttempts.deliveryId, ds.map((d) => d.id)))
        .orderBy(asc(deliveryAttempts.attemptNo))
    : [];
  const by = new Map<number, DeliveryAttempt[]>();
  for (const a of as) by.set(a.deliveryId, [...(by.get(a.deliveryId) ?? []), a]);
  return ds.map((d) => ({ ...d, attempts: by.get(d.id) ?? [] }));
}

describe('receiver faults, then recovery (in-process engine, PGlite)', () => {
  it('delivers every accepted event to every matching webhook once, retrying on the schedule', async () => {
    // Events enter while every receiver is failing.
    for (let i = 0; i < EVENTS; i++) {
      const id = randomUUID();
      const res = await postEvent({
        event_type: i % 2 ? ENROLLMENT : 'COURSE_ENROLLMENT_CREATED',
        data: { enrollment: { user: { id: i }, course: { course_key: 'course-v1:edX+DemoX+Demo' }, mode: 'audit', is_active: true } },
        metadata: { id },
      });
      expect(res.status, await res.clone().text()).toBe(202);
      expect((await res.json()).deliveries).toBe(CASES.length);
      accepted.push(id);
    }
    // The LMS retrying its own POST is not a new event.
    for (const id of accepted.slice(0, 5)) {
      const res = await postEvent({ event_type: ENROLLMENT, data: { enrollment: { user: { id: 0 } } }, metadata: { id } });
      expect(res.status).toBe(200);
      expect((await res.json()).duplicate).toBe(true);
    }

    const t0 = Date.now();
    worker = startWorker(handle, {
      deliveryTimeoutMs: TIMEOUT_MS,
      retrySchedule: SCHEDULE,
      allowPrivate: true,
      retentionDays: 30,
      retentionEveryMs: 0,
      // Room for every call at once, to each webhook too: here hung calls must not hold up the others'
      // retries or their own (the next test is about the limits), so the waits measured are the schedule's.
      concurrency: 512,
      perTargetConcurrency: 512,
    });

    // The refused port starts listening once each of its deliveries has failed FAIL_FIRST times.
    const refused = CASES.find((c) => c.name.startsWith('refused'))!;
    await until(
      async () => {
        const ds = await attemptsOf(refused.webhookId!);
        return ds.length === EVENTS && ds.every((d) => d.attemptCount >= FAIL_FIRST);
      },
      30_000,
      'the refused deliveries to fail twice',
    );
    lateListener = await startFaultReceiver({ kind: 'ok' }, refusedPort);
    refused.receiver = lateListener;

    // Everything settles: succeeded after recovery, or failed for good (500 forever, 410).
    await until(
      async () => {
        const rows = await handle.db.select({ status: deliveries.status }).from(deliveries);
        return rows.length === EVENTS * CASES.length && rows.every((r) => r.status !== 'pending');
      },
      60_000,
      'every delivery to settle',
      100,
    );
    const elapsed = Date.now() - t0;

    summary.push(['fault', 'deliveries', 'attempts', 'final', 'ok at receiver', 'dupes', 'wait min', 'wait max', 'expected wait', 'load timeouts']);
    const problems: string[] = [];
    const allScheduledWaits: number[] = [];
    for (const c of CASES) {
      const ds = await attemptsOf(c.webhookId!);
      const ok = c.receiver!.okCount();
      const waits: number[] = [];
      let slowMachineTimeouts = 0;
      for (const d of ds) {
        // A call the plan did not mean to fail can still time out when the machine is starved of CPU (the
        // receiver shares this process): such an attempt is a legitimate failure, retried on the schedule,
        // and may make the receiver see the event twice (at-least-once). They are counted, and allowed for.
        const timeouts = d.attempts.filter((a) => a.responseStatus === null && /timeout/i.test(a.error ?? '')).length;
        const planned = /hang|drip/.test(c.name) ? Math.min(FAIL_FIRST, d.attempts.length) : 0;
        const spurious = Math.max(0, timeouts - planned);
        slowMachineTimeouts += spurious;
        if (d.status !== c.final) problems.push(`${c.name}: delivery ${d.id} is ${d.status}, expected ${c.final}`);
        const min = c.attempts ?? FAIL_FIRST + 1;
        const max = c.attempts === null ? Infinity : c.final === 'failed' && c.attempts > 1 ? c.attempts : c.attempts + spurious;
        if (d.attempts.length < min || d.attempts.length > max) {
          problems.push(`${c.name}: delivery ${d.id} has ${d.attempts.length} attempts, expected ${min}${max > min ? `–${max}` : ''}`);
        }
        if (d.attempts.length !== d.attemptCount) problems.push(`${c.name}: attempt_count ${d.attemptCount} ≠ ${d.attempts.length} rows`);
        for (const [i, a] of d.attempts.entries()) {
          const last = i === d.attempts.length - 1;
          const failedAttempt = !(last && c.final === 'succeeded');
          const timedOut = a.responseStatus === null && /timeout/i.test(a.error ?? '');
          if (failedAttempt && c.error && !c.error.test(`${a.responseStatus ?? ''} ${a.error ?? ''}`) && !timedOut) {
            problems.push(`${c.name}: attempt ${a.attemptNo} of ${d.id} says ${a.responseStatus} ${JSON.stringify(a.error)}, expected ${c.error}`);
          }
          if (timedOut && (a.durationMs < TIMEOUT_MS - 5 || a.durationMs > TIMEOUT_MS + 1000)) {
            problems.push(`${c.name}: a timed-out attempt took ${a.durationMs} ms, expected the ${TIMEOUT_MS} ms timeout`);
          }
          if (c.name.startsWith('slow') && a.durationMs < 290) problems.push(`${c.name}: attempt took only ${a.durationMs} ms`);
          const next = d.attempts[i + 1];
          if (!next) continue;
          // The wait runs from the end of one attempt to the start of the next; Retry-After only counts
          // when the receiver's answer carried it.
          const expected = a.responseStatus !== null && c.plan.headers?.['retry-after'] ? c.wait : scheduled;
          const wait = next.startedAt.getTime() - (a.startedAt.getTime() + a.durationMs);
          waits.push(wait);
          if (expected === scheduled) allScheduledWaits.push(wait);
          if (wait < expected[0] - 15 || wait > expected[1] + SLACK_MS) {
            problems.push(`${c.name}: waited ${wait} ms after attempt ${a.attemptNo} of ${d.id}, expected ${expected[0]}–${expected[1]} ms`);
          }
        }
        const oks = ok.get(d.eventId) ?? 0;
        if (c.final === 'succeeded' && (oks < 1 || oks > 1 + spurious)) {
          problems.push(`${c.name}: the receiver answered ${oks} complete 2xx for ${d.eventId}, expected exactly 1`);
        }
      }
      const delivered = new Set(ds.map((d) => d.eventId));
      if (ds.length !== EVENTS || accepted.some((id) => !delivered.has(id))) {
        problems.push(`${c.name}: ${ds.length} deliveries for ${EVENTS} accepted events`);
      }
      const dupes = [...ok.values()].filter((n) => n > 1).length;
      summary.push([
        c.name,
        ds.length,
        ds.reduce((n, d) => n + d.attempts.length, 0),
        `${ds.filter((d) => d.status === c.final).length} ${c.final}`,
        c.final === 'succeeded' ? ok.size : '-',
        dupes,
        waits.length ? Math.min(...waits) : '-',
        waits.length ? Math.max(...waits) : '-',
        waits.length ? `${c.wait[0]}–${c.wait[1]} ms` : '-',
        slowMachineTimeouts,
      ]);
    }
    summary.push(['(disabled / other event / 302 target)', 0, 0, '-', bystanders.reduce((n, r) => n + r.hits.length, 0), 0, '-', '-', `settled in ${elapsed} ms`, '-']);

    expect(problems.slice(0, 20)).toEqual([]);
    // Nothing reached the disabled webhook or the one for another event.
    for (const r of bystanders) expect(r.hits).toEqual([]);
    // The waits are spread by the jitter, not all the same length.
    const spread = Math.max(...allScheduledWaits) - Math.min(...allScheduledWaits);
    expect(spread, 'jitter spreads the scheduled waits').toBeGreaterThan(base * JITTER);
    expect(Math.min(...allScheduledWaits)).toBeLessThan(base);
  }, 120_000);

  // The worker has one pool of `concurrency` (64) calls for every webhook, and a receiver that never answers
  // holds each of its slots for DELIVERY_TIMEOUT_MS. It once filled the pool, and the healthy webhooks'
  // deliveries waited behind it (~48 of 150 in 2.5 s). Now each webhook has at most perTargetConcurrency
  // (16) calls in flight, and freed slots are claimed again while hung calls are still out.
  it('a receiver that hangs does not hold up the deliveries of healthy webhooks', async () => {
    await worker?.stop();
    worker = null;
    const hanging = await startFaultReceiver({ kind: 'hang', failFirst: Infinity });
    const healthy = await startFaultReceiver({ kind: 'ok' });
    bystanders.push(hanging, healthy);
    const type = 'org.openedx.learning.course.unenrollment.completed.v1'; // events of the first test do not match
    await addHook(hanging.url, type);
    await addHook(healthy.url, type);
    await invalidateTargets(handle);
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      const res = await postEvent({ event_type: type, data: { enrollment: { user: { id: i } } } });
      expect(res.status, await res.clone().text()).toBe(202);
      ids.push(String((await res.json()).id));
    }
    const t0 = Date.now();
    worker = startWorker(handle, { deliveryTimeoutMs: 3000, retrySchedule: [60], allowPrivate: true, retentionDays: 30, retentionEveryMs: 0 });
    let doneAt: number | null = null;
    try {
      // 150 calls to a loopback receiver that answers at once take well under a second; allow 2.5 s,
      // less than one timeout of the hanging receiver.
      await until(() => healthy.okCount().size === ids.length, 2500, 'the healthy webhook to get every event', 20);
      doneAt = Date.now() - t0;
    } finally {
      const got = healthy.okCount().size;
      const t = doneAt ?? Date.now() - t0;
      summary.push(['healthy, beside a hanging one', ids.length, '-', `${got} delivered`, got, 0, '-', '-', `${doneAt ? 'all' : 'NOT all'} in ${t} ms (bound 2500)`, '-']);
    }
  }, 60_000);
});
