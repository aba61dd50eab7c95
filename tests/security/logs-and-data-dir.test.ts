// Two findings of the second outside review, against the BUILT server as `npm start` runs it: an invitation
// link's token never reaches the request log, and two processes never open one embedded database (the second
// exits with one sentence naming the folder and the process that holds it; the first keeps serving).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR, ensureBuilt, freePort, startServer, type TestServer } from '../helpers/server';
import { call } from '../reliability/support';

const KEY = 'logs-and-data-dir-test-key-0123456789';
let app: TestServer;
const withoutDatabaseUrl = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL'));
let dataDir: string;

beforeAll(async () => {
  await ensureBuilt();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-lock-'));
  app = await startServer({ dataDir, env: { INITIAL_API_KEY: KEY } });
}, 600_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the request log', () => {
  it('never holds an invitation token, nor a query string', async () => {
    const inv = await call(app.url, 'POST', '/api/v1/invitations', { key: KEY, body: { email: 'new@example.org', role: 'viewer' } });
    expect(inv.status).toBe(201);
    const link = new URL(String(inv.json!.url));
    const token = link.pathname.split('/').pop()!;
    expect(token).toMatch(/^oewi_/);
    const page = await call(app.url, 'GET', `${link.pathname}?t=${token}`);
    expect(page.status).toBe(200);
    await expect.poll(() => app.output().includes('/invite/[redacted]'), { timeout: 10_000 }).toBe(true);
    expect(app.output()).not.toContain(token);
  });
});

describe('DATA_DIR', () => {
  it('a second process on the same folder exits with one sentence, and the first keeps serving', async () => {
    const server = path.resolve(import.meta.dirname, '../../server.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', server, '-H', '127.0.0.1'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...withoutDatabaseUrl(), NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', NEXT_DIST_DIR: DIST_DIR, DATA_DIR: dataDir, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(out).toContain(`DATA_DIR ${dataDir} is in use by another process (pid ${app.pid} on ${os.hostname()})`);
    expect(out).not.toMatch(/Aborted\(\)|at .*\.js:\d+/); // one sentence, no stack
    const health = await call(app.url, 'GET', '/api/health');
    expect(health.json).toMatchObject({ status: 'ok', database: 'ok' });
  }, 120_000);

  it('after the holder stopped, the folder opens again with its data (a crash leaves a lock that is taken over)', async () => {
    await app.stop();
    const lock = path.join(dataDir, 'pglite.lock');
    expect(fs.existsSync(lock)).toBe(false); // released on a clean stop
    // A lock left by a process that died without cleaning up (a pid that is not running here).
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname() }));
    app = await startServer({ dataDir, env: { INITIAL_API_KEY: KEY } });
    const users = await call(app.url, 'GET', '/api/v1/audit?action=invitation.created', { key: KEY });
    expect((users.json as { items: unknown[] }).items).toHaveLength(1);
  }, 120_000);
});
