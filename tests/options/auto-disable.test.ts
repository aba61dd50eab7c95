// Auto-disable and service events (SPEC §9) on both databases with real receivers and an injected clock:
// a webhook failing for AUTO_DISABLE_AFTER_HOURS with 10+ failed deliveries is disabled with a reason, the
// webhook.disabled event reaches a second webhook, delivery.failed is reported once per delivery and never
// for a delivery of a service event, and enabling again clears the reason.
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { deliveries, events, webhooks } from '../../lib/db/schema';
import { autoDisableWebhooks, reportFailedDeliveries } from '../../lib/dispatch/auto-disable';
import { ingestEvent } from '../../lib/dispatch/ingest';
import type { Worker } from '../../lib/dispatch/worker';
import { DB_KINDS, openTestDb } from '../helpers/db';
import { call, ctx, requestTo } from '../helpers/api';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, waitUntil, worker } from '../dispatch/harness';
import { GET as read, PATCH as patch } from '../../app/api/v1/webhooks/[id]/route';

const HOUR = 3_600_000;
const DISABLED = 'openedx_webhooks.webhook.disabled.v1';
const FAILED = 'openedx_webhooks.delivery.failed.v1';

describe.each(DB_KINDS)('auto-disable and service events on %s', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  let token: string;
  let broken: Receiver;
  let alerts: Receiver;
  let w: Worker | null = null;
  const req = requestTo('http://localhost/api/v1/webhooks', () => token);

  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
    setDb(handle);
    ({ token } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] }));
    broken = await startReceiver(() => ({ status: 500, body: 'down' }));
    alerts = await startReceiver();
  });
  afterAll(async () => {
    await broken.close();
    await alerts.close();
    await close();
  });
  afterEach(async () => {
    await w?.stop();
    w = null;
  });

  const failedCount = async (targetId: string) =>
    (await handle.db.select().from(deliveries).where(eq(deliveries.targetId, targetId))).filter((d) => d.status === 'failed').length;

  it('disables after the hours with 10 failed deliveries, tells a second webhook, reports each failure once', async () => {
    setDb(handle);
    const dead = await addWebhook(handle, { url: `${broken.url}/dead` });
    const onDisabled = await addWebhook(handle, { url: `${alerts.url}/disabled`, eventType: DISABLED });
    const onFailed = await addWebhook(handle, { url: `${alerts.url}/failed`, eventType: FAILED });
    // An alert webhook that fails itself: its failures must not be reported (no loop).
    const deadAlert = await addWebhook(handle, { url: `${broken.url}/alert`, eventType: DISABLED });
    w = worker(handle, { retrySchedule: [] }); // one attempt: each delivery fails at once

    for (let i = 0; i < 9; i++) {
      const r = await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
      expect(r.ok).toBe(true);
    }
    await waitUntil(async () => (await failedCount(dead.id)) === 9, 15_000, '9 failed deliveries');
    const later = (h: number) => ({ autoDisableAfterHours: 120, now: new Date(Date.now() + h * HOUR) });

    // Nine failures are not enough, however long.
    expect(await autoDisableWebhooks(handle, later(200))).toEqual([]);
    await ingestEvent(handle, { event_type: ENROLLMENT, data: enrollmentData() });
    await waitUntil(async () => (await failedCount(dead.id)) === 10, 15_000, '10 failed deliveries');
    // Ten failures, but not for 120 hours yet.
    expect(await autoDisableWebhooks(handle, later(119))).toEqual([]);
    expect((await handle.db.select().from(webhooks).where(eq(webhooks.id, dead.id)))[0]!.enabled).toBe(true);

    // delivery.failed: one event per failed delivery, reported once however often the check runs.
    expect(await reportFailedDeliveries(handle, { autoDisableAfterHours: 120 })).toBe(10);
    expect(await reportFailedDeliveries(handle, { autoDisableAfterHours: 120 })).toBe(0);
    const failedCalls = await alerts.waitFor(10, 15_000);
    const bodies = failedCalls.filter((c) => c.url === '/failed').map((c) => JSON.parse(c.body));
    expect(bodies).toHaveLength(10);
    expect(bodies.every((b) => b.delivery.webhook_id === dead.id && b.delivery.last_status_code === 500)).toBe(true);
    expect(bodies[0].event_metadata).toMatchObject({ event_type: FAILED, source: 'openedx-webhooks' });

    // 121 hours on: disabled with a reason, once, whoever checks.
    const at = later(121);
    expect(await autoDisableWebhooks(handle, at)).toEqual([dead.id]);
    expect(await autoDisableWebhooks(handle, at)).toEqual([]);
    const got = await call(read(req('GET', `/${dead.id}`), ctx(dead.id)));
    expect(got.body.enabled).toBe(false);
    expect(got.body.disabled_reason).toMatch(/^Disabled automatically on .*\(10 failed deliveries, over 120 hours\)/);

    const disabledCall = (await alerts.waitFor(11, 15_000)).find((c) => c.url === '/disabled')!;
    const body = JSON.parse(disabledCall.body);
    expect(body.webhook).toMatchObject({ id: dead.id, url: `${broken.url}/dead`, failed_deliveries: 10, event_type: ENROLLMENT });
    expect(body.event_metadata.event_type).toBe(DISABLED);

    // The failing alert webhook's own delivery failed, and is not reported as a delivery.failed event.
    await waitUntil(async () => (await failedCount(deadAlert.id)) === 1, 15_000, 'the alert webhook to fail');
    expect(await reportFailedDeliveries(handle, { autoDisableAfterHours: 120 })).toBe(0);
    expect(await handle.db.$count(events, eq(events.eventType, FAILED))).toBe(10);
    expect(onDisabled.id).not.toBe(onFailed.id);

    // One click: enabling clears the reason.
    const on = await call(patch(req('PATCH', `/${dead.id}`, { enabled: true }), ctx(dead.id)));
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null });
    await handle.db.delete(webhooks).where(sql`true`);
  });

  it('counts only the failures since the last success', async () => {
    setDb(handle);
    const recovered = await addWebhook(handle, { url: `${broken.url}/recovered` });
    const relapsed = await addWebhook(handle, { url: `${broken.url}/relapsed` });
    const row = (targetId: string, status: 'failed' | 'succeeded') => ({
      kind: 'webhook' as const, eventId: crypto.randomUUID(), targetId, eventType: ENROLLMENT, url: 'http://x.invalid/', status, attemptCount: 1,
    });
    // recovered: 10 failures, then a success; relapsed: a success, then 10 failures.
    for (let i = 0; i < 10; i++) await handle.db.insert(deliveries).values(row(recovered.id, 'failed'));
    await handle.db.insert(deliveries).values(row(recovered.id, 'succeeded'));
    await handle.db.insert(deliveries).values(row(relapsed.id, 'succeeded'));
    for (let i = 0; i < 10; i++) await handle.db.insert(deliveries).values(row(relapsed.id, 'failed'));
    const disabled = await autoDisableWebhooks(handle, { autoDisableAfterHours: 120, now: new Date(Date.now() + 121 * HOUR) });
    expect(disabled).toEqual([relapsed.id]);
    await handle.db.delete(webhooks).where(sql`true`);
  });
});
