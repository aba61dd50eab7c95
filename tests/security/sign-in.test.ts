// Sign-in through the BUILT server: guessing is refused (429 + Retry-After) once a budget is spent, per account
// and per address, parallel guesses included; a flood of junk does not reset an account; X-Forwarded-For counts
// only behind a proxy TRUST_PROXY names; the sign-in lands on the host the admin used, not localhost.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../lib/auth/rate-limit';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startServer, type TestServer } from '../helpers/server';
import { actionId, csrfPair, postCredentials, postFormAction, rawRequest, sessionCookieOf } from '../helpers/session';

const ADMIN = { email: 'admin@example.org', password: 'correct horse battery staple' };
let pg: TestPostgres;
/** TRUST_PROXY unset (the default), on PostgreSQL. */
let direct: TestServer;
/** TRUST_PROXY=1: one proxy in front, on the embedded database. */
let proxied: TestServer;

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  const env = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  [direct, proxied] = await Promise.all([
    startServer({ databaseUrl: pg.url, env }),
    startServer({ env: { ...env, TRUST_PROXY: '1' } }),
  ]);
}, 600_000);

afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
  await pg?.drop();
});

const forged = (i: number) => ({ 'x-forwarded-for': `198.18.${(i >> 8) & 255}.${i & 255}` });

/** Runs fn over 0..n-1, `width` at a time. */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

describe('sign-in budget (PostgreSQL, no proxy trusted)', () => {
  it('after 8 failures, 100 parallel guesses (the last one right) are all refused with 429 and Retry-After', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await postCredentials(direct.url, ADMIN.email, `wrong-${i}`);
      expect(sessionCookieOf(res)).toBeNull();
    }
    const csrf = await csrfPair(direct.url);
    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => postCredentials(direct.url, ADMIN.email, i === 99 ? ADMIN.password : `guess-${i}`, {}, csrf)),
    );
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    expect(guesses.map(sessionCookieOf).filter(Boolean)).toEqual([]);
    for (const g of guesses) {
      const wait = Number(g.headers['retry-after']);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowSeconds);
      expect(JSON.parse(g.text).error).toMatch(/^Too many sign-in attempts .* Try again in \d+ (minutes?|seconds?)\.$/);
    }
  }, 300_000);

  it('the sign-in form says so in a sentence', async () => {
    const res = await postFormAction(direct.url, '/login', actionId('login'), { email: ADMIN.email, password: ADMIN.password, next: '' });
    expect(/Too many sign-in attempts for this account or from this address\. Try again in \d+ minutes\./.test(res.text), res.text).toBe(true);
    expect(res.setCookie.filter((c) => c.includes('session-token'))).toEqual([]);
  }, 120_000);

  it('5,100 junk failures with forged X-Forwarded-For do not reset the account', async () => {
    const csrf = await csrfPair(direct.url);
    const junk = await pool(5_100, 16, (i) => postCredentials(direct.url, `junk${i}@example.org`, 'nope', forged(i), csrf).then((r) => r.status));
    // Forged headers are not believed: every junk attempt comes from this one address, refused past its budget.
    expect(junk.filter((s) => s !== 429)).toEqual([]);
    const [row] = await pg.handle.rows<{ attempts: number }>(sql`select attempts from sign_in_limits where key = ${`email:${ADMIN.email}`}`);
    expect(row?.attempts).toBeGreaterThanOrEqual(108);
    await pg.handle.rows(sql`delete from sign_in_limits where key like 'ip:%'`);
    const again = await postCredentials(direct.url, ADMIN.email, ADMIN.password);
    expect(again.status).toBe(429);
  }, 600_000);

  it('forged X-Forwarded-For does not dodge the per-address budget; a success clears the counters', async () => {
    await pg.handle.rows(sql`delete from sign_in_limits where true`);
    const statuses = [];
    for (let i = 0; i <= SIGN_IN_LIMITS.perAddress; i++) statuses.push((await postCredentials(direct.url, `someone${i}@example.org`, 'nope', forged(i))).status);
    expect(statuses.slice(0, -1).every((s) => s !== 429)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await pg.handle.rows(sql`delete from sign_in_limits where true`);
    expect(sessionCookieOf(await postCredentials(direct.url, ADMIN.email, ADMIN.password))).toBeTruthy();
  }, 300_000);
});

describe('TRUST_PROXY=1: the proxy says who the client is', () => {
  it('distinct forwarded clients each have their own budget; one forwarded client is refused past it', async () => {
    const many = [];
    for (let i = 0; i <= SIGN_IN_LIMITS.perAddress; i++) many.push((await postCredentials(proxied.url, `other${i}@example.org`, 'nope', forged(i))).status);
    expect(many.filter((s) => s === 429)).toEqual([]);
    const one = [];
    for (let i = 0; i <= SIGN_IN_LIMITS.perAddress; i++) one.push((await postCredentials(proxied.url, `same${i}@example.org`, 'nope', forged(4242))).status);
    expect(one.at(-1)).toBe(429);
    expect(one.slice(0, -1).filter((s) => s === 429)).toEqual([]);
  }, 300_000);
});

describe('the sign-in lands on the host the admin used', () => {
  it('without AUTH_URL the callback redirects to the Host header, not localhost', async () => {
    const host = `webhooks.example.test:${direct.port}`;
    await pg.handle.rows(sql`delete from sign_in_limits where true`);
    const res = await postCredentials(direct.url, ADMIN.email, ADMIN.password, { host });
    expect(sessionCookieOf(res)).toBeTruthy();
    expect(res.headers.location).toBe(`http://${host}/webhooks`);
    // A wrong password goes back to the form on that host too.
    const wrong = await postCredentials(direct.url, ADMIN.email, 'wrong', { host });
    expect(wrong.headers.location?.startsWith(`http://${host}/login?`), wrong.headers.location).toBe(true);
  }, 120_000);

  it('X-Forwarded-Host and -Proto count only where TRUST_PROXY allows; over HTTPS the cookies are Secure', async () => {
    const forwarded = { host: `127.0.0.1:${direct.port}`, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    await pg.handle.rows(sql`delete from sign_in_limits where true`);
    const ignored = await postCredentials(direct.url, ADMIN.email, ADMIN.password, forwarded);
    expect(ignored.headers.location).toBe(`http://127.0.0.1:${direct.port}/webhooks`);
    expect(ignored.setCookie.find((c) => c.includes('session-token'))).not.toMatch(/;\s*Secure/i);

    const behindProxy = { host: '10.0.0.5:8080', 'x-forwarded-host': 'webhooks.example.org', 'x-forwarded-proto': 'https', ...forged(7) };
    const res = await postCredentials(proxied.url, ADMIN.email, ADMIN.password, behindProxy);
    expect(res.headers.location).toBe('https://webhooks.example.org/webhooks');
    const session = res.setCookie.find((c) => c.includes('session-token'));
    expect(session).toMatch(/^__Secure-authjs\.session-token=/);
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    // The session works on the host it was made for.
    const page = await rawRequest(proxied.url, 'GET', '/webhooks', { headers: { ...behindProxy, cookie: sessionCookieOf(res)! } });
    expect(page.status).toBe(200);
  }, 120_000);
});
