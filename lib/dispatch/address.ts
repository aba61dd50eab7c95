// Outgoing-call safety (SPEC §7): refuse loopback, private, link-local, CGNAT, unique-local and metadata
// addresses, and the IPv6 forms that carry an IPv4 address, checked on the address actually connected to.
import dns from 'node:dns';
import net from 'node:net';

const v4 = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) v4.addSubnet(a, p, 'ipv4');

const v6 = new net.BlockList();
for (const [a, p] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
  ['2001:db8::', 32], ['100::', 64], ['2001::', 23],
] as const) v6.addSubnet(a, p, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (any spelling: "::", a dotted IPv4 tail), or null. */
function groups6(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const b = dotted.slice(1).map(Number);
    if (b.some((x) => x > 255)) return null;
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (s: string) => (s ? s.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return null;
  const all = [...head, ...Array(fill).fill(0), ...tail];
  return all.length === 8 && all.every((g) => Number.isInteger(g)) ? all : null;
}

const v4Of = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');

/**
 * What an IPv6 address that carries or stands for an IPv4 one amounts to: 'private' for the forms that have
 * no business in a webhook URL (IPv4-compatible ::/96, translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and
 * the local-use 64:ff9b:1::/48, 6to4 2002::/16: their IPv4 side is a gateway's, unseen here), the IPv4
 * address of a mapped ::ffff:0:0/96 one (the system connects to that IPv4 address itself), or null.
 */
function embedded(g: number[]): 'private' | string | null {
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(6)) return 'private'; // ::/96, with :: and ::1
  if (zeros(5) && g[5] === 0xffff) return v4Of(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zeros(4) && g[4] === 0xffff && g[5] === 0) return 'private'; // ::ffff:0:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private'; // 64:ff9b:1::/48
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return 'private'; // 64:ff9b::/96
  if (g[0] === 0x2002) return 'private'; // 2002::/16
  return null;
}

/** True for any address an outgoing call must not reach. */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = net.isIP(bare);
  if (family === 4) return v4.check(bare, 'ipv4');
  if (family === 6) {
    const g = groups6(bare);
    if (!g) return true; // net says IPv6 but it cannot be read: refuse rather than guess
    const inner = embedded(g);
    if (inner === 'private') return true;
    if (inner) return v4.check(inner, 'ipv4');
    return v6.check(bare, 'ipv6');
  }
  return true; // not an IP address at all: refuse rather than guess
}

export class PrivateTargetError extends Error {
  constructor(host: string, address: string) {
    super(
      `Refused to call ${host}: it resolves to ${address}, a private, loopback or link-local address ` +
        `(set ALLOW_PRIVATE_TARGETS=1 to allow it).`,
    );
    this.name = 'PrivateTargetError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A dns.lookup replacement for http.request that fails when any resolved address is private. */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new PrivateTargetError(hostname, bad.address) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

/** For editors: is this URL's host private (checked now)? null when it is fine or cannot be resolved. */
export async function privateTargetReason(url: string): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
  if (net.isIP(host)) return isPrivateAddress(host) ? new PrivateTargetError(host, host).message : null;
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    return bad ? new PrivateTargetError(host, bad.address).message : null;
  } catch {
    return null;
  }
}
