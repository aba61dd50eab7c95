// Password hashing: slow, salted, verifiable, and wrong passwords fail.
import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_RUNNING, PasswordBusyError, passwordWork, verifyPassword } from '../../lib/auth/password';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('is deliberately slow (scrypt with N=16384)', async () => {
    const t0 = performance.now();
    await hashPassword('x');
    expect(performance.now() - t0).toBeGreaterThan(5);
  });

  it('refuses a malformed stored hash', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });

  it('runs at most two hashes at once (the thread pool DNS lookups share), the rest wait their turn', async () => {
    const hash = await hashPassword('right');
    const checks = Array.from({ length: 8 }, (_, i) => verifyPassword(i === 7 ? 'right' : 'wrong', hash));
    expect(passwordWork()).toEqual({ running: MAX_RUNNING, waiting: 8 - MAX_RUNNING });
    expect(await Promise.all(checks)).toEqual([false, false, false, false, false, false, false, true]);
    expect(passwordWork()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a check past the waiting room instead of queueing without end', async () => {
    const hash = await hashPassword('right');
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => verifyPassword('wrong', hash)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PasswordBusyError);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(MAX_RUNNING);
    expect(passwordWork()).toEqual({ running: 0, waiting: 0 });
  });
});
