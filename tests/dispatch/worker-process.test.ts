// `npm run worker` (scripts/worker.ts): migrates, delivers on PostgreSQL, stops cleanly on SIGTERM, and
// refuses to start without DATABASE_URL.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestEvent } from '../../lib/dispatch/ingest';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { ENROLLMENT, addWebhook, enrollmentData, settled } from './harness';

let pg: TestPostgres;
let receiver: Receiver;

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await pg.drop();
});

function runWorker(vars: Record<string, string>) {
  // Empty counts as unset for the service's env parser.
  const env = { ...process.env, DATABASE_URL: '', ALLOW_PRIVATE_TARGETS: '', RETRY_SCHEDULE: '', ...vars };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

it('delivers events stored by another process and exits 0 on SIGTERM', async () => {
  await addWebhook(pg.handle, { url: receiver.url });
  const w = runWorker({ DATABASE_URL: pg.url, ALLOW_PRIVATE_TARGETS: '1', RETRY_SCHEDULE: '1' });
  try {
    const r = await ingestEvent(pg.handle, { event_type: ENROLLMENT, data: enrollmentData() });
    if (!r.ok) throw new Error(r.error);
    await receiver.waitFor(1, 20_000);
    const [d] = await settled(pg.handle, r.body.id);
    expect(d!.status).toBe('succeeded');
    expect(d!.attempts[0]!.worker).toMatch(/:\d+:/);
  } finally {
    w.child.kill('SIGTERM');
  }
  expect(await w.exited).toBe(0);
  expect(w.output()).toMatch(/worker .* started on PostgreSQL[\s\S]*worker stopped/);
});

it('stops with one clear line without DATABASE_URL', async () => {
  const w = runWorker({});
  expect(await w.exited).toBe(1);
  expect(w.output().trim()).toMatch(/^\[openedx-webhooks\] Invalid environment variable DATABASE_URL: .*PostgreSQL/);
});
