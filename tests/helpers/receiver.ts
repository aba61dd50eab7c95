// A real HTTP receiver on loopback that records every request and answers from a script.
import http from 'node:http';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** When the answer was sent (or the socket destroyed); unset while the call is still open. */
  answeredAt?: number;
}

export type Responder = (req: Received, index: number) =>
  | {
      status?: number;
      headers?: Record<string, string>;
      body?: string;
      delayMs?: number;
      /** Answer no earlier than this settles (and delayMs after arrival): holds a call open until the test says. */
      holdUntil?: Promise<unknown>;
      destroy?: boolean;
    }
  | undefined;

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** Resolves when at least n requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  respond(fn: Responder): void;
  close(): Promise<void>;
}

export async function startReceiver(responder?: Responder): Promise<Receiver> {
  const requests: Received[] = [];
  let respond: Responder = responder ?? (() => ({ status: 200, body: 'ok' }));
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const index = requests.push(r) - 1;
      for (const w of [...waiters]) if (requests.length >= w.n) w.resolve();
      const answer = respond(r, index) ?? {};
      const reply = () => {
        r.answeredAt = Date.now();
        if (answer.destroy) return req.socket.destroy();
        res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      };
      const delayed = () => (answer.delayMs ? setTimeout(reply, Math.max(0, r.at + answer.delayMs - Date.now())) : reply());
      if (answer.holdUntil) void answer.holdUntil.then(delayed, delayed);
      else delayed();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond: (fn) => void (respond = fn),
    waitFor(n, timeoutMs = 15_000) {
      if (requests.length >= n) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${requests.length} of ${n} requests in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(requests)) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
