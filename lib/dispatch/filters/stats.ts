// Filter health (SPEC §12), kept as calls are logged: one filter_stats_hourly row per hour and filter type (the
// whole call as the LMS waited for it) and per hour and webfilter, each with its counts and a latency histogram.
// Percentiles come from the histograms, so a day of a million calls is read as 24 × (types + webfilters) rows.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../../db/client';

/** Upper bounds (ms) of the latency buckets; the last bucket holds everything slower. */
export const FILTER_LATENCY_BUCKETS_MS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000];
/** The webfilter_id of a per-type row. */
export const WHOLE_CALL = '00000000-0000-0000-0000-000000000000';

export function bucketOf(ms: number): number {
  const i = FILTER_LATENCY_BUCKETS_MS.findIndex((b) => ms <= b);
  return i < 0 ? FILTER_LATENCY_BUCKETS_MS.length : i;
}

export interface StatSample {
  at: Date;
  filterType: string;
  /** WHOLE_CALL for the whole call. */
  webfilterId: string;
  durationMs: number;
  halted: boolean;
  changed: boolean;
  failed: boolean;
  disagrees: boolean;
}

interface Row {
  hour: string;
  filter_type: string;
  webfilter_id: string;
  calls: number;
  halts: number;
  changes: number;
  failures: number;
  shadow_disagreements: number;
  buckets: number[];
}

/** Adds samples to their hours' rows, in one statement. */
export async function addFilterStats(handle: DbHandle, samples: readonly StatSample[]): Promise<void> {
  if (samples.length === 0) return;
  const rows = new Map<string, Row>();
  for (const s of samples) {
    const hour = new Date(Math.floor(s.at.getTime() / 3_600_000) * 3_600_000).toISOString();
    const key = `${hour}|${s.filterType}|${s.webfilterId}`;
    let r = rows.get(key);
    if (!r) {
      r = { hour, filter_type: s.filterType, webfilter_id: s.webfilterId, calls: 0, halts: 0, changes: 0, failures: 0, shadow_disagreements: 0, buckets: Array(FILTER_LATENCY_BUCKETS_MS.length + 1).fill(0) };
      rows.set(key, r);
    }
    r.calls++;
    r.halts += Number(s.halted);
    r.changes += Number(s.changed);
    r.failures += Number(s.failed);
    r.shadow_disagreements += Number(s.disagrees);
    r.buckets[bucketOf(s.durationMs)]!++;
  }
  await handle.rows(sql`
    insert into filter_stats_hourly as t (hour, filter_type, webfilter_id, calls, halts, changes, failures, shadow_disagreements, buckets)
    select x.hour, x.filter_type, x.webfilter_id, x.calls, x.halts, x.changes, x.failures, x.shadow_disagreements,
      array(select (e::text)::int from json_array_elements(x.buckets) as e)
    from json_to_recordset(${JSON.stringify([...rows.values()])}::json) as x(hour timestamptz, filter_type text, webfilter_id uuid,
      calls int, halts int, changes int, failures int, shadow_disagreements int, buckets json)
    on conflict (hour, filter_type, webfilter_id) do update set
      calls = t.calls + excluded.calls, halts = t.halts + excluded.halts, changes = t.changes + excluded.changes,
      failures = t.failures + excluded.failures, shadow_disagreements = t.shadow_disagreements + excluded.shadow_disagreements,
      buckets = array(select a + b from unnest(t.buckets, excluded.buckets) with ordinality as u(a, b, i) order by i)`);
}

/** The p-th percentile (0..1) of a histogram, as its bucket's upper bound (the slowest bucket: its lower bound). */
export function percentile(buckets: readonly number[], p: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(p * total);
  let seen = 0;
  for (const [i, n] of buckets.entries()) {
    seen += n;
    if (seen >= rank) return FILTER_LATENCY_BUCKETS_MS[i] ?? FILTER_LATENCY_BUCKETS_MS.at(-1)!;
  }
  return FILTER_LATENCY_BUCKETS_MS.at(-1)!;
}
