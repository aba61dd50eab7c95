// Env parsing: defaults, every variable's validation, and the one-line error naming the variable.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../../lib/env';
import { VERSION } from '../../lib/version';
import pkg from '../../package.json' with { type: 'json' };

describe('parseEnv', () => {
  it('gives the documented defaults for an empty environment', () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.dataDir).toBe(path.resolve('./.data'));
    expect(e.PORT).toBe(3000);
    expect(e.ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(e.DELIVERY_TIMEOUT_MS).toBe(10_000);
    expect(e.FILTER_TIMEOUT_MS).toBe(5_000);
    expect(e.RETRY_SCHEDULE).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(e.RETENTION_DAYS).toBe(30);
    expect(e.MAX_BODY_BYTES).toBe(1_048_576);
    expect(e.WORKER).toBe('inline');
  });

  it('reads every variable', () => {
    const e = parseEnv({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
      DATA_DIR: '/tmp/oewh',
      PORT: '8080',
      ALLOW_PRIVATE_TARGETS: '1',
      DELIVERY_TIMEOUT_MS: '2500',
      FILTER_TIMEOUT_MS: '800',
      RETRY_SCHEDULE: '1, 2,3.5',
      RETENTION_DAYS: '7',
      MAX_BODY_BYTES: '2048',
      WORKER: 'off',
      ADMIN_EMAIL: 'a@b.org',
      ADMIN_PASSWORD: 'long enough',
      INITIAL_API_KEY: 'k'.repeat(24),
    });
    expect(e).toMatchObject({ PORT: 8080, ALLOW_PRIVATE_TARGETS: true, DELIVERY_TIMEOUT_MS: 2500, FILTER_TIMEOUT_MS: 800 });
    expect(e.RETRY_SCHEDULE).toEqual([1, 2, 3.5]);
    expect(e.dataDir).toBe('/tmp/oewh');
    expect(e.WORKER).toBe('off');
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['RETRY_SCHEDULE', { RETRY_SCHEDULE: '5,abc' }],
    ['ALLOW_PRIVATE_TARGETS', { ALLOW_PRIVATE_TARGETS: 'maybe' }],
    ['DELIVERY_TIMEOUT_MS', { DELIVERY_TIMEOUT_MS: '0' }],
    ['MAX_BODY_BYTES', { MAX_BODY_BYTES: '-1' }],
    ['WORKER', { WORKER: 'sometimes' }],
    ['WORKER', { WORKER: 'off' }],
    ['ADMIN_EMAIL', { ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'long enough' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'a@b.org' }],
    ['AUTH_SECRET', { AUTH_SECRET: 'short' }],
  ])('rejects a bad %s with one line naming it', (name, source) => {
    let error: unknown;
    try {
      parseEnv(source);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('keeps the user-agent version equal to package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
