// Target URLs in text: no user name, password, query value or fragment; free text redacted the same way.
import { describe, expect, it } from 'vitest';
import { redactStrings, redactText, urlLabel } from '../../lib/url-label';

describe('urlLabel', () => {
  it('keeps scheme, host, port, path and query names; drops credentials, query values and fragment', () => {
    expect(urlLabel('https://user:hunter2@host.example:8443/filter?token=SECRET123&a=1&a=2#frag')).toBe('https://host.example:8443/filter?token=…&a=…');
    expect(urlLabel('http://hooks.example.org/in')).toBe('http://hooks.example.org/in');
    expect(urlLabel('https://user:hunter2@[::1]/x')).toBe('https://[::1]/x');
  });

  it('a text that is not a URL keeps only what cannot be a credential', () => {
    expect(urlLabel('ftp//user:hunter2@host/x?token=SECRET123')).not.toMatch(/hunter2|SECRET123/);
  });
});

describe('redactText', () => {
  it('redacts every URL in a sentence and keeps its punctuation', () => {
    expect(redactText('Webfilter https://user:hunter2@host/filter?token=SECRET123 failed: Connection failed (ECONNREFUSED).')).toBe(
      'Webfilter https://host/filter?token=… failed: Connection failed (ECONNREFUSED).',
    );
    expect(redactText('An earlier webfilter (https://u:hunter2@h/x?token=SECRET123) halted the filter first.')).toBe(
      'An earlier webfilter (https://h/x?token=…) halted the filter first.',
    );
  });

  it('masks name=value pairs that look like secrets', () => {
    expect(redactText('login failed: password=hunter2, api_key: SECRET123')).toBe('login failed: password=…, api_key: …');
    expect(redactText(null)).toBeNull();
  });

  it('reaches every string of an object', () => {
    expect(redactStrings({ name: 'PreventRegistration', message: 'see https://u:hunter2@h/?token=SECRET123', n: 1 })).toEqual({
      name: 'PreventRegistration',
      message: 'see https://h/?token=…',
      n: 1,
    });
  });
});
