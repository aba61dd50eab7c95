// Sign in with Open edX, end to end in Chromium (SPEC §10): a real OAuth2 server started here on loopback
// (oidc-provider) stands in for the LMS, at the LMS's own paths (/oauth2/authorize, /oauth2/access_token)
// and with its JWT access token claims (preferred_username, email, name, administrator, superuser). The
// built app decides who enters: LMS staff with OPENEDX_OAUTH_STAFF_ROLE, an invited email; a learner is refused.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { chromium, type Browser } from '@playwright/test';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { call } from '../reliability/support';

const KEY = 'openedx-signin-test-key-0123456789';
const CLIENT = { id: 'openedx-webhooks', secret: 'a-client-secret-for-the-test-0123456789' };
/** The LMS's accounts: a staff member, a learner, and a learner an owner invites. */
const ACCOUNTS: Record<string, { email: string; name: string; administrator: boolean; superuser: boolean }> = {
  staffer: { email: 'staffer@lms.example.org', name: 'Stella Staff', administrator: true, superuser: false },
  learner: { email: 'learner@lms.example.org', name: 'Lee Learner', administrator: false, superuser: false },
  invitee: { email: 'invitee@lms.example.org', name: 'Ivy Invitee', administrator: false, superuser: false },
};

let lms: http.Server;
let lmsUrl = '';
let app: TestServer;
let browser: Browser;
const tokenRequests: URLSearchParams[] = [];

beforeAll(async () => {
  // The LMS listens first, so the app can be started with its address; its OAuth2 routes need the app's.
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  lms = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => lms.listen(0, '127.0.0.1', resolve));
  lmsUrl = `http://127.0.0.1:${(lms.address() as AddressInfo).port}`;
  app = await startServer({
    env: {
      ADMIN_EMAIL: 'owner@example.org',
      ADMIN_PASSWORD: 'owner password 1234',
      INITIAL_API_KEY: KEY,
      OPENEDX_OAUTH_URL: lmsUrl,
      OPENEDX_OAUTH_CLIENT_ID: CLIENT.id,
      OPENEDX_OAUTH_CLIENT_SECRET: CLIENT.secret,
      OPENEDX_OAUTH_STAFF_ROLE: 'viewer',
    },
  });
  const provider = new Provider(lmsUrl, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: [`${app.url}/api/auth/callback/openedx`],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    routes: { authorization: '/oauth2/authorize', token: '/oauth2/access_token' },
    claims: { profile: ['name', 'preferred_username'], email: ['email'] },
    scopes: ['profile', 'email'],
    features: {
      devInteractions: { enabled: true },
      // Access tokens are JWTs carrying the user's claims, as the LMS gives them for token_type=jwt.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:openedx:lms',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'profile email', audience: 'openedx', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const a = ACCOUNTS[(token as { accountId: string }).accountId];
      return a && { preferred_username: (token as { accountId: string }).accountId, email: a.email, name: a.name, administrator: a.administrator, superuser: a.superuser };
    },
    findAccount: (_ctx, id) => (ACCOUNTS[id] ? { accountId: id, claims: () => ({ sub: id, email: ACCOUNTS[id]!.email, name: ACCOUNTS[id]!.name }) } : undefined),
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (req.method === 'POST' && req.url === '/oauth2/access_token') {
      // Keep what the app asked the token endpoint (it must ask for a JWT), then hand the request on.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        tokenRequests.push(new URLSearchParams(body.toString()));
        const replay = Object.assign(Readable.from([body]), { headers: req.headers, method: req.method, url: req.url, socket: req.socket, connection: req.socket, httpVersion: req.httpVersion });
        callback(replay as unknown as http.IncomingMessage, res);
      });
      return;
    }
    callback(req, res);
  };
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((resolve) => lms?.close(resolve));
});

/** Signs in on the sign-in page with the LMS account; answers where the browser lands and what it shows. */
async function signInWithOpenedx(account: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await page.getByRole('button', { name: 'Sign in with Open edX' }).click();
  await page.waitForURL((u) => u.origin === lmsUrl);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === app.url && !u.pathname.startsWith('/api/')).catch(async (err) => {
    const body = (await page.locator('body').innerText().catch(() => '')).slice(0, 500);
    throw new Error(`stuck at ${page.url()}: ${body}\n--- app log:\n${app.output().slice(-3000)}`, { cause: err });
  });
  const cookies = await context.cookies(app.url);
  const result = { url: new URL(page.url()), text: (await page.locator('body').innerText()), role: await page.getByTestId('signed-in-role').textContent().catch(() => null), cookies };
  await context.close();
  return result;
}

describe('Sign in with Open edX', () => {
  it('the sign-in page offers it', async () => {
    const res = await call(app.url, 'GET', '/login');
    expect(res.text).toContain('Sign in with Open edX');
  });

  it('LMS staff enter with OPENEDX_OAUTH_STAFF_ROLE, and the token was asked for as a JWT', async () => {
    const r = await signInWithOpenedx('staffer');
    expect(r.url.pathname).toBe('/webhooks');
    expect(r.text).toContain('staffer@lms.example.org');
    expect(r.role).toBe('viewer');
    expect(tokenRequests.at(-1)?.get('token_type')).toBe('jwt');
    const users = await call(app.url, 'GET', '/api/v1/users', { key: KEY });
    const staffer = (users.json as unknown as { email: string; role: string; sign_in: string[]; last_sign_in_at: string | null }[]).find((u) => u.email === 'staffer@lms.example.org');
    expect(staffer).toMatchObject({ role: 'viewer', sign_in: ['openedx'] });
    expect(staffer!.last_sign_in_at).not.toBeNull();
  }, 120_000);

  it('a learner who was not invited is refused with a sentence, and no user is created', async () => {
    const r = await signInWithOpenedx('learner');
    expect(r.url.pathname).toBe('/login');
    expect(r.text).toContain('Your Open edX account may not enter here');
    expect(r.cookies.some((c) => c.name.includes('session-token'))).toBe(false);
    const users = await call(app.url, 'GET', '/api/v1/users', { key: KEY });
    expect(JSON.stringify(users.json)).not.toContain('learner@lms.example.org');
  }, 120_000);

  it('an invited learner enters with the invited role; the invitation is then used', async () => {
    const inv = await call(app.url, 'POST', '/api/v1/invitations', { key: KEY, body: { email: 'invitee@lms.example.org', role: 'editor' } });
    expect(inv.status).toBe(201);
    const r = await signInWithOpenedx('invitee');
    expect(r.url.pathname).toBe('/webhooks');
    expect(r.role).toBe('editor');
    const link = await call(app.url, 'GET', new URL(String(inv.json!.url)).pathname);
    expect(link.text).toContain('This invitation has already been used');
    const audit = await call(app.url, 'GET', '/api/v1/audit?action=invitation.accepted', { key: KEY });
    expect((audit.json as unknown as { items: { actor: { label: string } }[] }).items[0]!.actor.label).toBe('invitee@lms.example.org');
  }, 120_000);
});
