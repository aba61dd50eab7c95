// A webfilter URL's credentials (user:password@, query values) never reach the LMS's answer nor any field of
// the delivery log, through the API or the pages (BUILT server, embedded database, real receivers).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type TestServer } from '../helpers/server';
import { rawRequest, signInCookie } from '../helpers/session';
import { FORM_DATA, REGISTRATION } from './harness';

const ADMIN = { email: 'admin@example.org', password: 'correct horse battery staple' };
const KEY = 'initial-key-for-url-credentials-test-0123';
const SECRETS = ['hunter2', 'SECRET123', 'pa55word', 'TOKEN456'];
let server: TestServer;
let receiver: http.Server;
let closedPort = 0;

const api = (method: string, path: string, body?: unknown) =>
  rawRequest(server.url, method, path, {
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  closedPort = await freePort(); // nothing listens there: the call fails with ECONNREFUSED
  receiver = http.createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('down'));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  server = await startServer({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, INITIAL_API_KEY: KEY, ALLOW_PRIVATE_TARGETS: '1' } });
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe('webfilter URL credentials', () => {
  it('appear in no answer to the LMS and in no field of the logged deliveries (API and pages)', async () => {
    const unreachable = `https://user:hunter2@127.0.0.1:${closedPort}/filter?token=SECRET123`;
    const answering = `http://admin:pa55word@127.0.0.1:${(receiver.address() as { port: number }).port}/f?api_key=TOKEN456&x=1`;
    for (const [url, halts] of [[unreachable, { halt_on_request_exception: true }], [answering, { halt_on_5xx: true }]] as const) {
      const res = await api('POST', '/api/v1/webfilters', { filter_type: REGISTRATION, url, ...halts });
      expect(res.status, res.text).toBe(201);
    }

    const call = await rawRequest(server.url, 'POST', '/api/filters', {
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter_type: REGISTRATION, data: { form_data: FORM_DATA } }),
    });
    expect(call.status, call.text).toBe(200);
    const answer = JSON.parse(call.text);
    // The halt still says which webfilter failed, by its address without credentials or query values.
    expect(answer.exception.message).toMatch(new RegExp(`^Webfilter https://127\\.0\\.0\\.1:${closedPort}/filter\\?token=… failed: `));
    for (const s of SECRETS) expect(call.text, `the LMS's answer holds ${s}`).not.toContain(s);

    // The log is written after the answer: wait for both rows.
    const started = Date.now();
    let list: { items: { id: number }[] } = { items: [] };
    while (list.items.length < 2 && Date.now() - started < 20_000) {
      list = JSON.parse((await api('GET', '/api/v1/deliveries?kind=webfilter')).text);
      if (list.items.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(list.items).toHaveLength(2);
    const texts = [JSON.stringify(list)];
    for (const d of list.items) texts.push((await api('GET', `/api/v1/deliveries/${d.id}`)).text);
    const detail = JSON.parse(texts[1]!);
    expect(JSON.stringify(detail.outcome) + detail.last_error).toMatch(/https:\/\/127\.0\.0\.1:\d+\/filter\?token=…|ECONNREFUSED/);

    const cookie = await signInCookie(server.url, ADMIN.email, ADMIN.password);
    for (const path of ['/deliveries', ...list.items.map((d) => `/deliveries/${d.id}`)]) {
      const page = await rawRequest(server.url, 'GET', path, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      texts.push(page.text);
    }
    for (const [i, text] of texts.entries()) for (const s of SECRETS) expect(text, `answer ${i} holds ${s}`).not.toContain(s);
  }, 120_000);
});
