// Revocable sessions: the (encrypted) session JWT carries a row id of `sessions`; sign-out deletes the row,
// removing a user deletes theirs (foreign key), and every request checks the row, remembered briefly.
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions } from '../db/schema';

/** How long a checked session is believed without asking the database again (other processes' sign-outs). */
export const SESSION_CHECK_MS = 2_000;
const MAX_CACHED = 5_000;

// On globalThis: Next.js's bundles may load this module more than once, and a sign-out handled by one must
// reach the cache the others read.
const CACHE_KEY = Symbol.for('openedx-webhooks.session-cache');
const cache = ((globalThis as { [CACHE_KEY]?: unknown })[CACHE_KEY] ??= new Map<string, { userId: string | null; at: number }>()) as Map<
  string,
  { userId: string | null; at: number }
>;

export async function createSession(db: Db, userId: string, maxAgeSeconds: number): Promise<string> {
  const [row] = await db
    .insert(sessions)
    .values({ userId, expiresAt: new Date(Date.now() + maxAgeSeconds * 1000) })
    .returning({ id: sessions.id });
  // Expired rows of anyone go now and then; one statement, indexed.
  if (Math.random() < 0.05) void db.delete(sessions).where(lte(sessions.expiresAt, new Date())).catch(() => {});
  return row!.id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True while the session exists, has not expired and belongs to this user. */
export async function sessionValid(db: Db, id: unknown, userId: unknown): Promise<boolean> {
  if (typeof id !== 'string' || !UUID.test(id) || typeof userId !== 'string') return false;
  const now = Date.now();
  const hit = cache.get(id);
  if (hit && now - hit.at < SESSION_CHECK_MS) return hit.userId === userId;
  const [row] = await db
    .select({ userId: sessions.userId })
    .from(sessions)
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date())));
  cache.delete(id);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(id, { userId: row?.userId ?? null, at: now });
  return row?.userId === userId;
}

export async function deleteSession(db: Db, id: unknown): Promise<void> {
  if (typeof id !== 'string' || !UUID.test(id)) return;
  cache.delete(id);
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Every session of a user (a removed or locked-out user): this process forgets them at once. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
  for (const [id, v] of cache) if (v.userId === userId) cache.delete(id);
}
