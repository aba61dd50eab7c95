// Calls in flight per webhook (SPEC §4): a slow receiver gets at most perTargetConcurrency calls at once,
// and the other webhooks' deliveries go on in the rest of the pool, even when slow calls hold more than
// half of it (a worker once claimed again only when half its slots were free).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '../../lib/dispatch/ingest';
import type { Worker } from '../../lib/dispatch/worker';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, waitUntil, worker } from './harness';

const SLOW_MS = 1000;
const EVENTS = 12;

describe.each(DB_KINDS)('per-webhook limit on %s', (kind) => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let receiver: Receiver;
  let w: Worker | null = null;
  let release: () => void = () => {};
  let healthyDone: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    healthyDone = new Promise<void>((resolve) => {
      release = resolve;
      setTimeout(resolve, 20_000).unref();
    });
    db = await openTestDb(kind);
    // Slow calls are answered SLOW_MS after they arrive, and never before the healthy webhook has every event
    // (or 20 s have passed): "the others are delivered meanwhile" is then a fact about order, not about timing.
    receiver = await startReceiver((req) => (req.url.startsWith('/slow') ? { status: 200, delayMs: SLOW_MS, holdUntil: healthyDone } : { status: 200 }));
  });
  afterAll(async () => {
    release();
    await w?.stop();
    await receiver.close();
    await db.close();
  });

  it('a slow webhook holds at most its limit; the others are delivered meanwhile', async () => {
    for (const path of ['/slow1', '/slow2', '/ok']) await addWebhook(db.handle, { url: `${receiver.url}${path}` });
    for (let i = 0; i < EVENTS; i++) {
      const r = await ingestEvent(db.handle, { event_type: ENROLLMENT, data: enrollmentData({ n: i }) });
      if (!r.ok) throw new Error(r.error);
    }
    // 8 slots, 3 per webhook: the two slow webhooks hold 6 (more than half), the healthy one has 2.
    w = worker(db.handle, { concurrency: 8, perTargetConcurrency: 3, deliveryTimeoutMs: 30_000 });
    const of = (path: string) => receiver.requests.filter((r) => r.url === path);
    // The slow webhooks hold their 6 slots, unanswered, until the healthy one has every event: were its
    // deliveries waiting for a slow call to end, they would never come (the hold lasts 20 s, past this wait).
    await waitUntil(async () => of('/ok').length === EVENTS, 15_000, 'the healthy webhook to get every event while the slow calls are held');
    const slow = () => receiver.requests.filter((r) => r.url.startsWith('/slow'));
    await waitUntil(async () => slow().length >= 6, 10_000, 'the slow webhooks to hold their 3 slots each');
    expect(slow().length, 'slow calls open').toBe(6);
    expect(slow().filter((r) => r.answeredAt !== undefined), 'slow calls answered before the healthy ones were all made').toEqual([]);
    release();

    await waitUntil(
      async () => {
        const [r] = await db.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
        return Number(r?.n) === 3 * EVENTS;
      },
      20_000,
      'every delivery to succeed',
    );
    for (const path of ['/slow1', '/slow2']) {
      const calls = of(path);
      expect(calls).toHaveLength(EVENTS);
      // The calls still open (arrived, not yet answered) when each one arrived, itself included.
      const open = calls.map(({ at: t }) => calls.filter((s) => s.at <= t && t < s.answeredAt!).length);
      expect(Math.max(...open), path).toBe(3);
    }
    expect(new Set(receiver.requests.map((r) => `${r.url} ${r.headers['webhook-id']}`)).size).toBe(3 * EVENTS);
  }, 90_000);
});
