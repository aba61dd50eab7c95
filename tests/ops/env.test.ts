// The operations settings (SPEC §11): defaults, and one clear line naming the variable when one is wrong.
import { expect, it } from 'vitest';
import { parseEnv } from '../../lib/env';

it('defaults LOG_LEVEL to info and SHUTDOWN_TIMEOUT_MS to 25 s; METRICS_TOKEN is optional', () => {
  const e = parseEnv({});
  expect(e.LOG_LEVEL).toBe('info');
  expect(e.SHUTDOWN_TIMEOUT_MS).toBe(25_000);
  expect(e.METRICS_TOKEN).toBeUndefined();
  const set = parseEnv({ LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_MS: '5000', METRICS_TOKEN: 'a-long-enough-token-123' });
  expect(set).toMatchObject({ LOG_LEVEL: 'debug', SHUTDOWN_TIMEOUT_MS: 5000, METRICS_TOKEN: 'a-long-enough-token-123' });
});

it.each([
  ['LOG_LEVEL', 'loud'],
  ['SHUTDOWN_TIMEOUT_MS', 'soon'],
  ['SHUTDOWN_TIMEOUT_MS', '-1'],
  ['METRICS_TOKEN', 'short'],
])('refuses %s=%s with one line naming it', (name, value) => {
  expect(() => parseEnv({ [name]: value })).toThrow(new RegExp(`^Invalid environment variable ${name}: [^\\n]+\\.$`));
});
