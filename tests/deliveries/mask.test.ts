// §7 masking of the delivery log: JSON, form bodies, headers and URLs; what is not sensitive stays as it was.
import { describe, expect, it } from 'vitest';
import { isSensitiveKey, MASK, maskBody, maskForm, maskHeaders, maskJson, maskUrl } from '../../lib/deliveries/mask';

describe('masking', () => {
  it('recognises keys named like password, secret, token or api_key', () => {
    for (const k of ['password', 'user_password', 'Passwd', 'client_secret', 'SECRET', 'token', 'access_token', 'csrftoken', 'api_key', 'apiKey', 'X-Api-Key', 'Authorization', 'cookie']) {
      expect(isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ['username', 'email', 'passing_grade', 'course_key', 'event_metadata', 'id']) expect(isSensitiveKey(k), k).toBe(false);
  });

  it('masks JSON at every depth, whatever the value, and keeps blanks', () => {
    const input = { user: { pii: { password: 'x', api_key: { v: 1 } } }, list: [{ token: 5 }], secret: '', name: 'Ada' };
    expect(maskJson(input)).toEqual({ user: { pii: { password: MASK, api_key: MASK } }, list: [{ token: MASK }], secret: '', name: 'Ada' });
    const clean = { a: 1, b: [1, 2] };
    expect(maskJson(clean)).toBe(clean);
  });

  it('keeps a body byte for byte when nothing is sensitive', () => {
    const body = '{"n": 12345678901234567890, "a": 1.0}';
    expect(maskBody(body, 'application/json')).toBe(body);
    expect(maskBody('{"cut": "at 64 KiB', 'application/json')).toBe('{"cut": "at 64 KiB');
    expect(maskBody('plain text, passing_grade: 0.5, token=', 'text/plain')).toBe('plain text, passing_grade: 0.5, token=');
  });

  it('masks JSON labelled as a form, and key: value or key=value pairs in text, keeping the rest', () => {
    expect(maskBody('{"token":"abc","ok":1}', 'application/x-www-form-urlencoded')).toBe(`{"token":"${MASK}","ok":1}`);
    expect(maskBody('plain password=x', 'text/plain')).toBe(`plain password=${MASK}`);
    expect(maskBody('error: api_key: abc123 was rejected', 'text/plain')).toBe(`error: api_key: ${MASK} was rejected`);
    expect(maskBody('Authorization: Bearer abc.def\nuser: ada', 'text/plain')).toBe(`Authorization: Bearer ${MASK}\nuser: ada`);
    expect(maskBody('<p>client_secret = "s p"; user=ada</p>', 'text/html')).toBe(`<p>client_secret = ${MASK}; user=ada</p>`);
    expect(maskBody('x-api-key=K1&client_secret:S2', null)).toBe(`x-api-key=${MASK}&client_secret:${MASK}`);
  });

  it('masks form fields in place', () => {
    expect(maskForm('a=1&user_password=p%40ss&b=x+y&api_key=&token')).toBe(`a=1&user_password=${encodeURIComponent(MASK)}&b=x+y&api_key=&token`);
    expect(maskBody('secret=1', 'application/x-www-form-urlencoded; charset=utf-8')).toBe(`secret=${encodeURIComponent(MASK)}`);
  });

  it('masks headers, keeping the authorization scheme', () => {
    expect(maskHeaders({ authorization: 'Bearer abc', 'x-api-key': 'k', cookie: 'sid=1', 'content-type': 'application/json', 'webhook-id': 'e' })).toEqual({
      authorization: `Bearer ${MASK}`,
      'x-api-key': MASK,
      cookie: MASK,
      'content-type': 'application/json',
      'webhook-id': 'e',
    });
    expect(maskHeaders(null)).toBeNull();
  });

  it('masks URL query secrets and passwords', () => {
    expect(maskUrl('https://u:pw@hooks.example.org/in?token=abc&x=1')).not.toMatch(/pw|abc/);
    expect(maskUrl('https://hooks.example.org/in?x=1')).toBe('https://hooks.example.org/in?x=1');
    expect(maskUrl('not a url')).toBe('not a url');
  });
});
