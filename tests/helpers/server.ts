// The BUILT app as a child process, started as `npm start` does (server.ts), for tests about the real server: crash recovery,
// access control, bad input. Builds once into its own dist dir when needed, under a file lock so test
// files running in parallel do not build twice. A build older than any source file is rebuilt (set
// TEST_SKIP_REBUILD=1 to reuse it anyway); NEXT_DIST_DIR chooses the folder (default .next-test).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { alive } from '../../lib/db/data-dir-lock';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/** Where the tests' build lives (its own folder, so it never collides with `next dev` or the e2e build). */
export const DIST_DIR = process.env.NEXT_DIST_DIR || '.next-test';
const BUILD_ID = path.join(ROOT, DIST_DIR, 'BUILD_ID');
const LOCK = path.join(ROOT, `${DIST_DIR}.build-lock`);
/** One file per test process with a server running on the build: a stale build is not replaced under it. */
const IN_USE = path.join(ROOT, `${DIST_DIR}.in-use`);
// What the build is made of: a newer file here means the build is stale (local runs; CI starts fresh).
const SOURCES = ['app', 'lib', 'components', 'drizzle', 'proxy.ts', 'instrumentation.ts', 'server.ts', 'next.config.mjs', 'package.json'];
const BUILD_TIMEOUT_MS = 15 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const s of SOURCES) walk(path.join(ROOT, s));
  return newest;
}

function buildInUse(): boolean {
  try {
    return fs.readdirSync(IN_USE).some((f) => alive(Number(f)));
  } catch {
    return false;
  }
}

function buildIsCurrent(): boolean {
  if (!fs.existsSync(BUILD_ID)) return false;
  // TEST_SKIP_REBUILD=1 uses whatever build is there (quick local iterations while others edit sources).
  if (process.env.TEST_SKIP_REBUILD === '1') return true;
  if (fs.statSync(BUILD_ID).mtimeMs >= newestSourceMtime()) return true;
  if (buildInUse()) {
    console.log(`[test-server] sources changed since ${DIST_DIR} was built, but a server runs on it: using it as it is`);
    return true;
  }
  return false;
}

function lockHolderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Taken a moment ago and the pid not written yet, unless the lock is old.
    try {
      return Date.now() - fs.statSync(LOCK).mtimeMs < 30_000;
    } catch {
      return false;
    }
  }
  return alive(pid);
}

async function runBuild(): Promise<void> {
  // next build points tsconfig "include" and next-env.d.ts at its dist dir: keep both as they were.
  const kept = ['tsconfig.json', 'next-env.d.ts'].map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f));
  const before = new Map(kept.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const t0 = Date.now();
  console.log(`[test-server] building the app into ${DIST_DIR} (once; a minute or two)…`);
  // Asynchronous, so this test process keeps answering its runner while the build runs.
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (c, sig) => resolve([c, sig])),
  );
  clearTimeout(timer);
  for (const [f, text] of before) if (fs.readFileSync(f, 'utf8') !== text) fs.writeFileSync(f, text);
  if (code !== 0) {
    throw new Error(`next build failed (code ${code}, signal ${signal}):\n${out.trim().split('\n').slice(-40).join('\n')}`);
  }
  console.log(`[test-server] built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Builds the app unless a current build exists; safe to call from several test files at once. */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    // A build in progress (here or in another test file) is waited for, never used half-written.
    if (fs.existsSync(LOCK)) {
      if (!lockHolderAlive()) fs.rmSync(LOCK, { recursive: true, force: true });
    } else {
      if (buildIsCurrent()) return;
      let mine = false;
      try {
        fs.mkdirSync(LOCK);
        mine = true;
      } catch {
        // another caller took it first
      }
      if (mine) {
        try {
          fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
          if (!buildIsCurrent()) await runBuild();
          return;
        } finally {
          fs.rmSync(LOCK, { recursive: true, force: true });
        }
      }
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another process to build ${DIST_DIR}`);
    await sleep(1000);
  }
}

/** A free loopback port (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  /** PostgreSQL URL; without it, the embedded PGlite database in dataDir. */
  databaseUrl?: string;
  /** Data dir (PGlite, auth secret); a new temporary one when absent. */
  dataDir?: string;
  port?: number;
  /** Extra environment for the app (empty string unsets). */
  env?: Record<string, string>;
  /** How long to wait for /api/health (default 90 s: the machine may be busy). */
  startTimeoutMs?: number;
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  /** The `next start` process id (the server runs in it). */
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything the server printed since it was (re)started. */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, data and environment; resolves when healthy. */
  restart(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL) and removes a data dir this helper created. */
  stop(): Promise<void>;
}

/** Starts the built app on loopback and waits until /api/health answers 200. */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  await ensureBuilt();
  const ownDataDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-server-'));
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_DIST_DIR: DIST_DIR,
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: opts.databaseUrl ?? '',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];

  let child!: ChildProcess;
  let out = '';
  let exited!: Promise<void>;

  async function launch() {
    out = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'server.ts', '-H', '127.0.0.1'], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
    let gone = false;
    void exited.then(() => (gone = true));
    for (;;) {
      if (gone) throw new Error(`the server exited during start (code ${child.exitCode}):\n${out.slice(-4000)}`);
      try {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not become healthy on ${url}:\n${out.slice(-4000)}`);
      }
      await sleep(150);
    }
  }

  async function kill(signal: NodeJS.Signals = 'SIGTERM') {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  }

  fs.mkdirSync(IN_USE, { recursive: true });
  const marker = path.join(IN_USE, String(process.pid));
  fs.writeFileSync(marker, '');
  const release = (h?: TestServer) => {
    if (h) servers.delete(h);
    if (servers.size === 0) fs.rmSync(marker, { force: true });
  };
  try {
    await launch();
  } catch (err) {
    release();
    throw err;
  }
  const handle: TestServer = {
    url,
    port,
    dataDir,
    get pid() {
      return child.pid!;
    },
    get child() {
      return child;
    },
    output: () => out,
    kill,
    restart: launch,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      release(handle);
    },
  };
  servers.add(handle);
  return handle;
}

/** Servers of this process still running (the in-use marker goes when the last one stops). */
const servers = new Set<TestServer>();

/** Resident memory of a process and its descendants, in KiB (Linux /proc). */
export function rssKiB(pid: number): number {
  let total = 0;
  const seen = new Set<number>();
  const visit = (p: number) => {
    if (seen.has(p)) return;
    seen.add(p);
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const k of kids ? kids.split(/\s+/) : []) visit(Number(k));
      }
    } catch {
      // gone
    }
  };
  visit(pid);
  return total;
}
