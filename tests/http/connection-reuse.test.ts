// The BUILT server (`npm start`, embedded PGlite) answering early: a body refused before it is read (413 over
// MAX_BODY_BYTES, 415, 401) must not leave its rest on the kept-alive connection, where it was taken for the
// next request (ECONNRESET). One Node fetch client, as the LMS's would be: the refusal, then two valid calls.
// And a Host header that makes no URL answers 400 at once on the fast path instead of hanging the socket.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';

const KEY = 'connection-reuse-key-0123456789abcdef';
const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const MB = 1024 * 1024;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { INITIAL_API_KEY: KEY, MAX_BODY_BYTES: String(MB) } });
}, 600_000);
afterAll(() => server?.stop());

const validEvent = () =>
  JSON.stringify({
    event_type: ENROLLMENT,
    data: { enrollment: { user: { id: 7 }, course: { course_key: 'course-v1:edX+DemoX+Demo' }, mode: 'audit', is_active: true } },
  });
const auth = { authorization: `Bearer ${KEY}` };
const jsonType = { 'content-type': 'application/json' };
/** A JSON text of about `bytes` bytes. */
const big = (bytes: number) => JSON.stringify({ event_type: ENROLLMENT, data: { pad: 'x'.repeat(bytes) } });

async function send(path: string, headers: Record<string, string>, body: string) {
  const res = await fetch(server.url + path, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, connection: res.headers.get('connection'), text: await res.text() };
}

/** The refusal, then two valid events on the same client: each must be answered. */
async function refusalThenTwoEvents(path: string, headers: Record<string, string>, body: string) {
  const refused = await send(path, headers, body);
  const next: number[] = [];
  for (let i = 0; i < 2; i++) next.push((await send('/api/events', { ...auth, ...jsonType }, validEvent())).status);
  return { refused, next };
}

describe('an early refusal leaves the kept-alive connection usable', () => {
  it.each([
    ['POST /api/events over MAX_BODY_BYTES (413)', '/api/events', { ...auth, ...jsonType }, 413],
    ['POST /api/events with a wrong content type (415)', '/api/events', { ...auth, 'content-type': 'text/plain' }, 415],
    ['POST /api/events without a key (401)', '/api/events', jsonType, 401],
    ['POST /api/filters over MAX_BODY_BYTES (413)', '/api/filters', { ...auth, ...jsonType }, 413],
    ['POST /api/v1/webhooks over MAX_BODY_BYTES (413, served by Next.js)', '/api/v1/webhooks', { ...auth, ...jsonType }, 413],
  ])('%s with a 1.1 MB body, then two valid events', async (_name, path, headers, status) => {
    const { refused, next } = await refusalThenTwoEvents(path, headers as Record<string, string>, big(1.1 * MB));
    expect(refused.status, refused.text).toBe(status);
    expect(JSON.parse(refused.text).error).toMatch(/\.$/);
    expect(next).toEqual([202, 202]);
  });

  it('closes the connection cleanly after refusing a body too long to drop (8 MB), every time', async () => {
    // Closed while the client still sends, a connection is reset and the answer can be lost with it.
    for (let i = 0; i < 5; i++) {
      const { refused, next } = await refusalThenTwoEvents('/api/events', { ...auth, ...jsonType }, big(8 * MB));
      expect(refused.status).toBe(413);
      expect(refused.connection).toBe('close');
      expect(next).toEqual([202, 202]);
    }
  });
});

/** A raw request with the given Host header; resolves with the status line and how long it took. */
function rawPost(path: string, host: string, body: string): Promise<{ statusLine: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect(server.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ statusLine: '(no answer)', ms: performance.now() - t0 });
    }, 5_000);
    socket.on('data', (c) => {
      got += c.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ statusLine: got.split('\r\n')[0]!, ms: performance.now() - t0 });
      }
    });
    socket.on('error', reject);
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe('a Host header that makes no URL', () => {
  it.each(['/api/events', '/api/filters'])('gets 400 within a second on POST %s', async (path) => {
    const body = path === '/api/events' ? validEvent() : JSON.stringify({ filter_type: REGISTRATION, data: { form_data: {} } });
    const r = await rawPost(path, 'exa mple', body);
    expect(r.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(r.ms).toBeLessThan(1000);
    // The server is still well and the same request with a good Host is accepted.
    expect((await rawPost(path, `127.0.0.1:${server.port}`, body)).statusLine).toMatch(/^HTTP\/1\.1 (200|202) /);
  });
});
