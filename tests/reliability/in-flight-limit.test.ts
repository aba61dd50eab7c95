// MAX_IN_FLIGHT_PER_TARGET on the BUILT server (embedded PGlite): the inline worker never holds more calls
// open to one webhook than the operator set, so a slow receiver is not flooded, while another webhook's
// calls go on beside them. A bad value stops the start with one line naming the variable.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../lib/env';
import { startServer, type TestServer } from '../helpers/server';
import { call, until } from './support';

const KEY = 'in-flight-limit-key-0123456789abcdef';
const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const EVENTS = 8;
const LIMIT = 2;

/** A receiver answering after `delayMs`, counting the calls it holds open at once. */
async function slowReceiver(delayMs: number) {
  const state = { open: 0, most: 0, done: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.open++;
      state.most = Math.max(state.most, state.open);
      setTimeout(() => {
        state.open--;
        state.done++;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let server: TestServer;
let slow: Awaited<ReturnType<typeof slowReceiver>>;
let other: Awaited<ReturnType<typeof slowReceiver>>;

beforeAll(async () => {
  slow = await slowReceiver(600);
  other = await slowReceiver(600);
  server = await startServer({
    env: { INITIAL_API_KEY: KEY, ALLOW_PRIVATE_TARGETS: '1', MAX_IN_FLIGHT_PER_TARGET: String(LIMIT) },
  });
  for (const r of [slow, other]) {
    const res = await call(server.url, 'POST', '/api/v1/webhooks', { key: KEY, body: { event_type: ENROLLMENT, url: r.url } });
    expect(res.status, res.text).toBe(201);
  }
}, 600_000);
afterAll(async () => {
  await server?.stop();
  await slow?.close();
  await other?.close();
});

describe('MAX_IN_FLIGHT_PER_TARGET', () => {
  it(`holds at most ${LIMIT} calls open to each webhook, whatever is due`, async () => {
    for (let i = 0; i < EVENTS; i++) {
      const res = await fetch(`${server.url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          event_type: ENROLLMENT,
          data: { enrollment: { user: { id: i }, course: { course_key: 'course-v1:edX+DemoX+Demo' }, mode: 'audit', is_active: true } },
          metadata: { id: randomUUID() },
        }),
      });
      expect(res.status).toBe(202);
    }
    await until(() => slow.state.done === EVENTS && other.state.done === EVENTS, 60_000, 'every delivery');
    // All 8 were due at once; the default (16) would have sent them together.
    expect(slow.state.most).toBe(LIMIT);
    expect(other.state.most).toBe(LIMIT);
  }, 120_000);

  it('refuses a value that is not a whole number from 1 to 64, naming the variable', () => {
    for (const bad of ['0', '-1', '2.5', 'many', '65']) {
      expect(() => parseEnv({ MAX_IN_FLIGHT_PER_TARGET: bad })).toThrow(/^Invalid environment variable MAX_IN_FLIGHT_PER_TARGET: /);
    }
    expect(parseEnv({}).MAX_IN_FLIGHT_PER_TARGET).toBe(16);
    expect(parseEnv({ MAX_IN_FLIGHT_PER_TARGET: '4' }).MAX_IN_FLIGHT_PER_TARGET).toBe(4);
  });
});
