// The team's settings (SPEC §10): AUDIT_RETENTION_DAYS, SMTP_URL and the Open edX sign-in, each refused with
// one line naming the variable when it is wrong.
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../lib/env';
import { openedxEnabled } from '../../lib/auth/openedx';

const OAUTH = { OPENEDX_OAUTH_URL: 'https://lms.example.org', OPENEDX_OAUTH_CLIENT_ID: 'id', OPENEDX_OAUTH_CLIENT_SECRET: 'secret' };

describe('team settings', () => {
  it('defaults: audit kept 365 days, no mail, no Open edX sign-in', () => {
    const e = parseEnv({});
    expect(e.AUDIT_RETENTION_DAYS).toBe(365);
    expect(e.SMTP_URL).toBeUndefined();
    expect(openedxEnabled(e)).toBe(false);
  });

  it('Open edX sign-in is on with its three settings, and a staff role when one is named', () => {
    const e = parseEnv({ ...OAUTH, OPENEDX_OAUTH_STAFF_ROLE: 'editor', AUDIT_RETENTION_DAYS: '30', SMTP_URL: 'smtp://user:pw@mail.example.org:587' });
    expect(openedxEnabled(e)).toBe(true);
    expect(e.OPENEDX_OAUTH_STAFF_ROLE).toBe('editor');
    expect(e.AUDIT_RETENTION_DAYS).toBe(30);
  });

  it('refuses partial or wrong settings with one line naming the variable', () => {
    expect(() => parseEnv({ OPENEDX_OAUTH_URL: 'https://lms.example.org' })).toThrow(
      'Invalid environment variable OPENEDX_OAUTH_URL: OPENEDX_OAUTH_URL, OPENEDX_OAUTH_CLIENT_ID and OPENEDX_OAUTH_CLIENT_SECRET must be set together.',
    );
    expect(() => parseEnv({ ...OAUTH, OPENEDX_OAUTH_URL: 'lms.example.org' })).toThrow(/^Invalid environment variable OPENEDX_OAUTH_URL: must be an http\(s\) URL\.$/);
    expect(() => parseEnv({ ...OAUTH, OPENEDX_OAUTH_STAFF_ROLE: 'admin' })).toThrow(/^Invalid environment variable OPENEDX_OAUTH_STAFF_ROLE: must be owner, editor or viewer\.$/);
    expect(() => parseEnv({ SMTP_URL: 'http://mail.example.org' })).toThrow(/^Invalid environment variable SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL\.$/);
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: '0' })).toThrow(/^Invalid environment variable AUDIT_RETENTION_DAYS: /);
  });
});
