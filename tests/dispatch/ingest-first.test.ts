// Accepting events comes before the worker's bookkeeping (issue 12.2), on the embedded PGlite, where every
// statement runs on the event loop: a worker statement issued while an event is being accepted waits for it,
// and a stream of events over real HTTP with deliveries in flight is accepted and delivered in full.
// (The 202's latency itself is measured, beside the idle case, in bench/events-in-flight.ts.)
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../lib/db';
import { foreground } from '../../lib/dispatch/foreground';
import { queueRows } from '../../lib/dispatch/hot-sql';
import type { Worker } from '../../lib/dispatch/worker';
import { pgliteDb } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import http from 'node:http';
import { toRequest, writeResponse } from '../../lib/http/node-adapter';
import { POST } from '../../app/api/events/route';
import { ENROLLMENT, addWebhook, enrollmentData, eventEnv, eventsToken, waitUntil, worker } from './harness';

const EVENTS = 40;

let handle: DbHandle;
let receiver: Receiver;
let token: string;
let w: Worker;
/** The route over real HTTP (as server.ts serves it), so requests arrive as I/O between the worker's turns. */
let server: http.Server;
let base: string;

beforeAll(async () => {
  eventEnv({ ALLOW_PRIVATE_TARGETS: '1' });
  handle = await pgliteDb();
  token = await eventsToken(handle);
  receiver = await startReceiver(() => ({ status: 200, delayMs: 200 }));
  for (let i = 0; i < 5; i++) await addWebhook(handle, { url: `${receiver.url}/${i}` });
  w = worker(handle, { pollMs: 60_000 });
  server = http.createServer((req, res) => void POST(toRequest(req)!, undefined).then((r) => writeResponse(res, r, req)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await w.stop();
  await new Promise((r) => server.close(r));
  await receiver.close();
  await handle.close();
  eventEnv({ ALLOW_PRIVATE_TARGETS: '' });
});

describe('a stream of events with deliveries in flight', () => {
  it('is accepted, 202 each, and every delivery is made', async () => {
    for (let i = 0; i < EVENTS; i++) {
      const res = await fetch(`${base}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ event_type: ENROLLMENT, data: enrollmentData({ n: i }) }),
      });
      expect(res.status).toBe(202);
      await res.arrayBuffer();
    }
    await receiver.waitFor(EVENTS * 5, 30_000);
    await waitUntil(async () => {
      const [r] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
      return Number(r!.n) === EVENTS * 5;
    }, 30_000, 'every delivery to succeed');
  });

  it('holds a worker statement issued while an event is being accepted until the event is stored', async () => {
    const order: string[] = [];
    let release!: () => void;
    const accepting = foreground(async () => {
      order.push('accept: start');
      await new Promise<void>((r) => (release = r));
      order.push('accept: stored');
    });
    const claim = queueRows(handle, 'select 1 as one', []).then(() => order.push('worker statement'));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([accepting, claim]);
    expect(order).toEqual(['accept: start', 'accept: stored', 'worker statement']);
  });
});
