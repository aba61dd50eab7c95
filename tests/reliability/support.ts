// Shared pieces of the reliability and security suites: a fault-injecting receiver, bounded polling,
// row-count snapshots and the summary tables printed at the end of each suite.
import http from 'node:http';
import type { Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../../lib/db/client';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws naming `what` at the deadline. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs: number, what: string, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** How a fault receiver treats a failing attempt. */
export type FaultKind =
  | 'ok' // answers 200 at once
  | 'status' // answers `status` (with `headers`)
  | 'hang' // never answers: the sender must time out
  | 'reset-headers' // writes part of the status line and headers, then resets the connection
  | 'reset-body' // writes 200 headers announcing 100 bytes, sends 10, then resets
  | 'drip' // answers 200 at once but sends the body a byte every 100 ms, never ending it
  | 'slow'; // answers 200 after slowMs (below the timeout): never a failure

export interface FaultPlan {
  kind: FaultKind;
  /** The first N attempts of each webhook-id fail this way; Infinity: never recovers. */
  failFirst?: number;
  status?: number;
  headers?: Record<string, string>;
  slowMs?: number;
}

export interface Hit {
  id: string;
  /** 1-based attempt number for this webhook-id, as the receiver saw it. */
  n: number;
  at: number;
  /** What the receiver did: 'ok' (a complete 2xx answer) or the fault. */
  outcome: 'ok' | Exclude<FaultKind, 'ok' | 'slow'>;
}

export interface FaultReceiver {
  url: string;
  port: number;
  hits: Hit[];
  /** webhook-id → requests that arrived (whatever became of the answer). */
  arrivals: Map<string, number>;
  /** webhook-id → complete 2xx answers given. */
  okCount(): Map<string, number>;
  close(): Promise<void>;
}

/** A loopback receiver that fails the first attempts of each webhook-id as planned, then answers 200. */
export async function startFaultReceiver(plan: FaultPlan, port = 0): Promise<FaultReceiver> {
  const hits: Hit[] = [];
  const seen = new Map<string, number>();
  const arrivals = seen;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const at = Date.now();
      const failing = plan.kind !== 'ok' && plan.kind !== 'slow' && n <= (plan.failFirst ?? 0);
      if (!failing) {
        const answer = () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
          res.on('finish', () => hits.push({ id, n, at, outcome: 'ok' }));
        };
        // slowMs is read per request, so a test can speed a receiver up.
        if (plan.kind === 'slow' && plan.slowMs) setTimeout(answer, plan.slowMs);
        else answer();
        return;
      }
      hits.push({ id, n, at, outcome: plan.kind as Hit['outcome'] });
      switch (plan.kind) {
        case 'status':
          res.writeHead(plan.status ?? 500, { 'content-type': 'text/plain', ...plan.headers });
          res.end(`failing on purpose (${n})`);
          break;
        case 'hang':
          break; // the socket stays open until the sender gives up (or close())
        case 'reset-headers':
          req.socket.write('HTTP/1.1 200 OK\r\nContent-Ty', () => req.socket.resetAndDestroy());
          break;
        case 'drip': {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const timer = setInterval(() => res.write('.'), 100);
          res.on('close', () => clearInterval(timer));
          break;
        }
        case 'reset-body':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
          res.write('0123456789', () => req.socket.resetAndDestroy());
          break;
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${actual}/hook`,
    port: actual,
    hits,
    arrivals,
    okCount() {
      const m = new Map<string, number>();
      for (const h of hits) if (h.outcome === 'ok') m.set(h.id, (m.get(h.id) ?? 0) + 1);
      return m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Row counts of every table of the public schema (the whole database, whatever tables are added). */
export async function tableCounts(handle: DbHandle): Promise<Record<string, number>> {
  const tables = await handle.rows<{ name: string }>(
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [r] = await handle.rows<{ n: number | string }>(sql.raw(`select count(*)::int as n from "${name}"`));
    out[name] = Number(r?.n ?? 0);
  }
  return out;
}

/** Prints an aligned table (first row is the header), framed by a title, for the end-of-suite summaries. */
export function printTable(title: string, rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const text = [
    `\n== ${title}`,
    line(cells[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
  console.log(text);
}

/** The error sentence rules of SPEC §3: one clear sentence, no stack trace or internals. */
export function sentenceProblem(error: unknown): string | null {
  if (typeof error !== 'string' || error.trim() === '') return 'error is not a non-empty string';
  if (!/[.?]$/.test(error)) return `error does not end a sentence: ${JSON.stringify(error)}`;
  if (/\n\s*at |node_modules|\.tsx?:\d+|\.js:\d+|Error:|TypeError|RangeError|ECONN|undefined|\[object /.test(error)) {
    return `error leaks internals: ${JSON.stringify(error)}`;
  }
  return null;
}

export interface ApiCall {
  key?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** One request to a running server; the answer with its body read (JSON when it parses). */
export async function call(base: string, method: string, path: string, opts: ApiCall = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: BodyInit | undefined = opts.raw as BodyInit | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> | undefined };
}
