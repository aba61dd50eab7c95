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
  beforeAll(async () => {
    db = await openTestDb(kind);
    receiver = await startReceiver((req) => (req.url.startsWith('/slow') ? { status: 200, delayMs: SLOW_MS } : { status: 200 }));
  });
  afterAll(async () => {
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
    w = worker(db.handle, { concurrency: 8, perTargetConcurrency: 3, deliveryTimeoutMs: 5_000 });
    const of = (path: string) => receiver.requests.filter((r) => r.url === path);
    await waitUntil(async () => of('/ok').length === EVENTS, 10_000, 'the healthy webhook to get every event');
    const firstSlow = Math.min(...receiver.requests.filter((r) => r.url.startsWith('/slow')).map((r) => r.at));
    // Every healthy call was made before the first slow one had even been answered.
    expect(Math.max(...of('/ok').map((r) => r.at)) - firstSlow).toBeLessThan(SLOW_MS);

    await waitUntil(
      async () => {
        const [r] = await db.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
        return Number(r?.n) === 3 * EVENTS;
      },
      20_000,
      'every delivery to succeed',
    );
    for (const path of ['/slow1', '/slow2']) {
      const at = of(path).map((r) => r.at);
      expect(at).toHaveLength(EVENTS);
      // Calls last SLOW_MS: the calls still open when each one started, itself included.
      const open = at.map((t) => at.filter((s) => s <= t && t < s + SLOW_MS).length);
      expect(Math.max(...open), path).toBe(3);
    }
    expect(new Set(receiver.requests.map((r) => `${r.url} ${r.headers['webhook-id']}`)).size).toBe(3 * EVENTS);
  }, 30_000);
});
