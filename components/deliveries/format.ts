// Small display helpers for the delivery log: durations, event types, relative times.

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** org.openedx.learning.course.enrollment.created.v1 → course.enrollment.created.v1 (the full type stays in the title). */
export function shortType(type: string): string {
  return type.replace(/^org\.openedx\.[a-z_]+\./, '');
}

/** "in 4 min", "3 h ago": coarse on purpose, the exact time is in the title. */
export function relativeTime(iso: string, now: number): string {
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  const [n, unit] =
    abs < 45_000 ? [Math.round(abs / 1000), 's'] : abs < 2_700_000 ? [Math.round(abs / 60_000), 'min'] : abs < 129_600_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  if (abs < 1500) return 'now';
  return diff > 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** Host and path of a target URL, without the scheme. */
export function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, '');
}
