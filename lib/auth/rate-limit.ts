// Sign-in budget per account and per client address, kept in the database so every app process shares it
// (PostgreSQL and the embedded PGlite alike). Each attempt is counted BEFORE its password is checked, in one
// atomic upsert, so parallel guesses cannot all slip through; once a budget is spent the attempt is refused
// without a password check until the window ends. A success clears the account's counter and gives the
// address back that one attempt (its failures still count).
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';

export const SIGN_IN_LIMITS = {
  /** Attempts per account (email) in one window. */
  perAccount: 5,
  /** Attempts per client address in one window (several admins may share an office address). */
  perAddress: 20,
  windowSeconds: 15 * 60,
  /** Rows kept at most; past it the oldest counters that are not refusing anyone go first. */
  maxRows: 100_000,
};

export type SignInCheck = { ok: true } | { ok: false; retryAfterSeconds: number };

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const addressKey = (address: string) => `ip:${address}`;

/** Counts one attempt for the account and the address; refuses it when either budget is spent. */
export async function reserveSignIn(handle: DbHandle, email: string, address: string): Promise<SignInCheck> {
  const { perAccount, perAddress, windowSeconds } = SIGN_IN_LIMITS;
  const account = accountKey(email);
  const from = addressKey(address);
  const rows = await handle.rows<{ key: string; attempts: number; remaining: number }>(sql`
    insert into sign_in_limits as l (key, attempts, window_start, updated_at)
    values (${account}, 1, now(), now()), (${from}, 1, now(), now())
    on conflict (key) do update set
      attempts = case when l.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else l.attempts + 1 end,
      window_start = case when l.window_start <= now() - make_interval(secs => ${windowSeconds}) then now() else l.window_start end,
      updated_at = now()
    returning key, attempts,
      extract(epoch from (window_start + make_interval(secs => ${windowSeconds}) - now()))::float8 as remaining`);
  maybeSweep(handle);
  let wait = 0;
  for (const r of rows) {
    const limit = r.key === account ? perAccount : perAddress;
    if (r.attempts > limit) wait = Math.max(wait, Math.ceil(Number(r.remaining)));
  }
  return wait > 0 ? { ok: false, retryAfterSeconds: Math.max(1, wait) } : { ok: true };
}

/**
 * After a successful sign-in the account starts afresh, and the address gives back this one attempt only: its
 * failed ones still count, or anyone with one valid account could sign in between guesses at other accounts and
 * never be slowed down from that address (while colleagues behind one address are not locked out by successes).
 */
export async function clearSignIn(handle: DbHandle, email: string, address: string): Promise<void> {
  await handle.rows(sql`delete from sign_in_limits where key = ${accountKey(email)}`);
  await handle.rows(sql`update sign_in_limits set attempts = greatest(attempts - 1, 0) where key = ${addressKey(address)}`);
}

/**
 * Drops counters whose window has ended and, past maxRows, the oldest counters that refuse no one: a flood
 * of junk attempts from many addresses evicts other junk, never the table, and never an account it locked.
 */
export async function sweepSignInLimits(handle: DbHandle): Promise<void> {
  const { windowSeconds, maxRows, perAccount } = SIGN_IN_LIMITS;
  await handle.rows(sql`delete from sign_in_limits where window_start <= now() - make_interval(secs => ${windowSeconds})`);
  await handle.rows(sql`
    delete from sign_in_limits where key in (
      select key from sign_in_limits
      order by (attempts > ${perAccount}) desc, updated_at desc
      offset ${maxRows})`);
}

// Sweeps run at most once a minute per process, after the attempt that triggered them.
const SWEEP_EVERY_MS = 60_000;
const lastSweep = new WeakMap<DbHandle, number>();
function maybeSweep(handle: DbHandle) {
  const now = Date.now();
  if (now - (lastSweep.get(handle) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(handle, now);
  void sweepSignInLimits(handle).catch((err) => console.error('[auth] could not sweep sign-in counters:', err));
}

/** "3 minutes", "1 minute", "40 seconds": the wait as a person reads it. */
export function waitText(seconds: number): string {
  if (seconds >= 90) return `${Math.ceil(seconds / 60)} minutes`;
  if (seconds > 60) return '2 minutes';
  if (seconds === 60) return '1 minute';
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
