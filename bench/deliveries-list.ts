// The delivery log at 1,000,000 deliveries on PostgreSQL: server time of the log's queries, then full loads over HTTP.
//   node --import tsx bench/deliveries-list.ts     (ROWS=1000000, N=60 runs per query; HTTP=0 skips the HTTP part)
// The HTTP part serves the real app with `next start` from the build in NEXT_DIST_DIR (default .next-h6; run
// `NEXT_DIST_DIR=.next-h6 npx next build` first), WORKER=off so nothing changes the rows while measuring.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createApiKey } from '../lib/auth/api-keys';
import { ensureAdmin } from '../lib/auth/users';
import { countRetryable } from '../lib/deliveries/bulk-retry';
import { getDeliveryDetail } from '../lib/deliveries/detail';
import { listDeliveries } from '../lib/deliveries/list';
import type { DeliveryFilters, DeliveryPage } from '../lib/deliveries/query';
import { hourlyStats } from '../lib/deliveries/stats';
import { freshPostgres } from '../tests/helpers/db';
import { ms, printTable, summarize } from './lib/stats';

const ROWS = Number(process.env.ROWS ?? 1_000_000);
const N = Number(process.env.N ?? 60);
const HTTP = process.env.HTTP !== '0';
const DIST = process.env.NEXT_DIST_DIR || '.next-h6';
const PORT = Number(process.env.BENCH_PORT ?? 3116);
const TARGET_MS = 200;

const HOOK_TYPES = [
  'org.openedx.learning.course.enrollment.created.v1',
  'org.openedx.learning.course.enrollment.changed.v1',
  'org.openedx.learning.student.registration.completed.v1',
  'org.openedx.learning.auth.session.login.completed.v1',
  'org.openedx.learning.certificate.created.v1',
  'org.openedx.learning.course.persistent_grade_summary.changed.v1',
  'org.openedx.learning.course.unenrollment.completed.v1',
  'org.openedx.content_authoring.course.catalog_info.changed.v1',
  'org.openedx.learning.user.notification.requested.v1',
  'org.openedx.learning.course.passing.status.updated.v1',
];
const FILTER_TYPES = [
  'org.openedx.learning.student.registration.requested.v1',
  'org.openedx.learning.student.login.requested.v1',
  'org.openedx.learning.course.enrollment.started.v1',
];

const pg = await freshPostgres({ max: 4 });
let server: ChildProcess | undefined;
try {
  const { db } = pg.handle;
  const t0 = performance.now();
  // ~1/7 webfilter calls; 6 % failed; the newest 0.5 % partly pending; spread over the last 29 days, id order.
  const CHUNK = 250_000;
  for (let start = 1; start <= ROWS; start += CHUNK) {
    const end = Math.min(ROWS, start + CHUNK - 1);
    await pg.handle.rows(sql`
      insert into deliveries (kind, event_id, target_id, event_type, url, status, attempt_count, next_attempt_at,
        request_headers, request_body, last_status_code, last_error, last_duration_ms, outcome, created_at, updated_at, completed_at)
      select k.kind, gen_random_uuid(),
        case when k.kind = 'webfilter' then md5('wf' || (i % 5))::uuid else md5('wh' || (i % 35))::uuid end,
        case when k.kind = 'webfilter' then (${`{${FILTER_TYPES.join(",")}}`}::text[])[1 + i % 3] else (${`{${HOOK_TYPES.join(",")}}`}::text[])[1 + i % 10] end,
        'https://hooks.example.org/in/' || (i % 40),
        s.status,
        case s.status when 'failed' then 8 when 'pending' then 1 else 1 + (i % 9 = 0)::int end,
        case when s.status = 'pending' then now() + interval '5 minutes' end,
        '{"content-type":"application/json"}'::jsonb,
        '{"enrollment":{"user":{"id":' || i || ',"is_active":true,"pii":{"username":"learner' || i || '","email":"learner' || i ||
          '@example.org","name":"Learner ' || i || '"}},"course":{"course_key":"course-v1:edX+DemoX+Demo_Course","display_name":"Demonstration Course"},"mode":"audit","is_active":true},"event_metadata":{"id":"' || gen_random_uuid() || '","minorversion":0,"source":"openedx/lms/web"}}',
        case s.status when 'failed' then 503 when 'pending' then 500 else 200 end,
        case when s.status = 'failed' then 'The receiver answered 503.' end,
        20 + (i::bigint * 7919) % 400,
        case when k.kind = 'webfilter' then '{"result":"applied","reason":"Applied data (form_data)."}'::jsonb end,
        c.at, c.at, case when s.status <> 'pending' then c.at end
      from generate_series(${start}::int, ${end}::int) i
      cross join lateral (select case when i % 7 = 0 then 'webfilter' else 'webhook' end as kind) k
      cross join lateral (select case when abs(hashtext(i::text)) % 100 < 6 then 'failed'
                                      when k.kind = 'webhook' and i > ${ROWS} - ${ROWS} / 200 and i % 4 = 0 then 'pending'
                                      else 'succeeded' end as status) s
      cross join lateral (select now() - interval '29 days' * (1 - i::float8 / ${ROWS}) as at) c`);
  }
  // One attempt each for the newest 1,000, for the detail page.
  await pg.handle.rows(sql`
    insert into delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, request_headers, response_status, response_headers, response_body)
    select id, 1, created_at, last_duration_ms, '{"webhook-id":"x"}'::jsonb, last_status_code, '{"content-type":"application/json"}'::jsonb, '{"ok":true}'
    from deliveries order by id desc limit 1000`);
  await pg.handle.rows(sql`vacuum analyze deliveries`);
  await pg.handle.rows(sql`vacuum analyze delivery_attempts`);
  const seedSec = (performance.now() - t0) / 1000;
  const [size] = await pg.handle.rows<{ size: string }>(sql`select pg_size_pretty(pg_total_relation_size('deliveries')) as size`);
  console.log(`Seeded ${ROWS.toLocaleString()} deliveries in ${seedSec.toFixed(1)} s (table with indexes: ${size!.size}).\n`);

  const hook = (n: number) => md5Uuid(`wh${n}`);
  const now = Date.now();
  const day = 86_400_000;
  const [{ id: maxId }] = (await pg.handle.rows<{ id: string }>(sql`select max(id) as id from deliveries`)) as [{ id: string }];
  const [{ event_id: someEvent }] = (await pg.handle.rows<{ event_id: string }>(
    sql`select event_id from deliveries where id = ${Math.floor(Number(maxId) / 3)}`,
  )) as [{ event_id: string }];
  const mid = Math.floor(Number(maxId) / 2);

  const cases: [string, DeliveryFilters, Partial<DeliveryPage>][] = [
    ['first page', {}, {}],
    ['status=failed', { status: 'failed' }, {}],
    ['webhook + failed + event_type', { kind: 'webhook', status: 'failed', eventType: HOOK_TYPES[2] }, {}],
    ['target + last 7 days', { targetId: hook(3), from: new Date(now - 7 * day) }, {}],
    ['1 hour, 10 days ago', { from: new Date(now - 10 * day), to: new Date(now - 10 * day + 3_600_000) }, {}],
    ['failed, 1 day, 20 days ago', { status: 'failed', from: new Date(now - 20 * day), to: new Date(now - 19 * day) }, {}],
    ['event id search', { eventId: someEvent }, {}],
    ['deep page (cursor = mid)', {}, { cursor: mid }],
    ['deep page, failed webhooks', { kind: 'webhook', status: 'failed' }, { cursor: mid }],
    ['newer page (before = mid)', {}, { before: mid }],
    ['no match: webfilter + pending', { kind: 'webfilter', status: 'pending' }, {}],
    ['no match: target + pending', { targetId: hook(3), status: 'pending', to: new Date(now - 2 * day) }, {}],
  ];

  const results: (string | number)[][] = [['query (50 rows a page)', 'rows', 'p50', 'p90', 'p99', 'max', `< ${TARGET_MS} ms`]];
  async function measure(name: string, fn: () => Promise<number>) {
    for (let i = 0; i < 5; i++) await fn(); // warm caches and plans
    const samples: number[] = [];
    let rows = 0;
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      rows = await fn();
      samples.push(performance.now() - t);
    }
    const s = summarize(samples);
    results.push([name, rows, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), s.p99 < TARGET_MS ? 'yes' : 'NO']);
  }
  for (const [name, filters, page] of cases) {
    await measure(name, async () => (await listDeliveries(db, filters, { limit: 50, ...page })).items.length);
  }
  await measure('hourly stats (24 h)', async () => (await hourlyStats(db)).length);
  await measure('count failed (bulk retry)', async () => countRetryable(db, {}));
  await measure('count failed, one event type', async () => countRetryable(db, { eventType: HOOK_TYPES[2] }));
  await measure('detail with attempts', async () => ((await getDeliveryDetail(db, Number(maxId) - 10)) ? 1 : 0));
  console.log('Server time of the query functions (PostgreSQL, same machine):');
  printTable(results);

  if (HTTP) await httpBench();
} finally {
  if (server) server.kill('SIGTERM');
  await pg.drop();
}

/** The uuid PostgreSQL makes of md5(s)::uuid. */
function md5Uuid(s: string): string {
  const h = createHash('md5').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function httpBench() {
  if (!fs.existsSync(path.join(DIST, 'BUILD_ID'))) {
    console.log(`\nHTTP part skipped: no build in ${DIST} (run NEXT_DIST_DIR=${DIST} npx next build).`);
    return;
  }
  const email = 'bench@example.org';
  const password = 'bench password 123';
  await ensureAdmin(pg.handle.db, email, password);
  const { token } = await createApiKey(pg.handle.db, { name: 'bench', scopes: ['admin'] });
  server = spawn(process.execPath, [path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(PORT), '-H', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_DIST_DIR: DIST, DATABASE_URL: pg.url, WORKER: 'off', PORT: String(PORT), AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-0123' },
  });
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 120) throw new Error('next start did not answer /api/health in 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  const cookie = await signIn(base, email, password);
  const pages: [string, string, Record<string, string>][] = [
    ['API: first page', '/api/v1/deliveries?limit=50', { authorization: `Bearer ${token}` }],
    ['API: webhook + failed', '/api/v1/deliveries?limit=50&kind=webhook&status=failed', { authorization: `Bearer ${token}` }],
    ['page: /deliveries (HTML)', '/deliveries', { cookie }],
    ['page: /deliveries?status=failed', '/deliveries?status=failed&kind=webhook', { cookie }],
    ['page: /deliveries/{id}', `/deliveries/${await newestId()}`, { cookie }],
  ];
  const rows: (string | number)[][] = [['HTTP GET (one at a time)', 'bytes', 'p50', 'p90', 'p99', 'max', `< ${TARGET_MS} ms`]];
  for (const [name, url, headers] of pages) {
    let bytes = 0;
    const get = async () => {
      const res = await fetch(base + url, { headers, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      bytes = (await res.arrayBuffer()).byteLength;
    };
    for (let i = 0; i < 5; i++) await get();
    const samples: number[] = [];
    for (let i = 0; i < Math.min(N, 40); i++) {
      const t = performance.now();
      await get();
      samples.push(performance.now() - t);
    }
    const s = summarize(samples);
    rows.push([name, bytes, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), s.p99 < TARGET_MS ? 'yes' : 'NO']);
  }
  console.log('\nFull loads over HTTP (next start, production build, WORKER=off):');
  printTable(rows);
}

async function newestId(): Promise<number> {
  const [r] = await pg.handle.rows<{ id: string }>(sql`select max(id) as id from deliveries`);
  return Number(r!.id);
}

/** next-auth's credentials flow by hand: CSRF token and cookie, then the callback, which sets the session cookie. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  keep(csrf);
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/deliveries` }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes('session-token'))) throw new Error(`sign-in failed (${res.status})`);
  return cookieHeader();
}
