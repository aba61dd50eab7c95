// Sign in with Open edX, end to end in Chromium (SPEC §10): a real OAuth2 server started here on loopback
// (oidc-provider) stands in for the LMS, at the LMS's own paths (/oauth2/authorize, /oauth2/access_token)
// and with its JWT access token claims (preferred_username, email, name, administrator, superuser). The
// built app decides who enters: LMS staff with OPENEDX_OAUTH_STAFF_ROLE, an invited email; a learner is refused.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server';
import { call } from '../reliability/support';

const KEY = 'openedx-signin-test-key-0123456789';
const CLIENT = { id: 'openedx-webhooks', secret: 'a-client-secret-for-the-test-0123456789' };
/** The LMS's accounts: a staff member, a learner, and a learner an owner invites. */
type Account = { email: string; name: string; administrator: boolean; superuser: boolean; email_verified: boolean };
const ACCOUNTS: Record<string, Account> = {
  staffer: { email: 'staffer@lms.example.org', name: 'Stella Staff', administrator: true, superuser: false, email_verified: true },
  learner: { email: 'learner@lms.example.org', name: 'Lee Learner', administrator: false, superuser: false, email_verified: true },
  invitee: { email: 'invitee@lms.example.org', name: 'Ivy Invitee', administrator: false, superuser: false, email_verified: true },
  // Registered on the LMS with the owner's email, never activated (edx-platform: email_verified = is_active).
  impostor: { email: 'Owner@Example.org', name: 'Mallory', administrator: true, superuser: true, email_verified: false },
  // The owner's own LMS account: same email, verified, but never linked to the owner here.
  ownerlms: { email: 'owner@example.org', name: 'Olive Owner', administrator: false, superuser: false, email_verified: true },
  newstaff: { email: 'newstaff@lms.example.org', name: 'Nat New', administrator: true, superuser: false, email_verified: false },
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
      return a && { preferred_username: (token as { accountId: string }).accountId, email: a.email, name: a.name, administrator: a.administrator, superuser: a.superuser, email_verified: a.email_verified };
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

/** On the LMS's pages (the stand-in's dev interactions): signs in as the account and consents. */
async function atLms(page: Page, account: string) {
  await page.waitForURL((u) => u.origin === lmsUrl);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.origin === app.url && !u.pathname.startsWith('/api/')).catch(async (err) => {
    const body = (await page.locator('body').innerText().catch(() => '')).slice(0, 500);
    throw new Error(`stuck at ${page.url()}: ${body}\n--- app log:\n${app.output().slice(-3000)}`, { cause: err });
  });
}

/** Where the browser lands and what it shows, with the app's cookies. */
async function landed(page: Page, context: BrowserContext) {
  const cookies = await context.cookies(app.url);
  // Signed out pages have no role: asked only when it is there (textContent would wait for it).
  const role = (await page.getByTestId('signed-in-role').count()) ? await page.getByTestId('signed-in-role').textContent() : null;
  return { url: new URL(page.url()), text: await page.locator('body').innerText(), role, cookies };
}

/** Signs in on the sign-in page with the LMS account (a new browser); answers where it lands and what it shows. */
async function signInWithOpenedx(account: string, start = '/login', button = 'Sign in with Open edX') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.url}${start}`);
  await page.getByRole('button', { name: button }).click();
  await atLms(page, account);
  const result = await landed(page, context);
  await context.close();
  return result;
}

const usersList = async () => (await call(app.url, 'GET', '/api/v1/users', { key: KEY })).json as unknown as { id: string; email: string; role: string; sign_in: string[]; last_sign_in_at: string | null }[];
const auditOf = async (action: string) => ((await call(app.url, 'GET', `/api/v1/audit?action=${action}`, { key: KEY })).json as unknown as { items: { actor: { label: string }; changes: Record<string, { before: unknown; after: unknown }> }[] }).items;

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

  it('an invitation is used only through its link: the invited email alone does not let anyone in', async () => {
    const inv = await call(app.url, 'POST', '/api/v1/invitations', { key: KEY, body: { email: 'invitee@lms.example.org', role: 'editor' } });
    expect(inv.status).toBe(201);
    const path = new URL(String(inv.json!.url)).pathname;
    const without = await signInWithOpenedx('invitee');
    expect(without.url.pathname).toBe('/login');
    expect(without.text).toContain('ask an owner for an invitation, and open its link');
    const r = await signInWithOpenedx('invitee', path, 'Join with Open edX');
    expect(r.url.pathname).toBe('/webhooks');
    expect(r.role).toBe('editor');
    expect(r.cookies.some((c) => c.name.startsWith('oewh-openedx'))).toBe(false);
    const link = await call(app.url, 'GET', path);
    expect(link.text).toContain('This invitation has already been used');
    const audit = await auditOf('invitation.accepted');
    expect(audit[0]!.actor.label).toBe('invitee@lms.example.org');
  }, 120_000);

  it("an LMS account with a member's email never takes the member over; the member links it from their own session", async () => {
    const before = (await usersList()).find((u) => u.email === 'owner@example.org')!;
    // Unverified (anyone can register an email on the LMS), then verified but never linked: both refused.
    const impostor = await signInWithOpenedx('impostor');
    expect(impostor.url.pathname).toBe('/login');
    expect(impostor.text).toContain('has not confirmed its email address');
    expect(impostor.cookies.some((c) => c.name.includes('session-token'))).toBe(false);
    const unlinked = await signInWithOpenedx('ownerlms');
    expect(unlinked.url.pathname).toBe('/login');
    expect(unlinked.text).toContain('Link Open edX account');
    expect((await usersList()).find((u) => u.email === 'owner@example.org')).toEqual(before);
    expect(await auditOf('user.openedx_linked')).toHaveLength(0);

    // The owner, signed in with their password, links their LMS account.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await page.getByLabel('Email').fill('owner@example.org');
    await page.getByLabel('Password').fill('owner password 1234');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${app.url}/webhooks`);
    await page.getByRole('button', { name: 'Link Open edX account' }).click();
    await atLms(page, 'ownerlms');
    const linked = await landed(page, context);
    expect(linked.url.pathname).toBe('/webhooks');
    expect(linked.role).toBe('owner');
    await expect.poll(() => page.getByRole('button', { name: 'Link Open edX account' }).count()).toBe(0);
    await context.close();
    const entries = await auditOf('user.openedx_linked');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: { label: 'owner@example.org' }, changes: { openedx_username: { before: null, after: 'ownerlms' } } });

    const again = await signInWithOpenedx('ownerlms');
    expect(again.url.pathname).toBe('/webhooks');
    expect(again.role).toBe('owner');
    // The impostor stays out, and is not linked by trying again.
    expect((await signInWithOpenedx('impostor')).url.pathname).toBe('/login');
  }, 180_000);

  it('LMS staff whose email is not verified do not enter; a removed staff member stays out until invited again', async () => {
    const unverified = await signInWithOpenedx('newstaff');
    expect(unverified.url.pathname).toBe('/login');
    expect((await usersList()).some((u) => u.email === 'newstaff@lms.example.org')).toBe(false);

    const staffer = (await usersList()).find((u) => u.email === 'staffer@lms.example.org')!;
    expect((await call(app.url, 'DELETE', `/api/v1/users/${staffer.id}`, { key: KEY })).status).toBe(204);
    const back = await signInWithOpenedx('staffer');
    expect(back.url.pathname).toBe('/login');
    expect(back.text).toContain('was removed from the team');
    expect((await usersList()).some((u) => u.email === 'staffer@lms.example.org')).toBe(false);

    const inv = await call(app.url, 'POST', '/api/v1/invitations', { key: KEY, body: { email: 'staffer@lms.example.org', role: 'viewer' } });
    const joined = await signInWithOpenedx('staffer', new URL(String(inv.json!.url)).pathname, 'Join with Open edX');
    expect(joined.url.pathname).toBe('/webhooks');
    expect(joined.role).toBe('viewer');
  }, 120_000);
});
