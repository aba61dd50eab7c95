// `npm run worker`: a delivery worker process beside web servers running with WORKER=off (PostgreSQL only).
import { EnvError, env } from '../lib/env';
import { openDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { startWorker, workerOptionsFromEnv } from '../lib/dispatch/worker';
import { exitAfterLogs, logger } from '../lib/log';
import { startServiceChecks } from '../lib/dispatch/auto-disable';

async function main() {
  const e = env();
  if (!e.DATABASE_URL) {
    throw new EnvError(
      'Invalid environment variable DATABASE_URL: the worker process needs PostgreSQL (the embedded database belongs to the web server).',
    );
  }
  const handle = await openDb({ databaseUrl: e.DATABASE_URL, max: 10 });
  await migrate(handle);
  const worker = startWorker(handle, { ...workerOptionsFromEnv(e), sharesProcess: false });
  startServiceChecks(handle, { autoDisableAfterHours: e.AUTO_DISABLE_AFTER_HOURS });
  // The worker's timers do not hold the process open; this does, until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const log = logger();
  log.info({ worker: worker.id }, `worker ${worker.id} started on PostgreSQL`);

  // SIGTERM (also as PID 1 in a container) or SIGINT: claim nothing more, let the calls in flight finish and
  // store their outcomes, then exit 0; past SHUTDOWN_TIMEOUT_MS, exit anyway (leases cover the rest).
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeout_ms: e.SHUTDOWN_TIMEOUT_MS }, 'stopping: finishing deliveries in flight');
    setTimeout(() => {
      log.warn({ timeout_ms: e.SHUTDOWN_TIMEOUT_MS }, 'SHUTDOWN_TIMEOUT_MS passed: exiting with deliveries unfinished');
      void exitAfterLogs(0, 200);
    }, e.SHUTDOWN_TIMEOUT_MS).unref();
    await worker.stop();
    await handle.close();
    clearInterval(keepAlive);
    log.info({ worker: worker.id }, 'worker stopped');
    await exitAfterLogs(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  // A bad environment is one plain line for the person starting it; anything else is logged.
  if (err instanceof EnvError) console.error(`[openedx-webhooks] ${err.message}`);
  else logger().fatal({ err }, 'worker failed to start');
  process.exit(1);
});
