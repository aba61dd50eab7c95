// The lean HTTP/1.1 client (lib/dispatch/http1.ts, HTTP_CLIENT=lean: plain HTTP without a proxy) through send(),
// against raw TCP servers on loopback that answer byte by byte as the test scripts them: every framing a
// receiver may use is read right, anything ambiguous fails the call with a sentence and never leaks into the
// next call on the same connection, and kept-alive connections are reused and replaced when the receiver
// closed them. HTTPS (undici in either setting) with a real certificate. undici itself: http-client.test.ts.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { send, type SendResult } from '../../lib/dispatch/send';
import { resetEnv } from '../../lib/env';
import { drip, rawServer } from '../helpers/raw-server';
import { testCertificate } from '../helpers/test-ca';

process.env.HTTP_CLIENT = 'lean';
resetEnv();
afterAll(() => {
  delete process.env.HTTP_CLIENT;
  resetEnv();
});

const call = (url: string, extra: Partial<Parameters<typeof send>[0]> = {}): Promise<SendResult> =>
  send({ url, headers: { 'content-type': 'application/json' }, body: '{"a":"é"}', timeoutMs: 3_000, allowPrivate: true, ...extra });

describe('reading answers', () => {
  it('sends one well-formed request: path and query, Host with port, the headers, the body in UTF-8', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n'));
    const r = await call(s.url, { headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' } });
    expect(r.status).toBe(204);
    const [req] = s.requests;
    expect(req!.head.split('\r\n')[0]).toBe('POST /hook?x=1 HTTP/1.1');
    expect(req!.head).toContain(`\r\nhost: 127.0.0.1:${s.port}\r\n`);
    expect(req!.head).toContain('\r\nwebhook-id: msg_1\r\n');
    expect(req!.head).toMatch(/\r\ncontent-length: 10(\r\n|$)/);
    expect(req!.body).toBe('{"a":"é"}');
  });

  it("sends a URL's user:password as Basic authentication, without recording it; a header of the webhook's own wins", async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 204 No Content\r\n\r\n'));
    const url = `http://hook%20user:p%40ss@127.0.0.1:${s.port}/hook`;
    const r = await call(url);
    expect(s.requests[0]!.head).toContain(`\r\nauthorization: Basic ${Buffer.from('hook user:p@ss').toString('base64')}`);
    expect(JSON.stringify(r.requestHeaders)).not.toMatch(/authorization|Basic/i);
    await call(url, { headers: { Authorization: 'Bearer own' } });
    expect(s.requests[1]!.head).toContain('\r\nAuthorization: Bearer own');
    expect(s.requests[1]!.head).not.toContain('Basic');
  });

  it('reads a chunked answer with extensions and trailers, split across writes', async () => {
    const s = await rawServer((_req, socket) =>
      void drip(socket, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n', 'X-A: 2\r\n\r\n5;ext=1\r\nhel', 'lo\r\n', '6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n']),
    );
    const r = await call(s.url);
    expect(r).toMatchObject({ status: 200, ok: true, body: 'hello world', bodyTruncated: false, error: null });
    expect(r.headers['x-a']).toBe('1, 2');
    // The connection is reused for the next call: the chunked body was read to its end.
    expect((await call(s.url)).body).toBe('hello world');
    expect(s.connections).toBe(1);
  });

  it('reads a Content-Length answer arriving a few bytes at a time, and an answer read until the connection closes', async () => {
    const body = 'ünïcode body, split inside its characters';
    const raw = Buffer.from(`HTTP/1.1 201 Created\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const s = await rawServer((_req, socket, index) => {
      if (index === 0) void drip(socket, Array.from({ length: Math.ceil(raw.length / 7) }, (_, i) => raw.subarray(i * 7, i * 7 + 7)));
      else socket.end(`HTTP/1.1 202 Accepted\r\n\r\n${body}`);
    });
    expect(await call(s.url)).toMatchObject({ status: 201, ok: true, body });
    expect(await call(s.url)).toMatchObject({ status: 202, ok: true, body, bodyTruncated: false });
  });

  it('skips interim answers (100, 103) and takes the final one', async () => {
    const s = await rawServer((_req, socket) =>
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 410 Gone\r\nContent-Length: 4\r\n\r\ngone'),
    );
    const r = await call(s.url);
    expect(r).toMatchObject({ status: 410, ok: false, body: 'gone' });
    expect(r.headers.link).toBeUndefined();
  });

  it('keeps the first bytes of a long answer, reads the rest, and the connection stays usable', async () => {
    const big = 'x'.repeat(200_000);
    const s = await rawServer((_req, socket) => socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n${big}`));
    const r = await call(s.url, { captureBytes: 1000 });
    expect(r).toMatchObject({ status: 200, bodyTruncated: true });
    expect(r.body).toBe('x'.repeat(1000));
    expect((await call(s.url, { captureBytes: 1000 })).status).toBe(200);
    expect(s.connections).toBe(1);
  });

  it('a Retry-After header reaches the caller, and an HTTP/1.0 answer closes its connection', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.0 503 Busy\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n'));
    const r = await call(s.url);
    expect(r).toMatchObject({ status: 503, ok: false });
    expect(r.headers['retry-after']).toBe('7');
    await call(s.url);
    expect(s.connections).toBe(2);
  });
});

describe('headers', () => {
  it('a header named like an object property is just a header', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nConstructor: x\r\n__proto__: y\r\nToString: z\r\nContent-Length: 0\r\n\r\n'));
    const r = await call(s.url);
    expect(r.headers.constructor).toBe('x');
    expect(r.headers.tostring).toBe('z');
    expect(Object.getPrototypeOf(r.headers)).toBeNull();
  });
});

describe('answers that are not valid HTTP fail the call, and only that call', () => {
  it.each([
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', /not valid HTTP: it does not start with an HTTP\/1\.x status line/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk', /Content-Length is not one number/],
    ['a chunk size that is not a number', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n', /chunk size/],
    ['a header without a name', 'HTTP/1.1 200 OK\r\n: x\r\nContent-Length: 0\r\n\r\n', /header line is malformed/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\nContent-Length: 0\r\n\r\n', /header line is malformed/],
    ['headers over 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(17_000)}\r\nContent-Length: 0\r\n\r\n`, /larger than 16 KiB/],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /switches protocols/],
  ])('%s', async (_name, answer, error) => {
    const s = await rawServer((_req, socket, index) => {
      if (index === 0) socket.write(answer);
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const bad = await call(s.url);
    expect(bad).toMatchObject({ status: null, ok: false, errorKind: 'connection' });
    expect(bad.error).toMatch(error);
    expect(bad.error).toMatch(/\.$/);
    const next = await call(s.url);
    expect(next).toMatchObject({ status: 200, body: 'ok' });
    expect(s.connections).toBe(2); // the bad connection was closed, not reused
  });

  it('bytes after an answer are never taken for the next call’s answer', async () => {
    const s = await rawServer((req, socket, index) => {
      // The first call gets two answers at once: the second must not be read as call two's.
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n');
      else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${req.body.length}\r\n\r\n${req.body}`);
    });
    expect((await call(s.url)).body).toBe('first');
    const second = await call(s.url, { body: 'second' });
    expect(second).toMatchObject({ status: 200, body: 'second' });
    expect(s.connections).toBe(2);
  });

  it('an answer cut off in its body is a failed call that says so', async () => {
    const s = await rawServer((_req, socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'));
    const r = await call(s.url);
    expect(r).toMatchObject({ status: null, errorKind: 'connection' });
    expect(r.error).toMatch(/^The answer was cut off \(.+\)\.$/);
  });
});

describe('connections', () => {
  it('reuses one kept-alive connection for calls one after another', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    for (let i = 0; i < 20; i++) expect((await call(s.url)).status).toBe(200);
    expect(s.connections).toBe(1);
  });

  it('opens one connection per call in flight, then keeps them', async () => {
    const s = await rawServer((_req, socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 30));
    await Promise.all(Array.from({ length: 8 }, () => call(s.url)));
    await Promise.all(Array.from({ length: 8 }, () => call(s.url)));
    expect(s.connections).toBe(8);
  });

  it('a receiver that closes kept-alive connections without saying so costs no failed call', async () => {
    // Answers, then closes the connection at once (as a server whose keep-alive timeout is 0 would):
    // the next call finds it closed, or closing while its request goes out, and takes a new one.
    const s = await rawServer((_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setImmediate(() => socket.destroy());
    });
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await call(s.url));
    expect(results.map((r) => r.error).filter(Boolean)).toEqual([]);
    expect(s.requests.length).toBe(30); // none sent twice
  });

  it('a receiver that answers "Connection: close" or a Keep-Alive timeout of 1 s gets a new connection per call', async () => {
    const close = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    const hint = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 0\r\n\r\n'));
    for (let i = 0; i < 3; i++) {
      await call(close.url);
      await call(hint.url);
    }
    expect([close.connections, hint.connections]).toEqual([3, 3]);
  });

  it('a call that times out closes its connection; the next call is answered on a new one', async () => {
    const s = await rawServer((_req, socket, index) => {
      if (index > 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    });
    const slow = await call(s.url, { timeoutMs: 200 });
    expect(slow).toMatchObject({ errorKind: 'timeout', status: null });
    expect((await call(s.url)).status).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('refuses a header value with a line break before connecting, saying which header', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    const r = await call(s.url, { headers: { 'x-evil': 'a\r\nx-injected: 1' } });
    expect(r).toMatchObject({ status: null, errorKind: 'connection' });
    expect(r.error).toBe('The header x-evil has a character HTTP does not allow in its value.');
    expect(s.connections).toBe(0);
  });
});

describe('HTTPS', () => {
  // A real certificate for localhost and 127.0.0.1, signed by a CA made for the test.
  const certificate = testCertificate('http1-tls-', 'DNS:localhost,IP:127.0.0.1');
  afterAll(() => certificate.remove());

  async function tlsServer(): Promise<{ url: (host: string) => string; close(): Promise<void> }> {
    const tls = await import('node:tls');
    const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
      socket.on('error', () => {});
      socket.on('data', (d) => {
        if (d.includes('\r\n\r\n')) socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nsecure: ${d.includes('\r\nhost: localhost:') ? 'yes' : 'no'}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    return { url: (host) => `https://${host}:${port}/hook`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('verifies the certificate: refused when its CA is unknown, answered when trusted', async () => {
    const server = await tlsServer();
    try {
      const untrusted = await call(server.url('localhost'));
      expect(untrusted).toMatchObject({ status: null, errorKind: 'connection' });
      expect(untrusted.error).toMatch(/^Connection failed \(.*(certificate|CERT).*\)\.$/i);
      // Trusted through NODE_EXTRA_CA_CERTS, read at process start: in a process of its own.
      const script = `import { send } from './lib/dispatch/send.ts';
        const r = await send({ url: process.argv[1], headers: {}, body: '{}', timeoutMs: 3000, allowPrivate: true });
        console.log(JSON.stringify({ status: r.status, body: r.body, error: r.error }));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, server.url('localhost')], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.caFile },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      await new Promise((resolve) => child.once('exit', resolve));
      expect(JSON.parse(out)).toEqual({ status: 200, body: 'secure: yes', error: null });
    } finally {
      await server.close();
    }
  });
});
