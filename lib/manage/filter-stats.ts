// Filter health (SPEC §12): per filter type (the whole call as the LMS waited for it) and per webfilter, over a
// time range, read from the hourly figures kept as calls are logged (lib/dispatch/filters/stats.ts).
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '../db/client';
import { FILTER_LATENCY_BUCKETS_MS, percentile, WHOLE_CALL } from '../dispatch/filters/stats';
import { invalid, ok, type Result } from './result';

export interface FilterStatsItem {
  filter_type: string;
  webfilter_id: string | null;
  calls: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  halts: number;
  changes: number;
  failures: number;
  shadow_disagreements: number;
}

export interface HourPoint {
  hour: string;
  calls: number;
  p50_ms: number | null;
  p99_ms: number | null;
}

const iso = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, like 2026-12-06T10:00:00Z' });
export const statsQuery = z
  .object({ from: iso.optional(), to: iso.optional() })
  .transform((q) => {
    const to = q.to ? new Date(q.to) : new Date();
    return { from: q.from ? new Date(q.from) : new Date(to.getTime() - 24 * 3_600_000), to };
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] });

const sumBuckets = (lists: number[][]) => {
  const out: number[] = Array(FILTER_LATENCY_BUCKETS_MS.length + 1).fill(0);
  for (const l of lists) l.forEach((n, i) => (out[i] = (out[i] ?? 0) + n));
  return out;
};

type Row = { filter_type: string; webfilter_id: string; hour: string | Date; calls: number; halts: number; changes: number; failures: number; shadow_disagreements: number; buckets: number[] | string };
const bucketsOf = (b: number[] | string) => (typeof b === 'string' ? b.replace(/[{}]/g, '').split(',').map(Number) : b);

async function rows(handle: DbHandle, from: Date, to: Date): Promise<Row[]> {
  // Hours that overlap the range: an hour row holds calls from its start to its end.
  const start = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
  return handle.rows<Row>(sql`
    select filter_type, webfilter_id::text, hour, calls, halts, changes, failures, shadow_disagreements, buckets
    from filter_stats_hourly where hour >= ${start.toISOString()}::timestamptz and hour < ${to.toISOString()}::timestamptz`);
}

export async function filterStats(handle: DbHandle, query: unknown): Promise<Result<{ items: FilterStatsItem[] }>> {
  const parsed = statsQuery.safeParse(query);
  if (!parsed.success) return invalid(parsed.error, query);
  const groups = new Map<string, Row[]>();
  for (const r of await rows(handle, parsed.data.from, parsed.data.to)) {
    const key = `${r.filter_type}|${r.webfilter_id}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const items = [...groups.values()].map((g): FilterStatsItem => {
    const buckets = sumBuckets(g.map((r) => bucketsOf(r.buckets)));
    const sum = (k: 'calls' | 'halts' | 'changes' | 'failures' | 'shadow_disagreements') => g.reduce((a, r) => a + Number(r[k]), 0);
    return {
      filter_type: g[0]!.filter_type,
      webfilter_id: g[0]!.webfilter_id === WHOLE_CALL ? null : g[0]!.webfilter_id,
      calls: sum('calls'),
      p50_ms: percentile(buckets, 0.5),
      p95_ms: percentile(buckets, 0.95),
      p99_ms: percentile(buckets, 0.99),
      halts: sum('halts'),
      changes: sum('changes'),
      failures: sum('failures'),
      shadow_disagreements: sum('shadow_disagreements'),
    };
  });
  items.sort((a, b) => a.filter_type.localeCompare(b.filter_type) || (a.webfilter_id === null ? -1 : b.webfilter_id === null ? 1 : a.webfilter_id.localeCompare(b.webfilter_id)));
  return ok({ items });
}

/** Per filter type, the last 24 hours hour by hour (whole calls): the latency chart. */
export async function filterHours(handle: DbHandle, now = new Date()): Promise<Map<string, HourPoint[]>> {
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  const from = new Date(to.getTime() - 24 * 3_600_000);
  const out = new Map<string, HourPoint[]>();
  for (const r of await rows(handle, from, to)) {
    if (r.webfilter_id !== WHOLE_CALL) continue;
    const b = bucketsOf(r.buckets);
    const points = out.get(r.filter_type) ?? [];
    points.push({ hour: new Date(r.hour).toISOString(), calls: Number(r.calls), p50_ms: percentile(b, 0.5), p99_ms: percentile(b, 0.99) });
    out.set(r.filter_type, points);
  }
  for (const points of out.values()) points.sort((a, b) => a.hour.localeCompare(b.hour));
  return out;
}
