// Outgoing calls through undici (lib/dispatch/http-client.ts: HTTPS, proxies, and HTTP_CLIENT=undici) via send(), against raw TCP servers
// on loopback that answer as the test scripts them, and through a real HTTP proxy on loopback (CONNECT tunnels
// and forwarded requests): answers are read right, a wrong one fails only its call, connections are kept, and
// the §7 guard holds with a proxy (a private target is refused before the proxy is asked), NO_PROXY honoured.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { proxyFor } from '../../lib/dispatch/http-client';
import { send, type SendResult } from '../../lib/dispatch/send';
import { resetEnv } from '../../lib/env';
import { drip, rawServer } from '../helpers/raw-server';
import { testCertificate } from '../helpers/test-ca';

const call = (url: string, extra: Partial<Parameters<typeof send>[0]> = {}): Promise<SendResult> =>
  send({ url, headers: { 'content-type': 'application/json' }, body: '{"a":"é"}', timeoutMs: 3_000, allowPrivate: true, ...extra });

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
}
// Plain-HTTP targets go through undici too in this file (by default they take the lean client, http1.test.ts).
setEnv({ HTTP_CLIENT: 'undici' });
afterEach(() => setEnv({ HTTPS_PROXY: undefined, HTTP_PROXY: undefined, NO_PROXY: undefined }));

describe('reading answers', () => {
  it('sends one request with the URL path, Host and the body; reads chunked, dripped and read-until-close answers', async () => {
    const s = await rawServer((req, socket) => {
      if (req.onConnection === 0 && req.head.includes('/hook?x=1')) {
        void drip(socket, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '3;ext=1\r\nabc\r\n', '2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n']);
      } else socket.end('HTTP/1.1 201 Created\r\nConnection: close\r\n\r\nuntil close');
    });
    const first = await call(s.url);
    expect(first).toMatchObject({ status: 200, ok: true, body: 'abcde', error: null, proxy: null });
    expect(s.requests[0]!.head).toMatch(new RegExp(`^POST /hook\\?x=1 HTTP/1\\.1\\r\\n[\\s\\S]*host: 127\\.0\\.0\\.1:${s.port}`, 'i'));
    expect(s.requests[0]!.body).toBe('{"a":"é"}');
    const second = await call(s.url.replace('/hook?x=1', '/other'));
    expect(second).toMatchObject({ status: 201, body: 'until close' });
  });

  it('keeps the first bytes of a long answer and reads the rest', async () => {
    const big = 'x'.repeat(200_000);
    const s = await rawServer((_req, socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`));
    const long = await call(s.url.replace('/hook', '/big'), { captureBytes: 1000 });
    expect(long).toMatchObject({ status: 200, bodyTruncated: true });
    expect(long.body).toHaveLength(1000);
  });

  it('joins repeated headers, and a header named like an object property is just a header', async () => {
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nConstructor: x\r\n__proto__: y\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 0\r\n\r\n'));
    const r = await call(s.url);
    expect(r.headers.constructor).toBe('x');
    expect(r.headers['x-a']).toBe('1, 2');
    expect(Object.getPrototypeOf(r.headers)).toBeNull();
  });
});

describe('answers that are not valid HTTP fail the call, and only that call', () => {
  const cases: [string, string][] = [
    ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
    // undici refuses an interim answer to a request that did not ask for one (the lean client skips it).
    ['an unasked-for 100 Continue', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 410 Gone\r\nContent-Length: 4\r\n\r\ngone'],
  ];
  for (const [name, answer] of cases) {
    it(name, async () => {
      const s = await rawServer((req, socket) => (req.head.includes('/good') ? socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok') : socket.write(answer)));
      const bad = await call(s.url);
      expect(bad).toMatchObject({ status: null, ok: false, errorKind: 'connection' });
      expect(bad.error).toMatch(/not valid HTTP|cut off/);
      expect(await call(s.url.replace('/hook', '/good'))).toMatchObject({ status: 200, body: 'ok' });
    });
  }

  it('bytes after an answer are never taken for the next call’s answer', async () => {
    const s = await rawServer((req, socket) =>
      socket.write(req.onConnection === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 204 No Content\r\n\r\n'),
    );
    expect((await call(s.url)).status).toBe(200);
    // The connection with the extra bytes is not reused: the next call gets a fresh answer, never the 500.
    for (let i = 0; i < 3; i++) expect((await call(s.url)).status).not.toBe(500);
  });
});

describe('connections', () => {
  it('keeps connections for calls one after another, and for calls in flight at once', async () => {
    const s = await rawServer((_req, socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 5));
    for (let i = 0; i < 20; i++) expect((await call(s.url)).status).toBe(200);
    // undici reuses a connection one loop turn after its answer: a call that starts at once takes a second one.
    expect(s.connections).toBeLessThanOrEqual(2);
    const before = s.connections;
    await Promise.all(Array.from({ length: 8 }, () => call(s.url)));
    await new Promise((resolve) => setImmediate(resolve)); // the loop turn after which undici reuses them
    await Promise.all(Array.from({ length: 8 }, () => call(s.url)));
    expect(s.connections - before).toBeLessThanOrEqual(8);
  });

  it('a receiver that closes kept-alive connections without saying so costs no failed call', async () => {
    const s = await rawServer((_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.destroy(), 20);
    });
    for (let i = 0; i < 5; i++) {
      expect(await call(s.url)).toMatchObject({ status: 200, error: null });
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('a call that times out fails with the timeout; the next call is answered', async () => {
    const s = await rawServer((req, socket) => {
      if (req.head.includes('/slow')) return; // never answers
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const slow = await call(s.url.replace('/hook', '/slow'), { timeoutMs: 200 });
    expect(slow).toMatchObject({ status: null, errorKind: 'timeout' });
    expect(await call(s.url)).toMatchObject({ status: 200, body: 'ok' });
  });
});

/** A forward proxy on loopback: CONNECT tunnels and absolute-form requests, each one recorded. */
async function startProxy() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const out = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

describe('through an HTTP proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)', () => {
  it('forwards a plain-HTTP call through HTTP_PROXY, and the result names the proxy', async () => {
    const proxy = await startProxy();
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied'));
    try {
      setEnv({ HTTP_PROXY: proxy.url });
      const r = await call(s.url);
      expect(r).toMatchObject({ status: 200, body: 'proxied', proxy: proxy.url });
      expect(proxy.seen).toEqual([`POST ${s.url}`]);
    } finally {
      await proxy.close();
    }
  });

  it('NO_PROXY sends a matching host directly', async () => {
    const proxy = await startProxy();
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ndirect'));
    try {
      setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'example.org, 127.0.0.1' });
      expect(await call(s.url)).toMatchObject({ status: 200, body: 'direct', proxy: null });
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
    expect(proxyFor({ https: true, host: 'hooks.example.org', port: 443 }, { httpsProxy: 'http://p:3128', noProxy: '.example.org' })).toBeNull();
    expect(proxyFor({ https: true, host: 'example.org.evil.com', port: 443 }, { httpsProxy: 'http://p:3128', noProxy: 'example.org' })).toBe('http://p:3128');
    expect(proxyFor({ https: true, host: 'a.example.org', port: 8443 }, { httpsProxy: 'http://p:3128', noProxy: 'example.org:443' })).toBe('http://p:3128');
    expect(proxyFor({ https: false, host: 'a.example.org', port: 80 }, { httpsProxy: 'http://p:3128' })).toBeNull();
    expect(proxyFor({ https: false, host: 'x', port: 80 }, { httpProxy: 'http://p:3128', noProxy: '*' })).toBeNull();
  });

  it('refuses a private target before the proxy is asked, even though the proxy could reach it', async () => {
    const proxy = await startProxy();
    const s = await rawServer((_req, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    try {
      setEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
      for (const url of [s.url, s.url.replace('127.0.0.1', 'localhost'), `https://localhost:${s.port}/hook`]) {
        const r = await call(url, { allowPrivate: false });
        expect(r, url).toMatchObject({ status: null, errorKind: 'private_target', proxy: null });
        expect(r.error).toMatch(/^Refused to call (127\.0\.0\.1|localhost): it resolves to (127\.0\.0\.1|::1)/);
      }
      expect(proxy.seen).toEqual([]);
      expect(s.requests).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });

  it('tunnels an HTTPS call through HTTPS_PROXY with CONNECT, the certificate verified end to end', async () => {
    const certificate = testCertificate('proxy-tls-', 'DNS:localhost');
    const tls = await import('node:tls');
    const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
      socket.on('error', () => {});
      socket.on('data', (d) => d.includes('\r\n\r\n') && socket.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const proxy = await startProxy();
    try {
      // NODE_EXTRA_CA_CERTS is read at process start: the call runs in a process of its own.
      const script = `import { send } from './lib/dispatch/send.ts';
        const r = await send({ url: process.argv[1], headers: {}, body: '{}', timeoutMs: 5000, allowPrivate: true });
        console.log(JSON.stringify({ status: r.status, body: r.body, error: r.error, proxy: r.proxy }));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, `https://localhost:${port}/hook`], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.caFile, HTTPS_PROXY: proxy.url, NO_PROXY: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      await new Promise((resolve) => child.once('exit', resolve));
      expect(JSON.parse(out)).toEqual({ status: 200, body: 'secure', error: null, proxy: proxy.url });
      expect(proxy.seen).toEqual([`CONNECT localhost:${port}`]);
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      certificate.remove();
    }
  });
});

afterAll(() => setEnv({ HTTPS_PROXY: undefined, HTTP_PROXY: undefined, NO_PROXY: undefined, HTTP_CLIENT: undefined }));
