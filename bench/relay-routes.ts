// What the relay's polling and the connections bookkeeping cost, on PostgreSQL, route handlers in-process:
//   node --import tsx bench/relay-routes.ts      (N=3000 calls per row)
// - GET /api/v1/routing (200 and 304 with If-None-Match) beside a bare handler answering the same JSON:
//   the polling answers from memory, so it should cost about the bare answer plus the key check.
// - POST /api/events with the relay's user agent (counted for the Connections page) beside the same call
//   without it (not counted): the bookkeeping adds no database write per event.
import { randomUUID } from 'node:crypto';
import { createApiKey } from '../lib/auth/api-keys';
import { findEvent, sampleEventData } from '../lib/catalog';
import { setDb } from '../lib/db';
import { webfilters, webhooks } from '../lib/db/schema';
import { generateSecret } from '../lib/dispatch/sign';
import { json } from '../lib/http/json';
import { flushActivity } from '../lib/platforms/activity';
import { freshPostgres } from '../tests/helpers/db';
import { ms, printTable, summarize } from './lib/stats';

const N = Number(process.env.N ?? 3000);
const UA = 'openedx-webhooks-relay/0.3.1 (lms; openedx-events/10.5.0; openedx-filters/2.1.0)';
const EVENT = findEvent('COURSE_ENROLLMENT_CREATED')!;
const DATA = sampleEventData(EVENT);

const pg = await freshPostgres({ max: 4 });
setDb(pg.handle);
process.env.DATABASE_URL = pg.url;
const { token } = await createApiKey(pg.handle.db, { name: 'relay', scopes: ['events', 'filters'] });
for (const e of ['COURSE_ENROLLMENT_CREATED', 'CERTIFICATE_CREATED', 'PERSISTENT_GRADE_SUMMARY_CHANGED']) {
  await pg.handle.db.insert(webhooks).values({ eventType: findEvent(e)!.eventType, url: 'https://example.com/h', secret: generateSecret() });
}
await pg.handle.db.insert(webfilters).values({ filterType: 'org.openedx.learning.student.registration.requested.v1', url: 'https://example.com/f' });

const { GET: routing } = await import('../app/api/v1/routing/route');
const { POST: events } = await import('../app/api/events/route');
const first = await routing(new Request('http://x/api/v1/routing', { headers: { authorization: `Bearer ${token}` } }), undefined as never);
const etag = first.headers.get('etag')!;
const body = await first.json();

async function measure(call: () => Promise<Response>, expect: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) await call(); // warm up
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const res = await call();
    out.push(performance.now() - t);
    if (res.status !== expect) throw new Error(`expected ${expect}, got ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return out;
}

const auth = { authorization: `Bearer ${token}` };
const rows: [string, number[]][] = [
  ['bare: JSON answer, no key check', await measure(async () => json(body, 200, { etag }), 200)],
  ['GET /api/v1/routing → 200', await measure(() => routing(new Request('http://x/api/v1/routing', { headers: auth }), undefined as never), 200)],
  ['GET /api/v1/routing → 304', await measure(() => routing(new Request('http://x/api/v1/routing', { headers: { ...auth, 'if-none-match': etag } }), undefined as never), 304)],
];
const post = (ua: string | null) => () =>
  events(
    new Request('http://x/api/events', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', ...(ua ? { 'user-agent': ua } : {}) },
      body: JSON.stringify({ event_type: EVENT.eventType, data: DATA, metadata: { id: randomUUID(), sourcehost: ua ? 'lms.example.com' : null } }),
    }),
    undefined as never,
  );
rows.push(['POST /api/events, not counted (no relay agent, no host)', await measure(post(null), 202)]);
rows.push(['POST /api/events, counted for Connections', await measure(post(UA), 202)]);
await flushActivity(pg.handle);

console.log(`\nRelay routes on PostgreSQL, handlers in-process, ${N} sequential calls per row (3 webhooks, 1 webfilter)`);
printTable([
  ['call', 'p50', 'p90', 'p99', 'max'],
  ...rows.map(([name, s]) => {
    const x = summarize(s);
    return [name, ms(x.p50), ms(x.p90), ms(x.p99), ms(x.max)];
  }),
]);
await pg.drop();
process.exit(0);
