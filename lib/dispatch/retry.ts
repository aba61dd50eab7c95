// When to try a failed delivery again (SPEC §4): the schedule with ±20 % jitter, Retry-After, 410 Gone.

export const JITTER = 0.2;

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // An HTTP date starts with the day name ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would take "-5" as a year.
  const at = /^[a-z]+,?\s/i.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export interface RetryInput {
  /** Attempts made so far, this one included (1 after the first attempt). */
  attempts: number;
  /** Seconds to wait after attempt 1, 2, …: schedule.length + 1 attempts in all. */
  schedule: readonly number[];
  status: number | null;
  retryAfter?: string;
  now?: number;
  random?: () => number;
}

/** Milliseconds until the next attempt, or null when the delivery is over (retries exhausted or 410 Gone). */
export function nextRetryDelay(input: RetryInput): number | null {
  if (input.status === 410) return null;
  const seconds = input.schedule[input.attempts - 1];
  if (seconds === undefined) return null;
  const base = seconds * 1000;
  const jittered = base * (1 - JITTER + 2 * JITTER * (input.random ?? Math.random)());
  const asked = parseRetryAfter(input.retryAfter, input.now);
  // The receiver may ask for more time, but not hold a delivery longer than twice its scheduled delay.
  const delay = asked === null ? jittered : Math.max(jittered, Math.min(asked, 2 * base));
  return Math.round(delay);
}
