// §7 end to end: with ALLOW_PRIVATE_TARGETS off (the default), the BUILT server (embedded PGlite) warns when a
// private URL is saved, and refuses to call it: each webhook attempt fails with an error saying why, the
// webfilter call is logged as failed the same way, and the loopback receiver never sees a request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { call, printTable, startFaultReceiver, until, type FaultReceiver } from '../reliability/support';

const KEY = 'private-targets-initial-key-0123456789abcdef';
const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';

let server: TestServer;
let receiver: FaultReceiver;
const summary: (string | number)[][] = [['target', 'saved with warning', 'attempts', 'status', 'error']];

beforeAll(async () => {
  receiver = await startFaultReceiver({ kind: 'ok' });
  server = await startServer({
    env: { INITIAL_API_KEY: KEY, ALLOW_PRIVATE_TARGETS: '', RETRY_SCHEDULE: '0.2,0.2', DELIVERY_TIMEOUT_MS: '2000' },
  });
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  if (summary.length > 1) printTable('Private targets refused (ALLOW_PRIVATE_TARGETS off)', summary);
});

describe('private targets with ALLOW_PRIVATE_TARGETS off (built server, PGlite)', () => {
  it('webhooks to loopback, a name resolving to it, and the metadata address fail every attempt, saying why', async () => {
    const targets = [
      { url: `http://127.0.0.1:${receiver.port}/hook`, address: '127.0.0.1' },
      { url: `http://localhost:${receiver.port}/hook`, address: /127\.0\.0\.1|::1/ },
      { url: 'http://169.254.169.254/latest/meta-data/', address: '169.254.169.254' },
    ];
    const hooks: { id: string; warning: string | null }[] = [];
    for (const t of targets) {
      const res = await call(server.url, 'POST', '/api/v1/webhooks', { key: KEY, body: { event_type: ENROLLMENT, url: t.url } });
      expect(res.status, res.text).toBe(201);
      hooks.push({ id: String(res.json!.id), warning: res.headers.get('x-target-warning') });
    }
    const ev = await call(server.url, 'POST', '/api/events', { key: KEY, body: { event_type: ENROLLMENT, data: { enrollment: { user: { id: 1 } } } } });
    expect(ev.status, ev.text).toBe(202);
    expect(ev.json!.deliveries).toBe(targets.length);
    const eventId = String(ev.json!.id);

    // 3 attempts each (RETRY_SCHEDULE has two waits), then failed.
    const items = await until(
      async () => {
        const res = await call(server.url, 'GET', `/api/v1/deliveries?event_id=${eventId}&kind=webhook`, { key: KEY });
        const list = (res.json?.items ?? []) as { id: string; status: string; target_id: string }[];
        return list.length === targets.length && list.every((d) => d.status === 'failed') ? list : null;
      },
      30_000,
      'the deliveries to private targets to fail',
      200,
    );
    for (const [i, t] of targets.entries()) {
      const d = items.find((x) => x.target_id === hooks[i]!.id)!;
      const detail = await call(server.url, 'GET', `/api/v1/deliveries/${d.id}`, { key: KEY });
      const attempts = detail.json!.attempts as { error: string | null; response_status: number | null }[];
      expect(attempts.length, t.url).toBe(3);
      for (const a of attempts) {
        expect(a.response_status, t.url).toBeNull();
        expect(a.error, t.url).toMatch(/ALLOW_PRIVATE_TARGETS/);
        expect(a.error, t.url).toMatch(t.address);
      }
      // The editor (and the API) says so when the URL is saved.
      expect(hooks[i]!.warning, `${t.url}: no x-target-warning when saved`).toMatch(/private|loopback|link-local|ALLOW_PRIVATE_TARGETS/i);
      summary.push([t.url, hooks[i]!.warning ? 'yes' : 'no', attempts.length, d.status, attempts[0]!.error!.slice(0, 70)]);
    }
    expect(receiver.hits).toEqual([]);
  });

  it('a webfilter on loopback is not called; the call is logged as failed with the reason', async () => {
    const wf = await call(server.url, 'POST', '/api/v1/webfilters', {
      key: KEY,
      body: { filter_type: REGISTRATION, url: `http://127.0.0.1:${receiver.port}/filter` },
    });
    expect(wf.status, wf.text).toBe(201);
    const data = { form_data: { username: 'jdoe', email: 'jdoe@example.org' } };
    const res = await call(server.url, 'POST', '/api/filters', { key: KEY, body: { filter_type: REGISTRATION, data } });
    expect(res.status, res.text).toBe(200);
    expect(res.json!.data).toEqual(data);
    expect(res.json!.exception).toBeNull();
    const logged = await until(
      async () => {
        const r = await call(server.url, 'GET', `/api/v1/deliveries?kind=webfilter&target_id=${wf.json!.id}`, { key: KEY });
        return ((r.json?.items ?? []) as { id: string; status: string; last_error: string | null }[])[0] ?? null;
      },
      15_000,
      'the webfilter call to be logged',
    );
    expect(logged.status).toBe('failed');
    expect(logged.last_error).toMatch(/ALLOW_PRIVATE_TARGETS/);
    expect(receiver.hits).toEqual([]);
    summary.push([`webfilter http://127.0.0.1:${receiver.port}/filter`, '-', 1, logged.status, logged.last_error!.slice(0, 70)]);
  });
});
