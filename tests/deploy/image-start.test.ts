// The container image's start, run as the Dockerfile's final stage says (Docker cannot run on CI machines):
// its files laid out from its COPY lines, its ENV with a temporary folder for the /data volume, a non-root user
// (nobody, when the tests run as root), its CMD for the server and its HEALTHCHECK. Shared with the image:
// the build (.next-test, reused from tests/helpers/server.ts) and node_modules (with dev dependencies, unless
// IMAGE_TEST_NODE_MODULES names a tree made like the prod-deps stage: `npm ci --omit=dev` in a copy of package*.json).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR, ensureBuilt, freePort } from '../helpers/server';
import { readFinalStage, type FinalStage } from './dockerfile';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const API_KEY = 'tutor-generated-key-0123456789abcdefXYZ';

/** Lays out the final stage's /app in `dir` from its COPY lines; fails on a source it cannot reproduce. */
function layOut(stage: FinalStage, dir: string, owner: number | undefined) {
  for (const { from, sources, dest } of stage.copies) {
    const target = path.join(dir, dest);
    const intoDir = sources.length > 1 || dest.endsWith('/');
    for (const src of sources) {
      const to = intoDir ? path.join(target, path.basename(src)) : target;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (from === 'source') {
        fs.cpSync(path.join(ROOT, src), to, { recursive: true });
      } else if (from === 'prod-deps' && src === '/app/node_modules') {
        fs.symlinkSync(path.resolve(process.env.IMAGE_TEST_NODE_MODULES || path.join(ROOT, 'node_modules')), to);
      } else if (from === 'build' && src === '/app/.next') {
        // The tests' build, entry by entry, so .next/cache can be the service user's as in the image.
        fs.mkdirSync(to);
        for (const entry of fs.readdirSync(path.join(ROOT, DIST_DIR))) {
          if (entry !== 'cache') fs.symlinkSync(path.join(ROOT, DIST_DIR, entry), path.join(to, entry));
        }
      } else {
        throw new Error(`the test does not know how to reproduce COPY --from=${from} ${src}`);
      }
    }
  }
  // RUN mkdir -p /data .next/cache && chown node:node /data .next/cache
  fs.mkdirSync(path.join(dir, '.next', 'cache'), { recursive: true });
  if (owner !== undefined) fs.chownSync(path.join(dir, '.next', 'cache'), owner, owner);
}

/** argv as the image runs it: `node` is this Node.js, dropped to nobody when the tests run as root. */
function argv(command: string[]): [string, string[]] {
  const [bin, ...args] = command;
  const exe = bin === 'node' ? process.execPath : bin!;
  if (!asRoot) return [exe, args];
  return ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', exe, ...args]];
}

describe('the image start command (Dockerfile final stage)', () => {
  const stage = readFinalStage(path.join(ROOT, 'Dockerfile'));
  let workdir: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let output = '';
  let exited: Promise<[number | null, NodeJS.Signals | null]>;
  let url: string;

  beforeAll(async () => {
    await ensureBuilt();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-image-'));
    fs.chmodSync(tmp, 0o755);
    workdir = path.join(tmp, 'app');
    dataDir = path.join(tmp, 'data');
    fs.mkdirSync(dataDir);
    if (asRoot) fs.chownSync(dataDir, NOBODY, NOBODY);
    layOut(stage, workdir, asRoot ? NOBODY : undefined);

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Only the image's environment (and what Tutor's compose file adds), never this process's.
    env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: tmp,
      ...stage.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      INITIAL_API_KEY: API_KEY,
      ADMIN_EMAIL: 'admin@example.org',
      ADMIN_PASSWORD: 'a-long-admin-password',
    } as unknown as NodeJS.ProcessEnv; // NODE_ENV comes from the Dockerfile's ENV, not from the type
    const [exe, args] = argv(stage.cmd);
    child = spawn(exe, args, { cwd: workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  }, 16 * 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (workdir) fs.rmSync(path.dirname(workdir), { recursive: true, force: true });
  });

  it('has the shape the deployment relies on', () => {
    expect(stage.user).toBeTruthy();
    expect(stage.user).not.toMatch(/^(root|0)(:|$)/);
    expect(stage.env.DATA_DIR).toBe('/data');
    expect(stage.volumes).toContain('/data');
    expect(stage.env.PORT).toBe('3000');
    expect(stage.env.NODE_ENV).toBe('production');
    expect(stage.cmd).toEqual(['node', '--import', 'tsx', 'server.ts']);
    // tsx runs server.ts in production: it must be a production dependency, or the final stage has no tsx.
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
  });

  it("runs on the image's Node.js major (24 LTS), which package.json's engines accept", () => {
    const image = /^ARG NODE_IMAGE=\S*node:(\d+)-trixie-slim$/m.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    expect(image?.[1]).toBe('24');
    // This test starts the image's command with the Node running it: the same major as the image.
    expect(process.versions.node.split('.')[0]).toBe(image![1]);
    const engines = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toBe('>=22.12');
  });

  it('answers /api/health, runs as the unprivileged user, and its health check passes', async () => {
    const deadline = Date.now() + 120_000;
    let status = 0;
    while (Date.now() < deadline && child.exitCode === null) {
      status = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
      if (status === 200) break;
      await sleep(200);
    }
    expect(status, output.slice(-3000)).toBe(200);
    if (asRoot) {
      const uid = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1];
      expect(uid).toBe(String(NOBODY));
    }
    // The embedded database lives in the volume.
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);
    // INITIAL_API_KEY (the relay's key, from Tutor) works with every scope; another key does not.
    const list = await fetch(`${url}/api/v1/webhooks`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(list.status).toBe(200);
    const wrong = await fetch(`${url}/api/v1/webhooks`, { headers: { authorization: `Bearer ${API_KEY}x` } });
    expect(wrong.status).toBe(401);

    const [exe, args] = argv(stage.healthcheck);
    const check = spawnSync(exe, args, { cwd: workdir, env, encoding: 'utf8', timeout: 30_000 });
    expect(check.status, check.stderr).toBe(0);
  }, 180_000);

  it('stops with exit code 0 on SIGTERM, within a few seconds, and the health check then fails', async () => {
    expect(child.exitCode).toBeNull();
    const t0 = Date.now();
    child.kill('SIGTERM');
    const [code, signal] = await Promise.race([exited, sleep(15_000).then(() => [null, null] as const)]);
    expect({ code, signal }, output.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(15_000);

    const [exe, args] = argv(stage.healthcheck);
    const check = spawnSync(exe, args, { cwd: workdir, env, encoding: 'utf8', timeout: 30_000 });
    expect(check.status).toBe(1);
  }, 60_000);
});
