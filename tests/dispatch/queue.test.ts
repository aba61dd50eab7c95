// The queue's guarantees on both engines: leases, no double completion after a lost lease, retention.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, deliveryAttempts, events } from '../../lib/db/schema';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { claimDue, writeCompletions, type Completion } from '../../lib/dispatch/queue';
import { purgeExpired } from '../../lib/dispatch/retention';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { ENROLLMENT, addWebhook, deliveriesOf, enrollmentData } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)('queue on %s', (kind) => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  beforeAll(async () => {
    db = await openTestDb(kind);
    await addWebhook(db.handle, { url: 'http://127.0.0.1:9/x' });
  });
  afterAll(async () => db.close());

  async function emit() {
    const r = await ingestEvent(db.handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    return r.body.id;
  }

  const outcome = (id: number, lockedBy: string, prevAttempts: number): Completion => ({
    id,
    lockedBy,
    prevAttempts,
    url: 'http://127.0.0.1:9/x',
    status: 'succeeded',
    delayMs: null,
    error: null,
    attempt: {
      startedAt: new Date(),
      durationMs: 3,
      requestHeaders: { 'webhook-id': 'x' },
      responseStatus: 200,
      responseHeaders: { server: 'test\u0000' },
      responseBody: 'ok\u0000',
      error: null,
    },
  });

  it('leases a due delivery to one worker; it comes back only once the lease has passed', async () => {
    const id = await emit();
    const [mine] = (await claimDue(db.handle, 'a', 100, 300)).filter((d) => d.eventId === id);
    expect(mine).toBeDefined();
    expect((await claimDue(db.handle, 'b', 100, 300)).find((d) => d.eventId === id)).toBeUndefined();
    await sleep(400);
    const again = (await claimDue(db.handle, 'b', 100, 60_000)).find((d) => d.eventId === id);
    expect(again?.id).toBe(mine!.id);

    // Worker a finishes late: its outcome must not overwrite b's lease; the call it made is still logged.
    expect([...(await writeCompletions(db.handle, [outcome(mine!.id, 'a', 0)]))]).toEqual([]);
    let [row] = await deliveriesOf(db.handle, id);
    expect(row).toMatchObject({ status: 'pending', lockedBy: 'b', attemptCount: 0 });
    expect(row!.attempts).toHaveLength(1);

    expect([...(await writeCompletions(db.handle, [outcome(mine!.id, 'b', 0)]))]).toEqual([mine!.id]);
    [row] = await deliveriesOf(db.handle, id);
    expect(row).toMatchObject({ status: 'succeeded', lockedBy: null, lockedUntil: null, attemptCount: 1 });
    // NUL characters from a receiver are stored as U+FFFD rather than failing the write.
    expect(row!.attempts[1]!.responseBody).toBe('ok\uFFFD');
    // A second completion of the same claim changes nothing.
    expect([...(await writeCompletions(db.handle, [outcome(mine!.id, 'b', 0)]))]).toEqual([]);
  });

  it('does not hand out deliveries that are not due yet', async () => {
    const id = await emit();
    await db.handle.db.update(deliveries).set({ nextAttemptAt: sql`now() + interval '1 hour'` }).where(eq(deliveries.eventId, id));
    expect((await claimDue(db.handle, 'a', 1000, 1000)).find((d) => d.eventId === id)).toBeUndefined();
  });

  it('retention deletes deliveries, attempts and events older than RETENTION_DAYS, in batches', async () => {
    const old = [await emit(), await emit(), await emit()];
    const recent = await emit();
    const [claimed] = (await claimDue(db.handle, 'r', 1000, 60_000)).filter((d) => d.eventId === old[0]);
    await writeCompletions(db.handle, [outcome(claimed!.id, 'r', 0)]);
    // The claim leased the others too: give them back, as a worker would after attempting them.
    await db.handle.db.update(deliveries).set({ lockedUntil: null, lockedBy: null }).where(eq(deliveries.lockedBy, 'r'));
    for (const id of old) {
      await db.handle.db.update(deliveries).set({ createdAt: sql`now() - interval '31 days'` }).where(eq(deliveries.eventId, id));
      await db.handle.db.update(events).set({ receivedAt: sql`now() - interval '31 days'` }).where(eq(events.id, id));
    }
    const before = await db.handle.db.select().from(deliveries);
    const result = await purgeExpired(db.handle, 30, 2);
    expect(result.deliveries).toBe(3);
    expect(result.events).toBe(3);
    for (const id of old) expect(await deliveriesOf(db.handle, id)).toEqual([]);
    expect(await db.handle.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, claimed!.id))).toEqual([]);
    expect(await deliveriesOf(db.handle, recent)).toHaveLength(1);
    expect(await db.handle.db.select().from(deliveries)).toHaveLength(before.length - 3);
  });
});
