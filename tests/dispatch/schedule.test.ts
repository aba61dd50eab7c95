// Retry timing and metadata normalisation: the rules behind the schedule (SPEC §4) and event_metadata.time (§3).
import { describe, expect, it } from 'vitest';
import { nextRetryDelay, parseRetryAfter } from '../../lib/dispatch/retry';
import { normaliseTime } from '../../lib/dispatch/payload';
import { parseEnv } from '../../lib/env';

const SCHEDULE = parseEnv({}).RETRY_SCHEDULE;
const mid = () => 0.5;

describe('retry schedule', () => {
  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all', () => {
    expect(SCHEDULE).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => nextRetryDelay({ attempts, schedule: SCHEDULE, status: 500, random: mid }));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
  });

  it('jitters each delay by ±20 %', () => {
    expect(nextRetryDelay({ attempts: 2, schedule: SCHEDULE, status: 500, random: () => 0 })).toBe(240_000);
    expect(nextRetryDelay({ attempts: 2, schedule: SCHEDULE, status: 500, random: () => 0.999999 })).toBe(360_000);
    const seen = new Set(Array.from({ length: 50 }, () => nextRetryDelay({ attempts: 1, schedule: SCHEDULE, status: null })));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) expect(d! >= 4_000 && d! <= 6_000).toBe(true);
  });

  it('410 Gone ends retries at once', () => {
    expect(nextRetryDelay({ attempts: 1, schedule: SCHEDULE, status: 410 })).toBeNull();
  });

  it('honours Retry-After up to twice the scheduled delay, never sooner than the schedule', () => {
    const at = (retryAfter: string) => nextRetryDelay({ attempts: 2, schedule: SCHEDULE, status: 429, retryAfter, random: mid, now: 0 });
    expect(at('400')).toBe(400_000);
    expect(at('3600')).toBe(600_000);
    expect(at('10')).toBe(300_000);
    expect(at(new Date(450_000).toUTCString())).toBe(450_000);
    expect(at('soon')).toBe(300_000);
  });

  it('reads Retry-After as delta-seconds or an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2016-01-01T00:00:00Z'))).toBe(0);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('-5')).toBeNull();
  });

  it('a manual retry past the schedule gets exactly one more attempt', () => {
    expect(nextRetryDelay({ attempts: 9, schedule: SCHEDULE, status: 500 })).toBeNull();
  });
});

describe('event_metadata.time', () => {
  it.each([
    ['2025-03-14T15:12:03.402Z', '2025-03-14T15:12:03.402Z'],
    ['2025-03-14 15:12:03.402118+00:00', '2025-03-14T15:12:03.402Z'],
    ['2025-03-14 15:09:26+00:00', '2025-03-14T15:09:26.000Z'],
    ['2025-03-14T17:12:03.4+02:00', '2025-03-14T15:12:03.400Z'],
    ['2025-03-14T10:12:03-0500', '2025-03-14T15:12:03.000Z'],
    ['2025-03-14T15:12', '2025-03-14T15:12:00.000Z'],
    ['2025-03-14T15:12:03', '2025-03-14T15:12:03.000Z'],
  ])('%s → %s', (input, output) => {
    expect(normaliseTime(input)).toBe(output);
  });

  it.each(['yesterday', '2025-03-14', '2025-13-14T00:00:00Z', '14/03/2025 15:12', ''])('refuses %j', (input) => {
    expect(normaliseTime(input)).toBeNull();
  });
});
