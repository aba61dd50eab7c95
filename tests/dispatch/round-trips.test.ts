// Database round trips on the delivery hot path (issue 16), counted on the wire: the worker talks to the real
// PostgreSQL through a loopback TCP relay that reads the protocol's frontend messages. A statement is a Sync
// (extended protocol) or a Query (simple protocol); a round trip is a burst of client bytes sent after the
// server last answered (statements pipelined together are one). A change that adds a query per delivery,
// or per claimed batch, fails here.
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../lib/db/client';
import { webhooks } from '../../lib/db/schema';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { claimDue, writeCompletions, type Completion } from '../../lib/dispatch/queue';
import { invalidateTargets } from '../../lib/dispatch/targets';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, waitUntil, worker } from './harness';

interface Counts {
  statements: number;
  roundTrips: number;
  /** The start of each statement's text, for the report. */
  texts: string[];
}

/** A TCP relay to PostgreSQL that counts statements and round trips of every connection through it. */
async function countingRelay(target: URL) {
  const counts: Counts = { statements: 0, roundTrips: 0, texts: [] };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    let buf = Buffer.alloc(0);
    let started = false; // past the startup message (which has no type byte)
    let answered = true; // the server spoke since the client's last bytes
    client.on('data', (chunk) => {
      if (answered) counts.roundTrips++;
      answered = false;
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          // An SSLRequest (80877103) is followed by the real startup message.
          if (buf.readInt32BE(4) !== 80877103) started = true;
          buf = buf.subarray(len);
          continue;
        }
        if (buf.length < 5) break;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const type = String.fromCharCode(buf[0]!);
        if (type === 'S' || type === 'Q') counts.statements++;
        // Parse: name, then the text; Query: the text.
        if (type === 'P' || type === 'Q') {
          const body = buf.subarray(5, 1 + len);
          const text = type === 'Q' ? body : body.subarray(body.indexOf(0) + 1);
          counts.texts.push(text.subarray(0, Math.max(0, text.indexOf(0))).toString().replace(/\s+/g, ' ').trim().slice(0, 60));
        }
        buf = buf.subarray(1 + len);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      answered = true;
      client.write(chunk);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    counts,
    /** Counts while fn runs. */
    async during<T>(fn: () => Promise<T>): Promise<Counts & { result: T }> {
      const before = { ...counts, texts: counts.texts.length };
      const result = await fn();
      return {
        statements: counts.statements - before.statements,
        roundTrips: counts.roundTrips - before.roundTrips,
        texts: counts.texts.slice(before.texts),
        result,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let pg: TestPostgres;
let relay: Awaited<ReturnType<typeof countingRelay>>;
let counted: DbHandle;
/** One connection, so a statement prepared once stays prepared (a worker's pool warms up the same way). */
let single: DbHandle;
let receiver: Receiver;

beforeAll(async () => {
  pg = await freshPostgres({ max: 4 });
  relay = await countingRelay(new URL(pg.url));
  counted = await openDb({ databaseUrl: relay.url, max: 10 });
  single = await openDb({ databaseUrl: relay.url, max: 1 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await counted?.close();
  await single?.close();
  await relay?.close();
  await receiver?.close();
  await pg?.drop();
});
beforeEach(async () => {
  await pg.handle.rows(sql`truncate deliveries, delivery_attempts, events`);
  await pg.handle.db.delete(webhooks).where(sql`true`);
  await invalidateTargets(pg.handle);
});

async function backlog(hooks: number, events: number) {
  for (let i = 0; i < hooks; i++) await addWebhook(pg.handle, { url: `${receiver.url}/hook-${i}` });
  for (let i = 0; i < events; i++) {
    const r = await ingestEvent(pg.handle, { event_type: ENROLLMENT, data: enrollmentData({ n: i }) });
    if (!r.ok) throw new Error(r.error);
  }
}

describe('round trips to PostgreSQL on the delivery hot path', () => {
  it('one claimed batch: the claim is one round trip, the outcomes of the whole batch one more', async () => {
    await backlog(4, 20);
    const succeed = (batch: readonly { id: number; attemptCount: number; url: string }[]): Completion[] =>
      batch.map((d) => ({
        id: d.id,
        lockedBy: 'w',
        prevAttempts: d.attemptCount,
        url: d.url,
        status: 'succeeded',
        delayMs: null,
        error: null,
        attempt: {
          startedAt: new Date(),
          durationMs: 1,
          requestHeaders: { 'content-type': 'application/json' },
          responseStatus: 200,
          responseHeaders: {},
          responseBody: 'ok',
          error: null,
        },
      }));
    // A first cycle warms the connection up (the outcome statement is prepared on its first use).
    const first = await claimDue(single, 'w', 16, 60_000, { inFlight: new Map(), perTarget: 4 });
    expect(first).toHaveLength(16);
    await writeCompletions(single, succeed(first));

    const claim = await relay.during(() => claimDue(single, 'w', 64, 60_000, { inFlight: new Map(), perTarget: 16 }));
    const batch = claim.result;
    expect(batch).toHaveLength(64);
    expect(claim, claim.texts.join('\n')).toMatchObject({ statements: 1, roundTrips: 1 });
    const completions = succeed(batch);
    const write = await relay.during(() => writeCompletions(single, completions));
    expect(write.result.size).toBe(64);
    expect(write).toMatchObject({ statements: 1, roundTrips: 1 });
    const [row] = await pg.handle.rows<{ n: number; a: number }>(
      sql`select (select count(*) from deliveries where status = 'succeeded')::int as n, (select count(*) from delivery_attempts)::int as a`,
    );
    expect(row).toMatchObject({ n: 80, a: 80 });
  });

  it('a worker draining 400 deliveries to 4 webhooks: a small fixed number of round trips per batch, not per delivery', async () => {
    await backlog(4, 100);
    // The worker's own start (migrations are done; LISTEN, heartbeat, first look-ups) is counted too.
    const drain = await relay.during(async () => {
      const w = worker(counted, { workerId: 'counted', pollMs: 60_000 });
      try {
        await waitUntil(
          async () => {
            const [r] = await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where status = 'succeeded'`);
            return Number(r?.n) === 400;
          },
          30_000,
          'every delivery to succeed',
        );
      } finally {
        await w.stop();
      }
    });
    expect(receiver.requests).toHaveLength(400);
    const [attempts] = await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from delivery_attempts`);
    expect(Number(attempts!.n)).toBe(400);
    const kinds = new Map<string, number>();
    for (const t of drain.texts) kinds.set(t, (kinds.get(t) ?? 0) + 1);
    console.log(
      `[round trips] 400 deliveries: ${drain.statements} statements, ${drain.roundTrips} round trips\n` +
        [...kinds].map(([t, n]) => `  ${String(n).padStart(4)}  ${t}`).join('\n'),
    );
    // Claims take up to 128 at once and outcomes go out together every few milliseconds: about one statement
    // for every four deliveries here (how many outcomes share a write depends on how the calls interleave),
    // never one per delivery. One query more per delivery would add 400.
    expect(drain.statements).toBeLessThan(200);
    expect(drain.roundTrips).toBeLessThan(200);
  });
});
