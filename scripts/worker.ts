// `npm run worker`: a delivery worker process beside web servers running with WORKER=off (PostgreSQL only).
import { EnvError, env } from '../lib/env';
import { openDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { startWorker } from '../lib/dispatch/worker';
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
  const worker = startWorker(handle, {
    deliveryTimeoutMs: e.DELIVERY_TIMEOUT_MS,
    retrySchedule: e.RETRY_SCHEDULE,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
    retentionDays: e.RETENTION_DAYS,
    perTargetConcurrency: e.MAX_IN_FLIGHT_PER_TARGET,
    heartbeatTimeoutMs: e.WORKER_HEARTBEAT_TIMEOUT * 1000,
  });
  startServiceChecks(handle, { autoDisableAfterHours: e.AUTO_DISABLE_AFTER_HOURS });
  // The worker's timers do not hold the process open; this does, until a signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  console.log(`[openedx-webhooks] worker ${worker.id} started on PostgreSQL`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[openedx-webhooks] ${signal}: finishing deliveries in flight…`);
    await worker.stop();
    await handle.close();
    clearInterval(keepAlive);
    console.log('[openedx-webhooks] worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof EnvError ? `[openedx-webhooks] ${err.message}` : err);
  process.exit(1);
});
