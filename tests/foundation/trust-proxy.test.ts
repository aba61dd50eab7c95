// TRUST_PROXY: the client address and forwarded host are believed only from the proxies the operator names.
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseEnv, type TrustProxy } from '../../lib/env';
import { applyTrustProxy, clientAddress, normalizeAddress, resolveClient } from '../../lib/auth/trust-proxy';

const forged = ['6.6.6.6', '7.7.7.7'];

describe('resolveClient', () => {
  it('off (the default): the socket peer, whatever X-Forwarded-For says', () => {
    expect(parseEnv({}).TRUST_PROXY).toBeNull();
    expect(resolveClient('203.0.113.9', forged, null)).toEqual({ client: '203.0.113.9', trusted: false });
    expect(resolveClient('::ffff:203.0.113.9', [], null).client).toBe('203.0.113.9');
  });

  it('a hop count: the address that many proxies in front of the peer', () => {
    const one: TrustProxy = { hops: 1 };
    expect(resolveClient('10.0.0.2', ['192.0.2.1'], one)).toEqual({ client: '192.0.2.1', trusted: true });
    // A client's forged entries sit left of what the proxy appended: they are not taken.
    expect(resolveClient('10.0.0.2', [...forged, '192.0.2.1'], one).client).toBe('192.0.2.1');
    expect(resolveClient('10.0.0.2', [...forged, '192.0.2.1', '10.0.0.1'], { hops: 2 }).client).toBe('192.0.2.1');
    expect(resolveClient('10.0.0.2', [], one).client).toBe('10.0.0.2');
  });

  it('a list of proxies: skips them from the right; a peer not in the list is believed about nothing', () => {
    const list: TrustProxy = parseEnv({ TRUST_PROXY: '10.0.0.0/8, 2001:db8::1' }).TRUST_PROXY;
    expect(resolveClient('10.1.2.3', [...forged, '192.0.2.1', '10.9.9.9'], list)).toEqual({ client: '192.0.2.1', trusted: true });
    expect(resolveClient('2001:db8::1', ['192.0.2.1'], list).client).toBe('192.0.2.1');
    expect(resolveClient('203.0.113.5', forged, list)).toEqual({ client: '203.0.113.5', trusted: false });
  });

  it('refuses a setting that is neither off, a count nor addresses', () => {
    expect(() => parseEnv({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
    expect(() => parseEnv({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
    expect(parseEnv({ TRUST_PROXY: 'off' }).TRUST_PROXY).toBeNull();
    expect(parseEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toEqual({ hops: 2 });
  });
});

describe('applyTrustProxy', () => {
  const request = (peer: string, headers: Record<string, string>) =>
    ({ socket: { remoteAddress: peer }, headers: { host: 'webhooks.example.org', ...headers } }) as unknown as http.IncomingMessage;
  const sent = { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-real-ip': '7.7.7.7' };

  it('off: drops every forwarded header; the address is the peer', () => {
    const req = request('203.0.113.9', sent);
    applyTrustProxy(req, null);
    expect(req.headers).toEqual({ host: 'webhooks.example.org', 'x-forwarded-for': '203.0.113.9' });
    expect(clientAddress(new Headers(req.headers as Record<string, string>))).toBe('203.0.113.9');
  });

  it('behind a named proxy: the client it names, and its host and scheme', () => {
    const req = request('::ffff:10.0.0.2', sent);
    applyTrustProxy(req, { proxies: ['10.0.0.0/8'] });
    expect(req.headers).toEqual({ host: 'webhooks.example.org', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
  });

  it('normalises IPv4-mapped and bracketed spellings', () => {
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('[2001:DB8::1]')).toBe('2001:db8::1');
  });
});
