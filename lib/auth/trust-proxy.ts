// TRUST_PROXY applied to each incoming request before anything reads it: the forwarded headers (client
// address, host, scheme) are believed only from the proxies the operator named, otherwise they are dropped
// and Next.js fills them from the socket. Afterwards X-Forwarded-For holds exactly one address, the client's.
import type http from 'node:http';
import net from 'node:net';
import { env, type TrustProxy } from '../env';

const FORWARDED = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded'];

/** "::ffff:192.0.2.1" → "192.0.2.1": one spelling per IPv4 client, whichever socket family accepted it. */
export function normalizeAddress(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a.toLowerCase();
}

const lists = new Map<string, net.BlockList>();
function proxyList(proxies: string[]): net.BlockList {
  const id = proxies.join(',');
  let list = lists.get(id);
  if (!list) {
    list = new net.BlockList();
    for (const p of proxies) {
      const [addr, bits] = p.split('/');
      const type = net.isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(normalizeAddress(addr!), type);
      else list.addSubnet(normalizeAddress(addr!), Number(bits), type);
    }
    lists.set(id, list);
  }
  return list;
}

function isProxy(address: string, proxies: string[]): boolean {
  const kind = net.isIP(address);
  return kind !== 0 && proxyList(proxies).check(address, kind === 6 ? 'ipv6' : 'ipv4');
}

const values = (h: string | string[] | undefined) =>
  (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',').map((v) => v.trim()).filter(Boolean);

/**
 * The client address and whether the forwarded host and scheme may be believed, from the socket's peer and
 * the X-Forwarded-For chain (each proxy appends the address it got the request from).
 */
export function resolveClient(peer: string, forwardedFor: string[], trust: TrustProxy): { client: string; trusted: boolean } {
  const chain = [...forwardedFor.map(normalizeAddress), normalizeAddress(peer)];
  if (!trust) return { client: chain.at(-1)!, trusted: false };
  if ('hops' in trust) {
    if (trust.hops === 0) return { client: chain.at(-1)!, trusted: false };
    return { client: chain[Math.max(0, chain.length - 1 - trust.hops)]!, trusted: true };
  }
  if (!isProxy(chain.at(-1)!, trust.proxies)) return { client: chain.at(-1)!, trusted: false };
  // From the right: skip the named proxies; the first other address is the client.
  let i = chain.length - 1;
  while (i > 0 && isProxy(chain[i]!, trust.proxies)) i--;
  return { client: chain[i]!, trusted: true };
}

/** Rewrites the forwarded headers of a request in place, as TRUST_PROXY allows (server.ts, per request). */
export function applyTrustProxy(req: http.IncomingMessage, trust: TrustProxy = env().TRUST_PROXY): void {
  const h = req.headers;
  const { client, trusted } = resolveClient(req.socket.remoteAddress ?? '', values(h['x-forwarded-for']), trust);
  // The nearest proxy's word counts: the last value when a header was appended to along the way.
  const host = trusted ? values(h['x-forwarded-host']).at(-1) : undefined;
  const proto = trusted ? values(h['x-forwarded-proto']).at(-1)?.toLowerCase() : undefined;
  const port = trusted ? values(h['x-forwarded-port']).at(-1) : undefined;
  for (const name of FORWARDED) delete h[name];
  if (client) h['x-forwarded-for'] = client;
  if (host) h['x-forwarded-host'] = host;
  if (proto === 'https' || proto === 'http') h['x-forwarded-proto'] = proto;
  if (port && /^\d{1,5}$/.test(port)) h['x-forwarded-port'] = port;
}

/** The client's address as applyTrustProxy left it (`next dev` has no server.ts: there it is as sent). */
export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}
