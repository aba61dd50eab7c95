// GET /api/metrics without the HTTP: the figures read from the database at scrape time, then the registry.
import { timingSafeEqual, createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { metrics } from './registry';

export interface QueueFigures {
  pending: number;
  due: number;
  oldestDueAgeSeconds: number;
}

/** The webhook queue as every process sees it (the deliveries table is the queue). */
export async function queueFigures(handle: DbHandle): Promise<QueueFigures> {
  const [row] = await handle.rows<{ pending: number | string; due: number | string; age: number | string | null }>(sql`
    select count(*)::int as pending,
      count(*) filter (where next_attempt_at <= now())::int as due,
      extract(epoch from now() - min(next_attempt_at) filter (where next_attempt_at <= now()))::float8 as age
    from deliveries where status = 'pending'`);
  return {
    pending: Number(row?.pending ?? 0),
    due: Number(row?.due ?? 0),
    oldestDueAgeSeconds: Math.max(0, Number(row?.age ?? 0)),
  };
}

export interface WorkerBeat {
  id: string;
  ageSeconds: number;
}

export async function workerBeats(handle: DbHandle): Promise<WorkerBeat[]> {
  const rows = await handle.rows<{ id: string; age: number | string }>(sql`
    select id, extract(epoch from now() - heartbeat_at)::float8 as age from workers order by id`);
  return rows.map((r) => ({ id: r.id, ageSeconds: Math.max(0, Number(r.age)) }));
}

/** The Prometheus text, with the database figures read now. */
export async function scrapeMetrics(handle: DbHandle, heartbeatTimeoutSeconds: number): Promise<{ text: string; contentType: string }> {
  const m = metrics();
  const [queue, beats] = await Promise.all([queueFigures(handle), workerBeats(handle)]);
  m.queuePending.set(queue.pending);
  m.queueDue.set(queue.due);
  m.queueOldestDueAge.set(queue.oldestDueAgeSeconds);
  m.workerHeartbeatAge.reset();
  for (const b of beats) m.workerHeartbeatAge.set({ worker: b.id }, b.ageSeconds);
  m.workersAlive.set(beats.filter((b) => b.ageSeconds <= heartbeatTimeoutSeconds).length);
  return { text: await m.registry.metrics(), contentType: m.registry.contentType };
}

/** Constant-time comparison of a Bearer token with METRICS_TOKEN. */
export function isMetricsToken(token: string | null, expected: string | undefined): boolean {
  if (!token || !expected) return false;
  const a = createHash('sha256').update(token).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
