// Repeated failed sign-ins from one address are slowed down; a success or another address is not.
import { describe, expect, it } from 'vitest';
import { clientAddress, recordFailure, recordSuccess, signInDelayMs } from '../../lib/auth/rate-limit';

describe('sign-in slow-down', () => {
  it('lets the first five failures through at once, then waits longer and longer, up to 10 s', () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 5; i++) {
      expect(signInDelayMs(ip)).toBe(0);
      recordFailure(ip);
    }
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      delays.push(signInDelayMs(ip));
      recordFailure(ip);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
    expect(signInDelayMs('198.51.100.1')).toBe(0);
    recordSuccess(ip);
    expect(signInDelayMs(ip)).toBe(0);
  });

  it('reads the client address from the proxy headers', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '192.0.2.1, 10.0.0.1' }))).toBe('192.0.2.1');
    expect(clientAddress(new Headers({ 'x-real-ip': '192.0.2.9' }))).toBe('192.0.2.9');
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});
