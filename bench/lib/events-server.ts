// Child process for bench/events-ingest.ts: serves POST /api/events on PostgreSQL, either through the real
// route handler (mode "app", via the node:http adapter) or as a bare node:http server doing the same insert
// with no auth, validation or catalog lookup (mode "bare": the practical ceiling).
//   node --import tsx bench/lib/events-server.ts app|app-worker|bare   (DATABASE_URL; BARE_PREPARE=0 to see the
//   bare server without prepared statements, which is what drizzle's execute() would give)
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

const mode = process.argv[2];
const PREPARE = process.env.BARE_PREPARE !== '0';
const url = process.env.DATABASE_URL!;
const send = (m: unknown) => process.send?.(m);
// A normal exit, so `node --cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));

if (mode === 'bare') {
  const sqlc = postgres(url, { max: 10, onnotice: () => {} });
  const [hook] = await sqlc`select id, url from webhooks where enabled limit 1`;
  let failed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const id = body.metadata?.id ?? randomUUID();
        const metadata = { id, event_type: body.event_type, time: new Date().toISOString() };
        const payload = JSON.stringify({ ...body.data, event_metadata: metadata });
        const rows = JSON.stringify([{ target_id: hook!.id, url: hook!.url, headers: { 'content-type': 'application/json' }, body: payload }]);
        const [r] = await sqlc.unsafe(`
          with ins as (
            insert into events (id, event_type, signal, data, metadata, delivery_count)
            values ($1::uuid, $2, 'X', $3::text::jsonb, $4::text::jsonb, 1)
            on conflict (id) do nothing returning id
          ), d as (
            insert into deliveries (kind, event_id, target_id, event_type, url, status, next_attempt_at, request_headers, request_body)
            select 'webhook', ins.id, x.target_id, $2, x.url, 'pending', now(), x.headers, x.body
            from ins cross join jsonb_to_recordset($5::text::jsonb) as x(target_id uuid, url text, headers jsonb, body text)
            returning 1
          )
          select (select count(*) from d)::int as deliveries`,
          [id, body.event_type, JSON.stringify(body.data), JSON.stringify(metadata), rows],
          { prepare: PREPARE },
        );
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, event_type: body.event_type, deliveries: r!.deliveries }));
      } catch (err) {
        if (!failed++) console.error('[bare]', err);
        res.writeHead(500).end(String(err));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => send({ port: (server.address() as { port: number }).port }));
} else {
  const { openDb } = await import('../../lib/db/client');
  const { setDb } = await import('../../lib/db');
  const { resetEnv } = await import('../../lib/env');
  const { serveRoute } = await import('./route-adapter');
  resetEnv();
  const handle = await openDb({ databaseUrl: url, max: 10 });
  setDb(handle);
  if (mode === 'app-worker') {
    const { startWorker, workerOptionsFromEnv } = await import('../../lib/dispatch/worker');
    startWorker(handle, { ...workerOptionsFromEnv(), allowPrivate: true });
  }
  const { POST } = await import('../../app/api/events/route');
  const { port } = await serveRoute(POST);
  send({ port });
}
