// Liveness and database check for load balancers and monitors, with the version and where its source is (AGPL §13),
// whether deliveries are being worked on (this process's worker, and the workers alive) and how old the queue is.
import { sql } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json } from '@/lib/http/json';
import { isWorkerRunning } from '@/lib/metrics/observe';
import { queueFigures, workerBeats } from '@/lib/metrics/scrape';
import { VERSION } from '@/lib/version';

export const dynamic = 'force-dynamic';

const timeout = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));

export async function GET() {
  const e = env();
  const about = { version: VERSION, source: e.SOURCE_URL };
  const worker = { mode: e.WORKER, running: isWorkerRunning() };
  try {
    const handle = await getDb();
    await Promise.race([handle.rows(sql`select 1`), timeout(3000)]);
    // The figures are extra: a slow count must not turn a live database into a 503.
    const extra = await Promise.race([Promise.all([queueFigures(handle), workerBeats(handle)]), timeout(2000)]).catch(() => null);
    if (!extra) return json({ status: 'ok', database: 'ok', ...about, worker });
    const [queue, beats] = extra;
    return json({
      status: 'ok',
      database: 'ok',
      ...about,
      worker: { ...worker, alive: beats.filter((b) => b.ageSeconds <= e.WORKER_HEARTBEAT_TIMEOUT).length },
      queue: { pending: queue.pending, due: queue.due, oldest_due_age_seconds: Math.round(queue.oldestDueAgeSeconds * 1000) / 1000 },
    });
  } catch {
    return json({ status: 'error', database: 'unavailable', ...about, worker }, 503);
  }
}
