// Findings 2, 3 and 9 of the second outside review, against the BUILT server: a target URL's password and query
// values are write-only like header values (masked in viewer pages, RSC payloads, the API and the audit log, and
// kept when sent back masked), Send test sends stored values only to the saved origin and is audited, and a
// changed header value or URL secret leaves an audit entry without the value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { actionId, signInCookie } from '../helpers/session';
import { call } from '../reliability/support';

const KEY = 'stored-secrets-test-key-0123456789abcdef';
const OWNER = { email: 'owner@example.org', password: 'owner password 1234' };
const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const PASSWORD = 's3cretpw-for-the-crm';
const QUERY_TOKEN = 'abc-query-token-42';
const HEADER_VALUE = 'stored-header-value-77';
const SECRETS = [PASSWORD, QUERY_TOKEN, HEADER_VALUE];

let app: TestServer;
let rx: Receiver;
let other: Receiver;
let webhookId = '';
let webfilterId = '';
let viewer = '';
let editor = '';

const withSecrets = (base: string) => `${base.replace('http://', `http://alice:${PASSWORD}@`)}/hook?token=${QUERY_TOKEN}&course=demo`;

beforeAll(async () => {
  rx = await startReceiver();
  other = await startReceiver();
  app = await startServer({ env: { INITIAL_API_KEY: KEY, ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password, ALLOW_PRIVATE_TARGETS: '1', RETRY_SCHEDULE: '0.2' } });
  const hook = await call(app.url, 'POST', '/api/v1/webhooks', { key: KEY, body: { event_type: ENROLLMENT, url: withSecrets(rx.url), headers: { 'X-Api-Key': HEADER_VALUE } } });
  expect(hook.status).toBe(201);
  webhookId = String(hook.json!.id);
  const filter = await call(app.url, 'POST', '/api/v1/webfilters', {
    key: KEY,
    body: { filter_type: 'org.openedx.learning.student.login.requested.v1', url: withSecrets(rx.url) },
  });
  expect(filter.status).toBe(201);
  webfilterId = String(filter.json!.id);
  for (const role of ['viewer', 'editor']) {
    const u = await call(app.url, 'POST', '/api/v1/users', { key: KEY, body: { email: `${role}@example.org`, role, password: `${role} password 1234` } });
    expect(u.status).toBe(201);
  }
  viewer = await signInCookie(app.url, 'viewer@example.org', 'viewer password 1234');
  editor = await signInCookie(app.url, 'editor@example.org', 'editor password 1234');
}, 600_000);

afterAll(async () => {
  await app?.stop();
  await rx?.close();
  await other?.close();
});

async function page(path: string, cookie: string, rsc = false) {
  const res = await fetch(`${app.url}${path}`, {
    headers: { cookie, ...(rsc && { rsc: '1' }) },
    // An RSC request is sent on to its cache-busting ?_rsc= address, as the router does.
    redirect: rsc ? 'follow' : 'manual',
  });
  return { status: res.status, text: `${res.headers.get('location') ?? ''}${await res.text()}` };
}

/** Calls a built server action with plain arguments, as the editor's client code does. */
async function action(name: string, file: string, args: unknown[], cookie: string) {
  const res = await fetch(`${app.url}/webhooks/${webhookId}`, {
    method: 'POST',
    headers: { cookie, 'next-action': actionId(name, file), accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(args),
  });
  return { status: res.status, text: await res.text() };
}

describe("a target URL's password and query values", () => {
  it('never reach a viewer: pages, RSC payloads, the API and the audit log show them masked', async () => {
    const owner = await signInCookie(app.url, OWNER.email, OWNER.password);
    for (const [path, cookie] of [['/webhooks', viewer], [`/webhooks/${webhookId}`, viewer], ['/webfilters', viewer], [`/webfilters/${webfilterId}`, viewer], ['/audit', owner]] as const) {
      for (const rsc of [false, true]) {
        const r = await page(path, cookie, rsc);
        expect(r.status, `${path} ${r.text.slice(0, 200)}`).toBe(200);
        for (const s of SECRETS) expect(r.text, `${path}${rsc ? ' (RSC)' : ''}`).not.toContain(s);
      }
    }
    const detail = await page(`/webhooks/${webhookId}`, viewer);
    expect(detail.text).toContain('alice:••••@');
    for (const path of ['/api/v1/webhooks', `/api/v1/webhooks/${webhookId}`, '/api/v1/webfilters', '/api/v1/audit']) {
      const r = await call(app.url, 'GET', path, { key: KEY });
      expect(r.status, path).toBe(200);
      for (const s of SECRETS) expect(r.text, path).not.toContain(s);
    }
    const one = await call(app.url, 'GET', `/api/v1/webhooks/${webhookId}`, { key: KEY });
    expect(one.json!.url).toBe(`${rx.url.replace('http://', 'http://alice:••••@')}/hook?token=••••&course=••••`);
  });

  it('are kept when the masked form comes back (same origin), and go where they were stored', async () => {
    const shown = String((await call(app.url, 'GET', `/api/v1/webhooks/${webhookId}`, { key: KEY })).json!.url);
    const patched = await call(app.url, 'PATCH', `/api/v1/webhooks/${webhookId}`, { key: KEY, body: { url: shown.replace('/hook', '/hook2'), description: 'CRM' } });
    expect(patched.status).toBe(200);
    const sent = rx.requests.length;
    const ev = await call(app.url, 'POST', '/api/events', { key: KEY, body: { event_type: ENROLLMENT, data: { enrollment: { mode: 'audit' } } } });
    expect(ev.status).toBe(202);
    await expect.poll(() => rx.requests.length, { timeout: 15_000 }).toBeGreaterThan(sent);
    const got = rx.requests.at(-1)!;
    expect(got.url).toBe(`/hook2?token=${QUERY_TOKEN}&course=demo`);
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    expect(got.headers['x-api-key']).toBe(HEADER_VALUE);
  });

  it('are refused when the masked form comes back with another host, with one sentence', async () => {
    const shown = String((await call(app.url, 'GET', `/api/v1/webhooks/${webhookId}`, { key: KEY })).json!.url);
    const moved = shown.replace(new URL(rx.url).host, new URL(other.url).host);
    const r = await call(app.url, 'PATCH', `/api/v1/webhooks/${webhookId}`, { key: KEY, body: { url: moved } });
    expect(r.status).toBe(400);
    expect(r.json!.error).toBe(`Type the URL's password and query values again: stored values are only kept for ${new URL(rx.url).origin}.`);
    const filter = await call(app.url, 'PATCH', `/api/v1/webfilters/${webfilterId}`, { key: KEY, body: { url: moved } });
    expect(filter.status).toBe(400);
  });

  it('and header values leave an audit entry when changed, without the values', async () => {
    const shown = String((await call(app.url, 'GET', `/api/v1/webhooks/${webhookId}`, { key: KEY })).json!.url);
    const r = await call(app.url, 'PATCH', `/api/v1/webhooks/${webhookId}`, {
      key: KEY,
      body: { url: shown.replace(/token=[^&]+/, 'token=new-query-token-99'), headers: { 'X-Api-Key': 'new-header-value-88' } },
    });
    expect(r.status).toBe(200);
    const audit = await call(app.url, 'GET', `/api/v1/audit?action=webhook.updated&target_id=${webhookId}`, { key: KEY });
    const latest = (audit.json as { items: { changes: Record<string, unknown> }[] }).items[0]!;
    expect(latest.changes).toMatchObject({
      url_secrets: { before: '••••', after: '•••• (changed)' },
      'headers.X-Api-Key': { before: '••••', after: '•••• (changed)' },
    });
    expect(audit.text).not.toContain('new-query-token-99');
    expect(audit.text).not.toContain('new-header-value-88');
  });
});

describe('Send test', () => {
  it("sends stored header values only to the saved origin, signs elsewhere with a one-off secret, and is audited", async () => {
    const form = { event_type: ENROLLMENT, url: `${other.url}/steal`, use_www_form_encoding: false, headers: [{ name: 'X-Api-Key', value: '' }] };
    const before = other.requests.length;
    const refused = await action('testWebhookAction', 'app/(admin)/webhooks/test-webhook.ts', [webhookId, form], editor);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain(`Type the value of the header \\"X-Api-Key\\" again to send it to ${new URL(other.url).origin}`);
    expect(other.requests).toHaveLength(before);

    // Typed again, it goes; the signature is not the webhook's.
    const typed = await action('testWebhookAction', 'app/(admin)/webhooks/test-webhook.ts', [webhookId, { ...form, headers: [{ name: 'X-Api-Key', value: 'typed-now' }] }], editor);
    expect(typed.text).toContain('"signedWith":"one-off"');
    expect(other.requests.at(-1)!.headers['x-api-key']).toBe('typed-now');

    // The masked URL of the editor goes to the saved URL with its stored parts and values.
    const shown = String((await call(app.url, 'GET', `/api/v1/webhooks/${webhookId}`, { key: KEY })).json!.url);
    const home = await action('testWebhookAction', 'app/(admin)/webhooks/test-webhook.ts', [webhookId, { ...form, url: shown }], editor);
    expect(home.text).toContain('"signedWith":"webhook"');
    for (const s of SECRETS) expect(home.text).not.toContain(s);
    expect(rx.requests.at(-1)!.headers['x-api-key']).toBe('new-header-value-88');

    const audit = await call(app.url, 'GET', `/api/v1/audit?action=webhook.tested`, { key: KEY });
    const items = (audit.json as { items: { actor: { label: string }; target_id: string; changes: { url: { after: string } } }[] }).items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ actor: { label: 'editor@example.org' }, target_id: webhookId });
    expect(items.map((i) => i.changes.url.after)).toContain(`${other.url}/steal`);
    expect(audit.text).not.toContain('new-query-token-99');
  });
});
