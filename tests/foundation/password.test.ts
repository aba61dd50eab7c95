// Password hashing: slow, salted, verifiable, and wrong passwords fail.
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../lib/auth/password';

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
});
