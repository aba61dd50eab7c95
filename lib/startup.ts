// What happens once when a server starts: env check, migrations, bootstrap admin and key, inline worker.
import { sql } from 'drizzle-orm';
import { env, EnvError } from './env';
import { getDb } from './db';
import { DataDirInUse } from './db/data-dir-lock';
import { ensureAdmin } from './auth/users';
import { ensureInitialApiKey } from './auth/api-keys';
import { authSecret } from './auth/secret';
import { exitAfterLogs, logger } from './log';
import type { Worker } from './dispatch/worker';
import { startAuditRetention } from './audit/retention';

const STARTED = Symbol.for('openedx-webhooks.startup');
const WORKER = Symbol.for('openedx-webhooks.inline-worker');
/** Set by server.ts before anything starts: it handles SIGTERM and SIGINT itself (see stopBackgroundWork). */
export const OWNS_SIGNALS = Symbol.for('openedx-webhooks.owns-signals');
type Global = { [STARTED]?: Promise<void>; [WORKER]?: Worker; [OWNS_SIGNALS]?: boolean };

/**
 * Once per process, whoever asks first (instrumentation, or server.ts before it listens): the two load this
 * module apart, so the promise is kept on globalThis.
 */
export function startServer(): Promise<void> {
  const g = globalThis as Global;
  g[STARTED] ??= start();
  return g[STARTED];
}

async function start(): Promise<void> {
  const e = env(); // throws EnvError naming the bad variable
  const handle = await getDb();
  authSecret();
  if (e.ADMIN_EMAIL && e.ADMIN_PASSWORD) await ensureAdmin(handle.db, e.ADMIN_EMAIL, e.ADMIN_PASSWORD);
  if (e.INITIAL_API_KEY) await ensureInitialApiKey(handle.db, e.INITIAL_API_KEY);
  startAuditRetention(handle, e.AUDIT_RETENTION_DAYS);
  if (handle.kind === 'pglite') {
    // An embedded database has one process: leases left by a crash belong to nobody, so take them back now
    // instead of waiting for them to lapse.
    await handle.rows(sql`update deliveries set locked_until = null, locked_by = null
      where status = 'pending' and locked_until is not null`);
  }
  if (e.WORKER === 'inline') {
    const { startWorker, workerOptionsFromEnv } = await import('./dispatch/worker');
    const worker = startWorker(handle, workerOptionsFromEnv(e));
    (globalThis as Global)[WORKER] = worker;
    // Served some other way than server.ts (`next start`): on a polite stop, let the calls in flight finish
    // and store their results; leases cover a crash.
    if (!(globalThis as Global)[OWNS_SIGNALS]) process.once('SIGTERM', () => void stopBackgroundWork().finally(() => exitAfterLogs(0)));
    const { startServiceChecks } = await import('./dispatch/auto-disable');
    startServiceChecks(handle, { autoDisableAfterHours: e.AUTO_DISABLE_AFTER_HOURS });
  }
  const where = handle.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${e.dataDir}`;
  logger().info({ database: handle.kind, worker: e.WORKER }, `ready on ${where}; deliveries: ${e.WORKER === 'inline' ? 'inline worker' : 'external worker'}`);
}

/** Stops the inline worker: it claims nothing more, and its calls in flight finish and are stored. */
export async function stopWorker(): Promise<void> {
  const g = globalThis as Global;
  const worker = g[WORKER];
  g[WORKER] = undefined;
  await worker?.stop();
}

/** Waits for what is written after an answer: webfilter call logs, request ids on deliveries. */
export async function flushAfterAnswers(): Promise<void> {
  const [{ flushFilterLogs }, { flushRequestTags }] = await Promise.all([import('./dispatch/filters/log'), import('./deliveries/request-id')]);
  await Promise.all([flushFilterLogs(), flushRequestTags()]);
}

export async function stopBackgroundWork(): Promise<void> {
  await stopWorker();
  await flushAfterAnswers();
}

/** For instrumentation: a bad environment or a failed start stops the process with one clear line. */
export async function startServerOrExit(): Promise<void> {
  try {
    await startServer();
  } catch (err) {
    if (err instanceof EnvError || err instanceof DataDirInUse) console.error(`[openedx-webhooks] ${err.message}`);
    else logger().fatal({ err }, 'start failed');
    process.exit(1);
  }
}
