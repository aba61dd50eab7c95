// Slows repeated failed sign-ins from one address: after 5 failures in 15 minutes each try waits longer.
const WINDOW_MS = 15 * 60_000;
const FREE_TRIES = 5;
const MAX_DELAY_MS = 10_000;

const failures = new Map<string, { count: number; first: number }>();

function entry(key: string) {
  const now = Date.now();
  const e = failures.get(key);
  if (!e || now - e.first > WINDOW_MS) return undefined;
  return e;
}

/** How long this address must wait before its credentials are checked. */
export function signInDelayMs(key: string): number {
  const e = entry(key);
  if (!e || e.count < FREE_TRIES) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (e.count - FREE_TRIES));
}

export function recordFailure(key: string) {
  const e = entry(key);
  if (e) e.count += 1;
  else {
    if (failures.size > 10_000) failures.clear();
    failures.set(key, { count: 1, first: Date.now() });
  }
}

export function recordSuccess(key: string) {
  failures.delete(key);
}

export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]?.trim() || headers.get('x-real-ip') || 'unknown';
}
