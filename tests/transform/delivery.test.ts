// Transformations in the delivery engine (SPEC §14), on PGlite and PostgreSQL with real loopback receivers:
// the request is built when the delivery is created, cancel skips, a failing transformation fails only its own
// delivery (no retry, no call), a URL it chooses is checked by the §7 guard, form encoding, and replay's current
// version.
import { eq, sql } from 'drizzle-orm';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DbHandle } from '../../lib/db';
import { deliveries, events, webhooks } from '../../lib/db/schema';
import { reportFailedDeliveries } from '../../lib/dispatch/auto-disable';
import { factId } from '../../lib/dispatch/service-events';
import { metrics } from '../../lib/metrics/registry';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { replayWebhook } from '../../lib/dispatch/replay';
import { invalidateTargets } from '../../lib/dispatch/targets';
import type { Worker } from '../../lib/dispatch/worker';
import { findEvent } from '../../lib/catalog';
import { templateSource } from '../../lib/transform/templates';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, deliveriesOf, enrollmentData, settled, worker } from '../dispatch/harness';
import { slackMessage } from './shapes';

let handle: DbHandle;
let receiver: Receiver;
let w: Worker | null = null;

describe.each(DB_KINDS)('transformations in delivery (%s)', (kind) => {
  let db: { handle: DbHandle; close(): Promise<void> };
  beforeAll(async () => {
    db = await openTestDb(kind);
    handle = db.handle;
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    await handle.db.delete(webhooks).where(sql`true`);
    await invalidateTargets(handle);
  });
  afterEach(async () => {
    await w?.stop();
    w = null;
    await receiver.close();
  });

  async function transformed(source: string, row: { url?: string; useWwwFormEncoding?: boolean } = {}) {
    const hook = await addWebhook(handle, { url: `${receiver.url}/hook`, ...row });
    await handle.db.update(webhooks).set({ transformation: { source } }).where(eq(webhooks.id, hook.id));
    await invalidateTargets(handle);
    return hook;
  }

  async function send(id = randomUUID()) {
    const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData(), metadata: { id } });
    expect(r.ok).toBe(true);
    return id;
  }

  describe('delivery', () => {
    it('sends the Slack template’s message, signed, to the webhook URL', async () => {
      const hook = await transformed(templateSource('slack', findEvent(ENROLLMENT)!));
      w = worker(handle);
      const id = await send();
      const [d] = await settled(handle, id);
      expect(d!.status).toBe('succeeded');
      expect(d!.outcome).toEqual({ transformation: 'applied' });
      const [req] = await receiver.waitFor(1);
      expect(req!.url).toBe('/hook');
      expect(req!.headers['content-type']).toBe('application/json');
      const body = JSON.parse(req!.body);
      expect(slackMessage.safeParse(body).success).toBe(true);
      expect(body.text).toContain('jdoe');
      // Signed over the transformed body, with the event id.
      const verified = new StandardWebhook(hook.secret).verify(req!.body, req!.headers as Record<string, string>);
      expect(verified).toEqual(body);
      expect(req!.headers['webhook-id']).toBe(id);
    });

    it('skips a delivery the transformation cancels, with the reason, and calls nothing', async () => {
      await transformed('function handler(webhook) {\n  webhook.cancel = webhook.payload.enrollment.mode === "audit";\n  return webhook;\n}');
      w = worker(handle);
      const cancelled = async () => (await metrics().transformations.get()).values.find((v) => v.labels.result === 'cancelled')?.value ?? 0;
      const before = await cancelled();
      const id = await send();
      expect(await cancelled()).toBe(before + 1);
      const [d] = await deliveriesOf(handle, id);
      expect(d!.status).toBe('skipped');
      expect(d!.outcome).toEqual({ transformation: 'cancelled', reason: expect.stringContaining('cancel: true') });
      expect(d!.completedAt).not.toBeNull();
      expect(d!.nextAttemptAt).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.requests).toHaveLength(0);
      expect((await deliveriesOf(handle, id))[0]!.attempts).toHaveLength(0);
    });

    it.each([
      ['loops', 'function handler(w) {\n  for (;;) {}\n}', /longer than 50 ms/],
      ['allocates 100 MB', "function handler(w) {\n  w.payload = 'x'.repeat(100 * 1024 * 1024);\n  return w;\n}", /more than 16 MiB/],
      ['throws', "function handler(w) {\n  throw new Error('no course');\n}", /threw \(line 2\): Error: no course/],
      ['returns a non-object', 'function handler(w) {\n  return "hello";\n}', /must return an object .* a string/],
    ])('a transformation that %s fails only its own delivery, without a call or a retry', async (_what, source, message) => {
      await transformed(source);
      const plain = await addWebhook(handle, { url: `${receiver.url}/plain` });
      w = worker(handle);
      const t0 = performance.now();
      const id = await send();
      expect(performance.now() - t0).toBeLessThan(2_000);
      const rows = await settled(handle, id, 2);
      const failed = rows.find((r) => r.targetId !== plain.id)!;
      const ok = rows.find((r) => r.targetId === plain.id)!;
      expect(failed.status).toBe('failed');
      expect(failed.lastError).toMatch(message);
      expect(failed.outcome).toMatchObject({ transformation: 'failed', reason: expect.stringMatching(message) });
      expect(failed.attemptCount).toBe(0);
      expect(failed.attempts).toHaveLength(0);
      expect(ok.status).toBe('succeeded');
      const reqs = await receiver.waitFor(1);
      expect(reqs.map((r) => r.url)).toEqual(['/plain']);
    });

    it('a transformation failure is reported as openedx_webhooks.delivery.failed.v1, with its message', async () => {
      await transformed("function handler(w) {\n  throw new Error('no course');\n}");
      const id = await send();
      const [d] = await deliveriesOf(handle, id);
      expect(await reportFailedDeliveries(handle, { autoDisableAfterHours: 120 })).toBeGreaterThanOrEqual(1);
      const [event] = await handle.db.select().from(events).where(eq(events.id, factId(`delivery.failed:${d!.id}`)));
      expect(event!.eventType).toBe('openedx_webhooks.delivery.failed.v1');
      expect(event!.data).toMatchObject({ delivery: { id: d!.id, attempts: 0, last_error: expect.stringContaining('no course') } });
    });

    it('refuses a URL the transformation points at a private address (§7), at send time', async () => {
      await transformed(
        `function handler(webhook) {\n  webhook.url = ${JSON.stringify(`${receiver.url}/stolen`)};\n  return webhook;\n}`,
        { url: 'https://hooks.example.com/in' },
      );
      w = worker(handle, { allowPrivate: false, retrySchedule: [] });
      const id = await send();
      const [d] = await settled(handle, id);
      expect(d!.urlFromTransformation).toBe(true);
      expect(d!.url).toBe(`${receiver.url}/stolen`);
      expect(d!.status).toBe('failed');
      expect(d!.attempts[0]!.error).toMatch(/private|loopback|refused/i);
      expect(receiver.requests).toHaveLength(0);
    });

    it('sends to the URL the transformation chose, and keeps it when the webhook’s URL changes', async () => {
      const hook = await transformed(`function handler(webhook) {\n  webhook.url = webhook.url.replace('/hook', '/chosen');\n  return webhook;\n}`);
      receiver.respond((_r, i) => ({ status: i === 0 ? 500 : 200 }));
      w = worker(handle);
      const id = await send();
      await receiver.waitFor(1);
      await handle.db.update(webhooks).set({ url: `${receiver.url}/edited` }).where(eq(webhooks.id, hook.id));
      await invalidateTargets(handle);
      const [d] = await settled(handle, id);
      expect(d!.status).toBe('succeeded');
      expect(receiver.requests.map((r) => r.url)).toEqual(['/chosen', '/chosen']);
    });

    it('form-encodes the transformed payload for a form-encoded webhook', async () => {
      await transformed(
        'function handler(w) {\n  const u = w.payload.enrollment.user;\n  w.payload = { learner: u.pii.username, course: { key: w.payload.enrollment.course.course_key }, active: true };\n  return w;\n}',
        { useWwwFormEncoding: true },
      );
      w = worker(handle);
      const id = await send();
      const [d] = await settled(handle, id);
      expect(d!.status).toBe('succeeded');
      const [req] = await receiver.waitFor(1);
      expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({
        learner: 'jdoe',
        course_key: 'course-v1:edX+DemoX+Demo_Course',
        active: 'true',
      });
    });

    it('a form-encoded webhook whose transformation returns a non-object payload fails that delivery', async () => {
      await transformed('function handler(w) {\n  w.payload = "plain text";\n  return w;\n}', { useWwwFormEncoding: true });
      const id = await send();
      const [d] = await deliveriesOf(handle, id);
      expect(d!.status).toBe('failed');
      expect(d!.lastError).toMatch(/form-encoded webhook needs an object/);
    });

    it('a replay runs the transformation as it is now', async () => {
      const hook = await transformed('function handler(w) {\n  w.payload = { v: 1 };\n  return w;\n}');
      const from = new Date(Date.now() - 1);
      const id = await send();
      await handle.db
        .update(webhooks)
        .set({ transformation: { source: 'function handler(w) {\n  w.payload = { v: 2 };\n  return w;\n}' } })
        .where(eq(webhooks.id, hook.id));
      const [current] = await handle.db.select().from(webhooks).where(eq(webhooks.id, hook.id));
      const r = await replayWebhook(handle, current!, { from, to: new Date(Date.now() + 60_000) });
      expect(r).toEqual({ ok: true, deliveries: 1 });
      const rows = await handle.db.select().from(deliveries).where(eq(deliveries.eventId, id)).orderBy(deliveries.id);
      expect(rows.map((d) => [d.replay, JSON.parse(d.requestBody!)])).toEqual([
        [false, { v: 1 }],
        [true, { v: 2 }],
      ]);
    });
  });
});
