// Child process for bench/events-in-flight.ts: the events route (via the node:http adapter server.ts uses) on
// PostgreSQL (DATABASE_URL) or a fresh embedded PGlite, with WEBHOOKS webhooks to SINK_URL and, unless
// BENCH_WORKER=off, the inline worker as the web server runs it. Sends {port, token} to the parent when ready.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../lib/auth/api-keys';
import { findEvent } from '../../lib/catalog';
import { setDb } from '../../lib/db';
import { openDb } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';
import { webhooks } from '../../lib/db/schema';
import { generateSecret } from '../../lib/dispatch/sign';
import { resetEnv } from '../../lib/env';
import { serveRoute } from './route-adapter';

if (!process.env.BENCH_KEEP_SIGTERM) process.on('SIGTERM', () => process.exit(0));
resetEnv();
const url = process.env.DATABASE_URL;
const dataDir = url ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-bench-'));
process.on('exit', () => dataDir && fs.rmSync(dataDir, { recursive: true, force: true }));
const handle = await openDb({ databaseUrl: url, dataDir, max: 10 });
await migrate(handle);
setDb(handle);
const { token } = await createApiKey(handle.db, { name: 'bench', scopes: ['events'] });
const eventType = findEvent('COURSE_ENROLLMENT_CREATED')!.eventType;
for (let i = 0; i < Number(process.env.WEBHOOKS ?? 5); i++) {
  await handle.db.insert(webhooks).values({ eventType, url: `${process.env.SINK_URL}/${i}`, secret: generateSecret() });
}
if (process.env.BENCH_WORKER !== 'off') {
  const { startWorker, workerOptionsFromEnv } = await import('../../lib/dispatch/worker');
  startWorker(handle, { ...workerOptionsFromEnv(), allowPrivate: true });
}
const { POST } = await import('../../app/api/events/route');
const { port } = await serveRoute(POST);
process.send?.({ port, token });
