// §7 outgoing-call safety: every private spelling is refused at call time unless ALLOW_PRIVATE_TARGETS is on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../lib/dispatch/address';
import { send } from '../../lib/dispatch/send';
import { startReceiver, type Receiver } from '../helpers/receiver';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '169.254.169.254', '169.254.0.1', '100.64.0.1', '100.127.255.254', '100.100.100.200',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::169.254.169.254', '224.0.0.1', '255.255.255.255',
  ])('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows public %s',
    (ip) => {
      expect(isPrivateAddress(ip)).toBe(false);
    },
  );
});

// IPv6 forms that carry an IPv4 address (issue 17.5): the IPv4-compatible ::/96, the translated
// ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, and 6to4 2002::/16, in several spellings.
const IPV6_FORMS = [
  '::7f00:1', '::127.0.0.1', '0:0:0:0:0:0:7f00:1', '::a9fe:a9fe', '::8.8.8.8',
  '::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '::ffff:0:808:808',
  '64:ff9b::7f00:1', '64:ff9b::808:808', '64:ff9b:0:0:0:0:a00:1',
  '64:ff9b:1::7f00:1', '64:ff9b:1:ffff::1',
  '2002:7f00:1::1', '2002:a9fe:a9fe::1', '2002:808:808::1',
  '0:0:0:0:0:ffff:7f00:1',
];

describe('IPv6 forms carrying an IPv4 address', () => {
  it.each(IPV6_FORMS)('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:1.1.1.1', '2003::1', '64:ff9c::1'])('allows public %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it('refuses each at connect time, saying why, without connecting', async () => {
    const before = receiver.requests.length;
    for (const ip of IPV6_FORMS) {
      const url = `http://[${ip}]:${receiver.port}/hook`;
      const r = await send({ url, headers: {}, body: '{}', timeoutMs: 2000, allowPrivate: false });
      expect(r.errorKind, url).toBe('private_target');
      expect(r.error, url).toMatch(/ALLOW_PRIVATE_TARGETS/);
    }
    expect(receiver.requests.length).toBe(before);
  });
});

describe('send() refuses private targets on the address it would connect to', () => {
  const spellings = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`, // a name that resolves to a private address
    `http://2130706433:${port}/`, // decimal
    `http://0177.0.0.1:${port}/`, // octal
    `http://0x7f.1:${port}/`, // hex, short form
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`, // IPv4-mapped IPv6
    `http://169.254.169.254:${port}/latest/meta-data/`, // cloud metadata
    `http://10.0.0.1:${port}/`,
    `http://100.64.0.1:${port}/`,
    `http://[fd00::1]:${port}/`,
  ];

  it('refuses every spelling and says why, without connecting', async () => {
    const before = receiver.requests.length;
    for (const url of spellings(receiver.port)) {
      const r = await send({ url, headers: {}, body: '{}', timeoutMs: 2000, allowPrivate: false });
      expect(r.errorKind, url).toBe('private_target');
      expect(r.error).toMatch(/ALLOW_PRIVATE_TARGETS/);
      expect(r.status).toBeNull();
    }
    expect(receiver.requests.length).toBe(before);
  });

  it('allows loopback when ALLOW_PRIVATE_TARGETS is on', async () => {
    const r = await send({ url: `http://localhost:${receiver.port}/`, headers: {}, body: '{}', timeoutMs: 2000, allowPrivate: true });
    expect(r.status).toBe(200);
  });
});
