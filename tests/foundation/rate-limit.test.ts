// The sign-in budget on both databases: attempts counted before the password check (parallel ones too),
// refused with a wait once spent, cleared by a success, and never reset by a flood of junk attempts.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveSignIn, clearSignIn, SIGN_IN_LIMITS, sweepSignInLimits, waitText } from '../../lib/auth/rate-limit';
import type { DbHandle } from '../../lib/db/client';
import { DB_KINDS, openTestDb } from '../helpers/db';

describe.each(DB_KINDS)('sign-in budget (%s)', (kind) => {
  let handle: DbHandle;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, close } = await openTestDb(kind));
  }, 60_000);
  afterAll(() => close?.());

  it('lets five attempts per account through, then refuses with the rest of the window to wait', async () => {
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await reserveSignIn(handle, 'Admin@Example.org', `192.0.2.${i}`));
    expect(results.slice(0, 5).every((r) => r.ok)).toBe(true);
    for (const r of results.slice(5)) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.retryAfterSeconds).toBeGreaterThan(SIGN_IN_LIMITS.windowSeconds - 60);
    }
    // The same account in another spelling is the same account.
    expect((await reserveSignIn(handle, ' admin@example.ORG', '192.0.2.99')).ok).toBe(false);
  });

  it('counts parallel attempts before any password is checked: of 100 at once, only the budget passes', async () => {
    const all = await Promise.all(Array.from({ length: 100 }, () => reserveSignIn(handle, 'parallel@example.org', `198.51.100.${Math.floor(Math.random() * 250)}`)));
    expect(all.filter((r) => r.ok)).toHaveLength(SIGN_IN_LIMITS.perAccount);
  });

  it('refuses an address past its own budget, whatever accounts it tries', async () => {
    const results = [];
    for (let i = 0; i <= SIGN_IN_LIMITS.perAddress; i++) results.push(await reserveSignIn(handle, `user${i}@example.org`, '203.0.113.50'));
    expect(results.slice(0, SIGN_IN_LIMITS.perAddress).every((r) => r.ok)).toBe(true);
    expect(results.at(-1)!.ok).toBe(false);
  });

  it('starts afresh after a success and once the window has passed', async () => {
    for (let i = 0; i < 6; i++) await reserveSignIn(handle, 'fresh@example.org', '203.0.113.60');
    expect((await reserveSignIn(handle, 'fresh@example.org', '203.0.113.61')).ok).toBe(false);
    await clearSignIn(handle, 'fresh@example.org', '203.0.113.60');
    expect((await reserveSignIn(handle, 'fresh@example.org', '203.0.113.60')).ok).toBe(true);

    for (let i = 0; i < 6; i++) await reserveSignIn(handle, 'window@example.org', '203.0.113.70');
    await handle.rows(sql`update sign_in_limits set window_start = now() - interval '16 minutes' where key = 'email:window@example.org'`);
    expect((await reserveSignIn(handle, 'window@example.org', '203.0.113.71')).ok).toBe(true);
  });

  it('a success clears the account and gives back only its own attempt: the address keeps counting its guesses', async () => {
    const from = '203.0.113.90';
    // A guesser with one valid account of its own signs in between every few guesses at other accounts.
    let refused = false;
    for (let round = 0; round < 10 && !refused; round++) {
      for (let i = 0; i < 3; i++) refused ||= !(await reserveSignIn(handle, `target${round}-${i}@example.org`, from)).ok;
      refused ||= !(await reserveSignIn(handle, 'mine@example.org', from)).ok;
      await clearSignIn(handle, 'mine@example.org', from);
    }
    expect(refused).toBe(true);
    // Still refused afterwards, whatever account it tries next.
    expect((await reserveSignIn(handle, 'yet-another@example.org', from)).ok).toBe(false);
    // Successes alone never lock colleagues behind one address out.
    const office = '203.0.113.91';
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress * 2; i++) {
      expect((await reserveSignIn(handle, `colleague${i % 7}@example.org`, office)).ok).toBe(true);
      await clearSignIn(handle, `colleague${i % 7}@example.org`, office);
    }
  });

  it('5,100 junk failures from 5,100 addresses do not reset a locked account, even past the row cap', async () => {
    for (let i = 0; i < 8; i++) await reserveSignIn(handle, 'victim@example.org', '192.0.2.200');
    const cap = SIGN_IN_LIMITS.maxRows;
    SIGN_IN_LIMITS.maxRows = 1_000; // small, so the flood goes far past it
    try {
      for (let i = 0; i < 5_100; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) => reserveSignIn(handle, `junk${i + j}@example.org`, `10.${(i + j) >> 8}.${(i + j) & 255}.1`)),
        );
      }
      await sweepSignInLimits(handle);
      const [{ n }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from sign_in_limits`)) as [{ n: number }];
      expect(n).toBeLessThanOrEqual(1_000);
      expect(n).toBeGreaterThan(500); // the oldest went, not the whole table
    } finally {
      SIGN_IN_LIMITS.maxRows = cap;
    }
    const [row] = await handle.rows<{ attempts: number }>(sql`select attempts from sign_in_limits where key = 'email:victim@example.org'`);
    expect(row?.attempts).toBeGreaterThanOrEqual(8);
    expect((await reserveSignIn(handle, 'victim@example.org', '192.0.2.201')).ok).toBe(false);
  }, 120_000);
});

describe('waitText', () => {
  it('says the wait as a person reads it', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(40)).toBe('40 seconds');
    expect(waitText(60)).toBe('1 minute');
    expect(waitText(900)).toBe('15 minutes');
  });
});
